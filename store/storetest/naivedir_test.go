package storetest_test

import (
	"context"
	"slices"

	"github.com/resreg/resreg/store"
)

// The naive store's directory: a map by subject, scanned in full.

func normEntry(e store.DirectoryEntry) store.DirectoryEntry {
	e = e.Clone()
	e.CreatedAt, e.UpdatedAt = utc(e.CreatedAt), utc(e.UpdatedAt)
	return e
}

func (n *naive) PutDirectoryEntry(ctx context.Context, e store.DirectoryEntry, replace bool) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	if err := store.CheckTimes("", e.CreatedAt, e.UpdatedAt); err != nil {
		return err
	}
	if _, ok := n.ns[e.Namespace]; e.Namespace != "" && !ok {
		return store.NamespaceNotFound(e.Namespace)
	}
	if n.dir == nil {
		n.dir = map[store.Subject]store.DirectoryEntry{}
	}
	e = normEntry(e)
	op := store.OpCreate
	if old, ok := n.dir[e.Subject]; ok {
		if !replace {
			return store.Conflict("exists", e.Subject.String())
		}
		e.CreatedAt, op = old.CreatedAt, store.OpUpdate
	}
	n.dir[e.Subject] = e
	n.log.add(ctx, op, store.KindDirectoryEntry, e.Namespace, e.Subject.String(), e)
	return nil
}

func (n *naive) GetDirectoryEntry(ctx context.Context, s store.Subject) (store.DirectoryEntry, error) {
	if err := n.lock(ctx); err != nil {
		return store.DirectoryEntry{}, err
	}
	defer n.mu.Unlock()
	e, ok := n.dir[s]
	if !ok {
		return store.DirectoryEntry{}, store.NotFound("missing", s.String())
	}
	return e.Clone(), nil
}

func (n *naive) DeleteDirectoryEntries(ctx context.Context, subjects []store.Subject) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	var missing []string
	for _, s := range subjects {
		if _, ok := n.dir[s]; !ok && !slices.Contains(missing, s.String()) {
			missing = append(missing, s.String())
		}
	}
	if len(missing) > 0 {
		return store.NotFound("missing", missing...)
	}
	for _, s := range subjects {
		e, ok := n.dir[s]
		if !ok {
			continue // a repeat
		}
		delete(n.dir, s)
		n.log.add(ctx, store.OpDelete, store.KindDirectoryEntry, e.Namespace, s.String(), e)
		n.perm.edges = slices.DeleteFunc(n.perm.edges, func(m store.Membership) bool {
			if m.Parent == s || m.Member == s {
				n.log.add(ctx, store.OpDelete, store.KindMembership, "", m.Key(), m)
				return true
			}
			return false
		})
		n.dropGrants(ctx, func(g store.Grant) bool { return g.Subject == s })
		n.perm.targets = slices.DeleteFunc(n.perm.targets, func(t store.PolicyTarget) bool {
			if t.Subject == s {
				n.log.add(ctx, store.OpDelete, store.KindPolicyTarget, "", t.Key(), t)
				return true
			}
			return false
		})
	}
	return nil
}

func (n *naive) ListDirectoryEntries(ctx context.Context, f store.DirectoryFilter, opts store.ListOptions) (store.Page[store.DirectoryEntry], error) {
	if err := n.lock(ctx); err != nil {
		return store.Page[store.DirectoryEntry]{}, err
	}
	defer n.mu.Unlock()
	if err := store.CheckDirectoryFilter(f); err != nil {
		return store.Page[store.DirectoryEntry]{}, err
	}
	var out []store.DirectoryEntry
	for _, e := range n.dir {
		if e.Subject.Type == f.Type && (f.Namespace == "" || e.Namespace == f.Namespace) {
			out = append(out, e.Clone())
		}
	}
	return page(sortedBy(out, func(e store.DirectoryEntry) string { return e.Subject.ID }), store.KindDirectory, store.DirectoryScope(f),
		func(e store.DirectoryEntry) string { return e.Subject.ID }, opts)
}
