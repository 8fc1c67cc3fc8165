package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

func (h harness) memberships(t *testing.T) {
	h.run(t, "members and memberships read back in type, then ID order", func(t *testing.T, s store.Store) {
		addMembers(t, s, team, bob, alice, editors)
		addMembers(t, s, admins, team, alice)
		addMembers(t, s, sales, team)
		got, err := s.ListMembers(t.Context(), team, store.ListOptions{})
		require.NoError(t, err)
		require.Equal(t, []store.Subject{editors, alice, bob}, got.Items)
		require.Equal(t, []store.Subject{sales, admins}, listAll(t, membershipLister(s, team)))
		require.Equal(t, []store.Subject{team, admins}, listAll(t, membershipLister(s, alice)))
		require.Equal(t, [][2]store.Subject{
			{sales, team}, {team, editors}, {team, alice}, {team, bob}, {admins, team}, {admins, alice},
		}, edges(t, s))
		for _, m := range listAll(t, s.ListAllMemberships) {
			require.False(t, m.CreatedAt.IsZero(), "membership %s has no CreatedAt", m.Key())
			require.Equal(t, time.UTC, m.CreatedAt.Location())
		}
	})

	h.run(t, "a subject without members or parents has empty listings", func(t *testing.T, s store.Store) {
		addMembers(t, s, team, alice)
		for _, l := range []lister[store.Subject]{memberLister(s, bob), membershipLister(s, bob), memberLister(s, alice), membershipLister(s, team)} {
			p, err := l(t.Context(), store.ListOptions{IncludeTotal: true})
			require.NoError(t, err)
			require.Empty(t, p.Items)
			require.Empty(t, p.NextPageToken)
			require.Zero(t, p.TotalCount)
		}
	})

	h.run(t, "adding a present membership changes nothing", func(t *testing.T, s store.Store) {
		addMembers(t, s, team, alice)
		before := listAll(t, s.ListAllMemberships)
		addMembers(t, s, team, alice, alice)
		require.Equal(t, before, listAll(t, s.ListAllMemberships))
		require.NoError(t, s.AddMembers(t.Context(), team, nil, store.MembershipOptions{}))
	})

	h.run(t, "remove takes out the listed memberships and skips the rest", func(t *testing.T, s store.Store) {
		addMembers(t, s, team, alice, bob, editors)
		require.NoError(t, s.RemoveMembers(t.Context(), team, []store.Subject{bob, bob, sales, {Type: store.SubjectRole, ID: alice.ID}}))
		require.Equal(t, [][2]store.Subject{{team, editors}, {team, alice}}, edges(t, s))
		require.Empty(t, listAll(t, membershipLister(s, bob)))
		require.NoError(t, s.RemoveMembers(t.Context(), admins, []store.Subject{alice}))
		require.NoError(t, s.RemoveMembers(t.Context(), team, nil))
	})

	refusals := []struct {
		name    string
		seed    func(t *testing.T, s store.Store)
		parent  store.Subject
		members []store.Subject
		opts    store.MembershipOptions
		field   string
	}{
		{"a USER as parent", nil, alice, []store.Subject{bob}, store.MembershipOptions{}, "parent"},
		{"a USER as parent even with no members", nil, alice, nil, store.MembershipOptions{}, "parent"},
		{"a member of itself", nil, team, []store.Subject{alice, team}, store.MembershipOptions{}, "members[1]"},
		{"a cycle of two", func(t *testing.T, s store.Store) { addMembers(t, s, team, editors) },
			editors, []store.Subject{alice, team}, store.MembershipOptions{}, "members[1]"},
		{"a cycle of three", func(t *testing.T, s store.Store) {
			addMembers(t, s, sales, team)
			addMembers(t, s, team, editors)
		}, editors, []store.Subject{alice, bob, sales}, store.MembershipOptions{}, "members[2]"},
		{"a chain one edge too long below", func(t *testing.T, s store.Store) {
			addMembers(t, s, team, editors)
			addMembers(t, s, editors, alice)
		}, sales, []store.Subject{bob, team}, store.MembershipOptions{MaxDepth: 2}, "members[1]"},
		{"a chain one edge too long above", func(t *testing.T, s store.Store) {
			addMembers(t, s, sales, team)
			addMembers(t, s, team, editors)
		}, editors, []store.Subject{alice}, store.MembershipOptions{MaxDepth: 2}, "members[0]"},
		{"two allowed chains joined into a long one", func(t *testing.T, s store.Store) {
			addMembers(t, s, sales, team) // sales > team
			addMembers(t, s, admins, editors)
			addMembers(t, s, editors, alice) // admins > editors > alice
		}, team, []store.Subject{admins}, store.MembershipOptions{MaxDepth: 3}, "members[0]"},
	}
	for _, c := range refusals {
		h.run(t, c.name+" is invalid and writes nothing", func(t *testing.T, s store.Store) {
			if c.seed != nil {
				c.seed(t, s)
			}
			before := TakeSnapshot(t, s)
			err := s.AddMembers(t.Context(), c.parent, c.members, c.opts)
			require.Equal(t, c.field, requireDetail(t, err, store.ErrInvalid).Field)
			requireUnchanged(t, s, before)
		})
	}

	h.run(t, "a chain of exactly MaxDepth edges is allowed, and 0 means no limit", func(t *testing.T, s store.Store) {
		chain := []store.Subject{sales, team, editors, admins}
		opts := store.MembershipOptions{MaxDepth: 3}
		for i := 0; i+1 < len(chain); i++ {
			require.NoError(t, s.AddMembers(t.Context(), chain[i], []store.Subject{chain[i+1]}, opts))
		}
		require.ErrorIs(t, s.AddMembers(t.Context(), admins, []store.Subject{alice}, opts), store.ErrInvalid)
		require.NoError(t, s.AddMembers(t.Context(), admins, []store.Subject{alice}, store.MembershipOptions{}))
		// A write under a larger limit may lengthen the chain; the cycle
		// rule still holds.
		require.ErrorIs(t, s.AddMembers(t.Context(), admins, []store.Subject{sales}, store.MembershipOptions{}), store.ErrInvalid)
	})

	h.run(t, "the same subject may sit under two parents (a diamond is no cycle)", func(t *testing.T, s store.Store) {
		addMembers(t, s, sales, team, editors)
		addMembers(t, s, team, alice)
		addMembers(t, s, editors, alice)
		require.Equal(t, []store.Subject{team, editors}, listAll(t, membershipLister(s, alice)))
	})
}
