package storetest_test

import (
	"context"

	"github.com/resreg/resreg/store"
)

// RenameNamespace moves every record keyed by code, one map at a time.
func (n *naive) RenameNamespace(ctx context.Context, code, newCode string, fn func(*store.Namespace) error) (store.Namespace, error) {
	if err := n.lock(ctx); err != nil {
		return store.Namespace{}, err
	}
	defer n.mu.Unlock()
	if err := store.CheckRename(code, newCode); err != nil {
		return store.Namespace{}, err
	}
	cur, ok := n.ns[code]
	if !ok {
		return store.Namespace{}, store.NamespaceNotFound(code)
	}
	if _, taken := n.ns[newCode]; taken {
		return store.Namespace{}, store.NamespaceCodeTaken(newCode)
	}
	if n.namesRolesOf(newCode) {
		return store.Namespace{}, store.RolesOfNamespaceTaken(newCode)
	}
	next := cur
	if err := fn(&next); err != nil {
		return store.Namespace{}, err
	}
	next.Code, next.CreatedAt = newCode, cur.CreatedAt
	if err := store.CheckTime("updatedAt", next.UpdatedAt); err != nil {
		return store.Namespace{}, err
	}
	delete(n.ns, code)
	n.ns[newCode] = normNS(next)
	res, data := n.res[code], n.data[code]
	delete(n.res, code)
	delete(n.data, code)
	for k, r := range res {
		r.Namespace = newCode
		res[k] = r
	}
	for k, d := range data {
		d.NamespaceCode = newCode
		data[k] = d
	}
	n.res[newCode], n.data[newCode] = res, data
	for i := range n.perm.grants {
		if n.perm.grants[i].Namespace == code {
			n.perm.grants[i].Namespace = newCode
		}
	}
	for s, e := range n.dir {
		if e.Namespace == code {
			e.Namespace = newCode
			n.dir[s] = e
		}
	}
	for _, id := range n.perm.policiesNaming(code) {
		pol := n.perm.policies[id]
		pol.p.Statements, _ = store.RenameStatements(pol.p.Statements, code, newCode)
		refs := make([]store.PolicyRef, len(pol.refs))
		for i, r := range pol.refs {
			if r.Namespace == code {
				r.Namespace = newCode
			}
			refs[i] = r
		}
		pol.refs = refs
		n.perm.policies[id] = pol
	}
	n.renameRoles(code, newCode)
	n.log.add(ctx, store.OpRename, store.KindNamespace, code, newCode, n.ns[newCode])
	return n.ns[newCode], nil
}

// namesRolesOf reports whether any record names a role of ns.
func (n *naive) namesRolesOf(ns string) bool {
	for s := range n.dir {
		if store.IsRoleOf(s, ns) {
			return true
		}
	}
	for _, m := range n.perm.edges {
		if store.IsRoleOf(m.Parent, ns) || store.IsRoleOf(m.Member, ns) {
			return true
		}
	}
	for _, g := range n.perm.grants {
		if store.IsRoleOf(g.Subject, ns) {
			return true
		}
	}
	for _, t := range n.perm.targets {
		if store.IsRoleOf(t.Subject, ns) {
			return true
		}
	}
	return false
}

// renameRoles gives every record naming a role of code that role in
// newCode.
func (n *naive) renameRoles(code, newCode string) {
	for s, e := range n.dir {
		if to, ok := store.RenameSubject(s, code, newCode); ok {
			delete(n.dir, s)
			e.Subject = to
			n.dir[to] = e
		}
	}
	for i := range n.perm.edges {
		m := &n.perm.edges[i]
		m.Parent, _ = store.RenameSubject(m.Parent, code, newCode)
		m.Member, _ = store.RenameSubject(m.Member, code, newCode)
	}
	for i := range n.perm.grants {
		n.perm.grants[i].Subject, _ = store.RenameSubject(n.perm.grants[i].Subject, code, newCode)
	}
	for i := range n.perm.targets {
		n.perm.targets[i].Subject, _ = store.RenameSubject(n.perm.targets[i].Subject, code, newCode)
	}
}
