package sqlitestore

import (
	"context"
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/resreg/resreg/store"
)

// errUnique marks a write that broke a UNIQUE or PRIMARY KEY constraint.
// The method that ran the write knows which code or name is at stake and
// replaces it with a store.Conflict with detail; should one slip through,
// it still matches store.ErrConflict.
var errUnique error = uniqueViolation{}

type uniqueViolation struct{}

func (uniqueViolation) Error() string { return "unique constraint violated: conflict" }

// Is makes a unique violation match store.ErrConflict too.
func (uniqueViolation) Is(target error) bool { return target == store.ErrConflict }

// resultCode returns the extended SQLite result code carried by err, or -1
// when err does not come from SQLite.
func resultCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return -1
}

// isBusy reports whether err is SQLITE_BUSY or SQLITE_LOCKED, with any
// extended code (BUSY_RECOVERY, BUSY_SNAPSHOT, LOCKED_SHAREDCACHE, ...).
func isBusy(err error) bool {
	switch resultCode(err) & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return true
	}
	return false
}

// translate is the one place where driver errors become store errors; every
// error from database/sql passes through it before it leaves a method.
// Classification is by result code only, never by message text:
//
//   - SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY become
//     errUnique, which the caller replaces with a detailed store.Conflict
//     (the driver error is dropped, so that it never reaches the caller);
//   - SQLITE_BUSY and SQLITE_LOCKED become store.ErrBusy;
//   - a context that ended becomes ctx.Err(), unwrapped, as the contract
//     asks (an interrupted statement may surface as SQLITE_INTERRUPT);
//   - anything else (read-only file, full disk, I/O error, corrupt data) is
//     a store.ErrStorage *store.Error keeping the driver's message.
func translate(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) || errors.Is(err, errUnique) {
		return err // already translated
	}
	if cerr := ctx.Err(); cerr != nil && (errors.Is(err, cerr) || resultCode(err) == sqlite3.SQLITE_INTERRUPT) {
		return cerr
	}
	switch code := resultCode(err); {
	case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE, code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return errUnique
	case isBusy(err):
		return store.Busy(err)
	}
	return store.Storage("sqlitestore", err)
}
