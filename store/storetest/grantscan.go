package storetest

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// grantScan checks [store.GrantScanner] on a store that implements it; a
// store without it skips the group (the capability is optional).
func (h harness) grantScan(t *testing.T) {
	if _, ok := h.newStore(t).(store.GrantScanner); !ok {
		t.Skip("the store does not implement store.GrantScanner")
	}
	const def = store.DefaultNamespace
	scanner := func(s store.Store) store.GrantScanner { return s.(store.GrantScanner) }
	scanAll := func(t *testing.T, s store.Store, ns string) []store.Grant {
		t.Helper()
		var got []store.Grant
		require.NoError(t, scanner(s).ScanGrants(t.Context(), ns, func(g store.Grant) error {
			got = append(got, g)
			return nil
		}))
		byKey(got)
		return got
	}
	// manyGrants adds n grants of a:read on a, one per user.
	manyGrants := func(t *testing.T, s store.Store, n int) {
		gs := make([]store.Grant, n)
		for i := range gs {
			gs[i] = grant(def, store.Subject{Type: store.SubjectUser, ID: "u" + strconv.Itoa(i)}, "a", "a:read")
		}
		addGrants(t, s, gs...)
	}

	h.run(t, "a scan yields the namespace's grants, the same records as ListGrants", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		addGrants(t, s, grant(def, admins, "*", "*"), grant(def, alice, "a", "a:read"), deny(grant(def, alice, "a", "a:read")),
			grant(def, bob, "b", "b:write"), grant(def, team, "a", "*"))
		addGrants(t, s, grant(ns2, alice, "a", "a:read"))
		want := allGrants(t, s, store.GrantFilter{Namespace: def})
		byKey(want)
		require.Len(t, want, 5)
		require.Equal(t, want, scanAll(t, s, def))
		require.Equal(t, []store.Grant{grant(ns2, alice, "a", "a:read")}, scanAll(t, s, ns2))
	})

	h.run(t, "an empty namespace yields nothing", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		require.Empty(t, scanAll(t, s, ns2))
	})

	h.run(t, "a missing namespace is ErrNamespaceNotFound", func(t *testing.T, s store.Store) {
		err := scanner(s).ScanGrants(t.Context(), "missing", func(store.Grant) error {
			t.Fatal("fn called for a missing namespace")
			return nil
		})
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
	})

	h.run(t, "an error from fn stops the scan and is returned as it is", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		manyGrants(t, s, 10)
		stop := errors.New("stop")
		calls := 0
		err := scanner(s).ScanGrants(t.Context(), def, func(store.Grant) error {
			calls++
			return stop
		})
		require.Same(t, stop, err)
		require.Equal(t, 1, calls)
	})

	h.run(t, "a done context stops the scan", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		manyGrants(t, s, 3*store.ScanCheckEvery)
		done, cancel := context.WithCancel(t.Context())
		cancel()
		err := scanner(s).ScanGrants(done, def, func(store.Grant) error {
			t.Fatal("fn called with a done context")
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)

		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		calls := 0
		err = scanner(s).ScanGrants(ctx, def, func(store.Grant) error {
			calls++
			cancel()
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		require.LessOrEqual(t, calls, store.ScanCheckEvery+1)
	})

	h.run(t, "a write racing the scan is seen wholly or not at all", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		manyGrants(t, s, 2*store.ScanCheckEvery)
		batch := []store.Grant{grant(def, editors, "a", "a:write"), grant(def, sales, "b", "b:read")}
		wrote := make(chan error, 1)
		started := false
		var got []store.Grant
		err := scanner(s).ScanGrants(t.Context(), def, func(g store.Grant) error {
			if !started {
				started = true
				go func() { wrote <- s.AddGrants(context.Background(), batch) }()
			}
			got = append(got, g)
			return nil
		})
		require.NoError(t, err)
		require.NoError(t, <-wrote)
		seen := 0
		for _, g := range got {
			if slices.Contains(batch, g) {
				seen++
			}
		}
		require.Contains(t, []int{0, len(batch)}, seen, "the scan saw part of one write")
		require.Len(t, got, 2*store.ScanCheckEvery+seen)
		require.Len(t, allGrants(t, s, store.GrantFilter{Namespace: def}), 2*store.ScanCheckEvery+len(batch))
	})
}

// byKey sorts grants by their identity, the scan's order being the store's.
func byKey(gs []store.Grant) {
	slices.SortFunc(gs, func(a, b store.Grant) int { return strings.Compare(a.Key(), b.Key()) })
}
