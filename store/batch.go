package store

import "context"

// Batcher is implemented by a store that can run many writes as one
// transaction: all of them, with their change-log entries, or none. A
// Registry finds it by type assertion; Registry.Apply needs it and refuses
// to apply a plan on a store without it.
//
// The writes of a batch are the store's ordinary write methods, called with
// the context Batch passes to fn (or a context derived from it): a write
// method of this store called with that context joins the batch's
// transaction instead of running on its own, and keeps its whole error
// contract and its cascades. A read method called with it sees the writes
// the batch has made so far. Other goroutines' reads see the store as it
// was before the batch until it commits; other writers wait for it.
type Batcher interface {
	// Batch starts one write transaction, checks that the change log's
	// LastSeq is expectSeq, calls fn, and commits when fn returns nil.
	//
	// A negative expectSeq skips the check: the batch then only makes a
	// check fn reads and the writes that depend on it one transaction.
	//
	// Errors: ErrConflict with Field "seq" if LastSeq is not expectSeq
	// (fn is not called): the store changed since the caller looked. An
	// error from fn, including an error of a write fn made and passed on,
	// is returned as it is and nothing is written, even if fn ignored the
	// error of an earlier write. ctx is checked before the commit: a
	// context that ends first writes nothing and returns ctx.Err(). A store
	// that cannot start the transaction before ctx's deadline returns an
	// error matching ErrBusy; ErrClosed on a closed store.
	//
	// fn may be called more than once: a store whose server aborted the
	// transaction (a serialization failure, a lost connection before
	// COMMIT) runs it again from the start, after rolling back. fn must
	// therefore have no effect outside the store, must make its writes
	// one at a time (never from several goroutines at once), and must not
	// use its context after it returns. Calling Batch again with fn's
	// context is an ErrInvalid error: batches do not nest.
	Batch(ctx context.Context, expectSeq int64, fn func(ctx context.Context) error) error
}
