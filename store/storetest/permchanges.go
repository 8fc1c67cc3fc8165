package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// grantChange is the change that records op on grant g, as stored.
func grantChange(op, actor string, g store.Grant) wantChange {
	return wantChange{op, store.KindGrant, g.Namespace, g.Key(), actor, g}
}

func membershipChange(op, actor string, m store.Membership) wantChange {
	return wantChange{op, store.KindMembership, "", m.Key(), actor, m}
}

func targetChange(op, actor string, tg store.PolicyTarget) wantChange {
	return wantChange{op, store.KindPolicyTarget, "", tg.Key(), actor, tg}
}

func policyChange(op, actor string, p store.DataPolicy) wantChange {
	return wantChange{op, store.KindDataPolicy, "", p.ID, actor, p}
}

// membershipOf returns the stored membership parent <- member, whose
// CreatedAt the store sets.
func membershipOf(t *testing.T, s store.Store, parent, member store.Subject) store.Membership {
	t.Helper()
	for _, m := range listAll(t, s.ListAllMemberships) {
		if m.Parent == parent && m.Member == member {
			return m
		}
	}
	t.Fatalf("no membership %v <- %v", parent, member)
	return store.Membership{}
}

// permissionChanges checks the change log of every permission write and of
// the cascades that remove permission records: one change per record
// created or deleted, with Namespace the grant's (empty for the
// registry-wide memberships, policies and targets), Key the record's Key
// (a policy's ID), and Record the record as stored. A cascade records the
// deleted record first, then what its deletion removes, in listing order.
func (h harness) permissionChanges(t *testing.T) {
	const ns = store.DefaultNamespace

	h.run(t, "grant writes record only what they change", func(t *testing.T, s store.Store) {
		ctx := store.WithActor(t.Context(), "carol")
		createResources(t, s, NewResource(ns, "doc"))
		read, write := grant(ns, team, "doc", "doc:read"), grant(ns, team, "doc", "doc:write")
		wild, denied := grant(ns, team, store.Wildcard, store.Wildcard), deny(grant(ns, alice, "doc", "doc:read"))
		addGrants(t, s, read)
		seq, from := lastSeq(t, s), time.Now()

		require.NoError(t, s.AddGrants(ctx, []store.Grant{write, read, wild, write, denied}))
		require.NoError(t, s.RevokeGrants(t.Context(), []store.Grant{wild, grant(ns, bob, "doc", "doc:read"), denied, wild}))
		requireChanges(t, []wantChange{
			grantChange(store.OpCreate, "carol", write),
			grantChange(store.OpCreate, "carol", wild),
			grantChange(store.OpCreate, "carol", denied),
			grantChange(store.OpDelete, "", wild),
			grantChange(store.OpDelete, "", denied),
		}, allChanges(t, s, seq, 2), from, time.Now())
	})

	h.run(t, "an update that removes actions records their grants' deletion", func(t *testing.T, s store.Store) {
		ctx := store.WithActor(t.Context(), "carol")
		r := NewResource(ns, "doc")
		r.Actions = append(r.Actions, store.Action{Name: "doc:list"})
		createResources(t, s, r)
		// Interleaved so that listing order (subject, then action) differs
		// from the order of the removed actions.
		gs := []store.Grant{
			grant(ns, bob, "doc", "doc:write"), grant(ns, bob, "doc", "doc:read"),
			deny(grant(ns, team, "doc", "doc:read")), grant(ns, team, "doc", "doc:read"),
			grant(ns, alice, "doc", "doc:write"), grant(ns, alice, "doc", "doc:list"),
			grant(ns, team, "doc", store.Wildcard), grant(ns, team, store.Wildcard, "doc:read"),
		}
		addGrants(t, s, gs...)
		seq, from := lastSeq(t, s), time.Now()
		updated, err := s.UpdateResource(ctx, ns, "doc", func(r *store.Resource) error {
			r.Actions = r.Actions[2:] // keeps doc:list
			return nil
		})
		require.NoError(t, err)
		requireChanges(t, []wantChange{
			{store.OpUpdate, store.KindResource, ns, "doc", "carol", updated},
			grantChange(store.OpDelete, "carol", grant(ns, team, "doc", "doc:read")),
			grantChange(store.OpDelete, "carol", deny(grant(ns, team, "doc", "doc:read"))),
			grantChange(store.OpDelete, "carol", grant(ns, alice, "doc", "doc:write")),
			grantChange(store.OpDelete, "carol", grant(ns, bob, "doc", "doc:read")),
			grantChange(store.OpDelete, "carol", grant(ns, bob, "doc", "doc:write")),
		}, allChanges(t, s, seq, store.MaxChangesLimit), from, time.Now())
		require.ElementsMatch(t, []store.Grant{gs[5], gs[6], gs[7]}, allGrants(t, s, store.GrantFilter{Namespace: ns}))
	})

	h.run(t, "a resource delete records its grants' deletion after its own", func(t *testing.T, s store.Store) {
		ctx := store.WithActor(t.Context(), "carol")
		createResources(t, s, NewResource(ns, "a"), NewResource(ns, "b"), NewResource(ns, "kept"))
		addGrants(t, s, grant(ns, bob, "a", "a:read"), grant(ns, team, "a", "a:write"), grant(ns, alice, "b", "b:read"),
			deny(grant(ns, admins, "b", "b:read")), grant(ns, admins, "b", store.Wildcard),
			grant(ns, team, store.Wildcard, store.Wildcard), grant(ns, bob, "kept", "kept:read"))
		oldA, err := s.GetResource(t.Context(), ns, "a")
		require.NoError(t, err)
		oldB, err := s.GetResource(t.Context(), ns, "b")
		require.NoError(t, err)
		seq, from := lastSeq(t, s), time.Now()
		require.NoError(t, s.DeleteResources(ctx, ns, []string{"b", "a", "b"}))
		requireChanges(t, []wantChange{
			{store.OpDelete, store.KindResource, ns, "b", "carol", oldB},
			grantChange(store.OpDelete, "carol", grant(ns, admins, "b", store.Wildcard)),
			grantChange(store.OpDelete, "carol", deny(grant(ns, admins, "b", "b:read"))),
			grantChange(store.OpDelete, "carol", grant(ns, alice, "b", "b:read")),
			{store.OpDelete, store.KindResource, ns, "a", "carol", oldA},
			grantChange(store.OpDelete, "carol", grant(ns, team, "a", "a:write")),
			grantChange(store.OpDelete, "carol", grant(ns, bob, "a", "a:read")),
		}, allChanges(t, s, seq, 3), from, time.Now())
	})

	h.run(t, "membership writes record each edge added or removed", func(t *testing.T, s store.Store) {
		ctx := store.WithActor(t.Context(), "carol")
		addMembers(t, s, team, bob)
		seq, from := lastSeq(t, s), time.Now()
		require.NoError(t, s.AddMembers(ctx, team, []store.Subject{alice, bob, editors, alice}, store.MembershipOptions{}))
		toAlice, toEditors := membershipOf(t, s, team, alice), membershipOf(t, s, team, editors)
		require.False(t, toAlice.CreatedAt.IsZero())
		mid := lastSeq(t, s)
		require.NoError(t, s.RemoveMembers(t.Context(), team, []store.Subject{editors, sales, alice, alice}))
		requireChanges(t, []wantChange{
			membershipChange(store.OpCreate, "carol", toAlice),
			membershipChange(store.OpCreate, "carol", toEditors),
			membershipChange(store.OpDelete, "", toEditors),
			membershipChange(store.OpDelete, "", toAlice),
		}, allChanges(t, s, seq, store.MaxChangesLimit), from, time.Now())
		require.Equal(t, mid+2, lastSeq(t, s))
	})

	h.run(t, "data policy and target writes record their records", func(t *testing.T, s store.Store) {
		ctx := store.WithActor(t.Context(), "carol")
		createPolicy(t, s, newPolicy("other", "Other"))
		require.NoError(t, s.AttachDataPolicies(t.Context(), []store.PolicyTarget{target("other", team)}))
		seq, from := lastSeq(t, s), time.Now()

		p := newPolicy("p1", "Readers")
		require.NoError(t, s.CreateDataPolicy(ctx, p, nil))
		updated, err := s.UpdateDataPolicy(ctx, "p1", func(p *store.DataPolicy) ([]store.PolicyRef, error) {
			p.Description, p.UpdatedAt = "who reads", at(11)
			return nil, nil
		})
		require.NoError(t, err)
		require.NoError(t, s.AttachDataPolicies(ctx, []store.PolicyTarget{target("p1", team), target("p1", alice), target("p1", team)}))
		require.NoError(t, s.DetachDataPolicies(t.Context(), []store.PolicyTarget{target("p1", alice), target("p1", bob), target("p1", alice)}))
		later := []store.PolicyTarget{target("p1", sales), target("p1", bob)}
		require.NoError(t, s.AttachDataPolicies(ctx, later))
		require.NoError(t, s.DeleteDataPolicy(ctx, "p1"))
		requireChanges(t, []wantChange{
			policyChange(store.OpCreate, "carol", p),
			policyChange(store.OpUpdate, "carol", updated),
			targetChange(store.OpCreate, "carol", target("p1", team)),
			targetChange(store.OpCreate, "carol", target("p1", alice)),
			targetChange(store.OpDelete, "", target("p1", alice)),
			targetChange(store.OpCreate, "carol", later[0]),
			targetChange(store.OpCreate, "carol", later[1]),
			policyChange(store.OpDelete, "carol", updated),
			// The targets the delete removes, in listing order.
			targetChange(store.OpDelete, "carol", target("p1", sales)),
			targetChange(store.OpDelete, "carol", target("p1", team)),
			targetChange(store.OpDelete, "carol", target("p1", bob)),
		}, allChanges(t, s, seq, 4), from, time.Now())
		require.Equal(t, []store.PolicyTarget{target("other", team)}, listAll(t, s.ListAllPolicyTargets))
	})

	h.run(t, "refused permission writes record nothing", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createResources(t, s, NewResource(ns, "doc"))
		createData(t, s, newStringData(ns, "cards", "Cards"))
		addMembers(t, s, team, editors)
		createPolicy(t, s, newPolicy("p", "P"), exactRef(ns, "cards", "", ""))
		before := TakeSnapshot(t, s)

		// Each refusal comes after part of the write could have been done.
		require.ErrorIs(t, s.AddMembers(ctx, editors, []store.Subject{alice, team}, store.MembershipOptions{}), store.ErrInvalid)
		require.ErrorIs(t, s.AddGrants(ctx, []store.Grant{grant(ns, team, "doc", "doc:read"), grant(ns, team, "nope", "read")}), store.ErrNotFound)
		require.ErrorIs(t, s.RevokeGrants(ctx, []store.Grant{grant(ns, team, "doc", "doc:read"), grant("gone", team, "doc", "doc:read")}), store.ErrNamespaceNotFound)
		require.ErrorIs(t, s.AttachDataPolicies(ctx, []store.PolicyTarget{target("p", team), target("nope", team)}), store.ErrNotFound)
		require.ErrorIs(t, s.DeleteDataPolicy(ctx, "nope"), store.ErrNotFound)
		require.ErrorIs(t, s.CreateDataPolicy(ctx, newPolicy("q", "P"), nil), store.ErrConflict)
		require.ErrorIs(t, s.DeleteDataResource(ctx, ns, "cards"), store.ErrConflict)
		requireUnchanged(t, s, before)
	})
}
