package pgstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

const (
	sqlNamespaceCols   = `code, name, description, created_at, updated_at`
	sqlNamespaceExists = `SELECT 1 FROM {s}resreg_namespaces WHERE code = $1`
	sqlGetNamespace    = `SELECT ` + sqlNamespaceCols + ` FROM {s}resreg_namespaces WHERE code = $1`
	sqlInsertNamespace = `INSERT INTO {s}resreg_namespaces (` + sqlNamespaceCols + `) VALUES ($1, $2, $3, $4, $5)`
	sqlListNamespaces  = `SELECT ` + sqlNamespaceCols + ` FROM {s}resreg_namespaces WHERE code > $1 ORDER BY code LIMIT $2`
	sqlCountNamespaces = `SELECT count(*) FROM {s}resreg_namespaces`
	// sqlLockNamespace takes the namespace row for the rest of the write:
	// FOR UPDATE by writes that change what the namespace holds in a way a
	// rule depends on, FOR SHARE by those that only need it to stay.
	sqlLockNamespace   = `SELECT 1 FROM {s}resreg_namespaces WHERE code = $1 FOR UPDATE`
	sqlShareNamespace  = `SELECT 1 FROM {s}resreg_namespaces WHERE code = $1 FOR KEY SHARE`
	sqlUpdateNamespace = `UPDATE {s}resreg_namespaces SET name = $2, description = $3, updated_at = $4 WHERE code = $1`
	// sqlNamespaceInUse answers, in one round trip, what DeleteNamespace
	// must refuse: records, grants, policy refs naming the namespace.
	// sqlNamingPolicies lists the policies whose refs name a namespace, for
	// the error of DeleteNamespace; the refs' target index serves it.
	sqlNamingPolicies = `SELECT DISTINCT policy_id FROM {s}resreg_policy_refs WHERE namespace = $1 ORDER BY policy_id`
	sqlNamespaceInUse = `SELECT EXISTS (SELECT 1 FROM {s}resreg_resources WHERE namespace = $1) OR EXISTS (SELECT 1 FROM {s}resreg_data_resources WHERE namespace = $1),
		EXISTS (SELECT 1 FROM {s}resreg_grants WHERE namespace = $1), EXISTS (SELECT 1 FROM {s}resreg_policy_refs WHERE namespace = $1)`
	sqlDeleteNamespace    = `DELETE FROM {s}resreg_namespaces WHERE code = $1`
	sqlGetNamespaceForUpd = sqlGetNamespace + ` FOR UPDATE`
)

type namespaceQueries struct {
	exists, get, getForUpdate, insert, list, count, lock, share, update, inUse, delete, namingPolicies string
}

func newNamespaceQueries(q func(string) string) namespaceQueries {
	return namespaceQueries{
		exists: q(sqlNamespaceExists), get: q(sqlGetNamespace), getForUpdate: q(sqlGetNamespaceForUpd),
		insert: q(sqlInsertNamespace), list: q(sqlListNamespaces), count: q(sqlCountNamespaces),
		lock: q(sqlLockNamespace), share: q(sqlShareNamespace), namingPolicies: q(sqlNamingPolicies), update: q(sqlUpdateNamespace),
		inUse: q(sqlNamespaceInUse), delete: q(sqlDeleteNamespace),
	}
}

func scanNamespace(row pgx.Row) (store.Namespace, error) {
	var ns store.Namespace
	var created, updated *int64
	if err := row.Scan(&ns.Code, &ns.Name, &ns.Description, &created, &updated); err != nil {
		return store.Namespace{}, err
	}
	ns.CreatedAt, ns.UpdatedAt = decodeTime(created), decodeTime(updated)
	return ns, nil
}

// lockNamespace locks row ns inside a write (FOR UPDATE, or FOR SHARE when
// share is set) and reports store.NamespaceNotFound when it does not exist.
func (s *Store) lockNamespace(ctx context.Context, tx pgx.Tx, ns string, share bool) error {
	query := s.q.ns.lock
	if share {
		query = s.q.ns.share
	}
	var one int
	err := tx.QueryRow(ctx, query, ns).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.NamespaceNotFound(ns)
	}
	return err
}

// notFound builds the error for a lookup that found nothing: a missing
// namespace if that is the cause, else msg. It runs only on the miss path,
// so a hit costs one query.
func (s *Store) notFound(ctx context.Context, q pgx.Tx, ns string, nf *store.Error) error {
	var one int
	var err error
	if q != nil {
		err = q.QueryRow(ctx, s.q.ns.exists, ns).Scan(&one)
	} else {
		err = s.db(ctx).QueryRow(ctx, s.q.ns.exists, ns).Scan(&one)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return store.NamespaceNotFound(ns)
	}
	if err != nil {
		return err
	}
	return nf
}

// CreateNamespace adds ns; the primary key rejects a taken code.
func (s *Store) CreateNamespace(ctx context.Context, ns store.Namespace) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckTimes("", ns.CreatedAt, ns.UpdatedAt); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.Exec(ctx, s.q.ns.insert, ns.Code, ns.Name, ns.Description, encodeTime(ns.CreatedAt), encodeTime(ns.UpdatedAt))
		if isUnique(err) {
			return store.NamespaceExists(ns.Code)
		}
		if err != nil {
			return err
		}
		return tx.logNamespace(store.OpCreate, ns)
	})
}

// GetNamespace returns the namespace code.
func (s *Store) GetNamespace(ctx context.Context, code string) (store.Namespace, error) {
	var ns store.Namespace
	err := s.read(ctx, func(ctx context.Context) error {
		var err error
		ns, err = scanNamespace(s.db(ctx).QueryRow(ctx, s.q.ns.get, code))
		if errors.Is(err, pgx.ErrNoRows) {
			return store.NamespaceNotFound(code)
		}
		return err
	})
	if err != nil {
		return store.Namespace{}, err
	}
	return ns, nil
}

// ListNamespaces lists namespaces in code order, one keyset page of the
// primary key at a time.
func (s *Store) ListNamespaces(ctx context.Context, opts store.ListOptions) (store.Page[store.Namespace], error) {
	var page store.Page[store.Namespace]
	cur, err := opts.CursorFor(store.KindNamespaces, "")
	if err != nil {
		return page, err
	}
	err = s.read(ctx, func(ctx context.Context) error {
		page = store.Page[store.Namespace]{}
		rows, err := s.db(ctx).Query(ctx, s.q.ns.list, cur.After, cur.Limit+1)
		if err != nil {
			return err
		}
		items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Namespace, error) { return scanNamespace(r) })
		if err != nil {
			return err
		}
		page.Items, page.NextPageToken = cutPage(items, cur.Limit, store.KindNamespaces, "", func(n *store.Namespace) string { return n.Code })
		if opts.IncludeTotal {
			return s.db(ctx).QueryRow(ctx, s.q.ns.count).Scan(&page.TotalCount)
		}
		return nil
	})
	if err != nil {
		return store.Page[store.Namespace]{}, err
	}
	if page.Items == nil {
		page.Items = []store.Namespace{}
	}
	return page, nil
}

// UpdateNamespace applies fn to a copy of the namespace, locked for the
// write, and stores the result.
func (s *Store) UpdateNamespace(ctx context.Context, code string, fn func(*store.Namespace) error) (_ store.Namespace, err error) {
	defer s.failBatch(ctx, &err)
	var out store.Namespace
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		old, err := scanNamespace(tx.QueryRow(ctx, s.q.ns.getForUpdate, code))
		if errors.Is(err, pgx.ErrNoRows) {
			return store.NamespaceNotFound(code)
		}
		if err != nil {
			return err
		}
		ns := old
		if err := fn(&ns); err != nil {
			return fnError{err}
		}
		ns.Code, ns.CreatedAt = old.Code, old.CreatedAt
		if err := store.CheckTime("updatedAt", ns.UpdatedAt); err != nil {
			return err
		}
		ns.UpdatedAt = normTime(ns.UpdatedAt)
		if _, err := tx.Exec(ctx, s.q.ns.update, code, ns.Name, ns.Description, encodeTime(ns.UpdatedAt)); err != nil {
			return err
		}
		if err := tx.logNamespace(store.OpUpdate, ns); err != nil {
			return err
		}
		out = ns
		return nil
	})
	if err != nil {
		return store.Namespace{}, err
	}
	return out, nil
}

// DeleteNamespace removes an empty namespace other than the default one.
// The namespace row is locked first, and every write that adds a record to
// a namespace locks the same row, so no record can arrive between the check
// that the namespace is empty and the delete.
func (s *Store) DeleteNamespace(ctx context.Context, code string) (err error) {
	defer s.failBatch(ctx, &err)
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if err := s.lockNamespace(ctx, tx, code, false); err != nil {
			return err
		}
		if code == store.DefaultNamespace {
			return store.DefaultNamespaceUndeletable()
		}
		var used, granted, named bool
		if err := tx.QueryRow(ctx, s.q.ns.inUse, code).Scan(&used, &granted, &named); err != nil {
			return err
		}
		switch {
		case used:
			return store.NamespaceNotEmpty(code)
		case granted:
			return store.NamespaceHoldsGrants(code)
		case named:
			rows, err := tx.Query(ctx, s.q.ns.namingPolicies, code)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			return store.NamespaceNamedByPolicies(code, ids)
		}
		ns, err := scanNamespace(tx.QueryRow(ctx, s.q.ns.get, code))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, s.q.ns.delete, code); err != nil {
			return err
		}
		return tx.logNamespace(store.OpDelete, ns)
	})
}
