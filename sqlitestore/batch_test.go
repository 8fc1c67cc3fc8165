package sqlitestore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

// The watchers of a Store are woken by a batch's COMMIT, not by its writes,
// and not at all by a batch that fails.
func TestBatchWakesWatchersOnlyWhenItCommits(t *testing.T) {
	s := openMemory(t)
	ch := s.ChangesNotify()
	early := false
	err := s.Batch(t.Context(), 0, func(ctx context.Context) error {
		if err := s.CreateNamespace(ctx, store.Namespace{Code: "shop", Name: "Shop"}); err != nil {
			return err
		}
		select {
		case <-ch:
			early = true
		default:
		}
		return nil
	})
	require.NoError(t, err)
	require.False(t, early, "a watcher was woken before the batch committed")
	select {
	case <-ch:
	default:
		t.Fatal("the batch committed without waking its watchers")
	}

	ch = s.ChangesNotify()
	stop := errors.New("stop")
	err = s.Batch(t.Context(), 1, func(ctx context.Context) error {
		if err := s.CreateNamespace(ctx, store.Namespace{Code: "other", Name: "Other"}); err != nil {
			return err
		}
		return stop
	})
	require.Same(t, stop, err)
	select {
	case <-ch:
		t.Fatal("a batch that wrote nothing woke its watchers")
	default:
	}
}

// Another Store on the same file, as another process would be, waits for a
// batch and commits after it; a batch checks the LastSeq of the file, not
// one the Store remembers.
func TestBatchAgainstAnotherStoreOnTheFile(t *testing.T) {
	s, path := openFile(t)
	other, err := sqlitestore.Open(t.Context(), path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, other.Close()) })

	done := make(chan error, 1)
	early := false
	err = s.Batch(t.Context(), 0, func(ctx context.Context) error {
		if err := s.CreateNamespace(ctx, store.Namespace{Code: "shop", Name: "Shop"}); err != nil {
			return err
		}
		go func() {
			wctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done <- other.CreateNamespace(wctx, store.Namespace{Code: "late", Name: "Late"})
		}()
		time.Sleep(200 * time.Millisecond)
		select {
		case err := <-done:
			early = true
			done <- err
		default:
		}
		return s.CreateResources(ctx, []store.Resource{storetest.NewResource("shop", "a")}, store.WriteOptions{})
	})
	require.NoError(t, err)
	require.NoError(t, <-done)
	require.False(t, early, "the other Store committed while the batch was open")
	changes, err := s.Changes(t.Context(), 0, 10)
	require.NoError(t, err)
	require.Len(t, changes, 3)
	require.Equal(t, []string{"shop", "a", "late"}, []string{changes[0].Key, changes[1].Key, changes[2].Key})

	err = s.Batch(t.Context(), 2, func(context.Context) error {
		t.Error("fn called with a stale expectSeq")
		return nil
	})
	require.ErrorIs(t, err, store.ErrConflict)
	require.NoError(t, s.Batch(t.Context(), 3, func(context.Context) error { return nil }))
}
