package storetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

func (h harness) permissionConcurrency(t *testing.T) {
	h.run(t, "racers granting and revoking the same grants leave all or none of each batch", func(t *testing.T, s store.Store) {
		const def = store.DefaultNamespace
		createResources(t, s, NewResource(def, "a"), NewResource(def, "b"))
		batch := []store.Grant{
			grant(def, alice, "a", "a:read"), deny(grant(def, alice, "a", "a:read")),
			grant(def, team, "b", "*"), grant(def, team, "*", "*"),
		}
		errs := race(racers, func(g int) error {
			for i := range 20 {
				var err error
				if (g+i)%2 == 0 {
					err = s.AddGrants(t.Context(), batch)
				} else {
					err = s.RevokeGrants(t.Context(), batch)
				}
				if err != nil {
					return err
				}
				p, err := s.ListGrants(t.Context(), store.GrantFilter{Namespace: def}, store.ListOptions{IncludeTotal: true})
				if err != nil {
					return err
				}
				if n := len(p.Items); (n != 0 && n != len(batch)) || p.TotalCount != n {
					return fmt.Errorf("racer %d saw %d grants (total %d), want 0 or %d", g, n, p.TotalCount, len(batch))
				}
			}
			return nil
		})
		for g, err := range errs {
			require.NoError(t, err, "racer %d", g)
		}
		got := allGrants(t, s, store.GrantFilter{Namespace: def})
		if len(got) > 0 {
			require.ElementsMatch(t, batch, got)
		}
		// The indexes agree with each other after the race.
		require.Len(t, allGrants(t, s, store.GrantFilter{Namespace: def, Subject: &team}), len(got)/2)
		require.Len(t, allGrants(t, s, store.GrantFilter{Namespace: def, ResourceCode: "a"}), len(got)/2)
		// The last acknowledged operation decides.
		require.NoError(t, s.AddGrants(t.Context(), batch))
		require.ElementsMatch(t, batch, allGrants(t, s, store.GrantFilter{Namespace: def}))
	})

	h.run(t, "racers closing a ring of memberships: exactly one is refused", func(t *testing.T, s store.Store) {
		ring := make([]store.Subject, racers)
		for i := range ring {
			ring[i] = store.Subject{Type: store.SubjectGroup, ID: fmt.Sprintf("g-%d", i)}
		}
		errs := race(racers, func(g int) error {
			return s.AddMembers(t.Context(), ring[g], []store.Subject{ring[(g+1)%racers]}, store.MembershipOptions{})
		})
		requireWinners(t, errs, racers-1, store.ErrInvalid)
		require.Len(t, edges(t, s), racers-1)
	})

	h.run(t, "racers lengthening one chain never pass the depth limit", func(t *testing.T, s store.Store) {
		const depth = 3
		// Each racer adds one edge of a chain of racers edges; only depth
		// of them can stand together.
		chain := make([]store.Subject, racers+1)
		for i := range chain {
			chain[i] = store.Subject{Type: store.SubjectGroup, ID: fmt.Sprintf("c-%d", i)}
		}
		errs := race(racers, func(g int) error {
			return s.AddMembers(t.Context(), chain[g], []store.Subject{chain[g+1]}, store.MembershipOptions{MaxDepth: depth})
		})
		for g, err := range errs {
			if err != nil {
				require.ErrorIs(t, err, store.ErrInvalid, "racer %d", g)
			}
		}
		// No run of consecutive stored edges is longer than depth.
		run := 0
		for g := range racers {
			if errs[g] == nil {
				run++
				require.LessOrEqual(t, run, depth, "chain ending at edge %d", g)
			} else {
				run = 0
			}
		}
	})
}
