package memstore

import (
	"context"
	"time"

	"github.com/google/btree"

	"github.com/resreg/resreg/store"
)

// directoryIndex holds the directory entries keyed by subject (type, then
// ID), so that a listing of one type is a range scan.
type directoryIndex struct {
	tree *btree.BTreeG[*keyed[store.DirectoryEntry]]

	j *journal // the Store's
}

func newDirectoryIndex(j *journal) directoryIndex {
	return directoryIndex{tree: newKeyedTree[store.DirectoryEntry](), j: j}
}

// put stores e, replacing the entry of its subject if there is one.
func (di *directoryIndex) put(e store.DirectoryEntry) {
	old, replaced := di.tree.ReplaceOrInsert(&keyed[store.DirectoryEntry]{key: subjectKey(e.Subject), val: e})
	if di.j.on {
		// Only the subject is captured: capturing e would move it to the
		// heap on every put, in a batch or not.
		subject := e.Subject
		di.j.record(func() {
			if replaced {
				di.put(old.val)
			} else {
				di.remove(subject)
			}
		})
	}
}

// remove deletes the entry of s, if there is one.
func (di *directoryIndex) remove(s store.Subject) {
	old, found := di.tree.Delete(&keyed[store.DirectoryEntry]{key: subjectKey(s)})
	if found && di.j.on {
		di.j.record(func() { di.put(old.val) })
	}
}

func (di *directoryIndex) get(s store.Subject) (store.DirectoryEntry, bool) {
	item, ok := di.tree.Get(&keyed[store.DirectoryEntry]{key: subjectKey(s)})
	if !ok {
		return store.DirectoryEntry{}, false
	}
	return item.val, true
}

// PutDirectoryEntry adds e, or replaces the entry of its subject when
// replace is set.
func (s *Store) PutDirectoryEntry(ctx context.Context, e store.DirectoryEntry, replace bool) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckTimes("", e.CreatedAt, e.UpdatedAt); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	if e.Namespace != "" {
		if _, err := s.lookup(e.Namespace); err != nil {
			return err
		}
	}
	e = e.Clone()
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	op := store.OpCreate
	if old, ok := s.directory.get(e.Subject); ok {
		if !replace {
			return store.Conflict(e.Subject.String()+" already exists", e.Subject.String())
		}
		e.CreatedAt = old.CreatedAt
		op = store.OpUpdate
	}
	s.directory.put(e)
	logged := e.Clone()
	s.logChange(ctx, changeTime(), op, store.KindDirectoryEntry, e.Namespace, e.Subject.String(), &logged)
	return nil
}

// GetDirectoryEntry returns the entry of subject.
func (s *Store) GetDirectoryEntry(ctx context.Context, subject store.Subject) (store.DirectoryEntry, error) {
	if err := ctx.Err(); err != nil {
		return store.DirectoryEntry{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.DirectoryEntry{}, err
	}
	defer s.runlock(ctx)
	e, ok := s.directory.get(subject)
	if !ok {
		return store.DirectoryEntry{}, store.NotFound(subject.String()+" does not exist", subject.String())
	}
	return e.Clone(), nil
}

// DeleteDirectoryEntries removes the entries and everything naming their
// subjects. Grants are found by a range scan of each namespace's grant
// tree (keyed subject first); policy targets, keyed policy first, by one
// pass over every target for the whole batch.
func (s *Store) DeleteDirectoryEntries(ctx context.Context, subjects []store.Subject) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(subjects) == 0 {
		return nil
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	var missing []string
	seen := make(map[store.Subject]bool, len(subjects))
	for _, sub := range subjects {
		if seen[sub] {
			continue
		}
		seen[sub] = true
		if _, ok := s.directory.get(sub); !ok {
			missing = append(missing, sub.String())
		}
	}
	if len(missing) > 0 {
		return store.NotFound("directory entries do not exist", missing...)
	}
	now := changeTime()
	done := make(map[store.Subject]bool, len(seen))
	for _, sub := range subjects {
		if done[sub] {
			continue
		}
		done[sub] = true
		e, _ := s.directory.get(sub)
		s.directory.remove(sub)
		logged := e.Clone()
		s.logChange(ctx, now, store.OpDelete, store.KindDirectoryEntry, e.Namespace, sub.String(), &logged)
		s.dropMemberships(ctx, now, sub)
		s.dropGrants(ctx, now, sub)
	}
	s.dropTargets(ctx, now, seen)
	return nil
}

// dropMemberships removes every edge to or from sub. The caller holds the
// write lock.
func (s *Store) dropMemberships(ctx context.Context, now time.Time, sub store.Subject) {
	mi := &s.members
	var edges []store.Membership
	for item := range rangeSource(mi.byParent, subjectKey(sub)+keySep, "").all {
		edges = append(edges, item.val)
	}
	for item := range rangeSource(mi.byMember, subjectKey(sub)+keySep, "").all {
		edges = append(edges, item.val)
	}
	for _, m := range edges {
		if removed, ok := mi.remove(m.Parent, m.Member); ok {
			s.logChange(ctx, now, store.OpDelete, store.KindMembership, "", removed.Key(), &removed)
		}
	}
}

// dropGrants removes sub's grants in every namespace.
func (s *Store) dropGrants(ctx context.Context, now time.Time, sub store.Subject) {
	prefix := subjectKey(sub) + keySep
	s.namespaces.Ascend(func(ns *namespace) bool {
		for _, item := range rangeItems(ns.grants.tree, prefix) {
			ns.grants.remove(item)
			s.logGrants(ctx, now, store.OpDelete, []store.Grant{item.val})
		}
		return true
	})
}

// dropTargets removes the policy targets of every subject in subjects.
func (s *Store) dropTargets(ctx context.Context, now time.Time, subjects map[store.Subject]bool) {
	var drop []*keyed[store.PolicyTarget]
	s.policies.targets.Ascend(func(item *keyed[store.PolicyTarget]) bool {
		if subjects[item.val.Subject] {
			drop = append(drop, item)
		}
		return true
	})
	for _, item := range drop {
		s.policies.removeTarget(item.key)
		s.logTarget(ctx, now, store.OpDelete, item.val)
	}
}

// ListDirectoryEntries lists the entries of filter.Type (and namespace)
// by subject ID.
func (s *Store) ListDirectoryEntries(ctx context.Context, filter store.DirectoryFilter, opts store.ListOptions) (store.Page[store.DirectoryEntry], error) {
	if err := ctx.Err(); err != nil {
		return store.Page[store.DirectoryEntry]{}, err
	}
	if err := store.CheckDirectoryFilter(filter); err != nil {
		return store.Page[store.DirectoryEntry]{}, err
	}
	scope := store.DirectoryScope(filter)
	cur, err := opts.CursorFor(store.KindDirectory, scope)
	if err != nil {
		return store.Page[store.DirectoryEntry]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[store.DirectoryEntry]{}, err
	}
	defer s.runlock(ctx)
	prefix := filter.Type + keySep
	var match func(*keyed[store.DirectoryEntry]) bool
	if filter.Namespace != "" {
		match = func(item *keyed[store.DirectoryEntry]) bool { return item.val.Namespace == filter.Namespace }
	}
	return page(rangeSource(s.directory.tree, prefix, cur.After), listing[*keyed[store.DirectoryEntry], store.DirectoryEntry]{
		key:       keyWithin[store.DirectoryEntry](prefix),
		match:     match,
		out:       func(item *keyed[store.DirectoryEntry]) store.DirectoryEntry { return item.val.Clone() },
		cursor:    cur,
		kind:      store.KindDirectory,
		namespace: scope,
		total:     opts.IncludeTotal,
	}), nil
}
