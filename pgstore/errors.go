package pgstore

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/resreg/resreg/store"
)

var (
	// ErrUnavailable reports that the PostgreSQL server could not be
	// reached or dropped the connection (SQLSTATE class 08, an
	// administrator shutdown, a refused or broken connection). The call
	// may be retried once the server is back; a write that failed this
	// way before its commit was sent wrote nothing. It matches
	// store.ErrStorage under errors.Is.
	ErrUnavailable error = &storageFailure{"pgstore: database unavailable"}
	// ErrDatabase reports any other failure of the database: an error it
	// returned that the contract has no sentinel for. It matches
	// store.ErrStorage under errors.Is.
	ErrDatabase error = &storageFailure{"pgstore: database error"}
	// ErrClosed is returned by every method after Close; it is
	// store.ErrClosed.
	ErrClosed = store.ErrClosed
)

// storageFailure is a sentinel of this package that is also a storage
// failure in the contract's terms (issue 8): callers that only know the
// store package classify it with errors.Is(err, store.ErrStorage).
type storageFailure struct{ msg string }

func (e *storageFailure) Error() string        { return e.msg }
func (e *storageFailure) Is(target error) bool { return target == store.ErrStorage }

// errUnique marks a write that broke a unique constraint; the method that
// ran the write replaces it with a store.Conflict naming the codes.
type uniqueViolation struct{ constraint string }

func (e *uniqueViolation) Error() string {
	return "unique constraint " + e.constraint + " violated: conflict"
}

// Is makes a unique violation that slips through match store.ErrConflict.
func (e *uniqueViolation) Is(target error) bool { return target == store.ErrConflict }

// retryable marks a transaction the server aborted so that it can be run
// again: a serialization failure, a deadlock or a lock wait that timed out.
type retryable struct{ sqlstate string }

func (e *retryable) Error() string {
	return "transaction aborted by the server (SQLSTATE " + e.sqlstate + ")"
}

// SQLSTATE codes the store acts on.
const (
	codeUniqueViolation      = "23505"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeLockNotAvailable     = "55P03"
	codeAdminShutdown        = "57P01"
	codeCrashShutdown        = "57P02"
	codeCannotConnectNow     = "57P03"
	codeTooManyConnections   = "53300"
	codeQueryCanceled        = "57014"
)

// translate is the one place where driver errors become store errors; every
// error from pgx passes through it before it leaves the package. It
// classifies by SQLSTATE and by error type only:
//
//   - 23505 becomes a *uniqueViolation carrying the constraint's name, which
//     the calling method turns into a detailed store.Conflict;
//   - 40001, 40P01 and 55P03 become *retryable, which write retries;
//   - class 08, 57P01-57P03 and 53300, and errors that are not from the
//     server at all (refused or broken connections), become ErrUnavailable;
//   - a context that ended becomes ctx.Err(), unwrapped;
//   - anything else becomes ErrDatabase with the SQLSTATE in its message.
//
// The result never wraps the driver's error, so no pgx type reaches a
// caller.
func translate(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var (
		se *store.Error
		uv *uniqueViolation
		rt *retryable
	)
	if errors.As(err, &se) || errors.As(err, &uv) || errors.As(err, &rt) || errors.Is(err, ErrClosed) {
		return err // already translated
	}
	if cerr := ctx.Err(); cerr != nil {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code == codeQueryCanceled {
			return cerr
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// A context of the driver's own (a connect timeout) ran out.
		return unavailable("connection attempt timed out")
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == codeUniqueViolation:
			return &uniqueViolation{constraint: pe.ConstraintName}
		case pe.Code == codeSerializationFailure, pe.Code == codeDeadlockDetected, pe.Code == codeLockNotAvailable:
			return &retryable{sqlstate: pe.Code}
		case len(pe.Code) == 5 && pe.Code[:2] == "08",
			pe.Code == codeAdminShutdown, pe.Code == codeCrashShutdown, pe.Code == codeCannotConnectNow,
			pe.Code == codeTooManyConnections:
			return unavailable("server refused or ended the session (SQLSTATE " + pe.Code + ")")
		}
		return &store.Error{Message: "SQLSTATE " + pe.Code + ": " + pe.Message, Err: ErrDatabase}
	}
	if isConnectionFailure(err) {
		return unavailable(err.Error())
	}
	return &store.Error{Message: err.Error(), Err: ErrDatabase}
}

// isConnectionFailure reports errors that come from the transport rather
// than from the server: the driver could not connect, or the connection
// broke or was closed under it.
func isConnectionFailure(err error) bool {
	var (
		ce *pgconn.ConnectError
		ne net.Error
	)
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		pgconn.Timeout(err) || pgconn.SafeToRetry(err) || errors.Is(err, pgx.ErrTxClosed)
}

func unavailable(detail string) *store.Error {
	return &store.Error{Message: "cannot reach the PostgreSQL server: " + detail, Err: ErrUnavailable}
}

// isUnavailable reports a translated error that says the server is not
// reachable.
func isUnavailable(err error) bool { return errors.Is(err, ErrUnavailable) }
