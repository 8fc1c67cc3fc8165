package pgstore

import (
	"context"
	"errors"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

var _ store.Batcher = (*Store)(nil)

// Batch runs fn's writes in one transaction that holds the row of the
// change counter from its start: SELECT ... FOR UPDATE reads LastSeq and
// locks the row, so every other write that records a change waits at its
// own UPDATE of the row (see the ordering note in changes.go) until the
// batch commits, and numbers its changes after the batch's. LastSeq cannot
// move between the check and the commit.
//
// Other writes take the counter last, after their namespace and membership
// rows; the batch takes it first. A write that holds a row the batch then
// needs, and waits for the counter, is a deadlock, which PostgreSQL breaks
// after deadlock_timeout by aborting one of the two; that one runs again.
//
// The write methods called with fn's context run on the batch's
// transaction, without a retry loop of their own: a serialization failure,
// a deadlock or a lost connection ends the attempt, the method returns an
// ErrBusy (or ErrUnavailable) error to fn, and when fn returns, write rolls
// back and runs the attempt again, fn included, as it does for any write.
//
// Each write runs under a savepoint. PostgreSQL refuses every statement of
// a transaction after one that failed, and some methods build their error
// by reading after the failure (the codes of a CreateResources conflict,
// the key of a CreateDataPolicy conflict); rolled back to its savepoint,
// the transaction takes those reads, and they see the batch's writes. The
// batch fails all the same (see store.Batcher). Releasing the previous
// write's savepoint and setting the next one is one round trip per write;
// each savepoint that writes is a subtransaction of the batch.
//
// Without a deadline on ctx the retry window bounds the whole batch, as it
// bounds any write.
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
	return s.write(ctx, func(ctx context.Context, w *wtx) error {
		var seq int64
		if err := w.QueryRow(ctx, s.q.changes.lockLast).Scan(&seq); err != nil {
			return err
		}
		if expectSeq >= 0 && seq != expectSeq {
			return store.StaleSeq(expectSeq, seq)
		}
		b := &batch{s: s, w: w}
		err := fn(context.WithValue(ctx, batchKey{}, b))
		abort, failed := b.end()
		if abort != nil {
			return abort // write rolls back and runs the batch again
		}
		if err == nil {
			err = failed
		}
		if err != nil {
			return fnError{err}
		}
		return nil
	})
}

// The savepoint each write of a batch runs under.
const (
	sqlSavepoint           = `SAVEPOINT resreg_batch_write`
	sqlReleaseSavepoint    = `RELEASE SAVEPOINT resreg_batch_write`
	sqlRollbackToSavepoint = `ROLLBACK TO SAVEPOINT resreg_batch_write`
)

// batchKey is the context key under which a Batch hands fn its batch.
type batchKey struct{}

// batch is one attempt of a Batch in progress.
type batch struct {
	s *Store
	w *wtx
	// savepoint is set while the savepoint of the last write is open.
	savepoint bool

	mu sync.Mutex
	// err is the first error a write method returned inside the batch
	// (failBatch), or a storage failure a read met: the batch fails with
	// it, and every later method called with its context returns it.
	err error
	// broken is set as soon as a write fails, before its method has made
	// its error: the method may still read to build it, but the batch can
	// neither take another write nor commit.
	broken error
	// abort is the server's end of the attempt (a *retryable or an
	// ErrUnavailable error), for write to retry on; the methods called with
	// the batch's context return aborted.
	abort, aborted error
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

// db returns what a read with ctx runs its statements on: the transaction
// of the batch of s that ctx belongs to, or the pool.
func (s *Store) db(ctx context.Context) querier {
	if b := s.batchOf(ctx); b != nil {
		return b.w
	}
	return s.pool
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
	case b.aborted != nil:
		return b.aborted
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

// end marks the batch ended and returns why the attempt must run again, or
// else the error the batch failed with, if any.
func (b *batch) end() (abort, failed error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ended = true
	if b.abort != nil {
		return b.abort, nil
	}
	if b.err != nil {
		return nil, b.err
	}
	return nil, b.broken
}

// serverAbort ends the attempt if err, a translated error, says that the
// server aborted the transaction or lost the connection (unless ctx ended:
// then the lost connection is the cancellation's doing), and returns the
// error for the method to return; nil for any other error.
func (b *batch) serverAbort(ctx context.Context, err error) error {
	var rt *retryable
	var aborted error
	switch {
	case errors.As(err, &rt):
		aborted = &store.Error{Message: rt.Error() + "; the batch runs again", Err: store.ErrBusy}
	case isUnavailable(err) && ctx.Err() == nil:
		aborted = err
	default:
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.abort == nil {
		b.abort, b.aborted = err, aborted
	}
	return b.aborted
}

// write runs fn, the body of a write method, on the batch's transaction,
// under a savepoint. Its changes join those of the batch, which the
// batch's own write records before its COMMIT.
func (b *batch) write(ctx context.Context, fn func(ctx context.Context, tx *wtx) error) error {
	if err := b.usable(true); err != nil {
		return err
	}
	w := b.w
	mark := len(w.ops)
	err := w.setActor(ctx, store.ActorFrom(ctx))
	if err == nil {
		mark = len(w.ops)
		err = b.setSavepoint(ctx)
	}
	if err == nil {
		err = fn(ctx, w)
	}
	if err == nil {
		// As in attempt: a write whose context ended reports it, and the
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
	if aborted := b.serverAbort(ctx, err); aborted != nil {
		return aborted
	}
	if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
		// As in write: a deadline that passed while the write waited for
		// a row lock means the store stayed busy.
		err = doneErr(cerr, err)
	}
	w.dropChanges(mark)
	if b.savepoint {
		b.savepoint = false
		if _, rerr := w.Exec(context.WithoutCancel(ctx), sqlRollbackToSavepoint); rerr == nil {
			b.savepoint = true
		} else if aborted := b.serverAbort(ctx, translate(ctx, rerr)); aborted != nil {
			return aborted
		}
	}
	b.mu.Lock()
	if b.broken == nil {
		b.broken = err
	}
	b.mu.Unlock()
	return err
}

// setSavepoint releases the savepoint of the previous write, if any, and
// sets a new one, in one round trip.
func (b *batch) setSavepoint(ctx context.Context) error {
	pb := &pgx.Batch{}
	if b.savepoint {
		pb.Queue(sqlReleaseSavepoint)
	}
	pb.Queue(sqlSavepoint)
	b.savepoint = false
	if err := b.w.SendBatch(ctx, pb).Close(); err != nil {
		return err
	}
	b.savepoint = true
	return nil
}

// read runs fn, the body of a read method, once on the batch's
// transaction. Its statements run without cancellation: PostgreSQL aborts
// the transaction of a statement cut short, and with it the batch.
func (b *batch) read(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := b.usable(false); err != nil {
		return err
	}
	err := fn(context.WithoutCancel(ctx))
	if err == nil {
		return nil
	}
	return b.readFailed(ctx, translate(ctx, err))
}

// readFailed handles err, the translated error of a statement a read, or a
// flush for it, ran on the batch's transaction: the server's abort ends the
// attempt, a failure of the database (the transaction then takes no more
// statements) fails the batch, and a record not found, say, does neither.
func (b *batch) readFailed(ctx context.Context, err error) error {
	if aborted := b.serverAbort(ctx, err); aborted != nil {
		return aborted
	}
	if errors.Is(err, store.ErrStorage) {
		b.fail(err)
	}
	return err
}

// flushBatch records the changes a batch of s that ctx belongs to holds
// back, for a read of the change log inside it.
func (s *Store) flushBatch(ctx context.Context) error {
	b := s.batchOf(ctx)
	if b == nil {
		return nil
	}
	if err := b.usable(false); err != nil {
		return err
	}
	if err := b.w.flushChanges(context.WithoutCancel(ctx)); err != nil {
		return b.readFailed(ctx, translate(ctx, err))
	}
	return nil
}
