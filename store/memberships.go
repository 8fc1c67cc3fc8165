package store

import (
	"context"
	"time"
)

// Membership makes Member a direct member of Parent: every grant and policy
// of Parent (and of Parent's own parents) applies to Member. Memberships are
// registry-wide, not per namespace.
type Membership struct {
	Parent    Subject   `json:"parent"`
	Member    Subject   `json:"member"`
	CreatedAt time.Time `json:"createdAt"`
}

// Key returns "PARENT_TYPE:id/MEMBER_TYPE:id", the Key of its changes.
func (m Membership) Key() string { return m.Parent.String() + "/" + m.Member.String() }

// Listing kinds of the membership listings' page tokens (see
// [ListOptions.CursorFor]); members and memberships are bound to the subject
// they list from.
const (
	KindMembers        = "members"
	KindMemberships    = "memberships"
	KindAllMemberships = "allMemberships"
)

// MembershipOptions carries the limit a Store enforces inside AddMembers.
type MembershipOptions struct {
	// MaxDepth is the longest chain of membership edges allowed after the
	// write; 0 means no limit.
	MaxDepth int
}

// Memberships is the part of a [Store] that keeps the membership graph. The
// graph never holds a cycle, and never a chain longer than the MaxDepth
// given to the write that would have made it; both are checked inside the
// write, so concurrent writers cannot combine two allowed edges into a
// forbidden graph.
type Memberships interface {
	// AddMembers makes every member a direct member of parent; an existing
	// membership is left as it is and records no change. All or nothing.
	// Errors: ErrInvalid with Field "parent" if parent is a USER;
	// ErrInvalid with Field "members[i]" if member i is parent itself,
	// would close a cycle, or would make a chain longer than
	// opts.MaxDepth edges.
	AddMembers(ctx context.Context, parent Subject, members []Subject, opts MembershipOptions) error
	// RemoveMembers removes every listed direct membership of parent that
	// exists; a missing one is skipped. All or nothing.
	RemoveMembers(ctx context.Context, parent Subject, members []Subject) error
	// ListMembers lists the direct members of parent ordered by type, then
	// ID. A subject with no members gives an empty page, not an error.
	ListMembers(ctx context.Context, parent Subject, opts ListOptions) (Page[Subject], error)
	// ListMemberships lists the direct parents of member ordered by type,
	// then ID.
	ListMemberships(ctx context.Context, member Subject, opts ListOptions) (Page[Subject], error)
	// ListAllMemberships lists every membership ordered by parent, then
	// member (each by type, then ID), to load a permission index.
	ListAllMemberships(ctx context.Context, opts ListOptions) (Page[Membership], error)
}
