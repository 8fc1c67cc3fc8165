package store

import (
	"slices"
	"strings"
	"time"
)

// Resource types named by Authing. Other type IDs (such as EnOS resource type
// IDs) are accepted as they are.
const (
	TypeData   = "DATA"
	TypeAPI    = "API"
	TypeMenu   = "MENU"
	TypeButton = "BUTTON"
	TypeUI     = "UI"
)

// Resource is something that can be protected, with the actions that exist on
// it. Codes and IDs are each unique within a namespace.
type Resource struct {
	ID             string    `json:"id"`
	Namespace      string    `json:"namespace"`
	Code           string    `json:"code"`
	Type           string    `json:"type"`
	Name           I18nName  `json:"name"`
	Description    string    `json:"description,omitempty"`
	Actions        []Action  `json:"actions"`
	APIIdentifier  string    `json:"apiIdentifier,omitempty"`
	LinkedToTenant bool      `json:"linkedToTenant"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

// Clone returns a deep copy; empty slices and maps become nil.
func (r Resource) Clone() Resource {
	r.Name = r.Name.Clone()
	if len(r.Actions) == 0 {
		r.Actions = nil
	} else {
		r.Actions = slices.Clone(r.Actions)
	}
	return r
}

// ResourceFilter selects resources in one namespace. Empty fields select
// everything; non-empty fields must all match. The Registry accepts at most
// Limits.MaxBatch items in each of Types, Codes and IDs; stores match them
// through sets ([ResourceFilter.Matcher]).
type ResourceFilter struct {
	Namespace string   `json:"namespace,omitempty"`
	Types     []string `json:"types,omitempty"`
	Codes     []string `json:"codes,omitempty"`
	IDs       []string `json:"ids,omitempty"`
	// Keyword is a case-insensitive substring of the code or of any name
	// value (the default or a translation); see [MatchKeyword].
	Keyword string `json:"keyword,omitempty"`
}

// Match reports whether r passes every condition of the filter except the
// namespace, which stores select by index. It builds the filter's sets on
// each call; a store that tests many records uses [ResourceFilter.Matcher].
func (f ResourceFilter) Match(r *Resource) bool { return f.Matcher()(r) }

// Matcher returns Match as a function that looks Types, Codes and IDs up in
// sets built once, so that testing a record costs the same whatever the
// length of the filter's lists.
func (f ResourceFilter) Matcher() func(r *Resource) bool {
	types, codes, ids := setOf(f.Types), setOf(f.Codes), setOf(f.IDs)
	return func(r *Resource) bool {
		if !types.has(r.Type) || !codes.has(r.Code) || !ids.has(r.ID) {
			return false
		}
		return f.matchKeyword(r)
	}
}

// matchKeyword is the keyword condition of Match.
func (f ResourceFilter) matchKeyword(r *Resource) bool {
	if f.Keyword == "" {
		return true
	}
	kw := strings.ToLower(f.Keyword)
	if containsFold(r.Code, kw) || containsFold(r.Name.DefaultValue, kw) {
		return true
	}
	for _, v := range r.Name.I18nValue {
		if containsFold(v, kw) {
			return true
		}
	}
	return false
}

// set is a filter list looked up by value; a nil set matches everything,
// as an empty filter list does.
type set[T comparable] map[T]struct{}

// setOf returns the set of items, nil when there are none.
func setOf[T comparable](items []T) set[T] {
	if len(items) == 0 {
		return nil
	}
	s := make(set[T], len(items))
	for _, it := range items {
		s[it] = struct{}{}
	}
	return s
}

// has reports whether v is in the set; every value is in the nil set.
func (s set[T]) has(v T) bool {
	if s == nil {
		return true
	}
	_, ok := s[v]
	return ok
}

// MatchKeyword reports whether keyword is a case-insensitive substring of any
// of values. Case is folded with strings.ToLower, the same rule in every
// store.
func MatchKeyword(keyword string, values ...string) bool {
	kw := strings.ToLower(keyword)
	for _, v := range values {
		if containsFold(v, kw) {
			return true
		}
	}
	return false
}

// containsFold reports whether lowerKeyword occurs in s, ignoring case.
func containsFold(s, lowerKeyword string) bool {
	return strings.Contains(strings.ToLower(s), lowerKeyword)
}
