package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"time"
)

// DataType is the kind of a data resource; it fixes the shape of its
// [Struct].
type DataType string

// The data resource types of Authing's createDataResource.
const (
	DataString DataType = "STRING"
	DataArray  DataType = "ARRAY"
	DataTree   DataType = "TREE"
)

// Struct is the content of a data resource. It holds exactly one shape:
// String for STRING, Array for ARRAY, Tree for TREE.
//
// In JSON it is a string, an array of strings or an array of tree nodes; the
// JSON itself tells which, so it decodes the same whatever the order of
// "type" and "struct" in the enclosing object.
type Struct struct {
	String string
	Array  []string
	Tree   Tree
}

// Shape reports which shape the Struct holds: TREE when Tree is set, ARRAY
// when Array is set (even empty), STRING otherwise.
func (s Struct) Shape() DataType {
	switch {
	case s.Tree != nil:
		return DataTree
	case s.Array != nil:
		return DataArray
	default:
		return DataString
	}
}

// IsEmpty reports whether the Struct holds an empty string, array or tree.
func (s Struct) IsEmpty() bool {
	return s.String == "" && len(s.Array) == 0 && len(s.Tree) == 0
}

// Clone returns a deep copy.
func (s Struct) Clone() Struct {
	return Struct{String: s.String, Array: slices.Clone(s.Array), Tree: s.Tree.Clone()}
}

// MarshalJSON encodes the held shape: a string, a string array or a node
// array.
func (s Struct) MarshalJSON() ([]byte, error) {
	switch s.Shape() {
	case DataTree:
		return json.Marshal([]TreeNode(s.Tree))
	case DataArray:
		return json.Marshal(s.Array)
	default:
		return json.Marshal(s.String)
	}
}

var errStructShape = errors.New("struct must be a string, an array of strings or an array of tree nodes")

// UnmarshalJSON decodes a string, an array of strings or an array of tree
// nodes, choosing by the first element. An empty array decodes to an empty,
// non-nil Array; null decodes to the zero Struct.
func (s *Struct) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*s = Struct{}
	if len(b) == 0 {
		return errStructShape
	}
	switch b[0] {
	case 'n':
		if bytes.Equal(b, []byte("null")) {
			return nil
		}
	case '"':
		return json.Unmarshal(b, &s.String)
	case '[':
		first := bytes.TrimSpace(b[1:])
		if len(first) > 0 && first[0] == '{' {
			var nodes []TreeNode
			if err := json.Unmarshal(b, &nodes); err != nil {
				return err
			}
			s.Tree = Tree(nodes)
			return nil
		}
		var items []string
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		if items == nil {
			items = []string{}
		}
		s.Array = items
		return nil
	}
	return errStructShape
}

// DataResource is a piece of data with permissions of its own: a string (an
// API path, a user ID), an array (access card numbers) or a tree (an
// organisation chart). Its code and its name are each unique within the
// namespace.
type DataResource struct {
	NamespaceCode string    `json:"namespaceCode"`
	ResourceCode  string    `json:"resourceCode"`
	ResourceName  string    `json:"resourceName"`
	Description   string    `json:"description,omitempty"`
	Type          DataType  `json:"type"`
	Struct        Struct    `json:"struct"`
	Actions       []string  `json:"actions"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// Clone returns a deep copy.
func (d DataResource) Clone() DataResource {
	d.Struct = d.Struct.Clone()
	if len(d.Actions) == 0 {
		d.Actions = nil
	} else {
		d.Actions = slices.Clone(d.Actions)
	}
	return d
}

// DataResourceFilter selects data resources in one namespace.
type DataResourceFilter struct {
	Namespace string     `json:"namespace,omitempty"`
	Types     []DataType `json:"types,omitempty"`
	// Keyword is a case-insensitive substring of the resource code or name.
	Keyword string `json:"keyword,omitempty"`
}

// Match reports whether d passes every condition except the namespace. It
// builds the type set on each call; a store that tests many records uses
// [DataResourceFilter.Matcher].
func (f DataResourceFilter) Match(d *DataResource) bool { return f.Matcher()(d) }

// Matcher returns Match as a function that looks Types up in a set built
// once.
func (f DataResourceFilter) Matcher() func(d *DataResource) bool {
	types := setOf(f.Types)
	return func(d *DataResource) bool {
		if !types.has(d.Type) {
			return false
		}
		return f.Keyword == "" || MatchKeyword(f.Keyword, d.ResourceCode, d.ResourceName)
	}
}
