package resreg_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

func TestErrorCodes(t *testing.T) {
	cases := []struct {
		err    error
		status int
		enos   int
	}{
		{nil, 200, 0},
		{store.Invalid("code", "bad"), 400, 31400},
		{store.NamespaceNotFound("x"), 404, 31404},
		{store.NotFound("missing", "a"), 404, 31404},
		{store.Conflict("taken", "a"), 409, 31408},
		{store.LimitExceeded("full"), 429, 31415},
		{store.Busy(nil), 503, 31503},
		{store.Closed(), 503, 31503},
		{store.Storage("write", errors.New("attempt to write a readonly database (8)")), 500, 31500},
		{context.DeadlineExceeded, 504, 31504},
		{context.Canceled, 499, 31499},
		{errors.New("disk on fire"), 500, 31500},
		{fmt.Errorf("wrapped: %w", store.Conflict("taken")), 409, 31408},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.err), func(t *testing.T) {
			require.Equal(t, tc.status, resreg.StatusCode(tc.err))
			require.Equal(t, tc.enos, resreg.EnOSCode(tc.err))
		})
	}
}

func TestNamespaceNotFoundIsNotFound(t *testing.T) {
	reg := newRegistry(t)
	_, err := reg.GetNamespace(context.Background(), "nope")
	require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)
	require.ErrorIs(t, err, resreg.ErrNotFound)
	require.NotErrorIs(t, resreg.ErrNotFound, resreg.ErrNamespaceNotFound, "the match goes one way only")
}

func TestErrorMessageNamesFieldAndCodes(t *testing.T) {
	err := &resreg.Error{Field: "[1].code", Codes: []string{"a", "b"}, Message: "taken", Err: resreg.ErrConflict}
	require.Equal(t, "[1].code: taken (codes: a, b): conflict", err.Error())
	require.ErrorIs(t, err, resreg.ErrConflict)
}
