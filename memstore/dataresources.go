package memstore

import (
	"context"
	"slices"

	"github.com/resreg/resreg/store"
)

// CreateDataResource adds d. A taken code is reported before a taken name.
func (s *Store) CreateDataResource(ctx context.Context, d store.DataResource) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckTimes("", d.CreatedAt, d.UpdatedAt); err != nil {
		return err
	}
	ns, err := s.writeNamespace(ctx, d.NamespaceCode)
	if err != nil {
		return err
	}
	defer s.unlock(ctx)
	if _, ok := ns.dataByCode[d.ResourceCode]; ok {
		return store.DataCodeTaken(d.ResourceCode)
	}
	if _, ok := ns.dataByName[d.ResourceName]; ok {
		return store.DataNameTaken(d.ResourceName, d.ResourceCode)
	}
	rec := newDataResource(&d)
	ns.putData(rec)
	s.logChange(ctx, changeTime(), store.OpCreate, store.KindDataResource, rec.NamespaceCode, rec.ResourceCode, frozenData(rec))
	return nil
}

// GetDataResource returns the data resource with code in namespace.
func (s *Store) GetDataResource(ctx context.Context, namespace, code string) (store.DataResource, error) {
	ns, err := s.readNamespace(ctx, namespace)
	if err != nil {
		return store.DataResource{}, err
	}
	defer s.runlock(ctx)
	rec, ok := ns.dataByCode[code]
	if !ok {
		return store.DataResource{}, dataNotFound(namespace, code)
	}
	return rec.Clone(), nil
}

// GetDataResourceByName returns the data resource named name in namespace.
func (s *Store) GetDataResourceByName(ctx context.Context, namespace, name string) (store.DataResource, error) {
	ns, err := s.readNamespace(ctx, namespace)
	if err != nil {
		return store.DataResource{}, err
	}
	defer s.runlock(ctx)
	rec, ok := ns.dataByName[name]
	if !ok {
		return store.DataResource{}, store.DataResourceNameNotFound(namespace, name)
	}
	return rec.Clone(), nil
}

// GetDataTreeNode returns the node at path of TREE data resource code,
// without its children.
func (s *Store) GetDataTreeNode(ctx context.Context, namespace, code, path string) (store.TreePath, error) {
	ns, err := s.readNamespace(ctx, namespace)
	if err != nil {
		return store.TreePath{}, err
	}
	defer s.runlock(ctx)
	rec, ok := ns.dataByCode[code]
	if !ok || rec.Type != store.DataTree {
		return store.TreePath{}, store.TreeNodeNotFound(namespace, code, path)
	}
	node, depth := rec.Struct.Tree.Node(path)
	if node == nil {
		return store.TreePath{}, store.TreeNodeNotFound(namespace, code, path)
	}
	return store.TreePath{Path: path, Code: node.Code, Name: node.Name, Value: node.Value, Depth: depth}, nil
}

// ListDataResources returns one page of the matching data resources of
// filter.Namespace, in resource code order.
func (s *Store) ListDataResources(ctx context.Context, filter store.DataResourceFilter, opts store.ListOptions) (store.Page[store.DataResource], error) {
	if err := ctx.Err(); err != nil {
		return store.Page[store.DataResource]{}, err
	}
	cur, err := opts.CursorFor(store.KindDataResources, filter.Namespace)
	if err != nil {
		return store.Page[store.DataResource]{}, err
	}
	ns, err := s.readNamespace(ctx, filter.Namespace)
	if err != nil {
		return store.Page[store.DataResource]{}, err
	}
	defer s.runlock(ctx)
	key := func(d *store.DataResource) string { return d.ResourceCode }
	src := treeSource(ns.data, cur.After, key, func(code string) *store.DataResource {
		return &store.DataResource{ResourceCode: code}
	})
	matchAll := len(filter.Types) == 0 && filter.Keyword == ""
	var match func(*store.DataResource) bool
	if !matchAll {
		match = filter.Matcher()
	}
	return page(src, listing[*store.DataResource, store.DataResource]{
		kind:      store.KindDataResources,
		namespace: filter.Namespace,
		key:       key,
		match:     match,
		out:       func(d *store.DataResource) store.DataResource { return d.Clone() },
		cursor:    cur,
		total:     opts.IncludeTotal,
		matchAll:  matchAll,
	}), nil
}

// UpdateDataResource applies fn to a copy of the data resource and stores
// the result, keeping the stored namespace, code and CreatedAt. A new name
// must not be taken by another data resource.
func (s *Store) UpdateDataResource(ctx context.Context, namespace, code string, fn func(*store.DataResource) error) (_ store.DataResource, err error) {
	defer s.noteFailure(ctx, &err)
	ns, err := s.writeNamespace(ctx, namespace)
	if err != nil {
		return store.DataResource{}, err
	}
	defer s.unlock(ctx)
	rec, ok := ns.dataByCode[code]
	if !ok {
		return store.DataResource{}, dataNotFound(namespace, code)
	}
	next := rec.Clone()
	if err := fn(&next); err != nil {
		return store.DataResource{}, err
	}
	next.NamespaceCode, next.ResourceCode, next.CreatedAt = rec.NamespaceCode, rec.ResourceCode, rec.CreatedAt
	if err := store.CheckTime("updatedAt", next.UpdatedAt); err != nil {
		return store.DataResource{}, err
	}
	// Exact policy refs pin their nodes and actions: an update that would
	// leave one dangling is refused.
	if ids := s.policies.pinnedBy(namespace, code, func(r store.PolicyRef) bool {
		if r.NodePath != "" {
			if next.Type != store.DataTree {
				return true
			}
			if node, _ := next.Struct.Tree.Node(r.NodePath); node == nil {
				return true
			}
		}
		return r.Action != "" && !slices.Contains(next.Actions, r.Action)
	}); len(ids) > 0 {
		return store.DataResource{}, store.DataUpdatePinned(code, ids)
	}
	if next.ResourceName != rec.ResourceName {
		if _, taken := ns.dataByName[next.ResourceName]; taken {
			return store.DataResource{}, store.DataNameTaken(next.ResourceName, code)
		}
	}
	ns.rewriteData(rec, newDataResource(&next))
	s.logChange(ctx, changeTime(), store.OpUpdate, store.KindDataResource, rec.NamespaceCode, rec.ResourceCode, frozenData(rec))
	return rec.Clone(), nil
}

// DeleteDataResource removes the data resource with code in namespace.
func (s *Store) DeleteDataResource(ctx context.Context, namespace, code string) (err error) {
	defer s.noteFailure(ctx, &err)
	ns, err := s.writeNamespace(ctx, namespace)
	if err != nil {
		return err
	}
	defer s.unlock(ctx)
	rec, ok := ns.dataByCode[code]
	if !ok {
		return dataNotFound(namespace, code)
	}
	if ids := s.policies.pinnedBy(namespace, code, func(store.PolicyRef) bool { return true }); len(ids) > 0 {
		return store.DataResourcePinned(code, ids)
	}
	ns.dropData(rec)
	s.logChange(ctx, changeTime(), store.OpDelete, store.KindDataResource, rec.NamespaceCode, rec.ResourceCode, frozenData(rec))
	return nil
}

func dataNotFound(namespace, code string) error {
	return store.DataResourceNotFound(namespace, code)
}
