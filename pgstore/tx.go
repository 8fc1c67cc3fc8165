package pgstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/resreg/resreg/store"
)

// fnError carries an error returned by a caller's update function, or a
// store error decided inside a transaction, through write untouched.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }

// Backoff between attempts of a write the server aborted: it starts small,
// because most aborts clear as soon as the other transaction commits, and
// doubles up to a ceiling, with jitter so that racers spread out.
const (
	firstBackoff = 2 * time.Millisecond
	maxBackoff   = 250 * time.Millisecond
	// unavailableAttempts bounds how often an operation that met a broken
	// connection is tried again at once: after a server restart every
	// pooled connection is dead, and a fresh one usually works. A server
	// that stays down is reported, not waited for.
	unavailableAttempts = 3
)

// write runs fn in a READ COMMITTED transaction and commits it when fn
// returns nil. The invariants do not rest on the isolation level but on
// locks: every write that could race on a rule (the quota, deleting a
// namespace) locks the namespace row first.
//
// A transaction the server aborts (serialization failure, deadlock) is run
// again with backoff until ctx's deadline, or for the retry window when ctx
// has none, and then reported as store.ErrBusy. A connection that breaks
// before COMMIT is sent is retried a few times (the server rolled the
// transaction back); one that breaks during COMMIT is reported as
// ErrUnavailable, since the outcome is unknown.
//
// ctx is checked before COMMIT, and COMMIT itself runs without
// cancellation, so a cancelled write leaves nothing behind and a write that
// reports success is committed.
//
// With the context of a batch of s, fn runs once on the batch's
// transaction instead, which commits when the batch does (see batch.write).
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *wtx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b := s.batchOf(ctx); b != nil {
		return b.write(ctx, fn)
	}
	if s.closed.Load() {
		return store.Closed()
	}
	deadline, hasDeadline := ctx.Deadline()
	if !hasDeadline {
		// A lock wait has no end of its own; without a deadline from the
		// caller, the retry window bounds it too.
		deadline = time.Now().Add(s.cfg.retryWindow)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	backoff := firstBackoff
	broken := 0
	for {
		err := s.attempt(ctx, fn)
		if err == nil {
			return nil
		}
		var fe fnError
		if errors.As(err, &fe) {
			return fe.err
		}
		if cerr := ctx.Err(); cerr != nil {
			return doneErr(cerr, err)
		}
		var rt *retryable
		switch {
		case errors.As(err, &rt):
		case isUnavailable(err) && !errors.Is(err, errCommitUnknown) && broken < unavailableAttempts-1:
			broken++
		default:
			if errors.Is(err, errCommitUnknown) {
				return unavailable("the connection broke during COMMIT; the write may or may not have been applied")
			}
			return err
		}
		pause := backoff/2 + rand.N(backoff/2+1)
		if time.Until(deadline) < pause {
			if rt != nil {
				return store.Busy(err)
			}
			return err
		}
		if serr := sleep(ctx, pause); serr != nil {
			return doneErr(serr, err)
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// doneErr is the error of a write whose context ended while it ran. A
// cancellation is itself. A deadline that passed while the write waited for
// a row lock or kept being aborted means the store stayed busy: the error
// matches both store.ErrBusy and context.DeadlineExceeded, since from here
// a lock wait cannot be told from a slow statement.
func doneErr(cerr error, _ error) error {
	if errors.Is(cerr, context.DeadlineExceeded) {
		return &store.Error{Message: "storage stayed locked until the deadline", Err: errors.Join(store.ErrBusy, cerr)}
	}
	return cerr
}

// errCommitUnknown marks a COMMIT whose outcome is unknown.
var errCommitUnknown = errors.New("commit outcome unknown")

type commitUnknown struct{ err error }

func (e commitUnknown) Error() string        { return e.err.Error() }
func (e commitUnknown) Unwrap() []error      { return []error{e.err, errCommitUnknown} }
func (e commitUnknown) Is(target error) bool { return target == errCommitUnknown }

// attempt is one try of write.
func (s *Store) attempt(ctx context.Context, fn func(ctx context.Context, tx *wtx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return translate(ctx, err)
	}
	bg := context.WithoutCancel(ctx)
	w := &wtx{Tx: tx, s: s, actor: store.ActorFrom(ctx)}
	err = fn(ctx, w)
	if err == nil {
		err = w.flushChanges(ctx)
	}
	if err != nil {
		_ = tx.Rollback(bg)
		var fe fnError
		if errors.As(err, &fe) {
			return fe
		}
		terr := translate(ctx, err)
		var se *store.Error
		if errors.As(terr, &se) && !errors.Is(terr, ErrUnavailable) && !errors.Is(terr, ErrDatabase) {
			return fnError{terr} // a store error the write decided on
		}
		return terr
	}
	if err := ctx.Err(); err != nil {
		_ = tx.Rollback(bg)
		return err
	}
	if err := tx.Commit(bg); err != nil {
		terr := translate(bg, err)
		if isUnavailable(terr) {
			return commitUnknown{terr}
		}
		return terr
	}
	if w.changed {
		s.notify.wake()
	}
	return nil
}

// read runs fn, a read on the pool, again when the connection it used
// turned out to be broken (as every pooled connection is after a server
// restart); reads have no side effects, so this is always safe. With the
// context of a batch of s, fn runs once, on the batch's transaction (see
// batch.read); its statements find it with db.
func (s *Store) read(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b := s.batchOf(ctx); b != nil {
		return b.read(ctx, fn)
	}
	if s.closed.Load() {
		return store.Closed()
	}
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		terr := translate(ctx, err)
		if !isUnavailable(terr) || attempt >= unavailableAttempts || ctx.Err() != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return terr
		}
		if err := sleep(ctx, time.Duration(attempt)*20*time.Millisecond); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
