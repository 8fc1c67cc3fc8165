package sqlitestore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"

	"github.com/resreg/resreg/store"
)

// fnError carries an error returned by a caller's update function through
// write untouched: the contract returns it as it is.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }

// retryPause spaces out attempts to take the write lock when SQLite's own
// busy wait has already run out (or is disabled) but the deadline has not.
const retryPause = 5 * time.Millisecond

// write runs fn in an immediate transaction on a dedicated connection and
// commits it when fn returns nil.
//
// BEGIN IMMEDIATE takes the database's write lock before anything is read,
// so the checks fn makes (namespace exists, quota) cannot be invalidated by
// another connection or process before the commit. If the lock is held
// elsewhere, SQLite waits up to busy_timeout; write then retries until ctx's
// deadline and reports store.ErrBusy, never the driver's SQLITE_BUSY.
//
// BEGIN is issued by hand rather than through (*sql.DB).BeginTx so that it
// is IMMEDIATE whatever the DSN's _txlock says, which matters for New.
//
// The statements of fn run without cancellation (see wtx), and write checks
// ctx once more before COMMIT, so a cancelled write leaves nothing behind.
//
// With the context of a batch of s, fn runs on the batch's transaction
// instead, which commits when the batch does (see batch.write).
func (s *Store) write(ctx context.Context, fn func(w *wtx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b := s.batchOf(ctx); b != nil {
		return b.write(ctx, fn)
	}
	if s.closed.Load() {
		return store.Closed()
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return translate(ctx, err)
	}
	discard := false
	defer func() {
		if discard {
			// The connection may still be inside a transaction; returning
			// ErrBadConn makes the pool close it instead of reusing it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}()

	for _, p := range s.connPragmas {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return translate(ctx, err)
		}
	}
	if err := s.begin(ctx, conn); err != nil {
		return err
	}

	bg := context.WithoutCancel(ctx)
	rollback := func() {
		if _, err := conn.ExecContext(bg, "ROLLBACK"); err != nil {
			discard = true
		}
	}
	w := &wtx{ctx: ctx, bg: bg, conn: conn, noChangeLog: s.noChangeLog}
	defer w.closeChangeStmt()
	if err := fn(w); err != nil {
		rollback()
		var fe fnError
		if errors.As(err, &fe) {
			return fe.err
		}
		return translate(ctx, err)
	}
	if err := w.flushChanges(); err != nil {
		rollback()
		return translate(ctx, err)
	}
	if err := ctx.Err(); err != nil {
		rollback()
		return err
	}
	// Once the decision to commit is made, cancellation no longer applies:
	// a COMMIT cut short would leave the outcome unknown to the caller.
	if _, err := conn.ExecContext(bg, "COMMIT"); err != nil {
		rollback()
		return translate(ctx, err)
	}
	if w.changeTime != 0 {
		s.notify.wake()
	}
	return nil
}

// begin issues BEGIN IMMEDIATE, retrying while the database is busy and
// ctx's deadline has not passed.
func (s *Store) begin(ctx context.Context, conn *sql.Conn) error {
	_, hasDeadline := ctx.Deadline()
	for {
		_, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		if err == nil {
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			// The context ended while waiting for the lock: past the
			// deadline that is a busy store, a cancellation is itself.
			if errors.Is(cerr, context.DeadlineExceeded) {
				return store.Busy(cerr)
			}
			return cerr
		}
		if !isBusy(err) {
			return translate(ctx, err)
		}
		if !hasDeadline {
			return store.Busy(err)
		}
		t := time.NewTimer(retryPause)
		select {
		case <-ctx.Done():
			t.Stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return store.Busy(err)
			}
			return ctx.Err()
		case <-t.C:
		}
	}
}

// read runs fn in a deferred (read) transaction, so that the statements of
// one listing see a single snapshot of the database; with the context of a
// batch of s, on the batch's connection (see batch.read).
func (s *Store) read(ctx context.Context, fn func(tx rtx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b := s.batchOf(ctx); b != nil {
		return b.read(ctx, fn)
	}
	if s.closed.Load() {
		return store.Closed()
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return translate(ctx, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only; nothing to undo
	if err := fn(rtx{tx: tx}); err != nil {
		return translate(ctx, err)
	}
	return nil
}

// rtx is what the statements of a read run on: a read transaction of its
// own, or the connection of the batch the read's context belongs to. On
// the latter they run without cancellation, like the batch's writes (see
// wtx): an interrupt meant for a read must not reach the statement of a
// write that follows it on the connection. The reads check their context
// between rows themselves.
type rtx struct {
	tx   *sql.Tx
	conn *sql.Conn
	bg   context.Context
}

func (r rtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if r.conn != nil {
		return r.conn.QueryContext(r.bg, query, args...)
	}
	return r.tx.QueryContext(ctx, query, args...)
}

func (r rtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if r.conn != nil {
		return r.conn.QueryRowContext(r.bg, query, args...)
	}
	return r.tx.QueryRowContext(ctx, query, args...)
}

// PrepareContext prepares query; run the statement with stmtCtx(ctx).
func (r rtx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if r.conn != nil {
		return r.conn.PrepareContext(r.bg, query)
	}
	return r.tx.PrepareContext(ctx, query)
}

// stmtCtx is the context for the statements of a read whose context is ctx.
func (r rtx) stmtCtx(ctx context.Context) context.Context {
	if r.conn != nil {
		return r.bg
	}
	return ctx
}

// queryStmt runs st, a statement prepared on s.db from query. A batch's
// connection is not in the pool st was prepared for, so there query runs
// as it is.
func (r rtx) queryStmt(ctx context.Context, st *sql.Stmt, query string, args ...any) (*sql.Rows, error) {
	if r.conn != nil {
		return r.conn.QueryContext(r.bg, query, args...)
	}
	return r.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

// queryRowStmt is queryStmt for a single row.
func (r rtx) queryRowStmt(ctx context.Context, st *sql.Stmt, query string, args ...any) *sql.Row {
	if r.conn != nil {
		return r.conn.QueryRowContext(r.bg, query, args...)
	}
	return r.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// wtx is a write transaction in progress. Its statements run under a
// context without cancellation, so that the driver does not arm an
// interrupt watcher for every row of a batch; callers check ctx between
// rows with canceled instead.
type wtx struct {
	ctx  context.Context // the caller's context
	bg   context.Context // ctx without its cancellation, for statements
	conn *sql.Conn

	// The change rows of the transaction (see insertChange): the time and
	// actor they share (actorSet once setActor chose it), those not yet
	// inserted, the statement inserting a full chunk and its argument
	// buffer.
	changeTime  int64
	changeActor any
	actorSet    bool
	pending     [][]byte
	changeStmt  *sql.Stmt
	changeArgs  []any
	noChangeLog bool
}

func (w *wtx) closeChangeStmt() {
	if w.changeStmt != nil {
		w.changeStmt.Close()
	}
}

func (w *wtx) exec(query string, args ...any) (sql.Result, error) {
	return w.conn.ExecContext(w.bg, query, args...)
}

func (w *wtx) query(query string, args ...any) (*sql.Rows, error) {
	return w.conn.QueryContext(w.bg, query, args...)
}

func (w *wtx) queryRow(query string, args ...any) *sql.Row {
	return w.conn.QueryRowContext(w.bg, query, args...)
}

func (w *wtx) prepare(query string) (*sql.Stmt, error) {
	return w.conn.PrepareContext(w.bg, query)
}

// canceled returns ctx.Err(), to be checked between the rows of a batch.
func (w *wtx) canceled() error { return w.ctx.Err() }

// exists reports whether query, a SELECT 1 ..., returns a row.
func (w *wtx) exists(query string, args ...any) (bool, error) {
	var one int
	err := w.queryRow(query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
