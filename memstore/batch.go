package memstore

import (
	"context"

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
type batchToken struct {
	expectSeq int64
	// failed is the first error a write of the batch returned: the batch
	// then writes nothing and returns it, and every later method called
	// with the batch's context fails with it (see noteFailure). Only the
	// batch's goroutine touches it, as fn makes its calls one at a time.
	failed error
}

// batchOf returns the token of the batch ctx joins, nil if none; ended
// reports a context of a batch of s that is no longer running, with which
// every method fails.
func (s *Store) batchOf(ctx context.Context) (tok *batchToken, ended bool) {
	v, ok := ctx.Value(batchKey{s}).(*batchToken)
	if !ok {
		return nil, false
	}
	if v != s.batch.Load() {
		return nil, true
	}
	return v, false
}

// joined checks a method called with a batch context: the error of a
// batch that failed, or of one that has ended; nil otherwise.
func (s *Store) joined(tok *batchToken, ended bool) error {
	if ended {
		return store.Invalid("ctx", "the batch of this context has ended; its context can no longer be used")
	}
	if tok.failed != nil {
		return tok.failed
	}
	return s.closedErr()
}

// noteFailure records, on the batch that ctx joins, the first error a write
// returned (*err): the batch fails with it. A write's error outside a
// batch needs nothing.
func (s *Store) noteFailure(ctx context.Context, err *error) {
	if *err == nil || s.batch.Load() == nil {
		return
	}
	if tok, _ := s.batchOf(ctx); tok != nil && tok.failed == nil {
		tok.failed = *err
	}
}

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
// ignores an error and returns nil still fails with that error: the
// batch writes nothing, and the methods fn calls afterwards fail too. fn is
// called exactly once.
func (s *Store) Batch(ctx context.Context, expectSeq int64, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.joins(ctx) {
		return store.NestedBatch()
	}
	if _, ended := s.batchOf(ctx); ended {
		return s.joined(nil, true)
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if last := s.log.lastSeq; expectSeq >= 0 && last != expectSeq {
		return store.StaleSeq(expectSeq, last)
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
// joining as soon as fn returns: a call made with it afterwards fails with
// ErrInvalid.
func (s *Store) call(ctx context.Context, expectSeq int64, fn func(ctx context.Context) error) error {
	tok := &batchToken{expectSeq: expectSeq}
	s.batch.Store(tok)
	defer s.batch.Store(nil)
	err := fn(context.WithValue(ctx, batchKey{s}, tok))
	if err == nil {
		err = tok.failed
	}
	return err
}
