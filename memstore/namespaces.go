package memstore

import (
	"context"

	"github.com/resreg/resreg/store"
)

// CreateNamespace adds ns. It returns ErrConflict if ns.Code exists.
func (s *Store) CreateNamespace(ctx context.Context, ns store.Namespace) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckTimes("", ns.CreatedAt, ns.UpdatedAt); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	if _, ok := s.byCode[ns.Code]; ok {
		return store.NamespaceExists(ns.Code)
	}
	s.addNamespace(ns)
	s.logChange(ctx, changeTime(), store.OpCreate, store.KindNamespace, ns.Code, ns.Code, s.byCode[ns.Code].meta)
	return nil
}

// GetNamespace returns namespace code, or ErrNamespaceNotFound.
func (s *Store) GetNamespace(ctx context.Context, code string) (store.Namespace, error) {
	ns, err := s.readNamespace(ctx, code)
	if err != nil {
		return store.Namespace{}, err
	}
	defer s.runlock(ctx)
	return ns.meta, nil
}

// ListNamespaces lists every namespace in code order, DefaultNamespace
// included.
func (s *Store) ListNamespaces(ctx context.Context, opts store.ListOptions) (store.Page[store.Namespace], error) {
	if err := ctx.Err(); err != nil {
		return store.Page[store.Namespace]{}, err
	}
	cur, err := opts.CursorFor(store.KindNamespaces, "")
	if err != nil {
		return store.Page[store.Namespace]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[store.Namespace]{}, err
	}
	defer s.runlock(ctx)
	key := func(ns *namespace) string { return ns.meta.Code }
	src := treeSource(s.namespaces, cur.After, key, func(code string) *namespace {
		return &namespace{meta: store.Namespace{Code: code}}
	})
	return page(src, listing[*namespace, store.Namespace]{
		kind:   store.KindNamespaces,
		key:    key,
		out:    func(ns *namespace) store.Namespace { return ns.meta },
		cursor: cur,
		total:  opts.IncludeTotal,
	}), nil
}

// UpdateNamespace applies fn to a copy of namespace code and stores the
// result, keeping the stored Code and CreatedAt.
func (s *Store) UpdateNamespace(ctx context.Context, code string, fn func(*store.Namespace) error) (_ store.Namespace, err error) {
	defer s.noteFailure(ctx, &err)
	ns, err := s.writeNamespace(ctx, code)
	if err != nil {
		return store.Namespace{}, err
	}
	defer s.unlock(ctx)
	next := ns.meta
	if err := fn(&next); err != nil {
		return store.Namespace{}, err
	}
	next.Code = ns.meta.Code
	next.CreatedAt = ns.meta.CreatedAt
	if err := store.CheckTime("updatedAt", next.UpdatedAt); err != nil {
		return store.Namespace{}, err
	}
	next.UpdatedAt = next.UpdatedAt.UTC()
	ns.setMeta(next)
	s.logChange(ctx, changeTime(), store.OpUpdate, store.KindNamespace, code, code, next)
	return next, nil
}

// DeleteNamespace removes an empty namespace other than DefaultNamespace.
func (s *Store) DeleteNamespace(ctx context.Context, code string) (err error) {
	defer s.noteFailure(ctx, &err)
	ns, err := s.writeNamespace(ctx, code)
	if err != nil {
		return err
	}
	defer s.unlock(ctx)
	if code == store.DefaultNamespace {
		return store.DefaultNamespaceUndeletable()
	}
	if ns.resources.Len() > 0 || ns.data.Len() > 0 {
		return store.NamespaceNotEmpty(code)
	}
	if ns.grants.tree.Len() > 0 {
		return store.NamespaceHoldsGrants(code)
	}
	if ids := s.policies.namespaces[code]; len(ids) > 0 {
		return store.NamespaceNamedByPolicies(code, sortedKeys(ids))
	}
	s.dropNamespace(ns)
	s.logChange(ctx, changeTime(), store.OpDelete, store.KindNamespace, code, code, ns.meta)
	return nil
}
