package sqlitestore

import (
	"context"
	"strings"

	"github.com/resreg/resreg/store"
)

// keyset describes one keyset-paged listing of the permission tables: the
// rows of table whose eq columns equal the given values, in the order of
// the order columns, which together with eq make up a key of an index. A
// page after the first continues with a row-value comparison on the order
// columns, which SQLite turns into a range search on that index.
type keyset struct {
	first, next, count string
	orderLen           int
}

func newKeyset(table, cols string, eq, order []string) keyset {
	var where strings.Builder
	for i, c := range eq {
		if i > 0 {
			where.WriteString(" AND ")
		}
		where.WriteString(c + " = ?")
	}
	after := "(" + strings.Join(order, ", ") + ") > (" + strings.Repeat("?, ", len(order)-1) + "?)"
	sel := `SELECT ` + cols + ` FROM ` + table
	orderBy := ` ORDER BY ` + strings.Join(order, ", ") + ` LIMIT ?`
	k := keyset{orderLen: len(order), count: `SELECT count(*) FROM ` + table}
	if len(eq) == 0 {
		k.first = sel + orderBy
		k.next = sel + ` WHERE ` + after + orderBy
		return k
	}
	k.first = sel + ` WHERE ` + where.String() + orderBy
	k.next = sel + ` WHERE ` + where.String() + ` AND ` + after + orderBy
	k.count += ` WHERE ` + where.String()
	return k
}

// listKeyset reads one page of k in tx: eqArgs are the values of the eq
// columns, scan reads one row and key returns the order columns of an item,
// which make up the page token, bound to the listing kind and its scope.
func listKeyset[T any](ctx context.Context, tx rtx, k *keyset, eqArgs []any, cur store.Cursor, kind, scope string, total bool,
	scan func(rowScanner) (T, error), key func(*T) []string) (store.Page[T], error) {
	var page store.Page[T]
	parts, after, err := splitKey(cur.After, k.orderLen)
	if err != nil {
		return page, err
	}
	query, args := k.first, append(make([]any, 0, len(eqArgs)+len(parts)+1), eqArgs...)
	if after {
		query = k.next
		for _, p := range parts {
			args = append(args, p)
		}
	}
	args = append(args, cur.Limit+1)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	items := make([]T, 0, min(cur.Limit+1, 64))
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return page, err
		}
		items = append(items, item)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	if err := rows.Close(); err != nil {
		return page, err
	}
	page.Items, page.NextPageToken = cutPage(items, cur.Limit, kind, scope, func(item *T) string { return joinKey(key(item)...) })
	if total {
		if err := tx.QueryRowContext(ctx, k.count, eqArgs...).Scan(&page.TotalCount); err != nil {
			return page, err
		}
	}
	return page, nil
}
