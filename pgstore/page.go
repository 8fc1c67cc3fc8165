package pgstore

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/resreg/resreg/store"
)

// Listings use keyset pagination: a page query asks for the rows after the
// last code of the previous page, in code order, from the primary key
// (namespace, code). Its cost depends on the page size, not on how deep the
// page is. One row more than the page size is read to learn whether another
// page follows.

// scanChunk is how many rows a filtered listing reads per query while it
// looks for matches in Go.
const scanChunk = 500

// cutPage trims items, read with one extra row, to limit and returns the
// token for the next page, or "" when items held no extra row.
func cutPage[T any](items []T, limit int, kind, scope string, key func(*T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, store.EncodePageTokenFor(kind, scope, key(&items[limit-1]))
}

// uniqueConstraint returns the constraint a unique violation broke, read
// from the error's fields (not its message).
func uniqueConstraint(err error) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeUniqueViolation {
		return pe.ConstraintName, true
	}
	return "", false
}

func isUnique(err error) bool {
	_, ok := uniqueConstraint(err)
	return ok
}
