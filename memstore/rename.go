package memstore

import (
	"context"
	"slices"

	"github.com/resreg/resreg/store"
)

// RenameNamespace moves namespace code to newCode. The namespace's struct
// holds its resources, data resources and grants, so re-keying it moves
// them all; what else names the namespace (the records' own namespace
// fields, directory entries, policy refs and statements, the records
// naming its roles) is rewritten in the same critical section, after every
// check, so that a rejected rename changes nothing.
func (s *Store) RenameNamespace(ctx context.Context, code, newCode string, fn func(*store.Namespace) error) (_ store.Namespace, err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return store.Namespace{}, err
	}
	if tok, _ := s.batchOf(ctx); tok != nil {
		// A rename re-keys whole indexes; the batch journal does not
		// record that, so it could not be undone.
		return store.Namespace{}, store.Invalid("ctx", "memstore does not rename a namespace inside a batch")
	}
	if err := store.CheckRename(code, newCode); err != nil {
		return store.Namespace{}, err
	}
	ns, err := s.writeNamespace(ctx, code)
	if err != nil {
		return store.Namespace{}, err
	}
	defer s.unlock(ctx)
	if _, taken := s.byCode[newCode]; taken {
		return store.Namespace{}, store.NamespaceCodeTaken(newCode)
	}
	if s.namesRolesOf(newCode) {
		return store.Namespace{}, store.RolesOfNamespaceTaken(newCode)
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
	s.renameRoles(code, newCode)
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

// rolePrefix starts the keys of role subjects in every index keyed by
// subject first.
const rolePrefix = store.SubjectRole + keySep

// namesRolesOf reports whether any record names a role of namespace ns.
// Every index but the targets' is keyed by subject first, so only role
// subjects are read. The caller holds the lock.
func (s *Store) namesRolesOf(ns string) bool {
	is := func(sub store.Subject) bool { return store.IsRoleOf(sub, ns) }
	for item := range rangeSource(s.directory.tree, rolePrefix, "").all {
		if is(item.val.Subject) {
			return true
		}
	}
	for item := range rangeSource(s.members.byParent, rolePrefix, "").all {
		if is(item.val.Parent) {
			return true
		}
	}
	for item := range rangeSource(s.members.byMember, rolePrefix, "").all {
		if is(item.val.Member) {
			return true
		}
	}
	found := false
	s.namespaces.Ascend(func(n *namespace) bool {
		for item := range rangeSource(n.grants.tree, rolePrefix, "").all {
			if is(item.val.Subject) {
				found = true
				break
			}
		}
		return !found
	})
	if found {
		return true
	}
	s.policies.targets.Ascend(func(item *keyed[store.PolicyTarget]) bool {
		found = is(item.val.Subject)
		return !found
	})
	return found
}

// renameRoles gives every record naming a role of code that role in
// newCode (store.RenameSubject). Subjects are part of the records' keys,
// so each record is taken out and put back under its new key; none
// collides, since no record names a role of newCode (namesRolesOf). The
// caller holds the write lock.
func (s *Store) renameRoles(code, newCode string) {
	rename := func(sub store.Subject) (store.Subject, bool) { return store.RenameSubject(sub, code, newCode) }
	for _, item := range rangeItems(s.directory.tree, rolePrefix) {
		if to, ok := rename(item.val.Subject); ok {
			s.directory.tree.Delete(item)
			e := item.val
			e.Subject = to
			s.directory.tree.ReplaceOrInsert(&keyed[store.DirectoryEntry]{key: subjectKey(to), val: e})
		}
	}

	mi := &s.members
	var edges []store.Membership
	for item := range rangeSource(mi.byParent, rolePrefix, "").all {
		if store.IsRoleOf(item.val.Parent, code) {
			edges = append(edges, item.val)
		}
	}
	for item := range rangeSource(mi.byMember, rolePrefix, "").all {
		if store.IsRoleOf(item.val.Member, code) && !store.IsRoleOf(item.val.Parent, code) {
			edges = append(edges, item.val) // an edge between two roles of code is listed once, above
		}
	}
	for _, m := range edges {
		mi.remove(m.Parent, m.Member)
		m.Parent, _ = rename(m.Parent)
		m.Member, _ = rename(m.Member)
		mi.add(m)
	}

	s.namespaces.Ascend(func(n *namespace) bool {
		for _, item := range rangeItems(n.grants.tree, rolePrefix) {
			if to, ok := rename(item.val.Subject); ok {
				n.grants.remove(item)
				g := item.val
				g.Subject = to
				n.grants.add(&keyed[store.Grant]{key: grantKey(&g), val: g})
			}
		}
		return true
	})

	var targets []*keyed[store.PolicyTarget]
	s.policies.targets.Ascend(func(item *keyed[store.PolicyTarget]) bool {
		if store.IsRoleOf(item.val.Subject, code) {
			targets = append(targets, item)
		}
		return true
	})
	for _, item := range targets {
		s.policies.targets.Delete(item)
		t := item.val
		t.Subject, _ = rename(t.Subject)
		s.policies.targets.ReplaceOrInsert(&keyed[store.PolicyTarget]{key: targetKey(&t), val: t})
	}
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
