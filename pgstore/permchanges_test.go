// These tests mirror sqlitestore/permchanges_test.go: both stores record
// the same changes, in the same order, for every permission write.
package pgstore_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/pgstore"
	"github.com/resreg/resreg/store"
)

// change is what identifies a Change, without its Seq, Time and record.
type pgChange struct{ Op, Kind, Namespace, Key string }

// changesAfter returns the changes after seq and the new last Seq.
func pgChangesAfter(t *testing.T, s *pgstore.Store, seq int64) ([]store.Change, int64) {
	t.Helper()
	got, err := s.Changes(t.Context(), seq, store.MaxChangesLimit)
	require.NoError(t, err)
	last, err := s.LastSeq(t.Context())
	require.NoError(t, err)
	return got, last
}

func idsOf(cs []store.Change) []pgChange {
	out := make([]pgChange, len(cs))
	for i, c := range cs {
		out[i] = pgChange{c.Op, c.Kind, c.Namespace, c.Key}
	}
	return out
}

func TestPermissionWritesRecordTheirChanges(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	const ns = store.DefaultNamespace
	doc := store.Resource{Namespace: ns, Code: "doc", Type: store.TypeData, Actions: []store.Action{{Name: "read"}, {Name: "write"}}}
	require.NoError(t, s.CreateResources(ctx, []store.Resource{doc}, store.WriteOptions{}))
	_, seq := pgChangesAfter(t, s, 0)

	staff := group("staff")
	at := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	read := store.Grant{Namespace: ns, Subject: staff, ResourceCode: "doc", Action: "read", Effect: store.EffectAllow, CreatedAt: at}
	write := read
	write.Action = "write"
	wild := read
	wild.ResourceCode = store.Wildcard
	require.NoError(t, s.AddGrants(ctx, []store.Grant{read}))
	_, seq = pgChangesAfter(t, s, seq)

	step := func(name string, want []pgChange, do func() error) []store.Change {
		t.Helper()
		require.NoError(t, do(), name)
		var got []store.Change
		got, seq = pgChangesAfter(t, s, seq)
		require.Equal(t, want, idsOf(got), name)
		return got
	}
	// Only the grants that are new are recorded, with the grant as stored.
	got := step("add grants", []pgChange{
		{store.OpCreate, store.KindGrant, ns, write.Key()},
		{store.OpCreate, store.KindGrant, ns, wild.Key()},
	}, func() error { return s.AddGrants(ctx, []store.Grant{read, write, wild}) })
	var recorded store.Grant
	require.NoError(t, json.Unmarshal(got[0].Record, &recorded))
	require.Equal(t, write, recorded)

	step("update removing an action", []pgChange{
		{store.OpUpdate, store.KindResource, ns, "doc"},
		{store.OpDelete, store.KindGrant, ns, write.Key()},
	}, func() error {
		_, err := s.UpdateResource(ctx, ns, "doc", func(r *store.Resource) error { r.Actions = r.Actions[:1]; return nil })
		return err
	})
	step("delete resource", []pgChange{
		{store.OpDelete, store.KindResource, ns, "doc"},
		{store.OpDelete, store.KindGrant, ns, read.Key()},
	}, func() error { return s.DeleteResources(ctx, ns, []string{"doc"}) })
	step("revoke, skipping what is not granted", []pgChange{
		{store.OpDelete, store.KindGrant, ns, wild.Key()},
	}, func() error { return s.RevokeGrants(ctx, []store.Grant{wild, read}) })

	admins, alice := group("admins"), store.Subject{Type: store.SubjectUser, ID: "alice"}
	edge := store.Membership{Parent: admins, Member: staff}
	step("add members", []pgChange{
		{store.OpCreate, store.KindMembership, "", edge.Key()},
		{store.OpCreate, store.KindMembership, "", store.Membership{Parent: staff, Member: alice}.Key()},
	}, func() error {
		if err := s.AddMembers(ctx, admins, []store.Subject{staff}, store.MembershipOptions{}); err != nil {
			return err
		}
		return s.AddMembers(ctx, staff, []store.Subject{alice, alice}, store.MembershipOptions{})
	})
	step("remove members", []pgChange{{store.OpDelete, store.KindMembership, "", edge.Key()}},
		func() error { return s.RemoveMembers(ctx, admins, []store.Subject{staff, alice}) })

	p := store.DataPolicy{ID: "p1", Name: "readers", Statements: []store.Statement{{Effect: store.EffectAllow, Permissions: []string{ns + "/*/read"}}},
		CreatedAt: at, UpdatedAt: at}
	target := store.PolicyTarget{PolicyID: "p1", Subject: staff, Name: "Staff", CreatedAt: at}
	got = step("create policy", []pgChange{{store.OpCreate, store.KindDataPolicy, "", "p1"}},
		func() error { return s.CreateDataPolicy(ctx, p, []store.PolicyRef{{Namespace: ns}}) })
	var recordedPolicy store.DataPolicy
	require.NoError(t, json.Unmarshal(got[0].Record, &recordedPolicy))
	require.Equal(t, p, recordedPolicy)
	step("update policy", []pgChange{{store.OpUpdate, store.KindDataPolicy, "", "p1"}}, func() error {
		_, err := s.UpdateDataPolicy(ctx, "p1", func(p *store.DataPolicy) ([]store.PolicyRef, error) {
			p.Description = "who reads"
			return []store.PolicyRef{{Namespace: ns}}, nil
		})
		return err
	})
	step("attach", []pgChange{{store.OpCreate, store.KindPolicyTarget, "", target.Key()}},
		func() error { return s.AttachDataPolicies(ctx, []store.PolicyTarget{target, target}) })
	step("delete policy", []pgChange{
		{store.OpDelete, store.KindDataPolicy, "", "p1"},
		{store.OpDelete, store.KindPolicyTarget, "", target.Key()},
	}, func() error { return s.DeleteDataPolicy(ctx, "p1") })
}

// A permission write that is refused records nothing, even after it has
// recorded part of its changes inside the transaction.
func TestRefusedPermissionWritesRecordNothing(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	const ns = store.DefaultNamespace
	x, y, z := group("x"), group("y"), group("z")
	require.NoError(t, s.AddMembers(ctx, x, []store.Subject{y}, store.MembershipOptions{}))
	data := store.DataResource{NamespaceCode: ns, ResourceCode: "cards", ResourceName: "Cards", Type: store.DataArray,
		Struct: store.Struct{Array: []string{"1"}}, Actions: []string{"read"}}
	require.NoError(t, s.CreateDataResource(ctx, data))
	require.NoError(t, s.CreateDataPolicy(ctx, store.DataPolicy{ID: "p", Name: "p"},
		[]store.PolicyRef{{Namespace: ns, ResourceCode: "cards", Action: "read", Exact: true}}))
	_, seq := pgChangesAfter(t, s, 0)

	// z is added (and recorded) before x closes the cycle.
	require.ErrorIs(t, s.AddMembers(ctx, y, []store.Subject{z, x}, store.MembershipOptions{}), store.ErrInvalid)
	require.ErrorIs(t, s.DeleteDataResource(ctx, ns, "cards"), store.ErrConflict)
	require.ErrorIs(t, s.AddGrants(ctx, []store.Grant{{Namespace: ns, Subject: x, ResourceCode: "nope", Action: "read", Effect: store.EffectAllow}}), store.ErrNotFound)
	got, last := pgChangesAfter(t, s, seq)
	require.Empty(t, got)
	require.Equal(t, seq, last)
}

func group(id string) store.Subject { return store.Subject{Type: store.SubjectGroup, ID: id} }
