package pgstore

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

// ListResources returns one page of the resources of filter.Namespace that
// pass filter.Match, in code order.
//
//   - Without conditions it is one keyset query on the primary key; the
//     total, when asked for, is the namespace's resource_count, one row.
//   - With Codes or IDs it fetches those records by index in one query and
//     pages through them in Go.
//   - With Types or Keyword it walks the primary key from the cursor in
//     chunks and checks filter.Match in Go, so its results agree with every
//     other store's to the byte.
func (s *Store) ListResources(ctx context.Context, filter store.ResourceFilter, opts store.ListOptions) (store.Page[store.Resource], error) {
	cur, err := opts.CursorFor(store.KindResources, filter.Namespace)
	if err != nil {
		return store.Page[store.Resource]{}, err
	}
	var page store.Page[store.Resource]
	err = s.read(ctx, func(ctx context.Context) error {
		page = store.Page[store.Resource]{}
		switch {
		case len(filter.Codes) > 0 || len(filter.IDs) > 0:
			return s.listResourcesByKey(ctx, filter, cur, opts.IncludeTotal, &page)
		case filter.Keyword == "" && len(filter.Types) == 0:
			return s.listResourcesPlain(ctx, filter.Namespace, cur, opts.IncludeTotal, &page)
		default:
			return s.listResourcesFiltered(ctx, filter, cur, opts.IncludeTotal, &page)
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

// requireNamespace checks that ns exists, outside a write.
func (s *Store) requireNamespace(ctx context.Context, ns string) error {
	var one int
	err := s.db(ctx).QueryRow(ctx, s.q.ns.exists, ns).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.NamespaceNotFound(ns)
	}
	return err
}

func (s *Store) listResourcesPlain(ctx context.Context, ns string, cur store.Cursor, total bool, page *store.Page[store.Resource]) error {
	rows, err := s.db(ctx).Query(ctx, s.q.res.list, ns, cur.After, cur.Limit+1)
	if err != nil {
		return err
	}
	items, err := collectResources(rows, min(cur.Limit+1, 128))
	if err != nil {
		return err
	}
	page.Items, page.NextPageToken = cutPage(items, cur.Limit, store.KindResources, ns, resourceCode)
	if total {
		var n int64
		err := s.db(ctx).QueryRow(ctx, s.q.res.count, ns).Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.NamespaceNotFound(ns)
		}
		page.TotalCount = int(n)
		return err
	}
	if len(items) == 0 {
		// A namespace that holds resources exists; only an empty page needs
		// the check.
		return s.requireNamespace(ctx, ns)
	}
	return nil
}

// scanMatching walks the resources of ns after after in code order, in
// chunks, and calls keep for each one that passes match until keep returns
// false.
func (s *Store) scanMatching(ctx context.Context, ns, after string, match func(*store.Resource) bool, keep func(store.Resource) bool) error {
	for {
		rows, err := s.db(ctx).Query(ctx, s.q.res.list, ns, after, scanChunk)
		if err != nil {
			return err
		}
		chunk, err := collectResources(rows, scanChunk)
		if err != nil {
			return err
		}
		for i := range chunk {
			if match(&chunk[i]) && !keep(chunk[i]) {
				return nil
			}
		}
		if len(chunk) < scanChunk {
			return nil
		}
		after = chunk[len(chunk)-1].Code
	}
}

func (s *Store) listResourcesFiltered(ctx context.Context, filter store.ResourceFilter, cur store.Cursor, total bool, page *store.Page[store.Resource]) error {
	if err := s.requireNamespace(ctx, filter.Namespace); err != nil {
		return err
	}
	items := make([]store.Resource, 0, min(cur.Limit+1, 128))
	match := filter.Matcher()
	err := s.scanMatching(ctx, filter.Namespace, cur.After, match, func(r store.Resource) bool {
		items = append(items, r)
		return len(items) <= cur.Limit
	})
	if err != nil {
		return err
	}
	page.Items, page.NextPageToken = cutPage(items, cur.Limit, store.KindResources, filter.Namespace, resourceCode)
	if total {
		return s.scanMatching(ctx, filter.Namespace, "", match, func(store.Resource) bool {
			page.TotalCount++
			return true
		})
	}
	return nil
}

// listResourcesByKey serves a filter that names codes or IDs: one query
// through the index fetches them, and the page is cut in Go.
func (s *Store) listResourcesByKey(ctx context.Context, filter store.ResourceFilter, cur store.Cursor, total bool, page *store.Page[store.Resource]) error {
	query, keys := s.q.res.byCode, filter.Codes
	if len(keys) == 0 {
		query, keys = s.q.res.byID, filter.IDs
	}
	rows, err := s.db(ctx).Query(ctx, query, filter.Namespace, keys)
	if err != nil {
		return err
	}
	found, err := collectResources(rows, len(keys))
	if err != nil {
		return err
	}
	if len(found) == 0 {
		if err := s.requireNamespace(ctx, filter.Namespace); err != nil {
			return err
		}
	}
	match := filter.Matcher()
	matched := slices.DeleteFunc(found, func(r store.Resource) bool { return !match(&r) })
	// The query orders by code already; sorting again costs nothing and
	// does not depend on the database's collation.
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
