package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/resreg/resreg/store"
)

const (
	sqlNamespaceExists = `SELECT 1 FROM resreg_namespaces WHERE code = ?`
	sqlNamespaceCols   = `code, name, description, created_at, updated_at`
	sqlGetNamespace    = `SELECT ` + sqlNamespaceCols + ` FROM resreg_namespaces WHERE code = ?`
	sqlInsertNamespace = `INSERT INTO resreg_namespaces (` + sqlNamespaceCols + `) VALUES (?, ?, ?, ?, ?)`
	sqlListNamespaces  = `SELECT ` + sqlNamespaceCols + ` FROM resreg_namespaces WHERE code > ? ORDER BY code LIMIT ?`
	sqlCountNamespaces = `SELECT count(*) FROM resreg_namespaces`
)

// defaultNamespaceName is the display name of store.DefaultNamespace.
const defaultNamespaceName = store.DefaultNamespace

// ensureDefaultNamespace creates store.DefaultNamespace unless it exists.
func (w *wtx) ensureDefaultNamespace() error {
	now := time.Now().UnixNano()
	_, err := w.exec(`INSERT INTO resreg_namespaces (`+sqlNamespaceCols+`) VALUES (?, ?, '', ?, ?) ON CONFLICT (code) DO NOTHING`,
		store.DefaultNamespace, defaultNamespaceName, now, now)
	return err
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanNamespace(sc rowScanner) (store.Namespace, error) {
	var ns store.Namespace
	var created, updated any
	if err := sc.Scan(&ns.Code, &ns.Name, &ns.Description, &created, &updated); err != nil {
		return store.Namespace{}, err
	}
	ns.CreatedAt, ns.UpdatedAt = timeOf(created), timeOf(updated)
	return ns, nil
}

// timeOf converts a scanned INTEGER-or-NULL time column. Scanning into an
// any avoids database/sql's reflection path for nullable integers.
func timeOf(v any) time.Time {
	n, ok := v.(int64)
	if !ok {
		return time.Time{}
	}
	return decodeTime(&n)
}

// namespaceMissing reports, after a lookup found nothing, whether that is
// because the namespace itself does not exist. It only runs on the miss
// path, so hits cost a single query.
func (s *Store) namespaceMissing(ctx context.Context, ns string) (bool, error) {
	var one int
	err := s.point(ctx, s.namespaceExists, sqlNamespaceExists, []any{ns}, func(row *sql.Row) error { return row.Scan(&one) })
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return false, translate(ctx, err)
}

// notFound builds the error for a record that a lookup did not find: a
// missing namespace if that is the cause, else msg.
func (s *Store) notFound(ctx context.Context, ns string, notFound *store.Error) error {
	missing, err := s.namespaceMissing(ctx, ns)
	if err != nil {
		return err
	}
	if missing {
		return store.NamespaceNotFound(ns)
	}
	return notFound
}

// requireNamespace checks, inside a write, that ns exists.
func (w *wtx) requireNamespace(ns string) error {
	ok, err := w.exists(sqlNamespaceExists, ns)
	if err != nil {
		return err
	}
	if !ok {
		return store.NamespaceNotFound(ns)
	}
	return nil
}

// CreateNamespace adds ns. The primary key on code rejects a taken code.
func (s *Store) CreateNamespace(ctx context.Context, ns store.Namespace) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckTimes("", ns.CreatedAt, ns.UpdatedAt); err != nil {
		return err
	}
	return s.write(ctx, func(w *wtx) error {
		_, err := w.exec(sqlInsertNamespace, ns.Code, ns.Name, ns.Description, encodeTime(ns.CreatedAt), encodeTime(ns.UpdatedAt))
		if err != nil && errors.Is(translate(ctx, err), errUnique) {
			return store.NamespaceExists(ns.Code)
		}
		if err != nil {
			return err
		}
		return w.logNamespace(store.OpCreate, ns)
	})
}

// GetNamespace returns the namespace code.
func (s *Store) GetNamespace(ctx context.Context, code string) (store.Namespace, error) {
	if err := ctx.Err(); err != nil {
		return store.Namespace{}, err
	}
	if s.closed.Load() {
		return store.Namespace{}, store.Closed()
	}
	var ns store.Namespace
	err := s.point(ctx, nil, sqlGetNamespace, []any{code}, func(row *sql.Row) (err error) {
		ns, err = scanNamespace(row)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return store.Namespace{}, store.NamespaceNotFound(code)
	}
	if err != nil {
		return store.Namespace{}, translate(ctx, err)
	}
	return ns, nil
}

// ListNamespaces lists namespaces in code order, one keyset page at a time.
func (s *Store) ListNamespaces(ctx context.Context, opts store.ListOptions) (store.Page[store.Namespace], error) {
	var page store.Page[store.Namespace]
	cur, err := opts.CursorFor(store.KindNamespaces, "")
	if err != nil {
		return page, err
	}
	err = s.read(ctx, func(tx rtx) error {
		rows, err := tx.QueryContext(ctx, sqlListNamespaces, cur.After, cur.Limit+1)
		if err != nil {
			return err
		}
		defer rows.Close()
		items := make([]store.Namespace, 0, min(cur.Limit+1, 64))
		for rows.Next() {
			ns, err := scanNamespace(rows)
			if err != nil {
				return err
			}
			items = append(items, ns)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		page.Items, page.NextPageToken = cutPage(items, cur.Limit, store.KindNamespaces, "", func(n *store.Namespace) string { return n.Code })
		if opts.IncludeTotal {
			return tx.QueryRowContext(ctx, sqlCountNamespaces).Scan(&page.TotalCount)
		}
		return nil
	})
	if err != nil {
		return store.Page[store.Namespace]{}, err
	}
	return page, nil
}

// UpdateNamespace applies fn to a copy of namespace code under the write
// lock and stores the result.
func (s *Store) UpdateNamespace(ctx context.Context, code string, fn func(*store.Namespace) error) (_ store.Namespace, err error) {
	defer s.failBatch(ctx, &err)
	var out store.Namespace
	err = s.write(ctx, func(w *wtx) error {
		old, err := scanNamespace(w.queryRow(sqlGetNamespace, code))
		if errors.Is(err, sql.ErrNoRows) {
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
		if _, err := w.exec(`UPDATE resreg_namespaces SET name = ?, description = ?, updated_at = ? WHERE code = ?`,
			ns.Name, ns.Description, encodeTime(ns.UpdatedAt), code); err != nil {
			return err
		}
		if err := w.logNamespace(store.OpUpdate, ns); err != nil {
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

// DeleteNamespace removes an empty namespace other than the default one:
// one without resources, data resources or grants, that no data policy
// names.
func (s *Store) DeleteNamespace(ctx context.Context, code string) (err error) {
	defer s.failBatch(ctx, &err)
	return s.write(ctx, func(w *wtx) error {
		if err := w.requireNamespace(code); err != nil {
			return err
		}
		if code == store.DefaultNamespace {
			return store.DefaultNamespaceUndeletable()
		}
		used, err := w.exists(`SELECT 1 WHERE EXISTS (SELECT 1 FROM resreg_resources WHERE namespace = ?)
			OR EXISTS (SELECT 1 FROM resreg_data_resources WHERE namespace = ?)`, code, code)
		if err != nil {
			return err
		}
		if used {
			return store.NamespaceNotEmpty(code)
		}
		if used, err = w.exists(sqlNamespaceHasGrants, code); err != nil {
			return err
		} else if used {
			return store.NamespaceHoldsGrants(code)
		}
		if used, err = w.exists(sqlNamespaceHasRefs, code); err != nil {
			return err
		} else if used {
			ids, err := w.namespacePolicies(code)
			if err != nil {
				return err
			}
			return store.NamespaceNamedByPolicies(code, ids)
		}
		if err := w.logNamespaceDelete(code); err != nil {
			return err
		}
		_, err = w.exec(`DELETE FROM resreg_namespaces WHERE code = ?`, code)
		return err
	})
}
