package resreg

import (
	"strconv"

	"github.com/resreg/resreg/store"
)

// Tree is the struct of a TREE data resource: its root nodes, in order.
// [store.Tree.Flatten] lists every node with its path in pre-order and
// [store.Tree.Find] returns the node at a path. Neither recurses, so depth
// never threatens the stack.
type Tree = store.Tree

// TreeNode is one node of a [Tree].
type TreeNode = store.TreeNode

// TreePath is one node of a flattened [Tree]: its path of codes joined by
// "/", its code, name, value and depth (roots are depth 1).
type TreePath = store.TreePath

// Node returns a TreeNode; a convenience for building trees in code.
func Node(code, name, value string, children ...TreeNode) TreeNode {
	return TreeNode{Code: code, Name: name, Value: value, Children: children}
}

// treeItem is a node awaiting validation. parent indexes the items slice so
// that the field path of a bad node is built only when it is reported.
type treeItem struct {
	node   *TreeNode
	index  int // position among its siblings
	parent int // index into the items slice; -1 for a root
	depth  int
}

// checkTree enforces the tree rules at field (normally "struct"):
//   - at least one node, at most lim.MaxTreeNodes nodes, at most
//     lim.MaxTreeDepth levels;
//   - every node has a code following the code rule (so no '/') and a
//     non-blank name of at most MaxNameLen characters; value is optional
//     text of at most MaxValueLen characters;
//   - codes are unique among siblings, and so are names.
//
// It walks breadth-first without recursion and stops at the first node past
// a limit, so its work is bounded by the limits, not by the input.
func checkTree(field string, t Tree, lim Limits) error {
	if len(t) == 0 {
		return store.Invalid(field, "must hold at least one node")
	}
	if len(t) > lim.MaxTreeNodes {
		return store.Invalid(field, "must hold at most "+strconv.Itoa(lim.MaxTreeNodes)+" nodes")
	}
	items := make([]treeItem, 0, min(lim.MaxTreeNodes, 1024))
	for i := range t {
		items = append(items, treeItem{node: &t[i], index: i, parent: -1, depth: 1})
	}
	codes := make(map[string]int)
	names := make(map[string]int)
	// Roots are siblings of each other: check them as one group first.
	if err := checkSiblings(field, items, 0, len(items), codes, names); err != nil {
		return err
	}
	for at := 0; at < len(items); at++ {
		it := items[at]
		if err := checkTreeNode(items, at, field); err != nil {
			return err
		}
		kids := it.node.Children
		if len(kids) == 0 {
			continue
		}
		if it.depth+1 > lim.MaxTreeDepth {
			return store.Invalid(treeField(items, at, field)+".children", "tree must be at most "+strconv.Itoa(lim.MaxTreeDepth)+" levels deep")
		}
		if len(items)+len(kids) > lim.MaxTreeNodes {
			return store.Invalid(field, "must hold at most "+strconv.Itoa(lim.MaxTreeNodes)+" nodes")
		}
		first := len(items)
		for i := range kids {
			items = append(items, treeItem{node: &kids[i], index: i, parent: at, depth: it.depth + 1})
		}
		if err := checkSiblings(field, items, first, len(items), codes, names); err != nil {
			return err
		}
	}
	return nil
}

// checkTreeNode checks one node's own fields.
func checkTreeNode(items []treeItem, at int, field string) error {
	n := items[at].node
	for _, f := range [...]struct{ name, problem string }{
		{"code", codeProblem(n.Code)},
		{"name", textProblem(n.Name, MaxNameLen, true)},
		{"value", textProblem(n.Value, MaxValueLen, false)},
	} {
		if f.problem != "" {
			return store.Invalid(treeField(items, at, field)+"."+f.name, f.problem)
		}
	}
	return nil
}

// checkSiblings checks that items[from:to], one sibling group, repeat no
// code and no name. The maps are scratch space reused across groups.
func checkSiblings(field string, items []treeItem, from, to int, codes, names map[string]int) error {
	if to-from < 2 {
		return nil
	}
	clear(codes)
	clear(names)
	for at := from; at < to; at++ {
		n := items[at].node
		if j, dup := codes[n.Code]; dup {
			return store.Invalid(treeField(items, at, field)+".code", "repeats the code of sibling "+strconv.Itoa(items[j].index)+": "+strconv.Quote(n.Code))
		}
		codes[n.Code] = at
		if j, dup := names[n.Name]; dup {
			return store.Invalid(treeField(items, at, field)+".name", "repeats the name of sibling "+strconv.Itoa(items[j].index)+": "+strconv.Quote(n.Name))
		}
		names[n.Name] = at
	}
	return nil
}

// treeField builds the JSON path of items[at], such as
// "struct[0].children[1]", by following parent links; it runs only when an
// error is reported.
func treeField(items []treeItem, at int, field string) string {
	var chain []int
	for i := at; i >= 0; i = items[i].parent {
		chain = append(chain, items[i].index)
	}
	path := field
	for i := len(chain) - 1; i >= 0; i-- {
		if i == len(chain)-1 {
			path = index(path, chain[i])
		} else {
			path = index(path+".children", chain[i])
		}
	}
	return path
}
