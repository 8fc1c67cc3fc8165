package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/resreg/resreg/store"
)

// Listings use keyset pagination: a page query asks for the rows after the
// last code of the previous page, in code order, from the primary key
// (namespace, code). Its cost depends on the page size, not on how deep the
// page is. One row more than the page size is read to learn whether another
// page follows.

// cutPage trims items, read with one extra row, to limit and returns the
// token for the next page of the listing of kind in namespace, or "" when
// items held no extra row.
func cutPage[T any](items []T, limit int, kind, namespace string, key func(*T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, store.EncodePageTokenFor(kind, namespace, key(&items[limit-1]))
}

// ListResources returns one page of the resources of filter.Namespace that
// pass filter.Match, in code order. Without Codes or IDs it walks the
// primary key from the cursor and checks the other conditions in Go with
// filter.Match itself, so its results agree with every other store; with
// Codes or IDs it looks those records up by index instead of scanning.
func (s *Store) ListResources(ctx context.Context, filter store.ResourceFilter, opts store.ListOptions) (store.Page[store.Resource], error) {
	var page store.Page[store.Resource]
	cur, err := opts.CursorFor(store.KindResources, filter.Namespace)
	if err != nil {
		return page, err
	}
	ns := filter.Namespace
	match := filter.Matcher()
	err = s.read(ctx, func(tx rtx) error {
		if err := s.requireNamespaceTx(ctx, tx, ns); err != nil {
			return err
		}
		switch {
		case len(filter.Codes) > 0 || len(filter.IDs) > 0:
			return listResourcesByKey(ctx, tx, filter, cur, opts.IncludeTotal, &page)
		case filter.Keyword == "" && len(filter.Types) == 0:
			// The statement prepared once on the pool, bound to the
			// transaction's connection: no SQL is parsed per page.
			rows, err := tx.queryStmt(ctx, s.listResources, sqlListResources, ns, cur.After, cur.Limit+1)
			if err != nil {
				return err
			}
			items, err := collectResources(rows, cur.Limit+1, nil)
			if err != nil {
				return err
			}
			page.Items, page.NextPageToken = cutPage(items, cur.Limit, store.KindResources, filter.Namespace, resourceCode)
			if opts.IncludeTotal {
				return tx.QueryRowContext(ctx, sqlCountResources, ns).Scan(&page.TotalCount)
			}
			return nil
		default:
			rows, err := tx.QueryContext(ctx, sqlScanResources, ns, cur.After)
			if err != nil {
				return err
			}
			items, err := collectResources(rows, cur.Limit+1, match)
			if err != nil {
				return err
			}
			page.Items, page.NextPageToken = cutPage(items, cur.Limit, store.KindResources, filter.Namespace, resourceCode)
			if opts.IncludeTotal {
				rows, err := tx.QueryContext(ctx, sqlScanResources, ns, "")
				if err != nil {
					return err
				}
				all, err := collectResources(rows, -1, match)
				if err != nil {
					return err
				}
				page.TotalCount = len(all)
			}
			return nil
		}
	})
	if err != nil {
		return store.Page[store.Resource]{}, err
	}
	if page.Items == nil {
		page.Items = []store.Resource{}
	}
	return page, nil
}

func resourceCode(r *store.Resource) string { return r.Code }

func (s *Store) requireNamespaceTx(ctx context.Context, tx rtx, ns string) error {
	var one int
	err := tx.queryRowStmt(ctx, s.namespaceExists, sqlNamespaceExists, ns).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return store.NamespaceNotFound(ns)
	}
	return err
}

// collectResources reads rows until it holds limit matching resources
// (limit < 0: all of them) and closes rows. A nil match accepts every row.
func collectResources(rows *sql.Rows, limit int, match func(*store.Resource) bool) ([]store.Resource, error) {
	defer rows.Close()
	capacity := limit
	if capacity < 0 || capacity > 128 {
		capacity = 128
	}
	items := make([]store.Resource, 0, capacity)
	var rr resourceRow
	dest := rr.dest(true)
	for (limit < 0 || len(items) < limit) && rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		r, err := rr.resource()
		if err != nil {
			return nil, err
		}
		if match == nil || match(&r) {
			items = append(items, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return items, rows.Close()
}

// listResourcesByKey serves a filter that names codes or IDs: it looks each
// one up by index, keeps those that pass the whole filter and pages through
// them in code order.
func listResourcesByKey(ctx context.Context, tx rtx, filter store.ResourceFilter, cur store.Cursor, total bool, page *store.Page[store.Resource]) error {
	query, keys := sqlGetResource, filter.Codes
	if len(keys) == 0 {
		query, keys = sqlGetResourceByID, filter.IDs
	}
	keys = slices.Clone(keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	match := filter.Matcher()
	matched := make([]store.Resource, 0, len(keys))
	for _, k := range keys {
		r, err := scanResource(st.QueryRowContext(tx.stmtCtx(ctx), filter.Namespace, k))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		if match(&r) {
			matched = append(matched, r)
		}
	}
	slices.SortFunc(matched, func(a, b store.Resource) int { return strings.Compare(a.Code, b.Code) })
	if total {
		page.TotalCount = len(matched)
	}
	start, _ := slices.BinarySearchFunc(matched, cur.After, func(r store.Resource, after string) int {
		if r.Code <= after {
			return -1
		}
		return 1
	})
	rest := matched[start:]
	if len(rest) > cur.Limit+1 {
		rest = rest[:cur.Limit+1]
	}
	page.Items, page.NextPageToken = cutPage(rest, cur.Limit, store.KindResources, filter.Namespace, resourceCode)
	return nil
}
