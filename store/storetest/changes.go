package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// allChanges reads the whole change log after since, page by page.
func allChanges(t *testing.T, s store.Store, since int64, pageSize int) []store.Change {
	t.Helper()
	var out []store.Change
	for {
		page, err := s.Changes(t.Context(), since, pageSize)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), pageSize)
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		since = page[len(page)-1].Seq
	}
}

func lastSeq(t *testing.T, s store.Store) int64 {
	t.Helper()
	seq, err := s.LastSeq(t.Context())
	require.NoError(t, err)
	return seq
}

// decodeRecord unmarshals a change's record into a T.
func decodeRecord[T any](t *testing.T, c store.Change) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(c.Record, &v), "record of change %d: %s", c.Seq, c.Record)
	return v
}

// wantChange is what a test expects of one change; Record is compared as a
// decoded record.
type wantChange struct {
	op, kind, ns, key, actor string
	record                   any
}

func requireChanges(t *testing.T, want []wantChange, got []store.Change, from, to time.Time) {
	t.Helper()
	require.Len(t, got, len(want))
	for i, w := range want {
		c := got[i]
		require.Equal(t, []string{w.op, w.kind, w.ns, w.key, w.actor}, []string{c.Op, c.Kind, c.Namespace, c.Key, c.Actor}, "change %d", i)
		if i > 0 {
			require.Greater(t, c.Seq, got[i-1].Seq, "change %d", i)
		}
		require.Equal(t, time.UTC, c.Time.Location(), "change %d time is in UTC", i)
		require.False(t, c.Time.Before(from.Add(-time.Second)) || c.Time.After(to.Add(time.Second)),
			"change %d time %v is not the commit time (between %v and %v)", i, c.Time, from, to)
		switch rec := w.record.(type) {
		case store.Namespace:
			require.Equal(t, rec, decodeRecord[store.Namespace](t, c), "change %d record", i)
		case store.Resource:
			require.Equal(t, rec, decodeRecord[store.Resource](t, c), "change %d record", i)
		case store.DataResource:
			require.Equal(t, rec, decodeRecord[store.DataResource](t, c), "change %d record", i)
		case store.Grant:
			require.Equal(t, rec, decodeRecord[store.Grant](t, c), "change %d record", i)
		case store.Membership:
			require.Equal(t, rec, decodeRecord[store.Membership](t, c), "change %d record", i)
		case store.DataPolicy:
			require.Equal(t, rec, decodeRecord[store.DataPolicy](t, c), "change %d record", i)
		case store.PolicyTarget:
			require.Equal(t, rec, decodeRecord[store.PolicyTarget](t, c), "change %d record", i)
		default:
			t.Fatalf("change %d: unexpected record type %T", i, rec)
		}
	}
}

func (h harness) changes(t *testing.T) {
	h.run(t, "a new store has an empty log", func(t *testing.T, s store.Store) {
		require.Zero(t, lastSeq(t, s), "the default namespace's creation is not a change")
		got, err := s.Changes(t.Context(), 0, store.MaxChangesLimit)
		require.NoError(t, err)
		require.Empty(t, got)
	})

	h.run(t, "every write records its changes with the stored record", func(t *testing.T, s store.Store) {
		ctx := store.WithActor(t.Context(), "alice")
		from := time.Now()
		var want []wantChange
		get := func(ns, code string) store.Resource {
			r, err := s.GetResource(t.Context(), ns, code)
			require.NoError(t, err)
			return r
		}
		getData := func(ns, code string) store.DataResource {
			d, err := s.GetDataResource(t.Context(), ns, code)
			require.NoError(t, err)
			return d
		}
		getNS := func(code string) store.Namespace {
			ns, err := s.GetNamespace(t.Context(), code)
			require.NoError(t, err)
			return ns
		}

		require.NoError(t, s.CreateNamespace(ctx, newNamespace(ns2)))
		want = append(want, wantChange{store.OpCreate, store.KindNamespace, ns2, ns2, "alice", getNS(ns2)})
		_, err := s.UpdateNamespace(t.Context(), ns2, func(ns *store.Namespace) error { ns.Name = "Renamed"; return nil })
		require.NoError(t, err)
		want = append(want, wantChange{store.OpUpdate, store.KindNamespace, ns2, ns2, "", getNS(ns2)})

		noID := NewResource(ns2, "b")
		noID.ID = ""
		require.NoError(t, s.CreateResources(ctx, []store.Resource{NewResource(ns2, "c"), noID}, store.WriteOptions{}))
		want = append(want, wantChange{store.OpCreate, store.KindResource, ns2, "c", "alice", get(ns2, "c")},
			wantChange{store.OpCreate, store.KindResource, ns2, "b", "alice", get(ns2, "b")})
		_, err = s.UpdateResource(store.WithActor(ctx, "bob"), ns2, "c", func(r *store.Resource) error {
			r.Description, r.Actions = "updated", nil
			return nil
		})
		require.NoError(t, err)
		want = append(want, wantChange{store.OpUpdate, store.KindResource, ns2, "c", "bob", get(ns2, "c")})
		oldB, oldC := get(ns2, "b"), get(ns2, "c")
		require.NoError(t, s.DeleteResources(ctx, ns2, []string{"c", "b", "c"}))
		want = append(want, wantChange{store.OpDelete, store.KindResource, ns2, "c", "alice", oldC},
			wantChange{store.OpDelete, store.KindResource, ns2, "b", "alice", oldB})

		require.NoError(t, s.CreateDataResource(ctx, newTreeData(ns2, "org", "Org")))
		want = append(want, wantChange{store.OpCreate, store.KindDataResource, ns2, "org", "alice", getData(ns2, "org")})
		require.NoError(t, s.CreateDataResource(ctx, newArrayData(ns2, "cards", "Cards")))
		want = append(want, wantChange{store.OpCreate, store.KindDataResource, ns2, "cards", "alice", getData(ns2, "cards")})
		_, err = s.UpdateDataResource(ctx, ns2, "org", func(d *store.DataResource) error {
			d.Struct = store.Struct{String: "flat"}
			d.Type = store.DataString
			return nil
		})
		require.NoError(t, err)
		want = append(want, wantChange{store.OpUpdate, store.KindDataResource, ns2, "org", "alice", getData(ns2, "org")})
		for _, code := range []string{"org", "cards"} {
			old := getData(ns2, code)
			require.NoError(t, s.DeleteDataResource(ctx, ns2, code))
			want = append(want, wantChange{store.OpDelete, store.KindDataResource, ns2, code, "alice", old})
		}
		oldNS := getNS(ns2)
		require.NoError(t, s.DeleteNamespace(ctx, ns2))
		want = append(want, wantChange{store.OpDelete, store.KindNamespace, ns2, ns2, "alice", oldNS})

		got := allChanges(t, s, 0, store.MaxChangesLimit)
		requireChanges(t, want, got, from, time.Now())
		require.Equal(t, got[len(got)-1].Seq, lastSeq(t, s))
	})

	h.run(t, "rejected and failed writes record nothing", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createNamespaces(t, s, ns2)
		createResources(t, s, NewResource(ns2, "a"))
		createData(t, s, newStringData(ns2, "d", "D"))
		last := lastSeq(t, s)
		boom := errors.New("boom")
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		fails := map[string]func() error{
			"namespace conflict":  func() error { return s.CreateNamespace(ctx, newNamespace(ns2)) },
			"namespace not empty": func() error { return s.DeleteNamespace(ctx, ns2) },
			"default namespace":   func() error { return s.DeleteNamespace(ctx, store.DefaultNamespace) },
			"resource conflict":   func() error { return s.CreateResources(ctx, resourcesIn(ns2, "new", "a"), store.WriteOptions{}) },
			"missing namespace":   func() error { return s.CreateResources(ctx, resourcesIn("nope", "x"), store.WriteOptions{}) },
			"quota": func() error {
				return s.CreateResources(ctx, resourcesIn(ns2, "x", "y"), store.WriteOptions{MaxResourcesPerNamespace: 2})
			},
			"delete with a miss": func() error { return s.DeleteResources(ctx, ns2, []string{"a", "missing"}) },
			"update function fails": func() error {
				_, err := s.UpdateResource(ctx, ns2, "a", func(*store.Resource) error { return boom })
				return err
			},
			"data name taken": func() error { return s.CreateDataResource(ctx, newStringData(ns2, "e", "D")) },
			"data update fails": func() error {
				_, err := s.UpdateDataResource(ctx, ns2, "d", func(*store.DataResource) error { return boom })
				return err
			},
			"missing data resource": func() error { return s.DeleteDataResource(ctx, ns2, "missing") },
			"cancelled batch":       func() error { return s.CreateResources(cancelled, resourcesIn(ns2, "z"), store.WriteOptions{}) },
		}
		for name, fail := range fails {
			require.Error(t, fail(), name)
			require.Equal(t, last, lastSeq(t, s), "%s recorded a change", name)
		}
		got := allChanges(t, s, 0, store.MaxChangesLimit)
		require.Len(t, got, 3)
	})

	h.run(t, "a batch gets consecutive numbers in its order", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(store.DefaultNamespace, "first"))
		batch := shuffled(resourcesIn(store.DefaultNamespace, codes("r", 1000)...))
		createResources(t, s, batch...)
		got := allChanges(t, s, 1, 1000)
		require.Len(t, got, 1000)
		for i, c := range got {
			require.Equal(t, int64(i)+got[0].Seq, c.Seq, "change %d", i)
			require.Equal(t, batch[i].Code, c.Key, "change %d", i)
		}
		require.Equal(t, got[999].Seq, lastSeq(t, s))
	})

	h.run(t, "since and limit page through every change exactly once", func(t *testing.T, s store.Store) {
		want := 0
		for i := range 25 {
			createResources(t, s, resourcesIn(store.DefaultNamespace, codes("p"+strconv.Itoa(i)+"-", 1+i%4)...)...)
			want += 1 + i%4
		}
		all := allChanges(t, s, 0, store.MaxChangesLimit)
		require.Equal(t, want, len(all))
		for _, size := range []int{1, 7, 61, 62, 1000} {
			require.Equal(t, all, allChanges(t, s, 0, size), "page size %d", size)
		}
		mid, err := s.Changes(t.Context(), all[9].Seq, 5)
		require.NoError(t, err)
		require.Equal(t, all[10:15], mid)
		past, err := s.Changes(t.Context(), all[len(all)-1].Seq+100, 5)
		require.NoError(t, err)
		require.Empty(t, past)

		for _, bad := range []struct {
			since int64
			limit int
			field string
		}{{-1, 10, "since"}, {0, 0, "limit"}, {0, -1, "limit"}, {0, store.MaxChangesLimit + 1, "limit"}} {
			_, err := s.Changes(t.Context(), bad.since, bad.limit)
			se := requireDetail(t, err, store.ErrInvalid)
			require.Equal(t, bad.field, se.Field)
		}
	})

	h.run(t, "concurrent writers and a reader never see a lower number appear", func(t *testing.T, s store.Store) {
		const perWriter = 40
		stop := make(chan struct{})
		readerDone := make(chan []store.Change)
		readerErr := make(chan error, 1)
		go func() {
			var seen []store.Change
			since := int64(0)
			final := false
			for {
				select {
				case <-stop:
					final = true
				default:
				}
				page, err := s.Changes(context.Background(), since, 50)
				if err != nil {
					readerErr <- err
					readerDone <- seen
					return
				}
				seen = append(seen, page...)
				if len(page) > 0 {
					since = page[len(page)-1].Seq
				} else if final {
					readerDone <- seen
					return
				}
			}
		}()
		errs := race(racers, func(g int) error {
			for i := range perWriter {
				r := NewResource(store.DefaultNamespace, "w"+strconv.Itoa(g)+"-"+pad(i))
				if err := s.CreateResources(t.Context(), []store.Resource{r}, store.WriteOptions{}); err != nil {
					return err
				}
			}
			return nil
		})
		close(stop)
		seen := <-readerDone
		for g, err := range errs {
			require.NoError(t, err, "writer %d", g)
		}
		select {
		case err := <-readerErr:
			require.NoError(t, err, "reader")
		default:
		}
		all := allChanges(t, s, 0, store.MaxChangesLimit)
		require.Len(t, all, racers*perWriter)
		for i := 1; i < len(all); i++ {
			require.Greater(t, all[i].Seq, all[i-1].Seq)
		}
		// Had a change with a lower number become visible after the reader
		// passed it, the reader would have missed it.
		require.Equal(t, all, seen, "what the reader saw while writers ran is the whole log, once")
	})

	h.run(t, "pruning keeps the newest change and reports what is gone", func(t *testing.T, s store.Store) {
		for i := range 10 {
			createResources(t, s, NewResource(store.DefaultNamespace, "r"+pad(i)))
		}
		all := allChanges(t, s, 0, 100)
		require.Len(t, all, 10)
		last := all[9].Seq

		require.NoError(t, s.PruneChanges(t.Context(), all[4].Seq))
		_, err := s.Changes(t.Context(), 0, 100)
		requireDetail(t, err, store.ErrChangesPruned)
		_, err = s.Changes(t.Context(), all[2].Seq, 100)
		require.ErrorIs(t, err, store.ErrChangesPruned)
		kept, err := s.Changes(t.Context(), all[3].Seq, 100)
		require.NoError(t, err, "reading from just before the oldest kept change misses nothing")
		require.Equal(t, all[4:], kept)
		require.Equal(t, last, lastSeq(t, s))

		require.NoError(t, s.PruneChangesOlderThan(t.Context(), all[0].Time.Add(-time.Hour)), "nothing is that old")
		kept, err = s.Changes(t.Context(), all[3].Seq, 100)
		require.NoError(t, err)
		require.Len(t, kept, 6)

		require.NoError(t, s.PruneChanges(t.Context(), last+100))
		kept, err = s.Changes(t.Context(), last-1, 100)
		require.NoError(t, err)
		require.Equal(t, all[9:], kept, "the newest change is always kept")
		require.Equal(t, last, lastSeq(t, s), "LastSeq never goes back")
		_, err = s.Changes(t.Context(), last-2, 100)
		require.ErrorIs(t, err, store.ErrChangesPruned)

		createResources(t, s, NewResource(store.DefaultNamespace, "after"))
		next, err := s.Changes(t.Context(), last, 100)
		require.NoError(t, err)
		require.Len(t, next, 1)
		require.Greater(t, next[0].Seq, last, "numbers are never reused")

		require.NoError(t, s.PruneChangesOlderThan(t.Context(), time.Now().Add(time.Hour)))
		kept, err = s.Changes(t.Context(), next[0].Seq-1, 100)
		require.NoError(t, err)
		require.Equal(t, next, kept, "pruning by time keeps the newest change too")

		err = s.PruneChanges(t.Context(), -1)
		se := requireDetail(t, err, store.ErrInvalid)
		require.Equal(t, "before", se.Field)
	})
}
