package resreg_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

// everyPermissionWrite calls each permission write of the Registry once
// with valid input on the permBadFixture registry.
func everyPermissionWrite(ctx context.Context, reg *resreg.Registry) map[string]error {
	errs := map[string]error{}
	grant := grantInput("GROUP", []string{"g"}, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}})
	errs["AuthorizeResources"] = reg.AuthorizeResources(ctx, grant)
	errs["RevokeResources"] = reg.RevokeResources(ctx, grantInput("ROLE", []string{"admin"}, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Stop"}}))
	errs["AddMembers"] = reg.AddMembers(ctx, resreg.Group("staff"), resreg.User("u9"))
	errs["RemoveMembers"] = reg.RemoveMembers(ctx, resreg.Department("sales"), resreg.Group("staff"))
	_, errs["CreateDataPolicy"] = reg.CreateDataPolicy(ctx, policyInput("new", "app/card/open"))
	_, errs["UpdateDataPolicy"] = reg.UpdateDataPolicy(ctx, "pol-existing", resreg.DataPolicyUpdate{Description: ptr("changed")})
	errs["AuthorizeDataPolicies"] = reg.AuthorizeDataPolicies(ctx, resreg.AuthorizeDataPoliciesInput{PolicyIDs: []string{"pol-existing"}, TargetList: []resreg.Target{{ID: "r", Type: "ROLE"}}})
	errs["RevokeDataPolicy"] = reg.RevokeDataPolicy(ctx, resreg.RevokeDataPolicyInput{PolicyID: "pol-existing", TargetList: []resreg.Target{{ID: "r", Type: "ROLE"}}})
	errs["DeleteDataPolicy"] = reg.DeleteDataPolicy(ctx, "pol-existing")
	return errs
}

func TestPermissionWritesWithADoneContextWriteNothing(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, c := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"cancelled", cancelled, context.Canceled},
		{"expired", expired, context.DeadlineExceeded},
	} {
		t.Run(c.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, s store.Store) {
				reg := permBadFixture(t, s)
				before := storetest.TakeSnapshot(t, s)
				for method, err := range everyPermissionWrite(c.ctx, reg) {
					require.ErrorIs(t, err, c.want, method)
				}
				require.Equal(t, before, storetest.TakeSnapshot(t, s), "a call with a done context wrote something")
				for method, err := range everyPermissionWrite(context.Background(), reg) {
					require.NoError(t, err, method)
				}
				require.NotEqual(t, before, storetest.TakeSnapshot(t, s))
			})
		})
	}
}

// racingStore deletes resource "books" and drops action ecs:Stop right
// before AddGrants, as a concurrent writer could between the Registry's
// checks and its write.
type racingStore struct {
	store.Store
	race func(ctx context.Context)
}

func (s racingStore) AddGrants(ctx context.Context, grants []store.Grant) error {
	s.race(ctx)
	return s.Store.AddGrants(ctx, grants)
}

func TestAuthorizeResourcesRacingAWriterNamesTheField(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		in := grantInput("ROLE", []string{"admin"},
			resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start", "ecs:Stop"}},
			resreg.ResourceActions{Code: "books", Actions: []string{"read"}})
		cases := []struct {
			name  string
			race  func(ctx context.Context, reg *resreg.Registry) error
			want  error
			field string
		}{
			{"resource deleted", func(ctx context.Context, reg *resreg.Registry) error {
				return reg.DeleteResources(ctx, "app", "books")
			}, resreg.ErrNotFound, "list[0].resources[1].code"},
			{"action removed", func(ctx context.Context, reg *resreg.Registry) error {
				_, err := reg.UpdateResource(ctx, "app", "ecs", resreg.ResourceUpdate{Actions: &[]resreg.Action{{Name: "ecs:Start", Description: "Start"}}})
				return err
			}, resreg.ErrInvalid, "list[0].resources[0].actions[1]"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s := freshLike(t, s)
				plain := resreg.New(s)
				permFixture(t, plain)
				racing := resreg.New(racingStore{Store: s, race: func(ctx context.Context) { require.NoError(t, tc.race(ctx, plain)) }})
				err := racing.AuthorizeResources(ctx, in)
				requireField(t, err, tc.want, tc.field)
				require.Empty(t, storetest.TakeSnapshot(t, s).Grants["app"])
			})
		}
	})
}
