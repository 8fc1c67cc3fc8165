package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/resreg/resreg/store"
)

var _ store.Batcher = (*Store)(nil)

// Batch runs fn's writes in one immediate transaction (see write): BEGIN
// IMMEDIATE takes the write lock before LastSeq is read, so no other
// connection or process can change the store between the check and the
// commit. Other writers wait for the lock as they do for any write, up to
// their deadline. Readers of a file database go on reading the last
// commit (WAL); those of an in-memory one wait, as they wait for any write,
// and a batch that takes longer than the busy timeout makes them fail with
// store.ErrBusy.
//
// The write methods called with fn's context run their statements on the
// batch's connection, with their change rows numbered on from expectSeq in
// the order they are made, and commit nothing themselves; the read methods
// run theirs on the same connection and so see what the batch has written.
//
// A failed write is not rolled back on its own: a savepoint around each
// would make SQLite copy every page the write touches into a statement
// journal. The batch is failed instead (see store.Batcher), and rolled
// back as a whole when fn returns.
func (s *Store) Batch(ctx context.Context, expectSeq int64, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.batchOf(ctx) != nil {
		return store.NestedBatch()
	}
	if fn == nil {
		return store.Invalid("fn", "Batch needs a function to run")
	}
	return s.write(ctx, func(w *wtx) error {
		var seq int64
		if err := w.queryRow(sqlLastSeq).Scan(&seq); err != nil {
			return err
		}
		if expectSeq >= 0 && seq != expectSeq {
			return store.StaleSeq(expectSeq, seq)
		}
		b := &batch{s: s, w: w}
		err := fn(context.WithValue(ctx, batchKey{}, b))
		if failed := b.end(); err == nil {
			err = failed
		}
		if err != nil {
			return fnError{err}
		}
		return nil
	})
}

// batchKey is the context key under which a Batch hands fn its batch.
type batchKey struct{}

// batch is a Batch in progress.
type batch struct {
	s *Store
	w *wtx

	mu sync.Mutex
	// err is the first error a write method returned inside the batch
	// (failBatch), or a storage failure a read met: the batch fails with
	// it, and every later method called with its context returns it.
	err error
	// broken is set by write as soon as a write fails in the transaction,
	// before its method has made its error: the method may still read to
	// build it, but the batch can neither take another write nor commit.
	broken error
	// ended is set when fn has returned.
	ended bool
}

// batchOf returns the batch of s that ctx belongs to, or nil.
func (s *Store) batchOf(ctx context.Context) *batch {
	if b, ok := ctx.Value(batchKey{}).(*batch); ok && b.s == s {
		return b
	}
	return nil
}

// failBatch records that a write method called with ctx returned *errp;
// every write method defers it, so that any error it returns inside a
// batch, from its own checks on, fails the batch.
func (s *Store) failBatch(ctx context.Context, errp *error) {
	if *errp == nil {
		return
	}
	if b := s.batchOf(ctx); b != nil {
		b.fail(*errp)
	}
}

func (b *batch) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil && !b.ended {
		b.err = err
	}
}

// usable returns the error a method called with the batch's context fails
// with, or nil; forWrite also refuses a write after a broken one.
func (b *batch) usable(forWrite bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.ended:
		return store.BatchEnded()
	case b.err != nil:
		return b.err
	case forWrite && b.broken != nil:
		return b.broken
	}
	if b.s.closed.Load() {
		return store.Closed()
	}
	return nil
}

// end marks the batch ended and returns the error it failed with, if any.
func (b *batch) end() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ended = true
	if b.err != nil {
		return b.err
	}
	return b.broken
}

// write runs fn, the body of a write method, on the batch's transaction.
// Its change rows join the batch's buffer, which the batch's own write
// flushes before its COMMIT.
func (b *batch) write(ctx context.Context, fn func(w *wtx) error) error {
	if err := b.usable(true); err != nil {
		return err
	}
	err := b.w.setActor(store.ActorFrom(ctx))
	if err == nil {
		err = fn(b.w)
	}
	if err == nil {
		// As in write: a write whose context ended reports it, and the
		// batch then writes nothing.
		err = ctx.Err()
	}
	if err == nil {
		return nil
	}
	var fe fnError
	if errors.As(err, &fe) {
		err = fe.err
	} else {
		err = translate(ctx, err)
	}
	b.mu.Lock()
	if b.broken == nil {
		b.broken = err
	}
	b.mu.Unlock()
	return err
}

// read runs fn, the body of a read method, on the batch's connection.
func (b *batch) read(ctx context.Context, fn func(tx rtx) error) error {
	if err := b.usable(false); err != nil {
		return err
	}
	if err := fn(rtx{conn: b.w.conn, bg: b.w.bg}); err != nil {
		return b.readFailed(translate(ctx, err))
	}
	return nil
}

// readFailed fails the batch if err, the translated error of a read on its
// connection, is a failure of the storage: SQLite may then have rolled the
// transaction back, and what follows must not run outside it.
func (b *batch) readFailed(err error) error {
	if errors.Is(err, store.ErrStorage) {
		b.fail(err)
	}
	return err
}

// flushChanges inserts the change rows the batch holds back, for a read of
// the change log.
func (b *batch) flushChanges(ctx context.Context) error {
	if err := b.usable(false); err != nil {
		return err
	}
	if err := b.w.flushChanges(); err != nil {
		err = translate(ctx, err)
		b.fail(err)
		return err
	}
	return nil
}

// point runs a single-row select of a read method that does without a read
// transaction: st, a statement prepared on s.db from query (nil runs query
// on the pool), or, with the context of a batch of s, query on the batch's
// connection. scan reads the row.
func (s *Store) point(ctx context.Context, st *sql.Stmt, query string, args []any, scan func(*sql.Row) error) error {
	b := s.batchOf(ctx)
	if b == nil {
		if st != nil {
			return scan(st.QueryRowContext(ctx, args...))
		}
		return scan(s.db.QueryRowContext(ctx, query, args...))
	}
	if err := b.usable(false); err != nil {
		return err
	}
	err := scan(b.w.conn.QueryRowContext(b.w.bg, query, args...))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		b.readFailed(translate(ctx, err))
	}
	return err
}
