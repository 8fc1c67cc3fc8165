package resreg_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

func TestChangesFilters(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		reg := resreg.New(s)
		_, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "shop"})
		require.NoError(t, err)
		for i := range 30 {
			ns := "shop"
			if i%3 == 0 {
				ns = ""
			}
			_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Namespace: ns, Type: resreg.TypeAPI, Code: "r" + strconv.Itoa(i)})
			require.NoError(t, err)
		}
		_, err = reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{NamespaceCode: "shop", ResourceCode: "d", ResourceName: "D",
			Type: resreg.DataString, Struct: resreg.StringStruct("x"), Actions: []string{"read"}})
		require.NoError(t, err)

		all, err := reg.Changes(ctx, resreg.ChangesOptions{})
		require.NoError(t, err)
		require.Len(t, all, 32, "namespace, 30 resources, 1 data resource")

		// Paging a filter: Limit counts matching changes.
		var got []resreg.Change
		opts := resreg.ChangesOptions{Namespace: "shop", Kinds: []string{resreg.KindResource}, Limit: 7}
		for {
			page, err := reg.Changes(ctx, opts)
			require.NoError(t, err)
			if len(page) == 0 {
				break
			}
			require.LessOrEqual(t, len(page), 7)
			got = append(got, page...)
			opts.Since = page[len(page)-1].Seq
		}
		require.Len(t, got, 20)
		for _, c := range got {
			require.Equal(t, "shop", c.Namespace)
			require.Equal(t, resreg.KindResource, c.Kind)
		}

		data, err := reg.Changes(ctx, resreg.ChangesOptions{Kinds: []string{resreg.KindDataResource, resreg.KindNamespace}})
		require.NoError(t, err)
		require.Len(t, data, 2)
		require.Equal(t, []string{resreg.KindNamespace, resreg.KindDataResource}, []string{data[0].Kind, data[1].Kind})
		var d resreg.DataResource
		require.NoError(t, json.Unmarshal(data[1].Record, &d))
		require.Equal(t, "x", d.Struct.String)

		last, err := reg.LastSeq(ctx)
		require.NoError(t, err)
		require.Equal(t, all[len(all)-1].Seq, last)
	})
}

func TestChangesOptionsValidation(t *testing.T) {
	reg := resreg.New(memstore.New())
	for _, tc := range []struct {
		name  string
		opts  resreg.ChangesOptions
		field string
	}{
		{"negative since", resreg.ChangesOptions{Since: -1}, "since"},
		{"negative limit", resreg.ChangesOptions{Limit: -1}, "limit"},
		{"limit too large", resreg.ChangesOptions{Limit: resreg.MaxChangesLimit + 1}, "limit"},
		{"bad namespace", resreg.ChangesOptions{Namespace: "no spaces"}, "namespace"},
		{"unknown kind", resreg.ChangesOptions{Kinds: []string{resreg.KindResource, "widget"}}, "kinds[1]"},
		{"repeated kind", resreg.ChangesOptions{Kinds: []string{resreg.KindResource, resreg.KindResource}}, "kinds[1]"},
		{"too many kinds", resreg.ChangesOptions{Kinds: make([]string, len(store.Kinds())+1)}, "kinds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := reg.Changes(t.Context(), tc.opts)
			require.ErrorIs(t, err, resreg.ErrInvalid)
			var se *resreg.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, tc.field, se.Field)
		})
	}
}

func TestActorIsRecorded(t *testing.T) {
	ctx := t.Context()
	reg := resreg.New(memstore.New())
	require.Empty(t, resreg.ActorFrom(ctx))
	_, err := reg.CreateResource(resreg.WithActor(ctx, "svc-importer"), resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: "a"})
	require.NoError(t, err)
	_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: "b"})
	require.NoError(t, err)
	got, err := reg.Changes(ctx, resreg.ChangesOptions{})
	require.NoError(t, err)
	require.Equal(t, "svc-importer", got[0].Actor)
	require.Empty(t, got[1].Actor)
}

// Both stores wake watchers on writes made through the same store value:
// memstore always, sqlitestore for writes of its own process.
func TestWatchWakesAtOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, st store.Store) { watchWakesAtOnce(t, st) })
}

func watchWakesAtOnce(t *testing.T, st store.Store) {
	// A poll interval far longer than the test: only the store's
	// notification can deliver the change in time.
	consumer := resreg.New(st, resreg.WithWatchInterval(time.Hour))
	writer := resreg.New(st)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	got := make(chan resreg.Change)
	go func() {
		for c, err := range consumer.Watch(ctx, 0) {
			if err != nil {
				return
			}
			got <- c
		}
		close(got)
	}()
	for i := range 3 {
		time.Sleep(20 * time.Millisecond) // let the watcher go to sleep
		start := time.Now()
		_, err := writer.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: "r" + strconv.Itoa(i)})
		require.NoError(t, err)
		c := <-got
		require.Equal(t, "r"+strconv.Itoa(i), c.Key)
		require.Less(t, time.Since(start), time.Second, "the watcher was woken by the write")
	}
	cancel()
	_, open := <-got
	require.False(t, open, "the sequence ends when the context is done")
}

func TestWatchYieldsPrunedOnceAndEnds(t *testing.T) {
	ctx := t.Context()
	reg := resreg.New(memstore.New())
	for i := range 5 {
		_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: "r" + strconv.Itoa(i)})
		require.NoError(t, err)
	}
	require.NoError(t, reg.PruneChanges(ctx, 4))
	var errs []error
	for _, err := range reg.Watch(ctx, 1) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], resreg.ErrChangesPruned)

	// From just before the oldest kept change, nothing is missing.
	var seqs []int64
	wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	for c, err := range reg.Watch(wctx, 3) {
		require.NoError(t, err)
		seqs = append(seqs, c.Seq)
	}
	require.Equal(t, []int64{4, 5}, seqs)
}

func TestChangeRetention(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		reg := resreg.New(s, resreg.WithChangeRetention(50*time.Millisecond))
		for i := range 3 {
			_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: "old" + strconv.Itoa(i)})
			require.NoError(t, err)
		}
		time.Sleep(80 * time.Millisecond)
		_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: "new"})
		require.NoError(t, err)
		_, err = reg.Changes(ctx, resreg.ChangesOptions{})
		require.ErrorIs(t, err, resreg.ErrChangesPruned, "the changes older than the retention are gone")
		kept, err := reg.Changes(ctx, resreg.ChangesOptions{Since: 3})
		require.NoError(t, err)
		require.Len(t, kept, 1)
		require.Equal(t, "new", kept[0].Key)
		require.Same(t, s, reg.Store(), "Store returns the store given to New")
	})
}
