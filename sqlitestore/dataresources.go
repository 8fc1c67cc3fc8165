package sqlitestore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/resreg/resreg/store"
)

const (
	sqlDataCols          = `namespace, code, name, description, type, shape, string, items, tree_size, actions, created_at, updated_at`
	sqlInsertData        = `INSERT INTO resreg_data_resources (` + sqlDataCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlGetData           = `SELECT ` + sqlDataCols + ` FROM resreg_data_resources WHERE namespace = ? AND code = ?`
	sqlGetDataByName     = `SELECT ` + sqlDataCols + ` FROM resreg_data_resources WHERE namespace = ? AND name = ?`
	sqlDataCodeTaken     = `SELECT 1 FROM resreg_data_resources WHERE namespace = ? AND code = ?`
	sqlDataNameTaken     = `SELECT 1 FROM resreg_data_resources WHERE namespace = ? AND name = ?`
	sqlScanDataResources = `SELECT ` + sqlDataCols + ` FROM resreg_data_resources WHERE namespace = ? AND code > ? ORDER BY code`
	sqlListDataResources = sqlScanDataResources + ` LIMIT ?`
	sqlCountData         = `SELECT count(*) FROM resreg_data_resources WHERE namespace = ?`
	sqlUpdateData        = `UPDATE resreg_data_resources SET name = ?, description = ?, type = ?, shape = ?, string = ?,
		items = ?, tree_size = ?, actions = ?, updated_at = ? WHERE namespace = ? AND code = ?`
	sqlDeleteData = `DELETE FROM resreg_data_resources WHERE namespace = ? AND code = ?`
)

// dataArgs returns the column values of d in sqlDataCols order.
func dataArgs(d *store.DataResource) []any {
	var treeSize any
	if d.Struct.Tree != nil {
		treeSize = d.Struct.Tree.Len()
	}
	return []any{d.NamespaceCode, d.ResourceCode, d.ResourceName, d.Description, string(d.Type),
		string(d.Struct.Shape()), d.Struct.String, encodeStrings(d.Struct.Array, true), treeSize,
		encodeStrings(d.Actions, false), encodeTime(d.CreatedAt), encodeTime(d.UpdatedAt)}
}

// dataRow is the scan target of a data resource row; the tree, if any, is
// loaded separately.
type dataRow struct {
	d                store.DataResource
	typ, shape       string
	items, actions   []byte
	treeSize         any
	created, updated any
}

func (dr *dataRow) dest(raw bool) []any {
	d := &dr.d
	if raw {
		return []any{&d.NamespaceCode, &d.ResourceCode, &d.ResourceName, &d.Description, &dr.typ, &dr.shape,
			&d.Struct.String, (*sql.RawBytes)(&dr.items), &dr.treeSize, (*sql.RawBytes)(&dr.actions), &dr.created, &dr.updated}
	}
	return []any{&d.NamespaceCode, &d.ResourceCode, &d.ResourceName, &d.Description, &dr.typ, &dr.shape,
		&d.Struct.String, &dr.items, &dr.treeSize, &dr.actions, &dr.created, &dr.updated}
}

// record decodes everything but the tree; treeSize reports whether a tree
// is to be loaded (ok) and its node count.
func (dr *dataRow) record() (d store.DataResource, treeSize int, hasTree bool, err error) {
	d = dr.d
	d.Type = store.DataType(dr.typ)
	if d.Struct.Array, err = decodeStrings(dr.items); err != nil {
		return d, 0, false, err
	}
	var actions []string
	if actions, err = decodeStrings(dr.actions); err != nil {
		return d, 0, false, err
	}
	if len(actions) > 0 {
		d.Actions = actions
	}
	d.CreatedAt, d.UpdatedAt = timeOf(dr.created), timeOf(dr.updated)
	if n, ok := dr.treeSize.(int64); ok {
		return d, int(n), true, nil
	}
	return d, 0, false, nil
}

// loadData reads one data resource, tree included, with query (by code or
// by name).
func loadData(ctx context.Context, q queryer, query, ns, key string) (store.DataResource, error) {
	rows, err := q.QueryContext(ctx, query, ns, key)
	if err != nil {
		return store.DataResource{}, err
	}
	var dr dataRow
	found := rows.Next()
	if found {
		err = rows.Scan(dr.dest(false)...)
	}
	if err == nil {
		err = rows.Err()
	}
	rows.Close()
	if err != nil {
		return store.DataResource{}, err
	}
	if !found {
		return store.DataResource{}, sql.ErrNoRows
	}
	d, size, hasTree, err := dr.record()
	if err != nil || !hasTree {
		return d, err
	}
	if d.Struct.Tree, err = loadTree(ctx, q, d.NamespaceCode, d.ResourceCode, size); err != nil {
		return store.DataResource{}, err
	}
	return d, nil
}

// CreateDataResource inserts d and its tree nodes. The primary key and the
// name index reject a taken code or name.
func (s *Store) CreateDataResource(ctx context.Context, d store.DataResource) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckTimes("", d.CreatedAt, d.UpdatedAt); err != nil {
		return err
	}
	return s.write(ctx, func(w *wtx) error {
		if err := w.requireNamespace(d.NamespaceCode); err != nil {
			return err
		}
		if _, err := w.exec(sqlInsertData, dataArgs(&d)...); err != nil {
			if errors.Is(translate(w.ctx, err), errUnique) {
				return w.dataConflict(&d)
			}
			return err
		}
		if err := w.insertTree(d.NamespaceCode, d.ResourceCode, d.Struct.Tree); err != nil {
			return err
		}
		return w.logData(store.OpCreate, d)
	})
}

// dataConflict tells which unique column of d broke its constraint.
func (w *wtx) dataConflict(d *store.DataResource) error {
	taken, err := w.exists(sqlDataCodeTaken, d.NamespaceCode, d.ResourceCode)
	if err != nil {
		return err
	}
	if taken {
		return store.DataCodeTaken(d.ResourceCode)
	}
	return store.DataNameTaken(d.ResourceName, d.ResourceCode)
}

// GetDataResource reads the record and, for a TREE, its nodes in one more
// query, both in one read transaction.
func (s *Store) GetDataResource(ctx context.Context, namespace, code string) (store.DataResource, error) {
	return s.getData(ctx, sqlGetData, namespace, code, store.DataResourceNotFound(namespace, code))
}

// GetDataResourceByName is GetDataResource through the name index.
func (s *Store) GetDataResourceByName(ctx context.Context, namespace, name string) (store.DataResource, error) {
	return s.getData(ctx, sqlGetDataByName, namespace, name, store.DataResourceNameNotFound(namespace, name))
}

func (s *Store) getData(ctx context.Context, query, ns, key string, notFound *store.Error) (store.DataResource, error) {
	var d store.DataResource
	err := s.read(ctx, func(tx rtx) error {
		var err error
		d, err = loadData(ctx, tx, query, ns, key)
		if errors.Is(err, sql.ErrNoRows) {
			if err := s.requireNamespaceTx(ctx, tx, ns); err != nil {
				return err
			}
			return notFound
		}
		return err
	})
	if err != nil {
		return store.DataResource{}, err
	}
	return d, nil
}

// ListDataResources pages through filter.Namespace in code order, checking
// filter.Match in Go on each row before its tree is loaded, so that only
// the trees of the returned page are read.
func (s *Store) ListDataResources(ctx context.Context, filter store.DataResourceFilter, opts store.ListOptions) (store.Page[store.DataResource], error) {
	var page store.Page[store.DataResource]
	cur, err := opts.CursorFor(store.KindDataResources, filter.Namespace)
	if err != nil {
		return page, err
	}
	ns := filter.Namespace
	plain := filter.Keyword == "" && len(filter.Types) == 0
	err = s.read(ctx, func(tx rtx) error {
		if err := s.requireNamespaceTx(ctx, tx, ns); err != nil {
			return err
		}
		var rows *sql.Rows
		var err error
		if plain {
			rows, err = tx.QueryContext(ctx, sqlListDataResources, ns, cur.After, cur.Limit+1)
		} else {
			rows, err = tx.QueryContext(ctx, sqlScanDataResources, ns, cur.After)
		}
		if err != nil {
			return err
		}
		items, sizes, err := collectData(rows, cur.Limit+1, filter)
		if err != nil {
			return err
		}
		page.Items, page.NextPageToken = cutPage(items, cur.Limit, store.KindDataResources, ns, func(d *store.DataResource) string { return d.ResourceCode })
		for i := range page.Items {
			if sizes[i] < 0 {
				continue
			}
			d := &page.Items[i]
			if d.Struct.Tree, err = loadTree(ctx, tx, d.NamespaceCode, d.ResourceCode, sizes[i]); err != nil {
				return err
			}
		}
		if !opts.IncludeTotal {
			return nil
		}
		if plain {
			return tx.QueryRowContext(ctx, sqlCountData, ns).Scan(&page.TotalCount)
		}
		if rows, err = tx.QueryContext(ctx, sqlScanDataResources, ns, ""); err != nil {
			return err
		}
		all, _, err := collectData(rows, -1, filter)
		page.TotalCount = len(all)
		return err
	})
	if err != nil {
		return store.Page[store.DataResource]{}, err
	}
	if page.Items == nil {
		page.Items = []store.DataResource{}
	}
	return page, nil
}

// collectData reads up to limit (all when negative) matching records
// without their trees; sizes[i] is the node count of item i's tree, or -1
// when it has none. It closes rows.
func collectData(rows *sql.Rows, limit int, filter store.DataResourceFilter) ([]store.DataResource, []int, error) {
	defer rows.Close()
	match := filter.Matcher()
	capacity := limit
	if capacity < 0 || capacity > 128 {
		capacity = 128
	}
	items := make([]store.DataResource, 0, capacity)
	sizes := make([]int, 0, capacity)
	var dr dataRow
	dest := dr.dest(true)
	for (limit < 0 || len(items) < limit) && rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, err
		}
		d, size, hasTree, err := dr.record()
		if err != nil {
			return nil, nil, err
		}
		if !match(&d) {
			continue
		}
		if !hasTree {
			size = -1
		} else if size == 0 {
			d.Struct.Tree, size = store.Tree{}, -1
		}
		items = append(items, d)
		sizes = append(sizes, size)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	return items, sizes, rows.Close()
}

// UpdateDataResource applies fn to a copy of the stored record under the
// write lock; a new name is checked by the name index, and a changed
// struct replaces the stored tree nodes. Nodes and actions that exact
// policy refs name cannot be removed.
func (s *Store) UpdateDataResource(ctx context.Context, namespace, code string, fn func(*store.DataResource) error) (_ store.DataResource, err error) {
	defer s.failBatch(ctx, &err)
	var out store.DataResource
	err = s.write(ctx, func(w *wtx) error {
		old, err := loadData(w.bg, w.conn, sqlGetData, namespace, code)
		if errors.Is(err, sql.ErrNoRows) {
			if err := w.requireNamespace(namespace); err != nil {
				return err
			}
			return store.DataResourceNotFound(namespace, code)
		}
		if err != nil {
			return err
		}
		d := old.Clone()
		if err := fn(&d); err != nil {
			return fnError{err}
		}
		d = d.Clone()
		d.NamespaceCode, d.ResourceCode, d.CreatedAt = old.NamespaceCode, old.ResourceCode, old.CreatedAt
		if err := store.CheckTime("updatedAt", d.UpdatedAt); err != nil {
			return err
		}
		d.UpdatedAt = normTime(d.UpdatedAt)
		if err := w.checkDataUpdatePins(&old, &d); err != nil {
			return err
		}
		args := dataArgs(&d)
		// Same columns as the insert minus the key and created_at, then the
		// key for the WHERE clause.
		args = append(append(args[2:10:10], args[11]), namespace, code)
		if _, err := w.exec(sqlUpdateData, args...); err != nil {
			if errors.Is(translate(w.ctx, err), errUnique) {
				return store.DataNameTaken(d.ResourceName, code)
			}
			return err
		}
		if old.Struct.Tree != nil || d.Struct.Tree != nil {
			if _, err := w.exec(sqlDeleteTree, namespace, code); err != nil {
				return err
			}
			if err := w.insertTree(namespace, code, d.Struct.Tree); err != nil {
				return err
			}
		}
		if err := w.logData(store.OpUpdate, d); err != nil {
			return err
		}
		out = d
		return nil
	})
	if err != nil {
		return store.DataResource{}, err
	}
	return out, nil
}

// DeleteDataResource removes the record and its tree nodes unless a data
// policy pins it with an exact ref.
func (s *Store) DeleteDataResource(ctx context.Context, namespace, code string) (err error) {
	defer s.failBatch(ctx, &err)
	return s.write(ctx, func(w *wtx) error {
		if err := w.logDataDelete(namespace, code); err != nil {
			return err
		}
		res, err := w.exec(sqlDeleteData, namespace, code)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			if err := w.requireNamespace(namespace); err != nil {
				return err
			}
			return store.DataResourceNotFound(namespace, code)
		}
		// The delete above is rolled back if a policy pins the record.
		pinned, err := w.pinningPolicies(namespace, code, nil)
		if err != nil {
			return err
		}
		if len(pinned) > 0 {
			return store.DataResourcePinned(code, pinned)
		}
		_, err = w.exec(sqlDeleteTree, namespace, code)
		return err
	})
}
