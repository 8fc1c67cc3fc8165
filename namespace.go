package resreg

import (
	"context"

	"github.com/resreg/resreg/store"
)

// DefaultNamespace is the namespace used when none is given. It always
// exists and cannot be deleted.
const DefaultNamespace = store.DefaultNamespace

// Namespace groups resources: Authing's permission space, EnOS's
// organisation unit (orgId).
type Namespace = store.Namespace

// NamespaceUpdate changes a namespace; nil fields stay as they are.
type NamespaceUpdate struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	// NewCode, when set to a code other than the namespace's, renames the
	// namespace and moves everything in it (see [Registry.UpdateNamespace]).
	NewCode *string `json:"newCode,omitempty"`
}

// CreateNamespace adds a namespace. Code follows the code rule; Name and
// Description are optional text (MaxNameLen, MaxDescriptionLen). CreatedAt
// and UpdatedAt are set by the Registry. An existing code is ErrConflict.
func (r *Registry) CreateNamespace(ctx context.Context, ns Namespace) (Namespace, error) {
	if err := checkCode("code", ns.Code); err != nil {
		return Namespace{}, err
	}
	if err := checkNamespaceText(ns.Name, ns.Description); err != nil {
		return Namespace{}, err
	}
	now, err := r.now("createdAt")
	if err != nil {
		return Namespace{}, err
	}
	ns.CreatedAt = now
	ns.UpdatedAt = ns.CreatedAt
	if err := r.store.CreateNamespace(ctx, ns); err != nil {
		return Namespace{}, err
	}
	return ns, nil
}

// GetNamespace returns the namespace code, or ErrNamespaceNotFound.
func (r *Registry) GetNamespace(ctx context.Context, code string) (Namespace, error) {
	return r.store.GetNamespace(ctx, code)
}

// ListNamespaces lists namespaces ordered by code.
func (r *Registry) ListNamespaces(ctx context.Context, opts ListOptions) (Page[Namespace], error) {
	return r.store.ListNamespaces(ctx, opts)
}

// UpdateNamespace changes the name or description of namespace code and,
// with a NewCode other than code, renames it.
//
// A rename moves, in one write, everything kept under the namespace: its
// resources, data resources and grants, the roles that belong to it (their
// subjects, [RoleID], follow in every membership, grant and policy
// target), and, in every data policy, the permissions that name it
// ("code/..." becomes "newCode/..."). IDs, CreatedAt and every other field
// of the moved records stay as they are, and permission checks answer
// under the new code as they did under the old one, which then names
// nothing. NewCode follows the code rule (ErrInvalid with Field
// "newCode"); renaming DefaultNamespace, or another namespace to it, is
// ErrInvalid; a NewCode already taken, or one whose roles a deleted
// namespace of that code left behind, is ErrConflict; a missing namespace
// is ErrNamespaceNotFound. The change log records the rename as one change
// of op OpRename (see [store.OpRename]).
func (r *Registry) UpdateNamespace(ctx context.Context, code string, upd NamespaceUpdate) (Namespace, error) {
	name, desc := deref(upd.Name), deref(upd.Description)
	if err := checkNamespaceText(name, desc); err != nil {
		return Namespace{}, err
	}
	rename := upd.NewCode != nil && *upd.NewCode != code
	if rename {
		if err := checkCode("newCode", *upd.NewCode); err != nil {
			return Namespace{}, err
		}
		if err := store.CheckRename(code, *upd.NewCode); err != nil {
			return Namespace{}, err
		}
	}
	now, err := r.now("updatedAt")
	if err != nil {
		return Namespace{}, err
	}
	edit := func(ns *Namespace) error {
		if upd.Name != nil {
			ns.Name = name
		}
		if upd.Description != nil {
			ns.Description = desc
		}
		ns.UpdatedAt = now
		return nil
	}
	if rename {
		return r.store.RenameNamespace(ctx, code, *upd.NewCode, edit)
	}
	return r.store.UpdateNamespace(ctx, code, edit)
}

// DeleteNamespace removes an empty namespace. Deleting DefaultNamespace is
// ErrInvalid; a namespace that still holds resources, data resources or
// grants, or that a data policy names, is ErrConflict; a missing one is
// ErrNamespaceNotFound.
func (r *Registry) DeleteNamespace(ctx context.Context, code string) error {
	if code == DefaultNamespace {
		return store.Invalid("code", "the default namespace cannot be deleted")
	}
	return r.store.DeleteNamespace(ctx, code)
}

func checkNamespaceText(name, description string) error {
	if err := checkText("name", name, MaxNameLen, false); err != nil {
		return err
	}
	return checkText("description", description, MaxDescriptionLen, false)
}

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
