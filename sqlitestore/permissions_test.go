package sqlitestore_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

// openPair opens two Stores on one file: two pools, as two processes would
// have, so that only SQLite's locking keeps their writes apart.
func openPair(t *testing.T) (a, b *sqlitestore.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "reg.db")
	var err error
	a, err = sqlitestore.Open(t.Context(), path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Close()) })
	b, err = sqlitestore.Open(t.Context(), path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	return a, b
}

// race runs both functions at once and returns their errors.
func race(f, g func() error) (error, error) {
	var wg sync.WaitGroup
	var ef, eg error
	start := make(chan struct{})
	wg.Add(2)
	go func() { defer wg.Done(); <-start; ef = f() }()
	go func() { defer wg.Done(); <-start; eg = g() }()
	close(start)
	wg.Wait()
	return ef, eg
}

// exactlyOneInvalid requires that one of two racing writes succeeded and the
// other was refused with ErrInvalid.
func exactlyOneInvalid(t *testing.T, ea, eb error) {
	t.Helper()
	if ea == nil {
		require.ErrorIs(t, eb, store.ErrInvalid)
		return
	}
	require.ErrorIs(t, ea, store.ErrInvalid)
	require.NoError(t, eb)
}

func group(id string) store.Subject { return store.Subject{Type: store.SubjectGroup, ID: id} }

func members(t *testing.T, s store.Store, parent store.Subject) []store.Subject {
	t.Helper()
	page, err := s.ListMembers(t.Context(), parent, store.ListOptions{PageSize: store.MaxPageSize})
	require.NoError(t, err)
	return page.Items
}

// Two writers on one file each add an edge that is allowed alone; together
// they would close a cycle. The check runs inside the write, under the lock,
// so one of them must be refused, every time.
func TestRacingMembershipsNeverCloseACycle(t *testing.T) {
	a, b := openPair(t)
	ctx := t.Context()
	x, y := group("x"), group("y")
	for round := range 20 {
		ea, eb := race(
			func() error { return a.AddMembers(ctx, x, []store.Subject{y}, store.MembershipOptions{}) },
			func() error { return b.AddMembers(ctx, y, []store.Subject{x}, store.MembershipOptions{}) },
		)
		exactlyOneInvalid(t, ea, eb)
		require.Len(t, append(members(t, a, x), members(t, a, y)...), 1, "round %d", round)
		require.NoError(t, a.RemoveMembers(ctx, x, []store.Subject{y}))
		require.NoError(t, a.RemoveMembers(ctx, y, []store.Subject{x}))
	}
}

// Two edges that each keep every chain within MaxDepth but together make a
// longer one: one of the two writers is refused.
func TestRacingMembershipsNeverPassMaxDepth(t *testing.T) {
	a, b := openPair(t)
	ctx := t.Context()
	top, mid, low, bottom := group("top"), group("mid"), group("low"), group("bottom")
	opts := store.MembershipOptions{MaxDepth: 2}
	require.NoError(t, a.AddMembers(ctx, top, []store.Subject{mid}, opts))
	for round := range 20 {
		// top > mid > low is 2 edges, low > bottom is 1; both make 3.
		ea, eb := race(
			func() error { return a.AddMembers(ctx, mid, []store.Subject{low}, opts) },
			func() error { return b.AddMembers(ctx, low, []store.Subject{bottom}, opts) },
		)
		exactlyOneInvalid(t, ea, eb)
		require.Len(t, append(members(t, a, mid), members(t, a, low)...), 1, "round %d", round)
		require.NoError(t, a.RemoveMembers(ctx, mid, []store.Subject{low}))
		require.NoError(t, a.RemoveMembers(ctx, low, []store.Subject{bottom}))
	}
}

// A writer granting on a resource while another deletes it: the grant
// either lands before the delete (and the delete removes it) or finds the
// resource gone. No grant outlives its resource.
func TestRacingGrantAndDeleteLeaveNoOrphan(t *testing.T) {
	a, b := openPair(t)
	ctx := t.Context()
	const ns = store.DefaultNamespace
	grant := store.Grant{Namespace: ns, Subject: group("g"), ResourceCode: "doc", Action: "read", Effect: store.EffectAllow}
	doc := store.Resource{Namespace: ns, Code: "doc", Type: store.TypeData, Actions: []store.Action{{Name: "read"}}}
	for round := range 20 {
		require.NoError(t, a.CreateResources(ctx, []store.Resource{doc}, store.WriteOptions{}))
		eGrant, eDelete := race(
			func() error { return a.AddGrants(ctx, []store.Grant{grant}) },
			func() error { return b.DeleteResources(ctx, ns, []string{"doc"}) },
		)
		require.NoError(t, eDelete)
		if eGrant != nil {
			require.ErrorIs(t, eGrant, store.ErrNotFound, "round %d", round)
		}
		page, err := a.ListGrants(ctx, store.GrantFilter{Namespace: ns}, store.ListOptions{})
		require.NoError(t, err)
		require.Empty(t, page.Items, "round %d", round)
	}
}

// A policy created while another writer deletes the data resource it pins:
// either the policy is refused or the delete is.
func TestRacingPolicyAndDeleteLeaveNoDanglingRef(t *testing.T) {
	a, b := openPair(t)
	ctx := t.Context()
	const ns = store.DefaultNamespace
	data := store.DataResource{NamespaceCode: ns, ResourceCode: "cards", ResourceName: "Cards", Type: store.DataArray,
		Struct: store.Struct{Array: []string{"1"}}, Actions: []string{"read"}}
	ref := store.PolicyRef{Namespace: ns, ResourceCode: "cards", Action: "read", Exact: true}
	for round := range 20 {
		require.NoError(t, a.CreateDataResource(ctx, data))
		id := "p" + strconv.Itoa(round)
		p := store.DataPolicy{ID: id, Name: id, Statements: []store.Statement{{Effect: store.EffectAllow, Permissions: []string{ns + "/cards/read"}}}}
		eCreate, eDelete := race(
			func() error { return a.CreateDataPolicy(ctx, p, []store.PolicyRef{ref}) },
			func() error { return b.DeleteDataResource(ctx, ns, "cards") },
		)
		_, errData := a.GetDataResource(ctx, ns, "cards")
		_, errPolicy := a.GetDataPolicy(ctx, id)
		switch {
		case eCreate == nil:
			require.ErrorIs(t, eDelete, store.ErrConflict, "round %d", round)
			require.NoError(t, errData)
			require.NoError(t, errPolicy)
			require.NoError(t, a.DeleteDataPolicy(ctx, id))
			require.NoError(t, a.DeleteDataResource(ctx, ns, "cards"))
		default:
			require.ErrorIs(t, eCreate, store.ErrNotFound, "round %d", round)
			require.NoError(t, eDelete)
			require.ErrorIs(t, errData, store.ErrNotFound)
			require.ErrorIs(t, errPolicy, store.ErrNotFound)
		}
	}
}

// A grant batch cancelled part way through writes none of its rows.
func TestCancelledGrantBatchWritesNothing(t *testing.T) {
	s := openMemory(t)
	const ns = store.DefaultNamespace
	rs := make([]store.Resource, 100)
	for i := range rs {
		rs[i] = store.Resource{Namespace: ns, Code: "r" + strconv.Itoa(i), Type: store.TypeAPI, Actions: []store.Action{{Name: "read"}}}
	}
	require.NoError(t, s.CreateResources(t.Context(), rs, store.WriteOptions{}))
	grants := make([]store.Grant, 0, 1000)
	for i := range 1000 {
		grants = append(grants, store.Grant{Namespace: ns, Subject: store.Subject{Type: store.SubjectUser, ID: "u" + strconv.Itoa(i/100)},
			ResourceCode: "r" + strconv.Itoa(i%100), Action: "read", Effect: store.EffectAllow})
	}
	for _, after := range []int64{2, 3, 500, 1003} {
		ctx := &countdownCtx{Context: context.Background()}
		ctx.n.Store(after)
		err := s.AddGrants(ctx, grants)
		require.ErrorIs(t, err, context.Canceled, "cancelled after %d checks", after)
		page, err := s.ListGrants(t.Context(), store.GrantFilter{Namespace: ns}, store.ListOptions{IncludeTotal: true})
		require.NoError(t, err)
		require.Zero(t, page.TotalCount)
	}
	require.NoError(t, s.AddGrants(t.Context(), grants))
	page, err := s.ListGrants(t.Context(), store.GrantFilter{Namespace: ns}, store.ListOptions{IncludeTotal: true})
	require.NoError(t, err)
	require.Equal(t, 1000, page.TotalCount)
}

// A database written before the permission tables existed gains them on
// open and keeps what it held; the cascades then work on the old records.
func TestMigrateFromVersion2AddsPermissions(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "reg.db")
	s, err := sqlitestore.OpenAtVersion(ctx, path, 2)
	require.NoError(t, err)
	fill(t, s)
	before := takeSnapshot(t, s)
	require.NoError(t, s.Close())

	s, err = sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, sqlitestore.SchemaVersion(), schemaVersion(t, s.DB()))
	require.Equal(t, before, takeSnapshot(t, s))
	g := store.Grant{Namespace: "shop", Subject: group("staff"), ResourceCode: "r1", Action: "read", Effect: store.EffectAllow}
	require.NoError(t, s.AddGrants(ctx, []store.Grant{g}))
	err = s.DeleteNamespace(ctx, "shop")
	require.True(t, errors.Is(err, store.ErrConflict), "%v", err)
	require.NoError(t, s.DeleteResources(ctx, "shop", []string{"r1"}))
	page, err := s.ListGrants(ctx, store.GrantFilter{Namespace: "shop"}, store.ListOptions{})
	require.NoError(t, err)
	require.Empty(t, page.Items)
}
