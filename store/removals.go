package store

import "slices"

// Removals is what an update of a data resource takes away: the paths of
// the tree nodes it drops (a dropped node's descendants included) and the
// actions it drops. Stores use it to refuse an update that would leave an
// exact policy ref dangling (see [DataPolicies]).
type Removals struct {
	Nodes   map[string]bool
	Actions map[string]bool
}

// RemovedByUpdate returns what replacing old with updated removes.
func RemovedByUpdate(old, updated *DataResource) Removals {
	r := Removals{Nodes: make(map[string]bool), Actions: make(map[string]bool)}
	old.Struct.Tree.Walk(func(_ *TreeNode, path string, _ int) bool {
		r.Nodes[path] = true
		return true
	})
	updated.Struct.Tree.Walk(func(_ *TreeNode, path string, _ int) bool {
		delete(r.Nodes, path)
		return true
	})
	for _, a := range old.Actions {
		if !slices.Contains(updated.Actions, a) {
			r.Actions[a] = true
		}
	}
	return r
}

// Pins reports whether an exact ref naming nodePath and action ("" for
// none) names something the update removes.
func (r Removals) Pins(nodePath, action string) bool {
	return (nodePath != "" && r.Nodes[nodePath]) || (action != "" && r.Actions[action])
}
