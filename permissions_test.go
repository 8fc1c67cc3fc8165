package resreg_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

func authorized(t *testing.T, reg *resreg.Registry, in resreg.GetAuthorizedResourcesInput) []resreg.AuthorizedResource {
	t.Helper()
	out, err := reg.GetAuthorizedResources(context.Background(), in)
	require.NoError(t, err)
	return out
}

func adminGrants(withDenied bool, list ...string) resreg.GetAuthorizedResourcesInput {
	return resreg.GetAuthorizedResourcesInput{Namespace: "app", TargetType: "ROLE", TargetIdentifier: "admin", WithDenied: withDenied, ResourceList: list}
}

func TestGetAuthorizedResources(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		permFixture(t, reg)
		require.NoError(t, reg.AuthorizeResources(ctx, grantInput("ROLE", []string{"admin", "ops"},
			resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Stop", "ecs:Start"}, ResourceType: "API"},
			resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Stop"}, Effect: resreg.Deny},
			resreg.ResourceActions{Code: "books:fiction", Actions: []string{"*"}},
			resreg.ResourceActions{Code: "books", Actions: []string{"read"}},
			resreg.ResourceActions{Code: "*", Actions: []string{"*"}},
		)))
		ecs := func(effect resreg.Effect, actions ...string) resreg.AuthorizedResource {
			return resreg.AuthorizedResource{ResourceCode: "ecs", ResourceType: "API", Description: "Servers", APIIdentifier: "https://api.example.com/ecs", Actions: actions, Effect: effect}
		}
		star := resreg.AuthorizedResource{ResourceCode: "*", Actions: []string{"*"}, Effect: resreg.Allow}
		books := resreg.AuthorizedResource{ResourceCode: "books", ResourceType: "API", Actions: []string{"read"}, Effect: resreg.Allow}
		fiction := resreg.AuthorizedResource{ResourceCode: "books:fiction", ResourceType: "MENU", Actions: []string{"*"}, Effect: resreg.Allow}

		cases := []struct {
			name string
			in   resreg.GetAuthorizedResourcesInput
			want []resreg.AuthorizedResource
		}{
			{"allow only", adminGrants(false), []resreg.AuthorizedResource{star, books, fiction, ecs(resreg.Allow, "ecs:Start", "ecs:Stop")}},
			{"with denied", adminGrants(true), []resreg.AuthorizedResource{star, books, fiction, ecs(resreg.Allow, "ecs:Start", "ecs:Stop"), ecs(resreg.Deny, "ecs:Stop")}},
			{"prefix", adminGrants(true, "books*"), []resreg.AuthorizedResource{books, fiction}},
			{"prefix with colon", adminGrants(true, "books:*"), []resreg.AuthorizedResource{fiction}},
			{"exact code", adminGrants(true, "ecs"), []resreg.AuthorizedResource{ecs(resreg.Allow, "ecs:Start", "ecs:Stop"), ecs(resreg.Deny, "ecs:Stop")}},
			{"star keeps everything", adminGrants(false, "*"), []resreg.AuthorizedResource{star, books, fiction, ecs(resreg.Allow, "ecs:Start", "ecs:Stop")}},
			{"type filter keeps wildcard grants", resreg.GetAuthorizedResourcesInput{Namespace: "app", TargetType: "ROLE", TargetIdentifier: "admin", ResourceType: "MENU"}, []resreg.AuthorizedResource{star, fiction}},
			{"other subject", resreg.GetAuthorizedResourcesInput{Namespace: "app", TargetType: "ROLE", TargetIdentifier: "nobody"}, []resreg.AuthorizedResource{}},
			{"other type same ID", resreg.GetAuthorizedResourcesInput{Namespace: "app", TargetType: "GROUP", TargetIdentifier: "admin"}, []resreg.AuthorizedResource{}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				require.Equal(t, tc.want, authorized(t, reg, tc.in))
			})
		}
		ops := authorized(t, reg, resreg.GetAuthorizedResourcesInput{Namespace: "app", TargetType: "ROLE", TargetIdentifier: "ops", WithDenied: true})
		require.Equal(t, authorized(t, reg, adminGrants(true)), ops, "every target identifier got the same grants")
	})
}

func TestAuthorizeResourcesIsIdempotent(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		permFixture(t, reg)
		in := grantInput("USER", []string{"u1"}, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}})
		require.NoError(t, reg.AuthorizeResources(ctx, in))
		first := storetest.TakeSnapshot(t, s)
		require.Len(t, first.Grants["app"], 1)
		require.NoError(t, reg.AuthorizeResources(ctx, in))
		require.Equal(t, first, storetest.TakeSnapshot(t, s), "granting again changes nothing, CreatedAt included")

		// Authorizing more adds to what is granted; the same grant named
		// twice in one call is one grant.
		more := grantInput("USER", []string{"u1"},
			resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Stop"}},
			resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Stop", "ecs:Start"}})
		require.NoError(t, reg.AuthorizeResources(ctx, more))
		got := authorized(t, reg, resreg.GetAuthorizedResourcesInput{Namespace: "app", TargetType: "USER", TargetIdentifier: "u1"})
		require.Len(t, got, 1)
		require.Equal(t, []string{"ecs:Start", "ecs:Stop"}, got[0].Actions)
		require.Len(t, storetest.TakeSnapshot(t, s).Grants["app"], 2)
	})
}

func TestRevokeResources(t *testing.T) {
	ecs := func(effect resreg.Effect, actions ...string) resreg.ResourceActions {
		return resreg.ResourceActions{Code: "ecs", Actions: actions, Effect: effect}
	}
	granted := []resreg.ResourceActions{
		ecs("", "ecs:Start", "*"),
		ecs(resreg.Deny, "ecs:Start"),
		{Code: "*", Actions: []string{"*"}},
	}
	cases := []struct {
		name   string
		revoke []resreg.ResourceActions
		want   []string // remaining grants as code/action/effect
	}{
		{"empty effect is ALLOW", []resreg.ResourceActions{ecs("", "ecs:Start")}, []string{"*/*/ALLOW", "ecs/*/ALLOW", "ecs/ecs:Start/DENY"}},
		{"DENY only", []resreg.ResourceActions{ecs(resreg.Deny, "ecs:Start")}, []string{"*/*/ALLOW", "ecs/*/ALLOW", "ecs/ecs:Start/ALLOW"}},
		{"* removes the wildcard grant only", []resreg.ResourceActions{ecs(resreg.Allow, "*")}, []string{"*/*/ALLOW", "ecs/ecs:Start/ALLOW", "ecs/ecs:Start/DENY"}},
		{"code * removes the wildcard-resource grant only", []resreg.ResourceActions{{Code: "*", Actions: []string{"*"}}}, []string{"ecs/*/ALLOW", "ecs/ecs:Start/ALLOW", "ecs/ecs:Start/DENY"}},
		{"not granted is a no-op", []resreg.ResourceActions{ecs("", "ecs:Stop"), {Code: "books", Actions: []string{"read"}}}, []string{"*/*/ALLOW", "ecs/*/ALLOW", "ecs/ecs:Start/ALLOW", "ecs/ecs:Start/DENY"}},
		{"missing resource is a no-op", []resreg.ResourceActions{{Code: "gone", Actions: []string{"x"}}, ecs(resreg.Deny, "ecs:Start")}, []string{"*/*/ALLOW", "ecs/*/ALLOW", "ecs/ecs:Start/ALLOW"}},
	}
	forEachStore(t, func(t *testing.T, s store.Store) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				reg := resreg.New(freshLike(t, s))
				permFixture(t, reg)
				require.NoError(t, reg.AuthorizeResources(ctx, grantInput("ROLE", []string{"admin"}, granted...)))
				require.NoError(t, reg.RevokeResources(ctx, grantInput("ROLE", []string{"admin"}, tc.revoke...)))
				require.Equal(t, tc.want, grantKeys(t, reg.Store(), "app"))
			})
		}
	})
}

// freshLike opens a new empty store of the same kind as s.
func freshLike(t *testing.T, s store.Store) store.Store {
	t.Helper()
	for _, f := range allStores {
		if candidate := f.open(t); sameKind(candidate, s) {
			return candidate
		}
	}
	t.Fatalf("no factory makes a %T", s)
	return nil
}

func sameKind(a, b store.Store) bool { return fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b) }

// grantKeys lists a namespace's grants as "code/action/EFFECT".
func grantKeys(t *testing.T, s store.Store, ns string) []string {
	t.Helper()
	var out []string
	for _, g := range storetest.TakeSnapshot(t, s).Grants[ns] {
		out = append(out, g.ResourceCode+"/"+g.Action+"/"+string(g.Effect))
	}
	slices.Sort(out)
	return out
}

func TestGrantCascadesThroughTheRegistry(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		permFixture(t, reg)
		require.NoError(t, reg.AuthorizeResources(ctx, grantInput("ROLE", []string{"admin"},
			resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start", "ecs:Stop"}},
			resreg.ResourceActions{Code: "books", Actions: []string{"read", "write"}},
			resreg.ResourceActions{Code: "*", Actions: []string{"*"}},
		)))

		// Removing an action deletes its grants in the same write.
		_, err := reg.UpdateResource(ctx, "app", "ecs", resreg.ResourceUpdate{Actions: &[]resreg.Action{{Name: "ecs:Start", Description: "Start"}}})
		require.NoError(t, err)
		require.Equal(t, []string{"*/*/ALLOW", "books/read/ALLOW", "books/write/ALLOW", "ecs/ecs:Start/ALLOW"}, grantKeys(t, s, "app"))

		// Adding the action back does not bring the grant back.
		_, err = reg.UpdateResource(ctx, "app", "ecs", resreg.ResourceUpdate{Actions: &[]resreg.Action{{Name: "ecs:Start", Description: "Start"}, {Name: "ecs:Stop", Description: "Stop"}}})
		require.NoError(t, err)
		require.Equal(t, []string{"*/*/ALLOW", "books/read/ALLOW", "books/write/ALLOW", "ecs/ecs:Start/ALLOW"}, grantKeys(t, s, "app"))

		// Deleting a resource deletes its grants; wildcard grants stay.
		require.NoError(t, reg.DeleteResources(ctx, "app", "books"))
		require.Equal(t, []string{"*/*/ALLOW", "ecs/ecs:Start/ALLOW"}, grantKeys(t, s, "app"))

		// A namespace holding grants cannot be deleted.
		require.NoError(t, reg.DeleteResources(ctx, "app", "ecs", "books:fiction"))
		for _, code := range []string{"org", "card", "path"} {
			require.NoError(t, reg.DeleteDataResource(ctx, "app", code))
		}
		require.ErrorIs(t, reg.DeleteNamespace(ctx, "app"), resreg.ErrConflict)
		require.NoError(t, reg.RevokeResources(ctx, grantInput("ROLE", []string{"admin"}, resreg.ResourceActions{Code: "*", Actions: []string{"*"}})))
		require.NoError(t, reg.DeleteNamespace(ctx, "app"))
	})
}

func TestGrantLimits(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s, resreg.WithLimits(resreg.Limits{MaxGrantsPerCall: 3}))
		permFixture(t, reg)
		ok := grantInput("ROLE", []string{"a", "b", "c"}, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}})
		require.NoError(t, reg.AuthorizeResources(ctx, ok))
		tooMany := resreg.AuthorizeResourcesInput{Namespace: "app", List: []resreg.AuthorizeItem{
			{TargetType: "ROLE", TargetIdentifiers: []string{"a", "b"}, Resources: []resreg.ResourceActions{{Code: "ecs", Actions: []string{"ecs:Stop"}}}},
			{TargetType: "GROUP", TargetIdentifiers: []string{"g"}, Resources: []resreg.ResourceActions{{Code: "ecs", Actions: []string{"ecs:Stop", "ecs:Start"}}}},
		}}
		before := storetest.TakeSnapshot(t, s)
		err := reg.AuthorizeResources(ctx, tooMany)
		requireField(t, err, resreg.ErrInvalid, "list[1]")
		require.Equal(t, before, storetest.TakeSnapshot(t, s))
		requireField(t, reg.RevokeResources(ctx, tooMany), resreg.ErrInvalid, "list[1]")
	})
}

// requireField checks err's sentinel and Field.
func requireField(t *testing.T, err, want error, field string) *resreg.Error {
	t.Helper()
	require.ErrorIs(t, err, want)
	var e *resreg.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, field, e.Field, "error: %v", err)
	return e
}
