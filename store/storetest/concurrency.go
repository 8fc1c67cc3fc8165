package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// racers is how many goroutines race in each test: enough to contend on two
// cores, few enough for a file-backed store under -race.
const racers = 8

// race runs fn(0..n-1) on n goroutines released together and returns each
// one's error. Assertions stay on the test goroutine.
func race(n int, fn func(g int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() {
			<-start
			errs[g] = fn(g)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// requireWinners checks that exactly want of errs are nil and the rest match
// sentinel; it returns the indexes of the winners.
func requireWinners(t *testing.T, errs []error, want int, sentinel error) []int {
	t.Helper()
	var won []int
	for g, err := range errs {
		if err == nil {
			won = append(won, g)
			continue
		}
		require.ErrorIs(t, err, sentinel, "racer %d", g)
	}
	require.Len(t, won, want, "racers that succeeded")
	return won
}

func (h harness) concurrency(t *testing.T) {
	h.run(t, "racing creators win each code exactly once", func(t *testing.T, s store.Store) {
		cs := codes("c-", 16)
		var mu sync.Mutex
		winners := map[string][]int{}
		var failures []error
		race(racers, func(g int) error {
			// Even racers create one code at a time, odd ones in batches
			// of four; each starts at a different code.
			var batches [][]string
			for i := range len(cs) {
				batches = append(batches, []string{cs[(i+g)%len(cs)]})
			}
			if g%2 == 1 {
				batches = nil
				for i := range len(cs) / 4 {
					k := (i + g) % (len(cs) / 4)
					batches = append(batches, cs[k*4:k*4+4])
				}
			}
			for _, batch := range batches {
				rs := resourcesIn(store.DefaultNamespace, batch...)
				for i := range rs {
					rs[i].ID = fmt.Sprintf("g%d-%s", g, rs[i].Code)
				}
				err := s.CreateResources(t.Context(), rs, store.WriteOptions{})
				mu.Lock()
				if err == nil {
					for _, c := range batch {
						winners[c] = append(winners[c], g)
					}
				} else if !conflictWithin(err, batch) {
					failures = append(failures, err)
				}
				mu.Unlock()
			}
			return nil
		})
		require.Empty(t, failures, "losers must get an ErrConflict naming codes of their batch")
		all := allResources(t, s, store.DefaultNamespace)
		require.Equal(t, cs, resourceCodes(all))
		ids := map[string]bool{}
		for _, r := range all {
			require.Len(t, winners[r.Code], 1, "code %s created more than once", r.Code)
			require.Equal(t, fmt.Sprintf("g%d-%s", winners[r.Code][0], r.Code), r.ID, "stored record is not the winner's")
			require.False(t, ids[r.ID], "ID %s twice", r.ID)
			ids[r.ID] = true
		}
	})

	h.run(t, "racing creators of one ID", func(t *testing.T, s store.Store) {
		errs := race(racers, func(g int) error {
			r := NewResource(store.DefaultNamespace, "c-"+strconv.Itoa(g))
			r.ID = "shared"
			return s.CreateResources(t.Context(), []store.Resource{r}, store.WriteOptions{})
		})
		won := requireWinners(t, errs, 1, store.ErrConflict)
		all := allResources(t, s, store.DefaultNamespace)
		require.Equal(t, []string{"c-" + strconv.Itoa(won[0])}, resourceCodes(all))
	})

	h.run(t, "racing single creates under a quota", func(t *testing.T, s store.Store) {
		const quota = 3
		errs := race(racers, func(g int) error {
			return s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "c-"+strconv.Itoa(g)), quotaOf(quota))
		})
		won := requireWinners(t, errs, quota, store.ErrLimitExceeded)
		var want []string
		for _, g := range won {
			want = append(want, "c-"+strconv.Itoa(g))
		}
		require.Equal(t, want, resourceCodes(allResources(t, s, store.DefaultNamespace)))
	})

	h.run(t, "racing batches under a quota", func(t *testing.T, s store.Store) {
		const quota = 5 // room for two batches of two, not three
		errs := race(racers, func(g int) error {
			batch := resourcesIn(store.DefaultNamespace, fmt.Sprintf("c-%d-a", g), fmt.Sprintf("c-%d-b", g))
			return s.CreateResources(t.Context(), batch, quotaOf(quota))
		})
		won := requireWinners(t, errs, 2, store.ErrLimitExceeded)
		var want []string
		for _, g := range won {
			want = append(want, fmt.Sprintf("c-%d-a", g), fmt.Sprintf("c-%d-b", g))
		}
		require.Equal(t, want, resourceCodes(allResources(t, s, store.DefaultNamespace)))
	})

	h.run(t, "racing namespace creators", func(t *testing.T, s store.Store) {
		errs := race(racers, func(g int) error {
			ns := newNamespace(ns2)
			ns.Name = "racer " + strconv.Itoa(g)
			return s.CreateNamespace(t.Context(), ns)
		})
		won := requireWinners(t, errs, 1, store.ErrConflict)
		got, err := s.GetNamespace(t.Context(), ns2)
		require.NoError(t, err)
		require.Equal(t, "racer "+strconv.Itoa(won[0]), got.Name)
	})

	h.run(t, "racing data resource creators of one name", func(t *testing.T, s store.Store) {
		errs := race(racers, func(g int) error {
			return s.CreateDataResource(t.Context(), newStringData(store.DefaultNamespace, "d-"+strconv.Itoa(g), "Same"))
		})
		won := requireWinners(t, errs, 1, store.ErrConflict)
		require.Equal(t, []string{"d-" + strconv.Itoa(won[0])}, dataCodes(allData(t, s, store.DefaultNamespace)))
	})

	h.run(t, "racing data resource creators of one code", func(t *testing.T, s store.Store) {
		errs := race(racers, func(g int) error {
			return s.CreateDataResource(t.Context(), newStringData(store.DefaultNamespace, "d", "name "+strconv.Itoa(g)))
		})
		won := requireWinners(t, errs, 1, store.ErrConflict)
		got, err := s.GetDataResource(t.Context(), store.DefaultNamespace, "d")
		require.NoError(t, err)
		require.Equal(t, "name "+strconv.Itoa(won[0]), got.ResourceName)
	})

	h.run(t, "concurrent updates lose nothing", func(t *testing.T, s store.Store) {
		const each = 5
		createResources(t, s, NewResource(store.DefaultNamespace, "r"))
		createData(t, s, newArrayData(store.DefaultNamespace, "d", "D"))
		errs := race(racers, func(g int) error {
			for i := range each {
				name := fmt.Sprintf("g%d-%d", g, i)
				if _, err := s.UpdateResource(t.Context(), store.DefaultNamespace, "r", func(r *store.Resource) error {
					r.Actions = append(r.Actions, store.Action{Name: name})
					return nil
				}); err != nil {
					return err
				}
				if _, err := s.UpdateDataResource(t.Context(), store.DefaultNamespace, "d", func(d *store.DataResource) error {
					d.Struct.Array = append(d.Struct.Array, name)
					return nil
				}); err != nil {
					return err
				}
			}
			return nil
		})
		for g, err := range errs {
			require.NoError(t, err, "racer %d", g)
		}
		r, err := s.GetResource(t.Context(), store.DefaultNamespace, "r")
		require.NoError(t, err)
		d, err := s.GetDataResource(t.Context(), store.DefaultNamespace, "d")
		require.NoError(t, err)
		initial := newArrayData(store.DefaultNamespace, "d", "D").Struct.Array
		require.Len(t, r.Actions, 2+racers*each, "resource updates were lost")
		require.Len(t, d.Struct.Array, len(initial)+racers*each, "data resource updates were lost")
		for g := range racers {
			for i := range each {
				name := fmt.Sprintf("g%d-%d", g, i)
				require.Contains(t, d.Struct.Array, name)
				require.True(t, slices.ContainsFunc(r.Actions, func(a store.Action) bool { return a.Name == name }), name)
			}
		}
	})

	h.run(t, "readers see whole batches", func(t *testing.T, s store.Store) {
		const batches, size = 10, 5
		done := make(chan struct{})
		var counts []int
		var readErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			f := store.ResourceFilter{Namespace: store.DefaultNamespace}
			for {
				page, err := s.ListResources(t.Context(), f, store.ListOptions{PageSize: store.MaxPageSize, IncludeTotal: true})
				if err != nil {
					readErr = err
					return
				}
				counts = append(counts, len(page.Items), page.TotalCount)
				select {
				case <-done:
					return
				default:
				}
			}
		})
		for b := range batches {
			createResources(t, s, resourcesIn(store.DefaultNamespace, codes(fmt.Sprintf("b%d-", b), size)...)...)
		}
		close(done)
		wg.Wait()
		require.NoError(t, readErr)
		for _, n := range counts {
			require.Zero(t, n%size, "a reader saw part of a batch: %d rows", n)
		}
	})

	h.run(t, "deleting a namespace races with writes into it", func(t *testing.T, s store.Store) {
		for round := range 6 {
			ns := "race-" + strconv.Itoa(round)
			createNamespaces(t, s, ns)
			errs := race(3, func(g int) error {
				switch g {
				case 0:
					return s.DeleteNamespace(t.Context(), ns)
				case 1:
					return s.CreateResources(t.Context(), resourcesIn(ns, "r"), store.WriteOptions{})
				default:
					return s.CreateDataResource(t.Context(), newStringData(ns, "d", "D"))
				}
			})
			_, err := s.GetNamespace(t.Context(), ns)
			if errs[0] == nil {
				// The namespace went first: both writes must have failed and
				// left nothing behind.
				require.ErrorIs(t, err, store.ErrNamespaceNotFound, "round %d", round)
				require.ErrorIs(t, errs[1], store.ErrNamespaceNotFound, "round %d", round)
				require.ErrorIs(t, errs[2], store.ErrNamespaceNotFound, "round %d", round)
				createNamespaces(t, s, ns)
				require.Empty(t, allResources(t, s, ns), "round %d: orphaned resource", round)
				require.Empty(t, allData(t, s, ns), "round %d: orphaned data resource", round)
				continue
			}
			require.ErrorIs(t, errs[0], store.ErrConflict, "round %d", round)
			// The delete was refused, so the namespace never went away and
			// both writes must have landed.
			require.NoError(t, err, "round %d", round)
			require.NoError(t, errs[1], "round %d", round)
			require.NoError(t, errs[2], "round %d", round)
		}
	})
}

// conflictWithin reports whether err is an ErrConflict *store.Error naming
// only codes of batch, as a losing racer's error must be.
func conflictWithin(err error, batch []string) bool {
	var se *store.Error
	if !errors.Is(err, store.ErrConflict) || !errors.As(err, &se) || len(se.Codes) == 0 {
		return false
	}
	for _, c := range se.Codes {
		if !slices.Contains(batch, c) {
			return false
		}
	}
	return true
}
