package memstore

import (
	"context"
	"slices"

	"github.com/resreg/resreg/store"
)

// RenameNamespace moves namespace code to newCode. The namespace's struct
// holds its resources, data resources and grants, so re-keying it moves
// them all; what else names the namespace (the records' own namespace
// fields, directory entries, policy refs and statements) is rewritten in
// the same critical section, after every check, so that a rejected rename
// changes nothing.
func (s *Store) RenameNamespace(ctx context.Context, code, newCode string, fn func(*store.Namespace) error) (store.Namespace, error) {
	if err := ctx.Err(); err != nil {
		return store.Namespace{}, err
	}
	if err := store.CheckRename(code, newCode); err != nil {
		return store.Namespace{}, err
	}
	ns, err := s.writeNamespace(ctx, code)
	if err != nil {
		return store.Namespace{}, err
	}
	defer s.mu.Unlock()
	if _, taken := s.byCode[newCode]; taken {
		return store.Namespace{}, store.NamespaceCodeTaken(newCode)
	}
	next := ns.meta
	if err := fn(&next); err != nil {
		return store.Namespace{}, err
	}
	next.Code, next.CreatedAt = newCode, ns.meta.CreatedAt
	if err := store.CheckTime("updatedAt", next.UpdatedAt); err != nil {
		return store.Namespace{}, err
	}
	next.UpdatedAt = next.UpdatedAt.UTC()

	// The namespace tree is ordered by code: the struct leaves it under
	// its old code and comes back under the new one.
	s.namespaces.Delete(ns)
	delete(s.byCode, code)
	ns.meta = next
	s.namespaces.ReplaceOrInsert(ns)
	s.byCode[newCode] = ns

	// Data resources and grants carry their namespace. The log holds
	// copies of both (frozenData, logGrants), and readers copy them out
	// under the lock, so editing the stored values in place is safe.
	for _, d := range ns.dataByCode {
		d.NamespaceCode = newCode
	}
	for _, item := range ns.grants.byKey {
		item.val.Namespace = newCode
	}
	s.directory.tree.Ascend(func(item *keyed[store.DirectoryEntry]) bool {
		if item.val.Namespace == code {
			item.val.Namespace = newCode
		}
		return true
	})
	s.renamePolicies(code, newCode)
	s.logChange(ctx, changeTime(), store.OpRename, store.KindNamespace, code, newCode, next)
	return next, nil
}

// renamePolicies rewrites the refs and statements of every policy with a
// ref naming code. A stored policy is replaced, never edited (the log keeps
// shallow copies of it), and replacing it through the index also moves the
// reverse indexes of its refs. The caller holds the write lock.
func (s *Store) renamePolicies(code, newCode string) {
	pi := &s.policies
	for _, id := range sortedKeys(pi.namespaces[code]) {
		rec := pi.byID[id]
		p := rec.p
		p.Statements, _ = store.RenameStatements(rec.p.Statements, code, newCode)
		refs := slices.Clone(rec.refs)
		for i := range refs {
			if refs[i].Namespace == code {
				refs[i].Namespace = newCode
			}
		}
		pi.delete(rec)
		pi.insert(&policy{p: p, refs: refs})
	}
}
