package resreg

import (
	"context"

	"github.com/resreg/resreg/store"
)

// AddMembers makes every member a direct member of parent, so that every
// grant and data policy of parent and of its ancestors applies to them.
// Memberships are registry-wide. A USER cannot be a parent; a member that
// is parent itself, that would close a cycle or make a chain longer than
// Limits.MaxMembershipDepth edges is ErrInvalid with Field "members[i]".
// At most Limits.MaxBatch members, without repeats; none does nothing.
// Adding an existing membership is a no-op. All or nothing.
func (r *Registry) AddMembers(ctx context.Context, parent Subject, members ...Subject) error {
	if err := checkSubject("parent", parent); err != nil {
		return err
	}
	if parent.Type == SubjectUser {
		return store.Invalid("parent", "a USER cannot have members")
	}
	if err := r.checkMembership(parent, members); err != nil {
		return err
	}
	if len(members) == 0 {
		return ctx.Err()
	}
	return r.store.AddMembers(ctx, parent, cloneSubjects(members), store.MembershipOptions{MaxDepth: r.limits.MaxMembershipDepth})
}

// RemoveMembers removes the direct memberships of members in parent;
// removing one that does not exist is a no-op. Bounds as for AddMembers.
// All or nothing.
func (r *Registry) RemoveMembers(ctx context.Context, parent Subject, members ...Subject) error {
	if err := r.checkMembership(parent, members); err != nil {
		return err
	}
	if len(members) == 0 {
		return ctx.Err()
	}
	return r.store.RemoveMembers(ctx, parent, cloneSubjects(members))
}

// ListMembers lists the direct members of parent, ordered by type, then ID.
func (r *Registry) ListMembers(ctx context.Context, parent Subject, opts ListOptions) (Page[Subject], error) {
	if err := checkSubject("parent", parent); err != nil {
		return Page[Subject]{}, err
	}
	return r.store.ListMembers(ctx, parent, opts)
}

// ListMemberships lists the direct parents of member, ordered by type,
// then ID.
func (r *Registry) ListMemberships(ctx context.Context, member Subject, opts ListOptions) (Page[Subject], error) {
	if err := checkSubject("member", member); err != nil {
		return Page[Subject]{}, err
	}
	return r.store.ListMemberships(ctx, member, opts)
}

// checkMembership validates the parent and the members of one call.
func (r *Registry) checkMembership(parent Subject, members []Subject) error {
	if err := checkSubject("parent", parent); err != nil {
		return err
	}
	if err := checkBound("members", len(members), r.limits.MaxBatch); err != nil {
		return err
	}
	return checkList("members", members, checkSubject)
}

// cloneSubjects copies a caller's slice before it reaches the store.
func cloneSubjects(s []Subject) []Subject { return append([]Subject(nil), s...) }
