package storetest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

func (h harness) dataTrees(t *testing.T) {
	h.run(t, "node by path at every depth", func(t *testing.T, s store.Store) {
		createData(t, s, newTreeData(store.DefaultNamespace, "org", "Org"))
		want := []store.TreePath{
			{Path: "product", Code: "product", Name: "Product", Value: "p", Depth: 1},
			{Path: "product/productManager", Code: "productManager", Name: "Product Manager", Value: "pm", Depth: 2},
			{Path: "product/design", Code: "design", Name: "Design", Depth: 2},
			{Path: "product/design/ux", Code: "ux", Name: "UX", Value: "ux-team", Depth: 3},
			{Path: "sales", Code: "sales", Name: "Sales", Value: "s", Depth: 1},
		}
		for _, w := range want {
			got, err := s.GetDataTreeNode(t.Context(), store.DefaultNamespace, "org", w.Path)
			require.NoError(t, err, "path %q", w.Path)
			require.Equal(t, w, got)
		}
	})

	h.run(t, "path picks the branch when codes repeat", func(t *testing.T, s store.Store) {
		d := newTreeData(store.DefaultNamespace, "org", "Org")
		d.Struct.Tree = store.Tree{
			{Name: "A", Code: "a", Children: []store.TreeNode{{Name: "A lead", Code: "lead", Value: "under a"}}},
			{Name: "B", Code: "b", Children: []store.TreeNode{{Name: "B lead", Code: "lead", Value: "under b"}}},
		}
		createData(t, s, d)
		got, err := s.GetDataTreeNode(t.Context(), store.DefaultNamespace, "org", "b/lead")
		require.NoError(t, err)
		require.Equal(t, store.TreePath{Path: "b/lead", Code: "lead", Name: "B lead", Value: "under b", Depth: 2}, got)
	})

	h.run(t, "a deep node", func(t *testing.T, s store.Store) {
		const depth = 60
		root := store.TreeNode{Name: "level 60", Code: "n60", Value: "bottom"}
		for i := depth - 1; i >= 1; i-- {
			root = store.TreeNode{Name: "level", Code: "n" + pad(i), Children: []store.TreeNode{root}}
		}
		// Codes of the chain, top down, match what the loop built.
		path := make([]string, 0, depth)
		for i := 1; i < depth; i++ {
			path = append(path, "n"+pad(i))
		}
		path = append(path, "n60")
		d := newTreeData(store.DefaultNamespace, "deep", "Deep")
		d.Struct.Tree = store.Tree{root}
		createData(t, s, d)
		got, err := s.GetDataTreeNode(t.Context(), store.DefaultNamespace, "deep", strings.Join(path, "/"))
		require.NoError(t, err)
		require.Equal(t, store.TreePath{Path: strings.Join(path, "/"), Code: "n60", Name: "level 60", Value: "bottom", Depth: depth}, got)
		stored, err := s.GetDataResource(t.Context(), store.DefaultNamespace, "deep")
		require.NoError(t, err)
		require.Equal(t, d, stored)
	})

	h.run(t, "missing path is not found", func(t *testing.T, s store.Store) {
		createData(t, s, newTreeData(store.DefaultNamespace, "org", "Org"))
		for _, path := range []string{
			"nope", "productManager", "product/nope", "product/productManager/deeper", "sales/product", "", "/product", "product/",
		} {
			_, err := s.GetDataTreeNode(t.Context(), store.DefaultNamespace, "org", path)
			require.ErrorIs(t, err, store.ErrNotFound, "path %q", path)
			require.NotErrorIs(t, err, store.ErrNamespaceNotFound, "path %q", path)
		}
	})

	h.run(t, "a data resource that is not a tree has no nodes", func(t *testing.T, s store.Store) {
		str := newStringData(store.DefaultNamespace, "path", "Path")
		str.Struct.String = "product"
		arr := newArrayData(store.DefaultNamespace, "cards", "Cards")
		arr.Struct.Array = []string{"product"}
		createData(t, s, str, arr)
		for _, code := range []string{"path", "cards"} {
			_, err := s.GetDataTreeNode(t.Context(), store.DefaultNamespace, code, "product")
			require.ErrorIs(t, err, store.ErrNotFound, code)
			require.NotErrorIs(t, err, store.ErrNamespaceNotFound, code)
		}
	})

	h.run(t, "missing data resource or namespace", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		createData(t, s, newTreeData(ns2, "org", "Org"))
		_, err := s.GetDataTreeNode(t.Context(), store.DefaultNamespace, "org", "product")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.NotErrorIs(t, err, store.ErrNamespaceNotFound)
		_, err = s.GetDataTreeNode(t.Context(), "missing", "org", "product")
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
	})

	h.run(t, "a changed tree is what paths resolve against", func(t *testing.T, s store.Store) {
		createData(t, s, newTreeData(store.DefaultNamespace, "org", "Org"))
		newTree := store.Tree{{Name: "Research", Code: "research", Children: []store.TreeNode{
			{Name: "Lab", Code: "lab", Value: "lab-1"},
		}}, {Name: "Product", Code: "product", Value: "p2"}}
		got, err := s.UpdateDataResource(t.Context(), store.DefaultNamespace, "org", func(d *store.DataResource) error {
			d.Struct = store.Struct{Tree: newTree.Clone()}
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, newTree, got.Struct.Tree)
		node, err := s.GetDataTreeNode(t.Context(), store.DefaultNamespace, "org", "research/lab")
		require.NoError(t, err)
		require.Equal(t, store.TreePath{Path: "research/lab", Code: "lab", Name: "Lab", Value: "lab-1", Depth: 2}, node)
		node, err = s.GetDataTreeNode(t.Context(), store.DefaultNamespace, "org", "product")
		require.NoError(t, err)
		require.Equal(t, "p2", node.Value)
		_, err = s.GetDataTreeNode(t.Context(), store.DefaultNamespace, "org", "product/productManager")
		require.ErrorIs(t, err, store.ErrNotFound)
	})

	h.run(t, "a tree changed to a string has no nodes", func(t *testing.T, s store.Store) {
		createData(t, s, newTreeData(store.DefaultNamespace, "org", "Org"))
		_, err := s.UpdateDataResource(t.Context(), store.DefaultNamespace, "org", func(d *store.DataResource) error {
			d.Type, d.Struct = store.DataString, store.Struct{String: "product"}
			return nil
		})
		require.NoError(t, err)
		_, err = s.GetDataTreeNode(t.Context(), store.DefaultNamespace, "org", "product")
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}
