package resreg_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

func TestCheckInputValidation(t *testing.T) {
	ctx := context.Background()
	reg := resreg.New(memstore.New(), resreg.WithLimits(resreg.Limits{MaxBatch: 3}))
	decisionFixture(t, reg, func() {})
	me := resreg.Principal{UserID: "alice"}
	action := func(in resreg.IsActionAllowedInput) error {
		_, err := reg.IsActionAllowed(ctx, in)
		_, err2 := reg.ExplainActionAllowed(ctx, in)
		require.Equal(t, err, err2, "IsActionAllowed and ExplainActionAllowed validate alike")
		return err
	}
	data := func(in resreg.CheckPermissionInput) error {
		_, err := reg.CheckPermission(ctx, in)
		_, err2 := reg.ExplainPermission(ctx, in)
		require.Equal(t, err, err2, "CheckPermission and ExplainPermission validate alike")
		return err
	}
	for _, c := range []struct {
		name  string
		err   error
		want  error
		field string
	}{
		{"empty principal", action(resreg.IsActionAllowedInput{Namespace: "app", Resource: "books", Action: "read"}), resreg.ErrInvalid, "userId"},
		{"bad subject", action(resreg.IsActionAllowedInput{Principal: resreg.Principal{Subjects: []resreg.Subject{{Type: "ROLE"}}}, Namespace: "app", Resource: "books", Action: "read"}), resreg.ErrInvalid, "subjects[0].id"},
		{"too many subjects", action(resreg.IsActionAllowedInput{Principal: resreg.Principal{Subjects: repeat(editor, 4)}, Namespace: "app", Resource: "books", Action: "read"}), resreg.ErrInvalid, "subjects[3]"},
		{"user id with a slash", action(resreg.IsActionAllowedInput{Principal: resreg.Principal{UserID: "a/b"}, Namespace: "app", Resource: "books", Action: "read"}), resreg.ErrInvalid, "userId"},
		{"empty action", action(resreg.IsActionAllowedInput{Principal: me, Namespace: "app", Resource: "books"}), resreg.ErrInvalid, "action"},
		{"empty resource", action(resreg.IsActionAllowedInput{Principal: me, Namespace: "app", Action: "read"}), resreg.ErrInvalid, "resource"},
		{"wildcard resource", action(resreg.IsActionAllowedInput{Principal: me, Namespace: "app", Resource: "*", Action: "read"}), resreg.ErrInvalid, "resource"},
		{"bad namespace", action(resreg.IsActionAllowedInput{Principal: me, Namespace: "a b", Resource: "books", Action: "read"}), resreg.ErrInvalid, "namespace"},
		{"missing namespace", action(resreg.IsActionAllowedInput{Principal: me, Namespace: "nope", Resource: "books", Action: "read"}), resreg.ErrNamespaceNotFound, ""},
		{"data: empty resources", data(resreg.CheckPermissionInput{Principal: me, NamespaceCode: "app", Action: "get"}), resreg.ErrInvalid, "resources"},
		{"data: too many resources", data(resreg.CheckPermissionInput{Principal: me, NamespaceCode: "app", Action: "get", Resources: repeat("t1", 4)}), resreg.ErrInvalid, "resources[3]"},
		{"data: star", data(resreg.CheckPermissionInput{Principal: me, NamespaceCode: "app", Action: "get", Resources: []string{"t1", "t1/*"}}), resreg.ErrInvalid, "resources[1]"},
		{"data: double slash", data(resreg.CheckPermissionInput{Principal: me, NamespaceCode: "app", Action: "get", Resources: []string{"t1//a"}}), resreg.ErrInvalid, "resources[0]"},
		{"data: trailing slash", data(resreg.CheckPermissionInput{Principal: me, NamespaceCode: "app", Action: "get", Resources: []string{"t1/a/"}}), resreg.ErrInvalid, "resources[0]"},
		{"data: empty resource", data(resreg.CheckPermissionInput{Principal: me, NamespaceCode: "app", Action: "get", Resources: []string{""}}), resreg.ErrInvalid, "resources[0]"},
		{"data: empty action", data(resreg.CheckPermissionInput{Principal: me, NamespaceCode: "app", Resources: []string{"t1"}}), resreg.ErrInvalid, "action"},
		{"data: empty principal", data(resreg.CheckPermissionInput{NamespaceCode: "app", Action: "get", Resources: []string{"t1"}}), resreg.ErrInvalid, "userId"},
		{"data: missing namespace", data(resreg.CheckPermissionInput{Principal: me, NamespaceCode: "nope", Action: "get", Resources: []string{"t1"}}), resreg.ErrNamespaceNotFound, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.ErrorIs(t, c.err, c.want)
			if c.field != "" {
				var e *resreg.Error
				require.True(t, errors.As(c.err, &e))
				require.Equal(t, c.field, e.Field)
			}
		})
	}

	// An empty namespace is the default one, which exists.
	ok, err := reg.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: me, Resource: "books", Action: "read"})
	require.NoError(t, err)
	require.False(t, ok)
	res, err := reg.CheckPermission(ctx, resreg.CheckPermissionInput{Principal: me, Action: "get", Resources: []string{"t1"}})
	require.NoError(t, err)
	require.Equal(t, resreg.DefaultNamespace, res.CheckResultList[0].NamespaceCode)

	// JudgeConditionEnabled changes nothing.
	in := resreg.CheckPermissionInput{Principal: me, NamespaceCode: "app", Action: "get", Resources: []string{"t1/a/b", "t1/x", "t1/a/b/c/d/e"}}
	plain, err := reg.CheckPermission(ctx, in)
	require.NoError(t, err)
	in.JudgeConditionEnabled = true
	judged, err := reg.CheckPermission(ctx, in)
	require.NoError(t, err)
	require.Equal(t, plain, judged)
	require.Equal(t, resreg.CheckPermissionResult{CheckResultList: []resreg.CheckResult{
		{NamespaceCode: "app", Resource: "t1/a/b", Action: "get", Enabled: true},
		{NamespaceCode: "app", Resource: "t1/x", Action: "get", Enabled: false},
		{NamespaceCode: "app", Resource: "t1/a/b/c/d/e", Action: "get", Enabled: false},
	}}, plain)

	// A cancelled context is its error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = reg.IsActionAllowed(cctx, resreg.IsActionAllowedInput{Principal: me, Namespace: "app", Resource: "books", Action: "read"})
	require.ErrorIs(t, err, context.Canceled)
}

func TestListUserAuthorizedResourcesPages(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		decisionFixture(t, reg, func() {})
		in := resreg.UserAuthorizedResourcesInput{Principal: resreg.Principal{UserID: "alice"}, Namespace: "app"}
		all, err := reg.ListUserAuthorizedResources(ctx, in, resreg.ListOptions{IncludeTotal: true})
		require.NoError(t, err)
		// staff's */* covers everything; alice's deny removes books write,
		// editor's deny orders read, so orders is left out.
		require.Equal(t, []resreg.AuthorizedResource{
			{ResourceCode: "books", ResourceType: "API", Actions: []string{"read"}, Effect: resreg.Allow},
			{ResourceCode: "ecs", ResourceType: "API", Actions: []string{"start", "stop"}, Effect: resreg.Allow},
		}, all.Items)
		require.Equal(t, 2, all.TotalCount)
		require.Empty(t, all.NextPageToken)

		p1, err := reg.ListUserAuthorizedResources(ctx, in, resreg.ListOptions{PageSize: 1})
		require.NoError(t, err)
		require.Equal(t, all.Items[:1], p1.Items)
		require.NotEmpty(t, p1.NextPageToken)
		p2, err := reg.ListUserAuthorizedResources(ctx, in, resreg.ListOptions{PageSize: 1, PageToken: p1.NextPageToken})
		require.NoError(t, err)
		require.Equal(t, all.Items[1:], p2.Items)
		require.Empty(t, p2.NextPageToken)

		// The token is bound to its namespace.
		_, err = reg.ListUserAuthorizedResources(ctx, resreg.UserAuthorizedResourcesInput{Principal: in.Principal}, resreg.ListOptions{PageToken: p1.NextPageToken})
		require.ErrorIs(t, err, resreg.ErrInvalid)

		bobs, err := reg.ListUserAuthorizedResources(ctx, resreg.UserAuthorizedResourcesInput{Principal: resreg.Principal{UserID: "bob"}, Namespace: "app", ResourceType: "API"}, resreg.ListOptions{})
		require.NoError(t, err)
		require.Equal(t, []resreg.AuthorizedResource{{ResourceCode: "ecs", ResourceType: "API", Actions: []string{"start"}, Effect: resreg.Allow}}, bobs.Items)
		none, err := reg.ListUserAuthorizedResources(ctx, resreg.UserAuthorizedResourcesInput{Principal: resreg.Principal{UserID: "bob"}, Namespace: "app", ResourceType: "MENU"}, resreg.ListOptions{})
		require.NoError(t, err)
		require.Empty(t, none.Items)
	})
}

func TestGetUserResourceStruct(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		decisionFixture(t, reg, func() {})
		got, err := reg.GetUserResourceStruct(ctx, resreg.UserResourceStructInput{Principal: resreg.Principal{UserID: "bob"}, NamespaceCode: "app", ResourceCode: "t1"})
		require.NoError(t, err)
		// bob may del the whole tree except a/b/c and below.
		require.Equal(t, "TREE", string(got.Type))
		require.Equal(t, []string{"del"}, got.Actions)
		require.Len(t, got.Nodes, 2)
		a := got.Nodes[0]
		require.Equal(t, "a", a.Code)
		require.Equal(t, []string{"del"}, a.Actions)
		require.Equal(t, "b", a.Children[0].Code)
		require.Equal(t, []string{"del"}, a.Children[0].Actions)
		require.Empty(t, a.Children[0].Children, "c and below are denied")
		require.Equal(t, "bb", a.Children[1].Code)
		require.Equal(t, "x", got.Nodes[1].Code)

		// alice: get on a and below except e, put on b* under any root.
		got, err = reg.GetUserResourceStruct(ctx, resreg.UserResourceStructInput{Principal: resreg.Principal{UserID: "alice"}, NamespaceCode: "app", ResourceCode: "t1"})
		require.NoError(t, err)
		require.Empty(t, got.Actions)
		require.Len(t, got.Nodes, 1, "x has no allowed action")
		d := got.Nodes[0].Children[0].Children[0].Children[0]
		require.Equal(t, "d", d.Code)
		require.Equal(t, []string{"get", "put"}, d.Actions)
		require.Equal(t, []string{"put"}, d.Children[0].Actions, "e: get denied, put allowed")

		str, err := reg.GetUserResourceStruct(ctx, resreg.UserResourceStructInput{Principal: resreg.Principal{UserID: "alice"}, NamespaceCode: "app", ResourceCode: "s1"})
		require.NoError(t, err)
		require.Equal(t, []string{"get"}, str.Actions)
		require.Nil(t, str.Nodes)

		_, err = reg.GetUserResourceStruct(ctx, resreg.UserResourceStructInput{Principal: resreg.Principal{UserID: "alice"}, NamespaceCode: "app", ResourceCode: "nope"})
		require.ErrorIs(t, err, resreg.ErrNotFound)
		_, err = reg.GetUserResourceStruct(ctx, resreg.UserResourceStructInput{Principal: resreg.Principal{UserID: "alice"}, NamespaceCode: "nope", ResourceCode: "t1"})
		require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)
		_, err = reg.GetUserResourceStruct(ctx, resreg.UserResourceStructInput{NamespaceCode: "app", ResourceCode: "t1"})
		require.ErrorIs(t, err, resreg.ErrInvalid)
	})
}

// TestIsActionAllowedAllocatesNothing holds the hot path of a repeated check
// on memstore, validation and the freshness probe included, to 0
// allocations.
func TestIsActionAllowedAllocatesNothing(t *testing.T) {
	ctx := context.Background()
	reg := resreg.New(memstore.New())
	decisionFixture(t, reg, func() {})
	in := resreg.IsActionAllowedInput{Principal: resreg.Principal{UserID: "alice"}, Namespace: "app", Resource: "books", Action: "read"}
	ok, err := reg.IsActionAllowed(ctx, in)
	require.NoError(t, err)
	require.True(t, ok)
	allocs := testing.AllocsPerRun(1000, func() {
		if ok, err := reg.IsActionAllowed(ctx, in); !ok || err != nil {
			panic("the check changed its answer")
		}
	})
	require.Zero(t, allocs)
	stale := resreg.New(reg.Store(), resreg.WithCheckStaleness(1e9))
	_, err = stale.IsActionAllowed(ctx, in)
	require.NoError(t, err)
	require.Zero(t, testing.AllocsPerRun(1000, func() { _, _ = stale.IsActionAllowed(ctx, in) }))
}

// TestChecksAndWritesConcurrently runs checks and writes from many
// goroutines (run with -race): every check answers without error, and a
// deny that never changes always wins.
func TestChecksAndWritesConcurrently(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		decisionFixture(t, reg, func() {})
		stale := resreg.New(s, resreg.WithCheckStaleness(5e6))
		me := resreg.Principal{UserID: "alice"}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					in := grantInput(resreg.SubjectUser, []string{"alice"}, resreg.ResourceActions{Code: "orders", Actions: []string{"read"}})
					var err error
					if (i+w)%2 == 0 {
						err = reg.AuthorizeResources(ctx, in)
					} else {
						err = reg.RevokeResources(ctx, in)
					}
					if err != nil && !errors.Is(err, resreg.ErrBusy) {
						require.NoError(t, err)
					}
					if i%3 == 0 {
						err = reg.AddMembers(ctx, resreg.Group("g"+strings.Repeat("x", i%4)), bob)
						require.NoError(t, err)
					}
				}
			}()
		}
		var checkers sync.WaitGroup
		for c := range 4 {
			checkers.Add(1)
			go func() {
				defer checkers.Done()
				r := reg
				if c%2 == 1 {
					r = stale
				}
				for range 300 {
					ok, err := r.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: me, Namespace: "app", Resource: "orders", Action: "read"})
					require.NoError(t, err)
					require.False(t, ok, "editor's deny always wins")
					res, err := r.CheckPermission(ctx, resreg.CheckPermissionInput{Principal: me, NamespaceCode: "app", Action: "get", Resources: []string{"t1/a/b", "t1/x"}})
					require.NoError(t, err)
					require.True(t, res.CheckResultList[0].Enabled)
					require.False(t, res.CheckResultList[1].Enabled)
				}
			}()
		}
		checkers.Wait()
		close(stop)
		wg.Wait()
	})
}

// TestIndexFollowsAnotherRegistry: a Registry that checks while another
// writes to the same SQLite store follows it through the change log,
// reloads when the log was pruned past what it applied, and forgets a
// namespace deleted under it.
func TestIndexFollowsAnotherRegistry(t *testing.T) {
	ctx := context.Background()
	s := allStores[1].open(t)
	writer, checker := resreg.New(s), resreg.New(s)
	decisionFixture(t, writer, func() {})
	_, err := writer.CreateNamespace(ctx, resreg.Namespace{Code: "tmp"})
	require.NoError(t, err)
	me := resreg.Principal{UserID: "alice"}
	in := resreg.IsActionAllowedInput{Principal: me, Namespace: "app", Resource: "orders", Action: "read"}
	allowed := func(in resreg.IsActionAllowedInput) bool {
		ok, err := checker.IsActionAllowed(ctx, in)
		require.NoError(t, err)
		return ok
	}
	require.False(t, allowed(in))
	_, err = checker.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: me, Namespace: "tmp", Resource: "x", Action: "y"})
	require.NoError(t, err)

	// The log: editor's deny revoked, then pruned down to its newest change.
	require.NoError(t, writer.RevokeResources(ctx, grantInput(resreg.SubjectRole, []string{"editor"}, resreg.ResourceActions{Code: "orders", Actions: []string{"read"}, Effect: resreg.Deny})))
	require.NoError(t, writer.RemoveMembers(ctx, editor, staff))
	require.NoError(t, writer.AuthorizeResources(ctx, grantInput(resreg.SubjectUser, []string{"alice"}, resreg.ResourceActions{Code: "orders", Actions: []string{"read"}})))
	last, err := writer.LastSeq(ctx)
	require.NoError(t, err)
	require.NoError(t, writer.PruneChanges(ctx, last))
	require.True(t, allowed(in), "reloaded after the pruned log")
	ex, err := checker.ExplainActionAllowed(ctx, in)
	require.NoError(t, err)
	require.Equal(t, []resreg.Match{grantMatch(staff, "app/*/*", resreg.Allow, alice), grantMatch(alice, "app/orders/read", resreg.Allow)}, ex.Matches)
	ok, err := checker.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: me, Namespace: "app", Resource: "books", Action: "read"})
	require.NoError(t, err)
	require.True(t, ok, "staff's */* still holds")
	exb, err := checker.ExplainActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: me, Namespace: "app", Resource: "books", Action: "read"})
	require.NoError(t, err)
	require.Equal(t, []resreg.Match{grantMatch(staff, "app/*/*", resreg.Allow, alice)}, exb.Matches, "org no longer reached: editor left staff")

	require.NoError(t, writer.DeleteNamespace(ctx, "tmp"))
	_, err = checker.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: me, Namespace: "tmp", Resource: "x", Action: "y"})
	require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)
}

// TestEagerAndLazyLoadAnswerAlike: WithEagerIndex loads every namespace at
// the first check, lazily each at its own; both answer the same.
func TestEagerAndLazyLoadAnswerAlike(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ids := decisionFixture(t, resreg.New(s), func() {})
		for _, reg := range []*resreg.Registry{resreg.New(s), resreg.New(s, resreg.WithEagerIndex())} {
			for _, c := range decisionCases() {
				checkDecision(t, reg, ids, c)
			}
		}
	})
}
