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

// UpdateNamespace changes the name or description of namespace code.
func (r *Registry) UpdateNamespace(ctx context.Context, code string, upd NamespaceUpdate) (Namespace, error) {
	name, desc := deref(upd.Name), deref(upd.Description)
	if err := checkNamespaceText(name, desc); err != nil {
		return Namespace{}, err
	}
	now, err := r.now("updatedAt")
	if err != nil {
		return Namespace{}, err
	}
	return r.store.UpdateNamespace(ctx, code, func(ns *Namespace) error {
		if upd.Name != nil {
			ns.Name = name
		}
		if upd.Description != nil {
			ns.Description = desc
		}
		ns.UpdatedAt = now
		return nil
	})
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
