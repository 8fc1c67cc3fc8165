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
// on the node count otherwise: a first walk sizes everything, a second
// writes the paths one after another into a single string (each path
// copies its parent's, then adds its own code) and fills each TreePath
// once, its Path a substring of that string. So flattening allocates a
// fixed handful of buffers rather than one string per node. A caller that
// keeps a single path of a large tree keeps that string alive;
// strings.Clone the path to hold it alone.
func (t Tree) Flatten() []TreePath {
	// First walk: the node count and the total length of the paths.
	type level struct {
		nodes     []TreeNode
		parentLen int // length of the parent's path, -1 for the roots
	}
	levels := []level{{t, -1}}
	n, total := 0, 0
	for len(levels) > 0 {
		l := levels[len(levels)-1]
		levels = levels[:len(levels)-1]
		n += len(l.nodes)
		for i := range l.nodes {
			size := len(l.nodes[i].Code)
			if l.parentLen >= 0 {
				size += l.parentLen + len(PathSeparator)
			}
			total += size
			if len(l.nodes[i].Children) > 0 {
				levels = append(levels, level{l.nodes[i].Children, size})
			}
		}
	}

	// Second walk, in pre-order. The builder is grown once to its final
	// size, so its String never moves: a path written earlier can be read
	// back for its children.
	out := make([]TreePath, 0, n)
	var b strings.Builder
	b.Grow(total)
	type frame struct {
		node               *TreeNode
		parentStart, depth int
		parentEnd          int // parentStart == parentEnd: a root
	}
	stack := make([]frame, 0, len(t))
	for i := len(t) - 1; i >= 0; i-- {
		stack = append(stack, frame{node: &t[i], depth: 1})
	}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		start := b.Len()
		if f.depth > 1 {
			b.WriteString(b.String()[f.parentStart:f.parentEnd])
			b.WriteString(PathSeparator)
		}
		b.WriteString(f.node.Code)
		end := b.Len()
		out = append(out, TreePath{Path: b.String()[start:end], Code: f.node.Code, Name: f.node.Name, Value: f.node.Value, Depth: f.depth})
		kids := f.node.Children
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, frame{node: &kids[i], parentStart: start, parentEnd: end, depth: f.depth + 1})
		}
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
