package store

import (
	"errors"
	"strings"
)

// Sentinel errors. Every error a Store or the Registry returns matches one of
// them under errors.Is; most arrive wrapped in an [*Error] that adds detail.
var (
	// ErrInvalid reports input that breaks a documented rule.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound reports a record that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNamespaceNotFound reports a namespace that does not exist. It also
	// matches ErrNotFound under errors.Is.
	ErrNamespaceNotFound error = namespaceNotFound{}
	// ErrConflict reports a code, ID or name that is already taken, or a
	// namespace that cannot be deleted because it still holds records.
	ErrConflict = errors.New("conflict")
	// ErrLimitExceeded reports a write that would take a namespace past its
	// resource quota.
	ErrLimitExceeded = errors.New("limit exceeded")
	// ErrBusy reports storage that stayed locked by another writer until the
	// context's deadline passed.
	ErrBusy = errors.New("storage busy")
	// ErrClosed reports a call on a store after its Close.
	ErrClosed = errors.New("store closed")
	// ErrStorage reports a failure of the storage itself: a read-only or
	// full disk, an I/O error, a database whose schema is newer than this
	// code. The [*Error] keeps the driver's message.
	ErrStorage = errors.New("storage failure")
)

type namespaceNotFound struct{}

func (namespaceNotFound) Error() string { return "namespace not found" }

// Is makes ErrNamespaceNotFound match ErrNotFound, so callers that only care
// whether something is missing need a single check.
func (namespaceNotFound) Is(target error) bool { return target == ErrNotFound }

// Error is the detailed error returned by the Registry and the stores. Use
// errors.As to read it and errors.Is on it (or on Err) to classify it.
type Error struct {
	// Field is the path of the offending input in its JSON spelling, such as
	// "resources[3].name.defaultValue" or "struct[0].children[1].code".
	// It is empty when the error is not about one field.
	Field string
	// Codes lists every code involved, e.g. all conflicting codes of a batch.
	Codes []string
	// Message is a readable explanation.
	Message string
	// Err is the sentinel this error wraps (ErrInvalid, ErrConflict, ...).
	Err error
}

// Error formats the error as "field: message (codes: a, b): sentinel".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if len(e.Codes) > 0 {
		b.WriteString(" (codes: ")
		b.WriteString(strings.Join(e.Codes, ", "))
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// Errorf-style constructors keep call sites short and the wrapped sentinel
// explicit.

// Invalid returns an ErrInvalid error about field.
func Invalid(field, message string) *Error {
	return &Error{Field: field, Message: message, Err: ErrInvalid}
}

// NotFound returns an ErrNotFound error naming the missing codes.
func NotFound(message string, codes ...string) *Error {
	return &Error{Message: message, Codes: codes, Err: ErrNotFound}
}

// NamespaceNotFound returns an ErrNamespaceNotFound error for namespace ns.
func NamespaceNotFound(ns string) *Error {
	return &Error{Field: "namespace", Message: "namespace " + quote(ns) + " does not exist", Codes: []string{ns}, Err: ErrNamespaceNotFound}
}

// Conflict returns an ErrConflict error naming the conflicting codes.
func Conflict(message string, codes ...string) *Error {
	return &Error{Message: message, Codes: codes, Err: ErrConflict}
}

// LimitExceeded returns an ErrLimitExceeded error.
func LimitExceeded(message string) *Error {
	return &Error{Message: message, Err: ErrLimitExceeded}
}

// Busy returns an ErrBusy error; cause, when not nil, is kept in the message.
func Busy(cause error) *Error {
	msg := "storage stayed locked until the deadline"
	if cause != nil {
		msg += ": " + cause.Error()
	}
	return &Error{Message: msg, Err: ErrBusy}
}

func quote(s string) string { return `"` + s + `"` }
