package pgstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

// keyset is one keyset-paged listing of a permission table: the rows whose
// eq columns equal given values, in the order of the order columns, which
// with eq make up the key of an index. A later page continues with a
// row-value comparison on the order columns, which PostgreSQL turns into a
// range scan of that index; the cost is the page's, however deep it is.
type keyset struct {
	first, next, count string
	orderLen           int
}

func newKeyset(q func(string) string, table, cols string, eq, order []string) keyset {
	var where strings.Builder
	n := 0
	param := func() string { n++; return "$" + strconv.Itoa(n) }
	for i, c := range eq {
		if i > 0 {
			where.WriteString(" AND ")
		}
		where.WriteString(c + " = " + param())
	}
	eqN := n
	sel := `SELECT ` + cols + ` FROM {s}` + table
	orderBy := ` ORDER BY ` + strings.Join(order, ", ")
	k := keyset{orderLen: len(order), count: q(`SELECT count(*) FROM {s}` + table)}
	if eqN > 0 {
		k.count = q(`SELECT count(*) FROM {s}` + table + ` WHERE ` + where.String())
	}
	limitFirst := ` LIMIT $` + strconv.Itoa(eqN+1)
	ps := make([]string, len(order))
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(eqN+i+1)
	}
	after := "(" + strings.Join(order, ", ") + ") > (" + strings.Join(ps, ", ") + ")"
	limitNext := ` LIMIT $` + strconv.Itoa(eqN+len(order)+1)
	if eqN == 0 {
		k.first = q(sel + orderBy + limitFirst)
		k.next = q(sel + ` WHERE ` + after + orderBy + limitNext)
		return k
	}
	k.first = q(sel + ` WHERE ` + where.String() + orderBy + limitFirst)
	k.next = q(sel + ` WHERE ` + where.String() + ` AND ` + after + orderBy + limitNext)
	return k
}

// keySep joins the order columns of a row into a page token's key; no
// column the Registry accepts holds a NUL byte.
const keySep = "\x00"

// listKeyset reads one page of k: on the pool, or, when the total is asked
// for, in one REPEATABLE READ snapshot so that the page and the count agree
// whatever commits in between. eqArgs are the values of the eq columns,
// scan reads one row and key gives an item's order columns.
func listKeyset[T any](ctx context.Context, s *Store, k *keyset, eqArgs []any, cur store.Cursor, kind, scope string, total bool,
	scan func(pgx.Row) (T, error), key func(*T) []string) (store.Page[T], error) {
	if !total {
		return listKeysetOn(ctx, s.db(ctx), k, eqArgs, cur, kind, scope, false, scan, key)
	}
	var page store.Page[T]
	err := s.snapshot(ctx, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		page, err = listKeysetOn(ctx, tx, k, eqArgs, cur, kind, scope, true, scan, key)
		return err
	})
	return page, err
}

func listKeysetOn[T any](ctx context.Context, db querier, k *keyset, eqArgs []any, cur store.Cursor, kind, scope string, total bool,
	scan func(pgx.Row) (T, error), key func(*T) []string) (store.Page[T], error) {
	var page store.Page[T]
	query, args := k.first, append(make([]any, 0, len(eqArgs)+k.orderLen+1), eqArgs...)
	if cur.After != "" {
		parts := strings.Split(cur.After, keySep)
		if len(parts) != k.orderLen {
			return page, store.Invalid("pageToken", "page token does not belong to this listing")
		}
		query = k.next
		for _, p := range parts {
			args = append(args, p)
		}
	}
	args = append(args, cur.Limit+1)
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return page, err
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if err != nil {
		return page, err
	}
	page.Items, page.NextPageToken = cutPage(items, cur.Limit, kind, scope, func(item *T) string {
		return strings.Join(key(item), keySep)
	})
	if total {
		if err := db.QueryRow(ctx, k.count, eqArgs...).Scan(&page.TotalCount); err != nil {
			return page, err
		}
	}
	if page.Items == nil {
		page.Items = []T{}
	}
	return page, nil
}
