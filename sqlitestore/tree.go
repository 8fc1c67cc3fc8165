package sqlitestore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/resreg/resreg/store"
)

// A TREE struct is kept one row per node in resreg_tree_nodes, keyed by
// (namespace, resource code, path): GetDataTreeNode is one primary key
// lookup whatever the size of the tree, and a whole tree is one range scan
// of the (namespace, resource code, seq) index in pre-order, rebuilt
// without recursion.

const (
	sqlInsertTreeNode = `INSERT INTO resreg_tree_nodes (namespace, resource_code, path, seq, depth, code, name, value)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlLoadTree = `SELECT depth, code, name, value FROM resreg_tree_nodes
		WHERE namespace = ? AND resource_code = ? ORDER BY seq`
	sqlDeleteTree  = `DELETE FROM resreg_tree_nodes WHERE namespace = ? AND resource_code = ?`
	sqlGetTreeNode = `SELECT n.path, n.code, n.name, n.value, n.depth
		FROM resreg_tree_nodes AS n
		JOIN resreg_data_resources AS d ON d.namespace = n.namespace AND d.code = n.resource_code
		WHERE n.namespace = ? AND n.resource_code = ? AND n.path = ? AND d.type = 'TREE'`
)

// errDuplicatePath reports a tree in which two nodes have the same path.
var errDuplicatePath = store.Invalid("struct", "two tree nodes have the same path")

// insertTree writes the nodes of t, which must have no rows yet.
func (w *wtx) insertTree(ns, code string, t store.Tree) error {
	if len(t) == 0 {
		return nil
	}
	ins, err := w.prepare(sqlInsertTreeNode)
	if err != nil {
		return err
	}
	defer ins.Close()
	seq := 0
	t.Walk(func(n *store.TreeNode, path string, depth int) bool {
		if err = w.canceled(); err != nil {
			return false
		}
		_, err = ins.ExecContext(w.bg, ns, code, path, seq, depth, n.Code, n.Name, n.Value)
		seq++
		return err == nil
	})
	if err != nil && errors.Is(translate(w.ctx, err), errUnique) {
		return errDuplicatePath
	}
	return err
}

// queryer is an rtx, a *sql.Conn or a *sql.DB.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// loadTree reads a whole tree in one query. size is the stored node count,
// used to size the buffers.
func loadTree(ctx context.Context, q queryer, ns, code string, size int) (store.Tree, error) {
	rows, err := q.QueryContext(ctx, sqlLoadTree, ns, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	nodes := make([]store.TreeNode, 0, size)
	depths := make([]int, 0, size)
	for rows.Next() {
		var n store.TreeNode
		var depth int
		if err := rows.Scan(&depth, &n.Code, &n.Name, &n.Value); err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
		depths = append(depths, depth)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return buildTree(nodes, depths)
}

// buildTree is [store.BuildTree], with depths that no pre-order walk
// gives reported as corrupt rows.
func buildTree(nodes []store.TreeNode, depths []int) (store.Tree, error) {
	t, ok := store.BuildTree(nodes, depths)
	if !ok {
		return nil, errCorrupt
	}
	return t, nil
}

// GetDataTreeNode looks one node up by its path through the primary key of
// the node table, without loading the tree.
func (s *Store) GetDataTreeNode(ctx context.Context, namespace, code, path string) (store.TreePath, error) {
	if err := ctx.Err(); err != nil {
		return store.TreePath{}, err
	}
	if s.closed.Load() {
		return store.TreePath{}, store.Closed()
	}
	var tp store.TreePath
	err := s.point(ctx, nil, sqlGetTreeNode, []any{namespace, code, path}, func(row *sql.Row) error {
		return row.Scan(&tp.Path, &tp.Code, &tp.Name, &tp.Value, &tp.Depth)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return store.TreePath{}, s.notFound(ctx, namespace, store.TreeNodeNotFound(namespace, code, path))
	}
	if err != nil {
		return store.TreePath{}, translate(ctx, err)
	}
	return tp, nil
}
