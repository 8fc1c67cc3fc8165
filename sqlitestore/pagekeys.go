package sqlitestore

import (
	"strings"

	"github.com/resreg/resreg/store"
)

// The permission listings are ordered by several columns, so their page
// tokens carry several values. They are joined with a NUL byte, which no
// code, subject type or ID can hold (the Registry refuses control
// characters), so the parts split back unambiguously.
const keySep = "\x00"

func joinKey(parts ...string) string { return strings.Join(parts, keySep) }

// splitKey splits the After of a cursor into n parts. An empty After (the
// first page) gives ok false and no error; a token made for another
// listing is an ErrInvalid error on pageToken.
func splitKey(after string, n int) (parts []string, ok bool, err error) {
	if after == "" {
		return nil, false, nil
	}
	parts = strings.Split(after, keySep)
	if len(parts) != n {
		return nil, false, store.Invalid("pageToken", "page token does not belong to this listing")
	}
	return parts, true, nil
}
