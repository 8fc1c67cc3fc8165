package resreg_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// loadHooks run writes on the plain store around the grant read of an index
// load: before once the read has begun (after the Registry read LastSeq),
// after once it has ended (before the index is built).
type loadHooks struct {
	before, after func()
}

// scanRacing is a store whose GrantScanner runs the hooks around the scan.
type scanRacing struct {
	store.Store
	hooks *loadHooks
}

func (s scanRacing) ScanGrants(ctx context.Context, ns string, fn func(store.Grant) error) error {
	s.hooks.before()
	err := s.Store.(store.GrantScanner).ScanGrants(ctx, ns, fn)
	s.hooks.after()
	return err
}

// listRacing hides the GrantScanner and runs the hooks around the pages of
// ListGrants instead.
type listRacing struct {
	store.Store
	hooks *loadHooks
}

func (s listRacing) ListGrants(ctx context.Context, f store.GrantFilter, o store.ListOptions) (store.Page[store.Grant], error) {
	if o.PageToken == "" {
		s.hooks.before()
	}
	page, err := s.Store.ListGrants(ctx, f, o)
	if err == nil && page.NextPageToken == "" {
		s.hooks.after()
	}
	return page, err
}

// A write committed while an index load reads the grants, before or after
// the snapshot it reads, is in the index by the next consistent check:
// the load starts from the LastSeq read before the read, and replaying the
// changes after it onto the snapshot is idempotent.
func TestWritesRacingTheIndexLoad(t *testing.T) {
	ctx := context.Background()
	for _, via := range []string{"scan", "listings"} {
		t.Run(via, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, s store.Store) {
				if _, ok := s.(store.GrantScanner); !ok && via == "scan" {
					t.Skip("the store has no GrantScanner")
				}
				writer := resreg.New(s)
				permFixture(t, writer)
				// Enough grants for several ListGrants pages.
				ids := make([]string, 2*store.MaxPageSize+10)
				for i := range ids {
					ids[i] = "u" + strconv.Itoa(i)
				}
				for i := 0; i < len(ids); i += 1000 {
					chunk := ids[i:min(i+1000, len(ids))]
					require.NoError(t, writer.AuthorizeResources(ctx, grantInput("USER", chunk, resreg.ResourceActions{Code: "books", Actions: []string{"read"}})))
				}
				require.NoError(t, writer.AuthorizeResources(ctx, grantInput("USER", []string{"revoked"}, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}})))

				hooks := &loadHooks{
					before: func() {
						require.NoError(t, writer.RevokeResources(ctx, grantInput("USER", []string{"revoked"}, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}})))
						require.NoError(t, writer.AuthorizeResources(ctx, grantInput("USER", []string{"early"}, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}})))
					},
					after: func() {
						require.NoError(t, writer.AuthorizeResources(ctx, grantInput("USER", []string{"late"}, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}})))
						require.NoError(t, writer.RevokeResources(ctx, grantInput("USER", ids[:1], resreg.ResourceActions{Code: "books", Actions: []string{"read"}})))
					},
				}
				var racing store.Store = listRacing{s, hooks}
				if via == "scan" {
					racing = scanRacing{s, hooks}
				}
				reader := resreg.New(racing)
				allowed := func(user, code, action string) bool {
					ok, err := reader.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: resreg.Principal{UserID: user}, Namespace: "app", Resource: code, Action: action})
					require.NoError(t, err)
					return ok
				}
				allowed("someone", "ecs", "ecs:Start") // the load, with the racing writes
				hooks.before, hooks.after = func() {}, func() {}
				require.False(t, allowed("revoked", "ecs", "ecs:Start"), "a revoke before the snapshot")
				require.True(t, allowed("early", "ecs", "ecs:Start"), "a grant before the snapshot")
				require.True(t, allowed("late", "ecs", "ecs:Start"), "a grant after the snapshot")
				require.False(t, allowed(ids[0], "books", "read"), "a revoke after the snapshot")
				require.True(t, allowed(ids[1], "books", "read"))
				require.True(t, allowed(ids[len(ids)-1], "books", "read"))
			})
		})
	}
}
