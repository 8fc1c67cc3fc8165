package resreg

import (
	"strconv"
	"strings"

	"github.com/resreg/resreg/store"
)

// Permission is a parsed data policy permission,
// "namespaceCode/resourceCode[/nodeCode]*/action" (Authing's syntax).
//
// Resource and each node are a code, "*" (any one code at that place) or a
// code prefix followed by "*" ("server_2023*": codes with that prefix).
// Action is an action name or "*" (every action, also those added later).
// Namespace is always a plain code.
type Permission struct {
	Namespace string
	Resource  string
	Nodes     []string
	Action    string
}

// ParsePermission parses s by the permission syntax. Errors are ErrInvalid
// with an empty Field; the Registry names the field.
func ParsePermission(s string) (Permission, error) {
	return parsePermission("", s, DefaultLimits().MaxTreeDepth)
}

// parsePermission parses s, reporting errors on field. A permission holds
// at most maxDepth node segments, the deepest a tree may be.
func parsePermission(field, s string, maxDepth int) (Permission, error) {
	// Bound the work before splitting: maxDepth+3 segments of at most
	// MaxCodeLen characters each, plus the separators.
	if maxLen := (maxDepth + 3) * (MaxCodeLen + 1); len(s) > maxLen {
		return Permission{}, store.Invalid(field, "must be at most "+strconv.Itoa(maxLen)+" characters")
	}
	if s == "" {
		return Permission{}, store.Invalid(field, "is required")
	}
	segs := strings.Split(s, "/")
	if len(segs) < 3 {
		return Permission{}, store.Invalid(field, `must be "namespace/resource[/node]*/action", got `+strconv.Quote(s))
	}
	if len(segs)-3 > maxDepth {
		return Permission{}, store.Invalid(field, "names nodes deeper than "+strconv.Itoa(maxDepth)+" levels")
	}
	for i, seg := range segs {
		if seg == "" {
			return Permission{}, store.Invalid(field, "segment "+strconv.Itoa(i)+" is empty in "+strconv.Quote(s))
		}
	}
	p := Permission{Namespace: segs[0], Resource: segs[1], Action: segs[len(segs)-1]}
	if len(segs) > 3 {
		p.Nodes = segs[2 : len(segs)-1]
	}
	if pr := codeProblem(p.Namespace); pr != "" {
		return Permission{}, store.Invalid(field, "namespace segment "+pr+" (it is never a wildcard)")
	}
	if pr := segmentProblem(p.Resource); pr != "" {
		return Permission{}, store.Invalid(field, "resource segment "+pr)
	}
	for i, n := range p.Nodes {
		if pr := segmentProblem(n); pr != "" {
			return Permission{}, store.Invalid(field, "node segment "+strconv.Itoa(i)+" "+pr)
		}
	}
	if p.Action != Wildcard {
		if pr := codeProblem(p.Action); pr != "" {
			return Permission{}, store.Invalid(field, `action segment must be an action name or "*": `+pr)
		}
	}
	return p, nil
}

// segmentProblem checks a resource or node segment: a code, "*", or a code
// prefix followed by one trailing "*".
func segmentProblem(seg string) string {
	if seg == Wildcard {
		return ""
	}
	code := strings.TrimSuffix(seg, "*")
	if strings.Contains(code, "*") {
		return `may hold "*" only at its end, got ` + strconv.Quote(seg)
	}
	return codeProblem(code)
}

// Exact reports whether the resource and every node segment are without
// wildcards: the permission names one data resource, or one node of it.
func (p Permission) Exact() bool {
	if isPattern(p.Resource) {
		return false
	}
	for _, n := range p.Nodes {
		if isPattern(n) {
			return false
		}
	}
	return true
}

// String returns the permission in its syntax.
func (p Permission) String() string {
	parts := make([]string, 0, len(p.Nodes)+3)
	parts = append(parts, p.Namespace, p.Resource)
	parts = append(parts, p.Nodes...)
	parts = append(parts, p.Action)
	return strings.Join(parts, "/")
}

func isPattern(seg string) bool { return strings.HasSuffix(seg, "*") }

// ref is what the store keeps of the permission to check and pin it.
func (p Permission) ref(statement, permission int) store.PolicyRef {
	ref := store.PolicyRef{Statement: statement, Permission: permission, Namespace: p.Namespace}
	if !isPattern(p.Resource) {
		ref.ResourceCode = p.Resource
	}
	if p.Action != Wildcard {
		ref.Action = p.Action
	}
	if p.Exact() {
		ref.Exact = true
		ref.NodePath = strings.Join(p.Nodes, "/")
	}
	return ref
}
