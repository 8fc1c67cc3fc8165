package memstore

import (
	"context"
	"strconv"

	"github.com/resreg/resreg/store"
)

var _ store.Batcher = (*Store)(nil)

// batchKey is the context key of a batch of Store s. The key holds the
// Store, so that the context of a batch of one Store passed to a batch of
// another still joins the first.
type batchKey struct{ s *Store }

// batchToken marks the context of one batch. A fresh token per batch, kept
// in Store.batch while the batch runs, tells the running batch's context
// from that of a batch that has ended.
type batchToken struct{ expectSeq int64 }

// joins reports whether ctx is the context of the batch running on s: a
// method called with it runs inside the batch, under the lock the batch
// holds, and must neither take nor release it. Outside a batch the check is
// one atomic load.
func (s *Store) joins(ctx context.Context) bool {
	running := s.batch.Load()
	return running != nil && ctx.Value(batchKey{s}) == running
}

// Batch runs fn as one write: every write fn makes with the context it is
// given joins the batch, and either all of them are kept, with their
// change-log entries, or none. See [store.Batcher] for the contract.
//
// The batch holds the write lock from the check of expectSeq until it
// returns, so other goroutines, readers included, wait for it and never see
// its writes before they are all kept; methods called with fn's context run
// under that lock, and reads see the batch's writes so far. fn must make
// its calls one at a time from one goroutine and must not call Close, which
// would wait for the batch forever.
//
// Each write of the batch records how to undo its changes (see journal);
// a batch that fails, because fn returns an error or panics, ctx ends or
// the Store is closed meanwhile, undoes them in reverse order. The cost is
// proportional to the batch's writes, whatever the size of the Store. A
// write method that fails writes nothing itself, so a batch whose fn
// ignores an error and returns nil keeps exactly the writes that
// succeeded. fn is called exactly once.
func (s *Store) Batch(ctx context.Context, expectSeq int64, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.joins(ctx) {
		return store.Invalid("ctx", "batches do not nest: Batch was called with the context of a running batch")
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if last := s.log.lastSeq; expectSeq >= 0 && last != expectSeq {
		return &store.Error{
			Field:   "seq",
			Message: "the change log is at " + strconv.FormatInt(last, 10) + ", not at " + strconv.FormatInt(expectSeq, 10),
			Err:     store.ErrConflict,
		}
	}
	s.begin()
	committed := false
	defer func() {
		// Also when fn panics: the Store is unlocked as it was.
		if !committed {
			s.rollback()
		}
	}()
	err := s.call(ctx, expectSeq, fn)
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = s.closedErr()
	}
	if err != nil {
		return err
	}
	committed = true
	s.commit()
	return nil
}

// call runs fn with a context that joins the batch. The context stops
// joining as soon as fn returns: a call made with it afterwards takes the
// lock like any other and waits for the batch to end.
func (s *Store) call(ctx context.Context, expectSeq int64, fn func(ctx context.Context) error) error {
	tok := &batchToken{expectSeq: expectSeq}
	s.batch.Store(tok)
	defer s.batch.Store(nil)
	return fn(context.WithValue(ctx, batchKey{s}, tok))
}
