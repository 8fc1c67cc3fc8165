package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

func directoryEntry(who store.Subject, ns string) store.DirectoryEntry {
	return store.DirectoryEntry{
		Subject: who, Namespace: ns, Name: "name of " + who.ID,
		Attributes: json.RawMessage(`{"email":"` + who.ID + `"}`), CreatedAt: at(11), UpdatedAt: at(12),
	}
}

func putEntries(t *testing.T, s store.Store, es ...store.DirectoryEntry) {
	t.Helper()
	for _, e := range es {
		require.NoError(t, s.PutDirectoryEntry(t.Context(), e, false))
	}
}

func directoryLister(s store.Store, f store.DirectoryFilter) lister[store.DirectoryEntry] {
	return func(ctx context.Context, o store.ListOptions) (store.Page[store.DirectoryEntry], error) {
		return s.ListDirectoryEntries(ctx, f, o)
	}
}

func entrySubjects(items []store.DirectoryEntry) []store.Subject {
	out := make([]store.Subject, len(items))
	for i, e := range items {
		out[i] = e.Subject
	}
	return out
}

// changeKinds returns "op kind key" for every change after since.
func changeKinds(t *testing.T, s store.Store, since int64) []string {
	t.Helper()
	changes, err := s.Changes(t.Context(), since, store.MaxChangesLimit)
	require.NoError(t, err)
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.Op + " " + c.Kind + " " + c.Key
	}
	return out
}

func (h harness) directory(t *testing.T) {
	const def = store.DefaultNamespace
	h.run(t, "put, get and replace", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		e := directoryEntry(admins, ns2)
		since, err := s.LastSeq(t.Context())
		require.NoError(t, err)
		putEntries(t, s, e, directoryEntry(alice, ""))
		got, err := s.GetDirectoryEntry(t.Context(), admins)
		require.NoError(t, err)
		require.Equal(t, e, got)

		err = s.PutDirectoryEntry(t.Context(), directoryEntry(admins, def), false)
		requireCodes(t, []string{admins.String()}, requireDetail(t, err, store.ErrConflict).Codes)
		got, err = s.GetDirectoryEntry(t.Context(), admins)
		require.NoError(t, err)
		require.Equal(t, ns2, got.Namespace, "a refused put changed the entry")

		replaced := directoryEntry(admins, def)
		replaced.Name, replaced.Attributes, replaced.CreatedAt, replaced.UpdatedAt = "renamed", nil, at(20), at(21)
		require.NoError(t, s.PutDirectoryEntry(t.Context(), replaced, true))
		got, err = s.GetDirectoryEntry(t.Context(), admins)
		require.NoError(t, err)
		require.Equal(t, store.DirectoryEntry{Subject: admins, Namespace: def, Name: "renamed", CreatedAt: at(11), UpdatedAt: at(21)}, got)
		require.Equal(t, []string{
			"create directoryEntry ROLE:admins", "create directoryEntry USER:alice@example.com", "update directoryEntry ROLE:admins",
		}, changeKinds(t, s, since))

		_, err = s.GetDirectoryEntry(t.Context(), bob)
		requireDetail(t, err, store.ErrNotFound)
		err = s.PutDirectoryEntry(t.Context(), directoryEntry(editors, "nowhere"), false)
		requireDetail(t, err, store.ErrNamespaceNotFound)
		_, err = s.GetDirectoryEntry(t.Context(), editors)
		requireDetail(t, err, store.ErrNotFound)
	})

	h.run(t, "listings by type and namespace, in subject ID order", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		putEntries(t, s, directoryEntry(editors, ns2), directoryEntry(bob, ""), directoryEntry(admins, def), directoryEntry(alice, ""),
			directoryEntry(store.Subject{Type: store.SubjectRole, ID: "auditors"}, ns2), directoryEntry(team, ""))
		roles := listAll(t, directoryLister(s, store.DirectoryFilter{Type: store.SubjectRole}))
		require.Equal(t, []store.Subject{admins, {Type: store.SubjectRole, ID: "auditors"}, editors}, entrySubjects(roles))
		items, totals := collect(t, directoryLister(s, store.DirectoryFilter{Type: store.SubjectRole, Namespace: ns2}),
			store.ListOptions{PageSize: 1, IncludeTotal: true})
		require.Equal(t, []store.Subject{{Type: store.SubjectRole, ID: "auditors"}, editors}, entrySubjects(items))
		require.Equal(t, []int{2, 2}, totals)
		require.Equal(t, []store.Subject{alice, bob}, entrySubjects(listAll(t, directoryLister(s, store.DirectoryFilter{Type: store.SubjectUser}))))

		first, err := s.ListDirectoryEntries(t.Context(), store.DirectoryFilter{Type: store.SubjectUser}, store.ListOptions{PageSize: 1})
		require.NoError(t, err)
		require.NotEmpty(t, first.NextPageToken)
		_, err = s.ListDirectoryEntries(t.Context(), store.DirectoryFilter{Type: store.SubjectRole}, store.ListOptions{PageToken: first.NextPageToken})
		requireDetail(t, err, store.ErrInvalid)
		_, err = s.ListDirectoryEntries(t.Context(), store.DirectoryFilter{}, store.ListOptions{})
		require.Equal(t, "type", requireDetail(t, err, store.ErrInvalid).Field)
	})

	h.run(t, "delete removes memberships both ways, grants in every namespace and policy targets", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		policyFixture(t, s)
		createPolicy(t, s, newPolicy("id-1", "one"))
		putEntries(t, s, directoryEntry(team, ""), directoryEntry(alice, ""), directoryEntry(admins, def))
		addMembers(t, s, team, alice, bob)
		addMembers(t, s, admins, team)
		addGrants(t, s, grant(def, team, "a", "a:read"), grant(ns2, team, "a", "a:write"), grant(def, alice, "b", "b:read"))
		require.NoError(t, s.AttachDataPolicies(t.Context(), []store.PolicyTarget{target("id-1", team), target("id-1", alice)}))
		since, err := s.LastSeq(t.Context())
		require.NoError(t, err)

		require.NoError(t, s.DeleteDirectoryEntries(t.Context(), []store.Subject{team, team}))

		_, err = s.GetDirectoryEntry(t.Context(), team)
		requireDetail(t, err, store.ErrNotFound)
		require.Empty(t, edges(t, s))
		require.Equal(t, []store.Grant{grant(def, alice, "b", "b:read")}, allGrants(t, s, store.GrantFilter{Namespace: def}))
		require.Empty(t, allGrants(t, s, store.GrantFilter{Namespace: ns2}))
		targets := listAll(t, targetLister(s, "id-1"))
		require.Len(t, targets, 1)
		require.Equal(t, alice, targets[0].Subject)
		_, err = s.GetDirectoryEntry(t.Context(), alice)
		require.NoError(t, err, "deleting team removed its member's entry")

		got := changeKinds(t, s, since)
		require.Equal(t, "delete directoryEntry GROUP:team", got[0], "the entry's own deletion comes first")
		require.ElementsMatch(t, []string{
			"delete directoryEntry GROUP:team",
			"delete membership ROLE:admins/GROUP:team",
			"delete membership GROUP:team/USER:alice@example.com",
			"delete membership GROUP:team/USER:bob",
			"delete grant " + grant(def, team, "a", "a:read").Key(),
			"delete grant " + grant(ns2, team, "a", "a:write").Key(),
			"delete policyTarget id-1/GROUP:team",
		}, got)
	})

	h.run(t, "delete of a missing entry names it and removes nothing", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		putEntries(t, s, directoryEntry(alice, ""))
		addMembers(t, s, team, alice)
		addGrants(t, s, grant(def, alice, "a", "a:read"))
		before := TakeSnapshot(t, s)
		err := s.DeleteDirectoryEntries(t.Context(), []store.Subject{alice, bob, editors, bob})
		requireCodes(t, []string{bob.String(), editors.String()}, requireDetail(t, err, store.ErrNotFound).Codes)
		requireUnchanged(t, s, before)
		_, err = s.GetDirectoryEntry(t.Context(), alice)
		require.NoError(t, err)
		require.NoError(t, s.DeleteDirectoryEntries(t.Context(), nil))
	})

	h.run(t, "a done context writes nothing", func(t *testing.T, s store.Store) {
		putEntries(t, s, directoryEntry(alice, ""))
		before := TakeSnapshot(t, s)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		require.ErrorIs(t, s.PutDirectoryEntry(ctx, directoryEntry(bob, ""), false), context.Canceled)
		require.ErrorIs(t, s.DeleteDirectoryEntries(ctx, []store.Subject{alice}), context.Canceled)
		_, err := s.GetDirectoryEntry(ctx, alice)
		require.ErrorIs(t, err, context.Canceled)
		_, err = s.ListDirectoryEntries(ctx, store.DirectoryFilter{Type: store.SubjectUser}, store.ListOptions{})
		require.ErrorIs(t, err, context.Canceled)
		requireUnchanged(t, s, before)
		_, err = s.GetDirectoryEntry(t.Context(), bob)
		requireDetail(t, err, store.ErrNotFound)
	})
}
