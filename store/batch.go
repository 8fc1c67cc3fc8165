package store

import (
	"context"
	"strconv"
)

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
// the batch has made so far. Reads with other contexts see the store as it
// was before the batch until it commits (or wait for it, on a store whose
// readers wait for a writer, such as an in-memory SQLite one); other
// writers wait for it. The change-log entries of the batch follow
// expectSeq with consecutive Seq, in the order of the writes that made
// them, each with the actor of its write's context.
//
// A write that fails fails the whole batch: once a write method called with
// fn's context has returned an error (any error, also one its own argument
// checks found, or one of a function it was given), Batch writes nothing
// and returns that error, the first such, even if fn ignored it and
// returned nil; from then on the read and write methods called with fn's
// context fail. A failed write cannot be stepped over, because it may have
// made part of its changes before it failed. A read's errors (a record not
// found, say) do not fail the batch, unless the storage itself failed
// (ErrStorage).
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
	// error of an earlier write. If fn returns nil after a write of the
	// batch failed, that write's error is returned and nothing is written.
	// ctx is checked before the commit: a context that ends first writes
	// nothing and returns ctx.Err(). A store that cannot start the
	// transaction before ctx's deadline returns an error matching ErrBusy;
	// ErrClosed on a closed store.
	//
	// fn may be called more than once: a store whose server aborted the
	// transaction (a serialization failure, a lost connection before
	// COMMIT) runs it again from the start, after rolling back. fn must
	// therefore have no effect outside the store, must make its reads and
	// writes one at a time (never from several goroutines at once), and
	// must not use its context after it returns: a method called with it
	// then fails, with ErrInvalid unless the context has ended (a store may
	// end it when Batch returns). Calling Batch again with fn's context is
	// an ErrInvalid error: batches do not nest.
	Batch(ctx context.Context, expectSeq int64, fn func(ctx context.Context) error) error
}

// StaleSeq is the ErrConflict error of a Batch whose expectSeq is not the
// change log's LastSeq.
func StaleSeq(expectSeq, lastSeq int64) *Error {
	return &Error{
		Field: "seq",
		Message: "the change log is at " + strconv.FormatInt(lastSeq, 10) + ", not at " +
			strconv.FormatInt(expectSeq, 10) + ": the store changed since",
		Err: ErrConflict,
	}
}

// NestedBatch is the ErrInvalid error of a Batch called with the context of
// a batch of the same store.
func NestedBatch() *Error {
	return Invalid("ctx", "batches do not nest: Batch was called with the context of a batch of the same store")
}

// BatchEnded is the ErrInvalid error of a method called with the context of
// a batch that has returned.
func BatchEnded() *Error {
	return Invalid("ctx", "the context belongs to a batch that has ended")
}
