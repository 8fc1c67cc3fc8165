package pgstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

const (
	sqlDataCols      = `namespace, code, name, description, type, shape, string, items, tree_size, actions, created_at, updated_at`
	sqlInsertData    = `INSERT INTO {s}resreg_data_resources (` + sqlDataCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	sqlGetData       = `SELECT ` + sqlDataCols + ` FROM {s}resreg_data_resources WHERE namespace = $1 AND code = $2`
	sqlGetDataByName = `SELECT ` + sqlDataCols + ` FROM {s}resreg_data_resources WHERE namespace = $1 AND name = $2`
	sqlListData      = `SELECT ` + sqlDataCols + ` FROM {s}resreg_data_resources WHERE namespace = $1 AND code > $2 ORDER BY code LIMIT $3`
	sqlCountData     = `SELECT count(*) FROM {s}resreg_data_resources WHERE namespace = $1`
	sqlUpdateData    = `UPDATE {s}resreg_data_resources SET name = $3, description = $4, type = $5, shape = $6, string = $7,
		items = $8, tree_size = $9, actions = $10, updated_at = $11 WHERE namespace = $1 AND code = $2`
	sqlDeleteData = `DELETE FROM {s}resreg_data_resources WHERE namespace = $1 AND code = $2`

	// Constraint names from the migrations, which tell a taken code from a
	// taken name in a unique violation.
	constraintDataCode = "resreg_data_resources_pkey"
	constraintDataName = "resreg_data_resources_name"
)

type dataQueries struct {
	insert, get, getForUpdate, getByName, list, count, update, delete string
}

func newDataQueries(q func(string) string) dataQueries {
	return dataQueries{
		insert: q(sqlInsertData), get: q(sqlGetData), getForUpdate: q(sqlGetData + ` FOR UPDATE`), getByName: q(sqlGetDataByName),
		list: q(sqlListData), count: q(sqlCountData), update: q(sqlUpdateData), delete: q(sqlDeleteData),
	}
}

// dataArgs returns the column values of d in sqlDataCols order.
func dataArgs(d *store.DataResource) []any {
	var treeSize *int64
	if d.Struct.Tree != nil {
		n := int64(d.Struct.Tree.Len())
		treeSize = &n
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
	items, actions   *string
	treeSize         *int64
	created, updated *int64
}

func (dr *dataRow) dest() []any {
	d := &dr.d
	return []any{&d.NamespaceCode, &d.ResourceCode, &d.ResourceName, &d.Description, &dr.typ, &dr.shape,
		&d.Struct.String, &dr.items, &dr.treeSize, &dr.actions, &dr.created, &dr.updated}
}

// record decodes everything but the tree; hasTree reports whether the
// struct holds one (of treeSize nodes). An empty tree is set here.
func (dr *dataRow) record() (d store.DataResource, treeSize int, hasTree bool, err error) {
	d = dr.d
	d.Type = store.DataType(dr.typ)
	if d.Struct.Array, err = decodeStrings(dr.items); err != nil {
		return d, 0, false, err
	}
	actions, err := decodeStrings(dr.actions)
	if err != nil {
		return d, 0, false, err
	}
	if len(actions) > 0 {
		d.Actions = actions
	}
	d.CreatedAt, d.UpdatedAt = decodeTime(dr.created), decodeTime(dr.updated)
	if dr.treeSize == nil {
		return d, 0, false, nil
	}
	if *dr.treeSize == 0 {
		d.Struct.Tree = store.Tree{}
		return d, 0, false, nil
	}
	return d, int(*dr.treeSize), true, nil
}

// querier is a pgx.Tx or the pool (see db).
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// loadData reads one data resource, tree included; pgx.ErrNoRows if none.
func (s *Store) loadData(ctx context.Context, q querier, query, ns, key string) (store.DataResource, error) {
	var dr dataRow
	if err := q.QueryRow(ctx, query, ns, key).Scan(dr.dest()...); err != nil {
		return store.DataResource{}, err
	}
	d, size, hasTree, err := dr.record()
	if err != nil || !hasTree {
		return d, err
	}
	trees, err := s.loadTrees(ctx, q, d.NamespaceCode, []string{d.ResourceCode}, size)
	if err != nil {
		return store.DataResource{}, err
	}
	d.Struct.Tree = trees[d.ResourceCode]
	return d, nil
}

// snapshot runs fn in a read-only REPEATABLE READ transaction, so that a
// record and its tree nodes, read by two statements, come from one commit;
// in a batch, in the batch's transaction, which nothing else writes to.
func (s *Store) snapshot(ctx context.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	if b := s.batchOf(ctx); b != nil {
		return s.read(ctx, func(ctx context.Context) error { return fn(ctx, b.w) })
	}
	return s.read(ctx, func(ctx context.Context) error {
		tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only; nothing to undo
		return fn(ctx, tx)
	})
}

// CreateDataResource sends the namespace lock, the record and its tree
// nodes as one pgx.Batch: one round trip. The primary key and the name
// index reject a taken code or name, and the constraint's name tells which.
func (s *Store) CreateDataResource(ctx context.Context, d store.DataResource) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckTimes("", d.CreatedAt, d.UpdatedAt); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		b := &pgx.Batch{}
		b.Queue(s.q.ns.share, d.NamespaceCode)
		b.Queue(s.q.data.insert, dataArgs(&d)...)
		nodes := len(d.Struct.Tree) > 0
		if nodes {
			b.Queue(s.q.tree.insert, treeColumns(d.NamespaceCode, d.ResourceCode, d.Struct.Tree)...)
		}
		br := tx.SendBatch(ctx, b)
		defer br.Close()
		var one int
		if err := br.QueryRow().Scan(&one); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return store.NamespaceNotFound(d.NamespaceCode)
			}
			return err
		}
		if _, err := br.Exec(); err != nil {
			return dataConflict(err, &d)
		}
		if nodes {
			if _, err := br.Exec(); err != nil {
				if isUnique(err) {
					return errDuplicatePath
				}
				return err
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		return tx.logData(store.OpCreate, d)
	})
}

// dataConflict turns a unique violation on a data resource row into the
// contract's conflict, with Field naming the column taken.
func dataConflict(err error, d *store.DataResource) error {
	constraint, ok := uniqueConstraint(err)
	if !ok {
		return err
	}
	if constraint == constraintDataName {
		return store.DataNameTaken(d.ResourceName, d.ResourceCode)
	}
	return store.DataCodeTaken(d.ResourceCode)
}

// GetDataResource reads the record and, for a TREE, its nodes.
func (s *Store) GetDataResource(ctx context.Context, namespace, code string) (store.DataResource, error) {
	return s.getData(ctx, s.q.data.get, namespace, code, store.DataResourceNotFound(namespace, code))
}

// GetDataResourceByName is GetDataResource through the name index.
func (s *Store) GetDataResourceByName(ctx context.Context, namespace, name string) (store.DataResource, error) {
	return s.getData(ctx, s.q.data.getByName, namespace, name, store.DataResourceNameNotFound(namespace, name))
}

func (s *Store) getData(ctx context.Context, query, ns, key string, nf *store.Error) (store.DataResource, error) {
	var d store.DataResource
	err := s.snapshot(ctx, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		d, err = s.loadData(ctx, tx, query, ns, key)
		if errors.Is(err, pgx.ErrNoRows) {
			return s.notFound(ctx, tx, ns, nf)
		}
		return err
	})
	if err != nil {
		return store.DataResource{}, err
	}
	return d, nil
}

// ListDataResources pages through filter.Namespace in code order on the
// primary key, checking filter.Match in Go on each row before any tree is
// read; the trees of the page are then loaded with one query.
func (s *Store) ListDataResources(ctx context.Context, filter store.DataResourceFilter, opts store.ListOptions) (store.Page[store.DataResource], error) {
	cur, err := opts.CursorFor(store.KindDataResources, filter.Namespace)
	if err != nil {
		return store.Page[store.DataResource]{}, err
	}
	ns := filter.Namespace
	plain := filter.Keyword == "" && len(filter.Types) == 0
	var page store.Page[store.DataResource]
	err = s.snapshot(ctx, func(ctx context.Context, tx pgx.Tx) error {
		page = store.Page[store.DataResource]{}
		if err := s.lockFreeNamespaceCheck(ctx, tx, ns); err != nil {
			return err
		}
		chunk := scanChunk
		if plain {
			chunk = cur.Limit + 1
		}
		var items []store.DataResource
		var sizes []int
		err := s.scanData(ctx, tx, ns, cur.After, chunk, filter, func(d store.DataResource, size int) bool {
			items = append(items, d)
			sizes = append(sizes, size)
			return len(items) <= cur.Limit
		})
		if err != nil {
			return err
		}
		page.Items, page.NextPageToken = cutPage(items, cur.Limit, store.KindDataResources, filter.Namespace, func(d *store.DataResource) string { return d.ResourceCode })
		var withTrees []string
		most := 0
		for i := range page.Items {
			if sizes[i] > 0 {
				withTrees = append(withTrees, page.Items[i].ResourceCode)
				most = max(most, sizes[i])
			}
		}
		if len(withTrees) > 0 {
			trees, err := s.loadTrees(ctx, tx, ns, withTrees, most)
			if err != nil {
				return err
			}
			for i := range page.Items {
				if t, ok := trees[page.Items[i].ResourceCode]; ok {
					page.Items[i].Struct.Tree = t
				}
			}
		}
		if !opts.IncludeTotal {
			return nil
		}
		if plain {
			return tx.QueryRow(ctx, s.q.data.count, ns).Scan(&page.TotalCount)
		}
		return s.scanData(ctx, tx, ns, "", scanChunk, filter, func(store.DataResource, int) bool {
			page.TotalCount++
			return true
		})
	})
	if err != nil {
		return store.Page[store.DataResource]{}, err
	}
	if page.Items == nil {
		page.Items = []store.DataResource{}
	}
	return page, nil
}

func (s *Store) lockFreeNamespaceCheck(ctx context.Context, q querier, ns string) error {
	var one int
	err := q.QueryRow(ctx, s.q.ns.exists, ns).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.NamespaceNotFound(ns)
	}
	return err
}

// scanData walks the data resources of ns after after, chunk rows per
// query, and calls keep with each match (and its tree size, 0 for none)
// until keep returns false.
func (s *Store) scanData(ctx context.Context, q querier, ns, after string, chunk int, filter store.DataResourceFilter, keep func(store.DataResource, int) bool) error {
	match := filter.Matcher() // built once: a filter can hold large sets
	for {
		rows, err := q.Query(ctx, s.q.data.list, ns, after, chunk)
		if err != nil {
			return err
		}
		var dr dataRow
		n := 0
		stopped := false
		_, err = pgx.ForEachRow(rows, dr.dest(), func() error {
			n++
			d, size, hasTree, err := dr.record()
			if err != nil {
				return err
			}
			after = d.ResourceCode
			if !hasTree {
				size = 0
			}
			if !stopped && match(&d) && !keep(d, size) {
				stopped = true
			}
			dr = dataRow{}
			return nil
		})
		if err != nil || stopped || n < chunk {
			return err
		}
	}
}

// UpdateDataResource applies fn to a copy of the stored record, its row
// locked for the write; a new name is checked by the name index, and a
// changed struct replaces the stored tree nodes.
func (s *Store) UpdateDataResource(ctx context.Context, namespace, code string, fn func(*store.DataResource) error) (_ store.DataResource, err error) {
	defer s.failBatch(ctx, &err)
	var out store.DataResource
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		old, err := s.loadData(ctx, tx, s.q.data.getForUpdate, namespace, code)
		if errors.Is(err, pgx.ErrNoRows) {
			return s.notFound(ctx, tx, namespace, store.DataResourceNotFound(namespace, code))
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
		if err := s.checkDataUpdatePins(ctx, tx, &old, &d); err != nil {
			return err
		}
		args := dataArgs(&d)
		// The insert's columns minus created_at, key first.
		args = append(args[:10:10], args[11])
		b := &pgx.Batch{}
		b.Queue(s.q.data.update, args...)
		replaceTree := old.Struct.Tree != nil || d.Struct.Tree != nil
		if replaceTree {
			b.Queue(s.q.tree.delete, namespace, code)
			if len(d.Struct.Tree) > 0 {
				b.Queue(s.q.tree.insert, treeColumns(namespace, code, d.Struct.Tree)...)
			}
		}
		br := tx.SendBatch(ctx, b)
		defer br.Close()
		if _, err := br.Exec(); err != nil {
			if isUnique(err) {
				return store.DataNameTaken(d.ResourceName, code)
			}
			return err
		}
		for i := 1; i < b.Len(); i++ {
			if _, err := br.Exec(); err != nil {
				if isUnique(err) {
					return errDuplicatePath
				}
				return err
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		if err := tx.logData(store.OpUpdate, d); err != nil {
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

// DeleteDataResource locks and reads the record (its change holds it),
// refuses it while an exact policy ref pins it, then removes it and its
// tree nodes in one batch. Ref writers lock the data resource row too
// (FOR SHARE), so no ref can appear between the check and the delete.
func (s *Store) DeleteDataResource(ctx context.Context, namespace, code string) (err error) {
	defer s.failBatch(ctx, &err)
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		old, err := s.loadData(ctx, tx, s.q.data.getForUpdate, namespace, code)
		if errors.Is(err, pgx.ErrNoRows) {
			return s.notFound(ctx, tx, namespace, store.DataResourceNotFound(namespace, code))
		}
		if err != nil {
			return err
		}
		pinned, err := s.pinningPolicies(ctx, tx, namespace, code, nil)
		if err != nil {
			return err
		}
		if len(pinned) > 0 {
			return store.DataResourcePinned(code, pinned)
		}
		b := &pgx.Batch{}
		b.Queue(s.q.data.delete, namespace, code)
		b.Queue(s.q.tree.delete, namespace, code)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return tx.logData(store.OpDelete, old)
	})
}
