package pgstore_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/pgstore"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

// ownPool returns a pool of its own with the given session settings, closed
// when the test ends.
func ownPool(t *testing.T, params map[string]string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn(t))
	require.NoError(t, err)
	for k, v := range params {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}

// lockNamespace holds the row of namespace ns in a transaction of its own
// for d, then rolls back: a lock that changes nothing.
func lockNamespace(t *testing.T, p *pgxpool.Pool, schema, ns string, d time.Duration) <-chan error {
	t.Helper()
	tx, err := p.Begin(t.Context())
	require.NoError(t, err)
	_, err = tx.Exec(t.Context(), "SELECT 1 FROM "+pgx.Identifier{schema, "resreg_namespaces"}.Sanitize()+" WHERE code = $1 FOR UPDATE", ns)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		time.Sleep(d)
		done <- tx.Rollback(context.Background())
	}()
	return done
}

// A write of a batch that the server aborts (here: a lock wait past
// lock_timeout, SQLSTATE 55P03) ends the attempt; Batch runs fn again, and
// the batch commits once.
func TestBatchRunsAgainWhenTheServerAbortsIt(t *testing.T) {
	p := ownPool(t, map[string]string{"lock_timeout": "100ms"})
	schema := freshSchema(t)
	s, err := pgstore.New(t.Context(), p, pgstore.WithSchema(schema))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })

	released := lockNamespace(t, pool(t), schema, store.DefaultNamespace, 500*time.Millisecond)
	var calls atomic.Int32
	var busy error
	err = s.Batch(t.Context(), 0, func(ctx context.Context) error {
		calls.Add(1)
		if err := s.CreateNamespace(ctx, store.Namespace{Code: "shop", Name: "Shop"}); err != nil {
			return err
		}
		err := s.CreateResources(ctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "a")}, store.WriteOptions{})
		if err != nil && busy == nil {
			busy = err
		}
		return err
	})
	require.NoError(t, <-released)
	require.NoError(t, err)
	require.Greater(t, calls.Load(), int32(1), "fn ran once although its write waited past lock_timeout")
	require.ErrorIs(t, busy, store.ErrBusy, "the write the server aborted")

	changes, err := s.Changes(t.Context(), 0, 10)
	require.NoError(t, err)
	require.Len(t, changes, 2, "the aborted attempts left nothing")
	require.Equal(t, []int64{1, 2}, []int64{changes[0].Seq, changes[1].Seq})
	require.Equal(t, store.KindNamespace, changes[0].Kind)
	require.Equal(t, store.KindResource, changes[1].Kind)
}

// A batch that cannot get past a lock before its deadline is ErrBusy and
// writes nothing.
func TestBatchStaysBusyUntilTheDeadline(t *testing.T) {
	p := ownPool(t, map[string]string{"lock_timeout": "50ms"})
	schema := freshSchema(t)
	s, err := pgstore.New(t.Context(), p, pgstore.WithSchema(schema))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })

	released := lockNamespace(t, pool(t), schema, store.DefaultNamespace, 2*time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	err = s.Batch(ctx, 0, func(ctx context.Context) error {
		if err := s.CreateNamespace(ctx, store.Namespace{Code: "shop", Name: "Shop"}); err != nil {
			return err
		}
		return s.CreateResources(ctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "a")}, store.WriteOptions{})
	})
	require.ErrorIs(t, err, store.ErrBusy)
	require.NoError(t, <-released)
	seq, err := s.LastSeq(t.Context())
	require.NoError(t, err)
	require.Zero(t, seq)
}

// A batch whose connection is lost before COMMIT runs again on another one.
func TestBatchRunsAgainAfterALostConnection(t *testing.T) {
	const app = "resreg-batch-lost-connection"
	p := ownPool(t, map[string]string{"application_name": app})
	s, err := pgstore.New(t.Context(), p, pgstore.WithSchema(freshSchema(t)))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })

	var calls atomic.Int32
	var lost error
	err = s.Batch(t.Context(), 0, func(ctx context.Context) error {
		if err := s.CreateNamespace(ctx, store.Namespace{Code: "shop", Name: "Shop"}); err != nil {
			return err
		}
		if calls.Add(1) == 1 {
			var n int
			err := pool(t).QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE application_name = $1 AND state = 'idle in transaction'`, app).Scan(&n)
			if err != nil {
				return err
			}
			if n != 1 {
				return errors.New("the batch's connection was not found")
			}
		}
		err := s.CreateResources(ctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "a")}, store.WriteOptions{})
		if err != nil && lost == nil {
			lost = err
		}
		return err
	})
	require.NoError(t, err)
	require.Equal(t, int32(2), calls.Load())
	require.ErrorIs(t, lost, pgstore.ErrUnavailable)
	changes, err := s.Changes(t.Context(), 0, 10)
	require.NoError(t, err)
	require.Len(t, changes, 2)
}

// A batch takes the change counter first, other writes take it last: a
// write that holds a namespace row the batch then needs deadlocks with it.
// The server aborts one of the two; either way nothing hangs and the
// outcome is one the contract allows: the batch commits and the other write
// after it, or the other write commits and the batch, run again, finds the
// log moved on.
func TestBatchDeadlockWithAnotherWrite(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	require.NoError(t, s.CreateNamespace(ctx, store.Namespace{Code: "x", Name: "X"}))
	require.NoError(t, s.CreateNamespace(ctx, store.Namespace{Code: "y", Name: "Y"}))
	seq, err := s.LastSeq(ctx)
	require.NoError(t, err)

	other := make(chan error, 1)
	var started atomic.Bool
	err = s.Batch(ctx, seq, func(ctx context.Context) error {
		if err := s.CreateResources(ctx, []store.Resource{storetest.NewResource("y", "batch")}, store.WriteOptions{}); err != nil {
			return err
		}
		if !started.Swap(true) {
			// Locks x, then waits for y, which the batch holds.
			go func() {
				other <- s.CreateResources(context.Background(),
					[]store.Resource{storetest.NewResource("x", "other"), storetest.NewResource("y", "other")}, store.WriteOptions{})
			}()
			time.Sleep(300 * time.Millisecond)
		}
		return s.CreateResources(ctx, []store.Resource{storetest.NewResource("x", "batch")}, store.WriteOptions{})
	})
	if !started.Load() {
		t.Fatalf("the batch ended before the other write started: %v", err)
	}
	require.NoError(t, <-other)
	kinds := func() []string {
		changes, err := s.Changes(ctx, seq, 10)
		require.NoError(t, err)
		var out []string
		for _, c := range changes {
			out = append(out, c.Namespace+"/"+c.Key)
		}
		return out
	}
	if err == nil {
		require.Equal(t, []string{"y/batch", "x/batch", "x/other", "y/other"}, kinds())
		return
	}
	var se *store.Error
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, store.ErrConflict)
	require.Equal(t, "seq", se.Field)
	require.Equal(t, []string{"x/other", "y/other"}, kinds())
}
