package pgstore_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

// changeScript runs one write of every kind, cascades included, on s.
func changeScript(t *testing.T, s store.Store) {
	t.Helper()
	ctx := store.WithActor(t.Context(), "admin")
	at := time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)
	must := func(err error) { t.Helper(); require.NoError(t, err) }
	must(s.CreateNamespace(ctx, store.Namespace{Code: "ns", Name: "NS", CreatedAt: at, UpdatedAt: at}))
	_, err := s.UpdateNamespace(ctx, "ns", func(n *store.Namespace) error { n.Description = "d"; n.UpdatedAt = at.Add(time.Second); return nil })
	must(err)
	rs := []store.Resource{storetest.NewResource("ns", "a"), storetest.NewResource("ns", "b"), storetest.NewResource("ns", "c")}
	for i := range rs {
		rs[i].Actions = []store.Action{{Name: "read"}, {Name: "write"}}
		rs[i].CreatedAt, rs[i].UpdatedAt = at, at
	}
	must(s.CreateResources(ctx, rs, store.WriteOptions{}))
	u1, u2, team := store.Subject{Type: store.SubjectUser, ID: "u1"}, store.Subject{Type: store.SubjectUser, ID: "u2"}, store.Subject{Type: store.SubjectGroup, ID: "team"}
	var gs []store.Grant
	for _, sub := range []store.Subject{u2, u1, team} {
		for _, code := range []string{"b", "a", "*"} {
			for _, act := range []string{"write", "read"} {
				gs = append(gs, store.Grant{Namespace: "ns", Subject: sub, ResourceCode: code, Action: act, Effect: store.EffectAllow, CreatedAt: at})
			}
		}
	}
	must(s.AddGrants(ctx, gs))
	_, err = s.UpdateResource(ctx, "ns", "a", func(r *store.Resource) error { r.Actions = r.Actions[:1]; r.UpdatedAt = at; return nil })
	must(err)
	must(s.DeleteResources(ctx, "ns", []string{"b", "a"}))
	must(s.RevokeGrants(ctx, gs[len(gs)-2:]))
	d := store.DataResource{NamespaceCode: "ns", ResourceCode: "menu", ResourceName: "Menu", Type: store.DataTree, Actions: []string{"read", "edit"},
		Struct: store.Struct{Tree: store.Tree{{Code: "x", Name: "X", Children: []store.TreeNode{{Code: "y", Name: "Y"}}}}}, CreatedAt: at, UpdatedAt: at}
	must(s.CreateDataResource(ctx, d))
	_, err = s.UpdateDataResource(ctx, "ns", "menu", func(d *store.DataResource) error { d.Description = "m"; return nil })
	must(err)
	p := store.DataPolicy{ID: "p1", Name: "P", Statements: []store.Statement{{Effect: store.EffectAllow, Permissions: []string{"ns/menu/x/y/read"}}}, CreatedAt: at, UpdatedAt: at}
	must(s.CreateDataPolicy(ctx, p, []store.PolicyRef{{Namespace: "ns", ResourceCode: "menu", NodePath: "x/y", Action: "read", Exact: true}}))
	must(s.AttachDataPolicies(ctx, []store.PolicyTarget{{PolicyID: "p1", Subject: u2, Name: "U2", CreatedAt: at}, {PolicyID: "p1", Subject: team, CreatedAt: at}, {PolicyID: "p1", Subject: u1, CreatedAt: at}}))
	must(s.AddMembers(ctx, team, []store.Subject{u2, u1}, store.MembershipOptions{}))
	must(s.RemoveMembers(ctx, team, []store.Subject{u1}))
	must(s.DeleteDataPolicy(ctx, "p1"))
	must(s.DeleteDataResource(ctx, "ns", "menu"))
	directoryScript(t, ctx, s, at)
	_, err = s.RenameNamespace(ctx, "ns", "moved", func(n *store.Namespace) error { n.UpdatedAt = at.Add(time.Hour); return nil })
	must(err)
	_, err = s.UpdateResource(ctx, "moved", "c", func(r *store.Resource) error { r.Description = "moved"; return nil })
	must(err)
}

// directoryScript writes directory entries, then deletes some whose
// subjects have memberships both ways, grants in two namespaces (more than
// a dozen each, with ties between the namespaces in the other keys) and
// targets on two policies.
func directoryScript(t *testing.T, ctx context.Context, s store.Store, at time.Time) {
	t.Helper()
	must := func(err error) { t.Helper(); require.NoError(t, err) }
	u1, u2 := store.Subject{Type: store.SubjectUser, ID: "u1"}, store.Subject{Type: store.SubjectUser, ID: "u2"}
	team, org := store.Subject{Type: store.SubjectGroup, ID: "team"}, store.Subject{Type: store.SubjectGroup, ID: "org"}
	admin := store.Subject{Type: store.SubjectRole, ID: "admin"}
	for _, e := range []store.DirectoryEntry{
		{Subject: u1, Name: "U1", Attributes: json.RawMessage(`{"email": "u1@example.com"}`), CreatedAt: at, UpdatedAt: at},
		{Subject: team, Name: "Team", CreatedAt: at, UpdatedAt: at},
		{Subject: org, Name: "Org", CreatedAt: at, UpdatedAt: at},
		{Subject: admin, Namespace: "ns", Name: "Admin", CreatedAt: at, UpdatedAt: at},
	} {
		must(s.PutDirectoryEntry(ctx, e, false))
	}
	require.ErrorIs(t, s.PutDirectoryEntry(ctx, store.DirectoryEntry{Subject: u1, Name: "again"}, false), store.ErrConflict)
	must(s.PutDirectoryEntry(ctx, store.DirectoryEntry{Subject: u1, Name: "User one", UpdatedAt: at.Add(time.Minute)}, true))
	var gs []store.Grant
	for _, ns := range []string{"ns", store.DefaultNamespace} {
		for _, sub := range []store.Subject{u1, team} {
			for _, act := range []string{"write", "read", "list"} {
				for _, eff := range []store.Effect{store.EffectDeny, store.EffectAllow} {
					gs = append(gs, store.Grant{Namespace: ns, Subject: sub, ResourceCode: "*", Action: act, Effect: eff, CreatedAt: at})
				}
			}
		}
	}
	gs = append(gs, store.Grant{Namespace: "ns", Subject: u1, ResourceCode: "c", Action: "read", Effect: store.EffectDeny, CreatedAt: at})
	must(s.AddGrants(ctx, gs))
	for _, id := range []string{"p3", "p2"} {
		must(s.CreateDataPolicy(ctx, store.DataPolicy{ID: id, Name: "P " + id, CreatedAt: at, UpdatedAt: at}, nil))
	}
	must(s.AttachDataPolicies(ctx, []store.PolicyTarget{{PolicyID: "p3", Subject: team, CreatedAt: at}, {PolicyID: "p2", Subject: u1, CreatedAt: at},
		{PolicyID: "p2", Subject: team, Name: "Team", CreatedAt: at}, {PolicyID: "p3", Subject: u2, CreatedAt: at}}))
	must(s.AddMembers(ctx, org, []store.Subject{team, u2}, store.MembershipOptions{}))
	must(s.AddMembers(ctx, team, []store.Subject{u1}, store.MembershipOptions{}))
	must(s.AddMembers(ctx, admin, []store.Subject{team}, store.MembershipOptions{}))
	require.ErrorIs(t, s.DeleteDirectoryEntries(ctx, []store.Subject{team, u2}), store.ErrNotFound)
	must(s.DeleteDirectoryEntries(ctx, []store.Subject{team, u1, team}))
	must(s.DeleteDirectoryEntries(ctx, []store.Subject{admin}))
}

type comparableChange struct {
	Op, Kind, Namespace, Key, Actor string
	Record                          map[string]any
}

func comparableChanges(t *testing.T, s store.Store) []comparableChange {
	t.Helper()
	cs, err := s.Changes(context.Background(), 0, store.MaxChangesLimit)
	require.NoError(t, err)
	out := make([]comparableChange, len(cs))
	for i, c := range cs {
		out[i] = comparableChange{Op: c.Op, Kind: c.Kind, Namespace: c.Namespace, Key: c.Key, Actor: c.Actor}
		require.NoError(t, json.Unmarshal(c.Record, &out[i].Record))
		if c.Kind == store.KindMembership {
			delete(out[i].Record, "createdAt") // the store's clock
		}
	}
	return out
}

// pgstore records what sqlitestore records: the same changes, in the same
// order, with the same records, for the same writes.
func TestChangesMatchSQLiteStore(t *testing.T) {
	pg := newStore(t)
	lite, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "r.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, lite.Close()) })
	changeScript(t, lite)
	changeScript(t, pg)
	want, got := comparableChanges(t, lite), comparableChanges(t, pg)
	require.Greater(t, len(want), 60, "the script records a change per record it writes")
	t.Logf("%d changes compared", len(want))
	require.Equal(t, want, got)
}
