package store

import "strings"

// PathSeparator joins node codes into a [TreePath] path. Node codes may not
// contain it.
const PathSeparator = "/"

// TreeNode is one node of a TREE data resource.
type TreeNode struct {
	Name     string     `json:"name"`
	Code     string     `json:"code"`
	Value    string     `json:"value,omitempty"`
	Children []TreeNode `json:"children,omitempty"`
}

// Tree is the struct of a TREE data resource: its root nodes in order.
type Tree []TreeNode

// TreePath is one node of a flattened tree.
type TreePath struct {
	// Path joins the codes from the root down to this node with "/",
	// e.g. "product/productManager".
	Path  string `json:"path"`
	Code  string `json:"code"`
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
	// Depth is 1 for a root node, 2 for its children, and so on.
	Depth int `json:"depth"`
}

// treeFrame is one pending node of an iterative walk. Walks never recurse,
// so a tree of any depth is safe to traverse.
type treeFrame struct {
	node   *TreeNode
	parent string
	depth  int
}

// Walk visits every node in pre-order (a node before its children, siblings
// in order) and calls fn with the node's path and depth. Walk stops early
// and returns false when fn returns false. Building each path costs its
// length, so a walk costs the total length of all paths.
func (t Tree) Walk(fn func(node *TreeNode, path string, depth int) bool) bool {
	stack := make([]treeFrame, 0, len(t))
	for i := len(t) - 1; i >= 0; i-- {
		stack = append(stack, treeFrame{node: &t[i], depth: 1})
	}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		path := f.node.Code
		if f.depth > 1 {
			path = f.parent + PathSeparator + f.node.Code
		}
		if !fn(f.node, path, f.depth) {
			return false
		}
		kids := f.node.Children
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, treeFrame{node: &kids[i], parent: path, depth: f.depth + 1})
		}
	}
	return true
}

// Len returns the number of nodes in the tree. Unlike Walk it builds no
// paths, so it costs the same on a deep tree as on a wide one.
func (t Tree) Len() int {
	n := 0
	stack := []Tree{t}
	for len(stack) > 0 {
		level := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n += len(level)
		for i := range level {
			if len(level[i].Children) > 0 {
				stack = append(stack, level[i].Children)
			}
		}
	}
	return n
}

// Flatten lists every node in pre-order with its path and depth.
//
// Its cost is linear in the total length of the paths and does not depend
// on the node count otherwise: the paths are written one after another into
// a single string (each path copies its parent's, then adds its own code)
// and every TreePath.Path is a substring of it, so flattening allocates a
// fixed handful of buffers rather than one string per node. A caller that
// keeps a single path of a large tree keeps that string alive; strings.Clone
// the path to hold it alone.
func (t Tree) Flatten() []TreePath {
	n := t.Len()
	out := make([]TreePath, 0, n)
	// spans[i] locates out[i].Path in the string being built; parent is
	// the index in out of the node's parent, -1 for a root.
	type span struct{ parent, start, end int }
	spans := make([]span, 0, n)
	type frame struct {
		node   *TreeNode
		parent int
		depth  int
	}
	stack := make([]frame, 0, len(t))
	for i := len(t) - 1; i >= 0; i-- {
		stack = append(stack, frame{node: &t[i], parent: -1, depth: 1})
	}
	total := 0
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		size := len(f.node.Code)
		if f.parent >= 0 {
			size += spans[f.parent].end - spans[f.parent].start + len(PathSeparator)
		}
		self := len(out)
		spans = append(spans, span{parent: f.parent, start: total, end: total + size})
		total += size
		out = append(out, TreePath{Code: f.node.Code, Name: f.node.Name, Value: f.node.Value, Depth: f.depth})
		kids := f.node.Children
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, frame{node: &kids[i], parent: self, depth: f.depth + 1})
		}
	}
	// The builder is grown once to its final size, so its String never
	// moves: a path written earlier can be read back for its children.
	var b strings.Builder
	b.Grow(total)
	for i := range out {
		if p := spans[i].parent; p >= 0 {
			b.WriteString(b.String()[spans[p].start:spans[p].end])
			b.WriteString(PathSeparator)
		}
		b.WriteString(out[i].Code)
	}
	all := b.String()
	for i := range out {
		out[i].Path = all[spans[i].start:spans[i].end]
	}
	return out
}

// Find returns the node at path ("product/productManager"), with its
// subtree. It reads only the siblings along the path.
func (t Tree) Find(path string) (TreeNode, bool) {
	node, _ := t.Node(path)
	if node == nil {
		return TreeNode{}, false
	}
	return Tree{*node}.Clone()[0], true
}

// Node returns a pointer to the node at path inside t, and its depth, or
// nil and 0. It copies nothing, so it suits lookups whose caller reads only
// the node's own fields; the node must not be changed through it.
func (t Tree) Node(path string) (*TreeNode, int) {
	if path == "" {
		return nil, 0
	}
	level := []TreeNode(t)
	var found *TreeNode
	depth := 0
	for code := range strings.SplitSeq(path, PathSeparator) {
		found = nil
		for i := range level {
			if level[i].Code == code {
				found = &level[i]
				break
			}
		}
		if found == nil {
			return nil, 0
		}
		depth++
		level = found.Children
	}
	return found, depth
}

// Clone returns a deep copy of the tree, built without recursion. Empty
// child lists become nil, so a clone encodes and decodes back to itself.
func (t Tree) Clone() Tree {
	if t == nil {
		return nil
	}
	out := make(Tree, len(t))
	copy(out, t)
	type pending struct{ dst *[]TreeNode }
	stack := make([]pending, 0, len(out))
	for i := range out {
		stack = append(stack, pending{&out[i].Children})
	}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if len(*p.dst) == 0 {
			*p.dst = nil // "children": [] and no children are the same tree
			continue
		}
		kids := make([]TreeNode, len(*p.dst))
		copy(kids, *p.dst)
		*p.dst = kids
		for i := range kids {
			stack = append(stack, pending{&kids[i].Children})
		}
	}
	return out
}
