package pgstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

// A TREE struct is kept one row per node in resreg_tree_nodes, keyed by
// (namespace, resource code, path): GetDataTreeNode is one primary key
// lookup whatever the size of the tree, and whole trees are one range scan
// of the (namespace, resource code, seq) index in pre-order, rebuilt
// without recursion.

const (
	sqlInsertTreeNodes = `INSERT INTO {s}resreg_tree_nodes (namespace, resource_code, path, seq, depth, code, name, value)
		SELECT $1, $2, * FROM unnest($3::text[], $4::integer[], $5::integer[], $6::text[], $7::text[], $8::text[])`
	sqlLoadTrees = `SELECT resource_code, depth, code, name, value FROM {s}resreg_tree_nodes
		WHERE namespace = $1 AND resource_code = ANY($2) ORDER BY resource_code, seq`
	sqlDeleteTree  = `DELETE FROM {s}resreg_tree_nodes WHERE namespace = $1 AND resource_code = $2`
	sqlGetTreeNode = `SELECT n.path, n.code, n.name, n.value, n.depth
		FROM {s}resreg_tree_nodes AS n
		JOIN {s}resreg_data_resources AS d ON d.namespace = n.namespace AND d.code = n.resource_code
		WHERE n.namespace = $1 AND n.resource_code = $2 AND n.path = $3 AND d.type = 'TREE'`
)

type treeQueries struct{ insert, load, delete, get string }

func newTreeQueries(q func(string) string) treeQueries {
	return treeQueries{insert: q(sqlInsertTreeNodes), load: q(sqlLoadTrees), delete: q(sqlDeleteTree), get: q(sqlGetTreeNode)}
}

// errDuplicatePath reports a tree in which two nodes have the same path.
var errDuplicatePath = store.Invalid("struct", "two tree nodes have the same path")

// treeColumns returns the arguments of sqlInsertTreeNodes for t: its nodes
// in pre-order, one array per column.
func treeColumns(ns, code string, t store.Tree) []any {
	flat := t.Flatten()
	n := len(flat)
	paths, codes, names, values := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	seqs, depths := make([]int32, n), make([]int32, n)
	for i := range flat {
		paths[i], codes[i], names[i], values[i] = flat[i].Path, flat[i].Code, flat[i].Name, flat[i].Value
		seqs[i], depths[i] = int32(i), int32(flat[i].Depth)
	}
	return []any{ns, code, paths, seqs, depths, codes, names, values}
}

// loadTrees reads the trees of the given data resources with one query.
// size is a hint for the buffers.
func (s *Store) loadTrees(ctx context.Context, q querier, ns string, codes []string, size int) (map[string]store.Tree, error) {
	rows, err := q.Query(ctx, s.q.tree.load, ns, codes)
	if err != nil {
		return nil, err
	}
	out := make(map[string]store.Tree, len(codes))
	var (
		current string
		nodes   = make([]store.TreeNode, 0, size)
		depths  = make([]int, 0, size)
	)
	flush := func() error {
		if len(nodes) == 0 {
			return nil
		}
		t, err := buildTree(nodes, depths)
		if err != nil {
			return err
		}
		out[current] = t
		nodes, depths = make([]store.TreeNode, 0, size), make([]int, 0, size)
		return nil
	}
	var code string
	var n store.TreeNode
	var depth int
	_, err = pgx.ForEachRow(rows, []any{&code, &depth, &n.Code, &n.Name, &n.Value}, func() error {
		if code != current {
			if err := flush(); err != nil {
				return err
			}
			current = code
		}
		nodes = append(nodes, n)
		depths = append(depths, depth)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
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
	var tp store.TreePath
	err := s.read(ctx, func(ctx context.Context) error {
		err := s.db(ctx).QueryRow(ctx, s.q.tree.get, namespace, code, path).Scan(&tp.Path, &tp.Code, &tp.Name, &tp.Value, &tp.Depth)
		if errors.Is(err, pgx.ErrNoRows) {
			return s.notFound(ctx, nil, namespace, store.TreeNodeNotFound(namespace, code, path))
		}
		return err
	})
	if err != nil {
		return store.TreePath{}, err
	}
	return tp, nil
}
