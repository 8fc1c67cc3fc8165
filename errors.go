package resreg

import (
	"context"
	"errors"
	"net/http"

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
)

// Error is the detailed error type: Field names the offending input in JSON
// spelling, Codes the codes involved, and it unwraps to a sentinel.
type Error = store.Error

// errorCodes is the single table from sentinels to transport codes. Order
// matters: ErrNamespaceNotFound must come before ErrNotFound, which it also
// matches.
var errorCodes = []struct {
	err    error
	status int
	enos   int
}{
	{ErrInvalid, http.StatusBadRequest, 31400},
	{ErrNamespaceNotFound, http.StatusNotFound, 31404},
	{ErrNotFound, http.StatusNotFound, 31404},
	{ErrConflict, http.StatusConflict, 31408},
	{ErrLimitExceeded, http.StatusTooManyRequests, 31415},
	{ErrBusy, http.StatusServiceUnavailable, 31503},
	{context.DeadlineExceeded, http.StatusGatewayTimeout, 31504},
	{context.Canceled, 499, 31499}, // the client went away; no write happened
}

// StatusCode returns the Authing-style status code for err: 200 for nil, 400
// invalid, 404 not found (namespace or record), 409 conflict, 429 quota
// reached, 503 busy, 504 deadline exceeded, 499 cancelled, 500 otherwise.
func StatusCode(err error) int {
	if err == nil {
		return http.StatusOK
	}
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.status
		}
	}
	return http.StatusInternalServerError
}

// EnOSCode returns the EnOS error code for err, as listed by EnOS's Register
// Resource API: 0 for nil, 31400 invalid input, 31404 namespace (OU) or
// record missing, 31408 code or ID exists, 31415 resource quota reached.
// Errors EnOS does not list get 31503 (busy), 31504 (deadline), 31499
// (cancelled) or 31500 (anything else).
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
