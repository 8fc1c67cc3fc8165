package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/pgstore"
	"github.com/resreg/resreg/store"
)

func closedWithin(ch <-chan struct{}, d time.Duration) bool {
	select {
	case <-ch:
		return true
	case <-time.After(d):
		return false
	}
}

// A commit by another instance on the same schema wakes a watcher through
// LISTEN/NOTIFY, and a write that records nothing wakes nobody.
func TestChangesNotifyAcrossInstances(t *testing.T) {
	a := newStore(t)
	b, err := pgstore.New(context.Background(), pool(t), pgstore.WithSchema(a.Schema()))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	ctx := t.Context()

	// The first call starts the listener, whose connection wakes the
	// watcher once (what it missed before listening is for the log to say).
	require.True(t, closedWithin(a.ChangesNotify(), 5*time.Second), "the listener never connected")
	quiet := a.ChangesNotify()
	require.False(t, closedWithin(quiet, 200*time.Millisecond), "woken with nothing committed")
	require.NoError(t, b.PruneChanges(ctx, 0)) // records no change
	require.False(t, closedWithin(quiet, 200*time.Millisecond), "woken by a write that recorded nothing")

	for i := range 3 {
		ch := a.ChangesNotify()
		start := time.Now()
		require.NoError(t, b.CreateNamespace(ctx, store.Namespace{Code: "n" + string(rune('a'+i)), Name: "N"}))
		require.True(t, closedWithin(ch, 5*time.Second), "write %d of the other instance did not wake the watcher", i)
		t.Logf("woken %v after the other instance's write returned", time.Since(start))
	}
	// Close stops the listener and waits for it.
	require.NoError(t, a.Close())
}

// The package's failure sentinels are storage failures in the contract's
// terms, so callers that know only the store package can classify them.
func TestFailureSentinelsAreStorageFailures(t *testing.T) {
	for _, err := range []error{pgstore.ErrUnavailable, pgstore.ErrDatabase,
		&store.Error{Message: "x", Err: pgstore.ErrUnavailable}, &store.Error{Message: "x", Err: pgstore.ErrDatabase}} {
		require.ErrorIs(t, err, store.ErrStorage, "%v", err)
	}
	require.NotErrorIs(t, pgstore.ErrUnavailable, pgstore.ErrDatabase)
	require.ErrorIs(t, pgstore.ErrClosed, store.ErrClosed)
}
