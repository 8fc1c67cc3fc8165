package store

// BuildTree turns nodes listed in pre-order, each with its depth (1 for a
// root), back into a tree: the form in which a store that keeps one row per
// node reads a tree back. It reports false when the depths cannot come from
// a pre-order walk (a first depth other than 1, or a jump of more than one
// level down), which for a store means its rows are corrupt. The nodes'
// Children are filled in place.
//
// Going backwards, every node's descendants are complete before the node
// itself is copied into its parent, so each node is copied once.
func BuildTree(nodes []TreeNode, depths []int) (Tree, bool) {
	n := len(nodes)
	parent := make([]int, n)
	childCount := make([]int, n)
	stack := make([]int, 0, 16) // stack[d-1] is the latest node at depth d
	roots := 0
	for i, d := range depths {
		if d < 1 || d > len(stack)+1 {
			return nil, false
		}
		stack = append(stack[:d-1], i)
		if d == 1 {
			parent[i] = -1
			roots++
			continue
		}
		parent[i] = stack[d-2]
		childCount[parent[i]]++
	}
	// fill[i] is how many children of node i are still to be placed;
	// children are placed from the back because the walk goes backwards.
	fill := make([]int, n)
	tree := make(Tree, roots)
	rootFill := roots
	for i := n - 1; i >= 0; i-- {
		p := parent[i]
		if p < 0 {
			rootFill--
			tree[rootFill] = nodes[i]
			continue
		}
		if nodes[p].Children == nil {
			nodes[p].Children = make([]TreeNode, childCount[p])
			fill[p] = childCount[p]
		}
		fill[p]--
		nodes[p].Children[fill[p]] = nodes[i]
	}
	return tree, true
}
