package resreg

import (
	"context"
	"errors"

	"github.com/resreg/resreg/store"
)

// Sentinel errors, shared with package store. Check them with errors.Is.
var (
	ErrInvalid           = store.ErrInvalid
	ErrNotFound          = store.ErrNotFound
	ErrNamespaceNotFound = store.ErrNamespaceNotFound
	ErrConflict          = store.ErrConflict
	ErrLimitExceeded     = store.ErrLimitExceeded
	ErrBusy              = store.ErrBusy
	ErrClosed            = store.ErrClosed
	ErrStorage           = store.ErrStorage
)

// Error is the detailed error type: Field names the offending input in JSON
// spelling, Codes the codes involved, and it unwraps to a sentinel.
type Error = store.Error

// errorCodes is the single table from sentinels to transport codes. Order
// matters: ErrNamespaceNotFound must come before ErrNotFound, which it also
// matches. Status codes are written as numbers, not net/http's constants:
// linking net/http only for them would cost every program about 2 MB.
var errorCodes = []struct {
	err    error
	status int
	enos   int
}{
	{ErrInvalid, 400, 31400},
	{ErrNamespaceNotFound, 404, 31404},
	{ErrNotFound, 404, 31404},
	{ErrConflict, 409, 31408},
	{ErrLimitExceeded, 429, 31415},
	{ErrBusy, 503, 31503},
	{ErrClosed, 503, 31503},
	{ErrStorage, 500, 31500},
	{context.DeadlineExceeded, 504, 31504},
	{context.Canceled, 499, 31499}, // the client went away; no write happened
}

// StatusCode returns the Authing-style status code for err: 200 for nil, 400
// invalid, 404 not found (namespace or record), 409 conflict, 429 quota
// reached, 503 busy or closed, 504 deadline exceeded, 499 cancelled, 500
// storage failure or anything else.
func StatusCode(err error) int {
	if err == nil {
		return 200
	}
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.status
		}
	}
	return 500
}

// EnOSCode returns the EnOS error code for err, as listed by EnOS's Register
// Resource API: 0 for nil, 31400 invalid input, 31404 namespace (OU) or
// record missing, 31408 code or ID exists, 31415 resource quota reached.
// Errors EnOS does not list get 31503 (busy or closed), 31504 (deadline),
// 31499 (cancelled) or 31500 (storage failure, anything else).
func EnOSCode(err error) int {
	if err == nil {
		return 0
	}
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.enos
		}
	}
	return 31500
}
