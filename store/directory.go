package store

import (
	"context"
	"encoding/json"
	"time"
)

// KindDirectory is the listing kind of [Directory.ListDirectoryEntries] page
// tokens; a token is bound to the filter's type and namespace.
const KindDirectory = "directory"

// DirectoryEntry is a subject the registry knows by name: a user, a role or
// a group of the directory that Authing's permission flows name. Grants,
// policy targets and memberships may name any subject, entry or not; an
// entry adds a display name and attributes, and its deletion removes what
// names it.
type DirectoryEntry struct {
	Subject Subject `json:"subject"`
	// Namespace is the namespace a role belongs to (Authing's roles live
	// in one namespace each); empty for users and groups, which are
	// registry-wide.
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	// Attributes is a JSON object kept as given (a user's email, a group's
	// description...); nil when none.
	Attributes json.RawMessage `json:"attributes,omitempty"`
	CreatedAt  time.Time       `json:"createdAt"`
	UpdatedAt  time.Time       `json:"updatedAt"`
}

// Clone returns a copy that shares nothing with e.
func (e DirectoryEntry) Clone() DirectoryEntry {
	if e.Attributes != nil {
		e.Attributes = append(json.RawMessage(nil), e.Attributes...)
	}
	return e
}

// DirectoryFilter selects the entries of one subject type and, when
// Namespace is set, of that namespace.
type DirectoryFilter struct {
	Type      string `json:"type"`
	Namespace string `json:"namespace,omitempty"`
}

// Directory is the part of a [Store] that keeps directory entries, one per
// subject. Its changes have Kind [KindDirectoryEntry], the entry's
// Namespace and Key Subject.String().
type Directory interface {
	// PutDirectoryEntry adds e. When an entry of e.Subject exists, it
	// returns ErrConflict (Codes holding e.Subject.String()) unless
	// replace is set, in which case the stored entry takes e's Namespace,
	// Name, Attributes and UpdatedAt and keeps its CreatedAt. It returns
	// ErrNamespaceNotFound if e.Namespace is set and does not exist.
	PutDirectoryEntry(ctx context.Context, e DirectoryEntry, replace bool) error
	// GetDirectoryEntry returns ErrNotFound if no entry has subject.
	GetDirectoryEntry(ctx context.Context, subject Subject) (DirectoryEntry, error)
	// DeleteDirectoryEntries removes every listed entry or none: if one
	// does not exist it returns ErrNotFound whose Codes list the missing
	// subjects (as Subject.String(), in input order, without repeats).
	// In the same write it removes, for every deleted subject, its
	// memberships in both directions, its grants in every namespace and
	// its policy targets, recording each removal in the change log after
	// the entry's own deletion.
	DeleteDirectoryEntries(ctx context.Context, subjects []Subject) error
	// ListDirectoryEntries lists the entries matching filter ordered by
	// subject ID. It returns ErrInvalid (Field "type") if filter.Type is
	// empty.
	ListDirectoryEntries(ctx context.Context, filter DirectoryFilter, opts ListOptions) (Page[DirectoryEntry], error)
}

// CheckDirectoryFilter checks filter; stores call it first so that every
// store rejects the same input.
func CheckDirectoryFilter(filter DirectoryFilter) error {
	if filter.Type == "" {
		return Invalid("type", "a directory listing needs a subject type")
	}
	return nil
}

// DirectoryScope is the scope a directory listing's page token is bound to.
func DirectoryScope(filter DirectoryFilter) string { return filter.Type + "/" + filter.Namespace }
