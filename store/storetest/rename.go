package storetest

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// renamed is the code the rename tests move ns2 to.
const renamed = "boutique"

// renameFixture fills s with a namespace ns2 that holds one of everything a
// rename moves, and records elsewhere that it must leave alone: a
// namespace "other" with its own records and role, registry-wide users,
// groups, memberships and targets, and policies that name ns2, other, the
// default namespace, or several.
func renameFixture(t *testing.T, s store.Store) {
	t.Helper()
	const def = store.DefaultNamespace
	createNamespaces(t, s, ns2, "other")
	createResources(t, s, NewResource(ns2, "api"), NewResource(ns2, "menu"), NewResource("other", "api"))
	createData(t, s, newTreeData(ns2, "org", "Org"), newArrayData(ns2, "cards", "Cards"), newStringData(ns2, "path", "Path"),
		newTreeData("other", "org", "Org"), newStringData(def, "path", "Path"))
	addGrants(t, s,
		grant(ns2, alice, "api", "api:read"), deny(grant(ns2, alice, "api", "api:write")),
		grant(ns2, admins, "menu", store.Wildcard), grant(ns2, team, store.Wildcard, store.Wildcard),
		grant("other", alice, "api", "api:read"))
	putEntries(t, s, directoryEntry(admins, ns2), directoryEntry(editors, "other"), directoryEntry(alice, ""),
		directoryEntry(bob, ""), directoryEntry(team, ""), directoryEntry(ops, ns2), directoryEntry(opsOther, "other"))
	addMembers(t, s, team, alice, bob)
	addMembers(t, s, admins, team)
	// The role ops of ns2 holds grants in two namespaces, has a member and
	// is a member; ghost is a role of ns2 without an entry. The other
	// subjects only look like roles of ns2.
	addMembers(t, s, ops, alice)
	addMembers(t, s, sales, ops, opsOther)
	addGrants(t, s, grant(ns2, ops, "api", "api:read"), grant("other", ops, "api", "api:write"), grant(def, ghost, store.Wildcard, store.Wildcard))
	for _, lookalike := range []store.Subject{{Type: store.SubjectRole, ID: "a@b@" + ns2}, {Type: store.SubjectRole, ID: "@" + ns2},
		{Type: store.SubjectRole, ID: ns2}, {Type: store.SubjectUser, ID: "u@" + ns2}, opsOther} {
		addGrants(t, s, grant(def, lookalike, store.Wildcard, "read"))
	}

	both := newPolicy("p-both", "both")
	both.Statements = []store.Statement{
		{Effect: store.EffectAllow, Permissions: []string{ns2 + "/org/product/design/read", "default/path/read", ns2 + "/card*/*"}},
		{Effect: store.EffectDeny, Permissions: []string{ns2 + "/path/write"}},
	}
	createPolicy(t, s, both,
		store.PolicyRef{Statement: 0, Permission: 0, Namespace: ns2, ResourceCode: "org", NodePath: "product/design", Action: "read", Exact: true},
		store.PolicyRef{Statement: 0, Permission: 1, Namespace: def, ResourceCode: "path", Action: "read", Exact: true},
		store.PolicyRef{Statement: 0, Permission: 2, Namespace: ns2},
		store.PolicyRef{Statement: 1, Permission: 0, Namespace: ns2, ResourceCode: "path", Action: "write", Exact: true})
	elsewhere := newPolicy("p-other", "elsewhere")
	elsewhere.Statements = []store.Statement{{Effect: store.EffectAllow, Permissions: []string{"other/org/*", "default/path/read"}}}
	createPolicy(t, s, elsewhere,
		store.PolicyRef{Statement: 0, Permission: 0, Namespace: "other", ResourceCode: "org", Exact: true},
		store.PolicyRef{Statement: 0, Permission: 1, Namespace: def, ResourceCode: "path", Action: "read", Exact: true})
	require.NoError(t, s.AttachDataPolicies(t.Context(), []store.PolicyTarget{target("p-both", alice), target("p-other", team),
		target("p-other", ops), target("p-both", ghost)}))
}

// Roles of ns2 and of other, in the spelling of store.RoleID.
var (
	ops      = store.Subject{Type: store.SubjectRole, ID: store.RoleID(ns2, "ops")}
	ghost    = store.Subject{Type: store.SubjectRole, ID: store.RoleID(ns2, "ghost")}
	opsOther = store.Subject{Type: store.SubjectRole, ID: store.RoleID("other", "ops")}
)

// renamedRole is role of ns2 as the rename to renamed leaves it.
func renamedRole(role store.Subject) store.Subject {
	s, _ := store.RenameSubject(role, ns2, renamed)
	return s
}

// renamedSnapshot is what before becomes once namespace code is renamed
// to newCode and its record is ns: everything keyed by code moves, the
// permissions of the policies want lists are rewritten (want maps a
// policy ID to its statements after the rename), and the log has one more
// change.
func renamedSnapshot(before Snapshot, code, newCode string, ns store.Namespace, want map[string][]store.Statement) Snapshot {
	after := before
	after.Namespaces = slices.Clone(before.Namespaces)
	i := slices.IndexFunc(after.Namespaces, func(n store.Namespace) bool { return n.Code == code })
	after.Namespaces[i] = ns
	slices.SortFunc(after.Namespaces, func(a, b store.Namespace) int { return strings.Compare(a.Code, b.Code) })
	after.Resources, after.Data, after.Grants = moved(before.Resources, code, newCode), moved(before.Data, code, newCode), moved(before.Grants, code, newCode)
	for i := range after.Resources[newCode] {
		after.Resources[newCode][i].Namespace = newCode
	}
	for i := range after.Data[newCode] {
		after.Data[newCode][i].NamespaceCode = newCode
	}
	for i := range after.Grants[newCode] {
		after.Grants[newCode][i].Namespace = newCode
	}
	after.Policies = make([]store.DataPolicy, len(before.Policies))
	for i, p := range before.Policies {
		p = p.Clone()
		if st, ok := want[p.ID]; ok {
			p.Statements = st
		}
		after.Policies[i] = p
	}
	// Role subjects of code become roles of newCode in every record, which
	// may move them in their listing's order.
	sub := func(s store.Subject) store.Subject {
		out, _ := store.RenameSubject(s, code, newCode)
		return out
	}
	for ns, gs := range after.Grants {
		for i := range gs {
			gs[i].Subject = sub(gs[i].Subject)
		}
		slices.SortFunc(gs, func(a, b store.Grant) int {
			return cmp.Or(store.CompareSubjects(a.Subject, b.Subject), strings.Compare(a.ResourceCode, b.ResourceCode),
				strings.Compare(a.Action, b.Action), strings.Compare(string(a.Effect), string(b.Effect)))
		})
		after.Grants[ns] = gs
	}
	after.Memberships = slices.Clone(before.Memberships)
	for i := range after.Memberships {
		m := &after.Memberships[i]
		m.Parent, m.Member = sub(m.Parent), sub(m.Member)
	}
	slices.SortFunc(after.Memberships, func(a, b store.Membership) int {
		return cmp.Or(store.CompareSubjects(a.Parent, b.Parent), store.CompareSubjects(a.Member, b.Member))
	})
	after.Targets = slices.Clone(before.Targets)
	for i := range after.Targets {
		after.Targets[i].Subject = sub(after.Targets[i].Subject)
	}
	slices.SortFunc(after.Targets, func(a, b store.PolicyTarget) int {
		return cmp.Or(strings.Compare(a.PolicyID, b.PolicyID), store.CompareSubjects(a.Subject, b.Subject))
	})
	after.Directory = make([]store.DirectoryEntry, len(before.Directory))
	for i, e := range before.Directory {
		e = e.Clone()
		e.Subject = sub(e.Subject)
		if e.Namespace == code {
			e.Namespace = newCode
		}
		after.Directory[i] = e
	}
	// The snapshot lists users, then roles, then groups, each by ID.
	rank := map[string]int{store.SubjectUser: 0, store.SubjectRole: 1, store.SubjectGroup: 2}
	slices.SortStableFunc(after.Directory, func(a, b store.DirectoryEntry) int {
		return cmp.Or(cmp.Compare(rank[a.Subject.Type], rank[b.Subject.Type]), strings.Compare(a.Subject.ID, b.Subject.ID))
	})
	after.LastSeq++
	return after
}

// moved copies m with the entry of code under newCode, its records copied.
func moved[T any](m map[string][]T, code, newCode string) map[string][]T {
	out := make(map[string][]T, len(m))
	for k, v := range m {
		if k == code {
			k = newCode
		}
		out[k] = slices.Clone(v)
	}
	return out
}

// policyVariant is the i-th statement list the race test writes to policy
// p-both, with its refs: even ones name ns2, odd ones only "other" and the
// default namespace, each distinct.
func policyVariant(i int) ([]store.Statement, []store.PolicyRef) {
	action := []string{"read", "write"}[i/2%2]
	if i%2 == 0 {
		return []store.Statement{{Effect: store.EffectAllow, Permissions: []string{ns2 + "/org/product/read", ns2 + "/path/" + action}}},
			[]store.PolicyRef{
				{Statement: 0, Permission: 0, Namespace: ns2, ResourceCode: "org", NodePath: "product", Action: "read", Exact: true},
				{Statement: 0, Permission: 1, Namespace: ns2, ResourceCode: "path", Action: action, Exact: true},
			}
	}
	return []store.Statement{{Effect: store.EffectDeny, Permissions: []string{"other/n" + pad(i) + "*/read", "default/path/" + action}}},
		[]store.PolicyRef{
			{Statement: 0, Permission: 0, Namespace: "other", Action: "read"},
			{Statement: 0, Permission: 1, Namespace: store.DefaultNamespace, ResourceCode: "path", Action: action, Exact: true},
		}
}

func ptrTo[T any](v T) *T { return &v }

// renameEdit is the fn of the rename tests: a new name and UpdatedAt.
func renameEdit(ns *store.Namespace) error {
	ns.Name = "Renamed " + ns.Name
	ns.UpdatedAt = at(20)
	ns.Code, ns.CreatedAt = "ignored", at(30) // key fields and CreatedAt are ignored
	return nil
}

func (h harness) rename(t *testing.T) {
	const def = store.DefaultNamespace
	bothAfter := []store.Statement{
		{Effect: store.EffectAllow, Permissions: []string{renamed + "/org/product/design/read", "default/path/read", renamed + "/card*/*"}},
		{Effect: store.EffectDeny, Permissions: []string{renamed + "/path/write"}},
	}

	h.run(t, "moves everything in the namespace and nothing else", func(t *testing.T, s store.Store) {
		renameFixture(t, s)
		before := TakeSnapshot(t, s)
		old, err := s.GetNamespace(t.Context(), ns2)
		require.NoError(t, err)

		got, err := s.RenameNamespace(t.Context(), ns2, renamed, renameEdit)
		require.NoError(t, err)
		want := old
		want.Code, want.Name, want.UpdatedAt = renamed, "Renamed "+old.Name, at(20)
		require.Equal(t, want, got)
		stored, err := s.GetNamespace(t.Context(), renamed)
		require.NoError(t, err)
		require.Equal(t, want, stored)
		_, err = s.GetNamespace(t.Context(), ns2)
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)

		require.Equal(t, renamedSnapshot(before, ns2, renamed, want, map[string][]store.Statement{"p-both": bothAfter}), TakeSnapshot(t, s))
	})

	h.run(t, "the old code names nothing and the new one serves every lookup", func(t *testing.T, s store.Store) {
		renameFixture(t, s)
		api, err := s.GetResource(t.Context(), ns2, "api")
		require.NoError(t, err)
		org, err := s.GetDataResource(t.Context(), ns2, "org")
		require.NoError(t, err)
		node, err := s.GetDataTreeNode(t.Context(), ns2, "org", "product/design")
		require.NoError(t, err)
		_, err = s.RenameNamespace(t.Context(), ns2, renamed, renameEdit)
		require.NoError(t, err)

		for name, call := range map[string]func() error{
			"get resource":       func() error { _, err := s.GetResource(t.Context(), ns2, "api"); return err },
			"get resource by id": func() error { _, err := s.GetResourceByID(t.Context(), ns2, api.ID); return err },
			"list resources": func() error {
				_, err := s.ListResources(t.Context(), store.ResourceFilter{Namespace: ns2}, store.ListOptions{})
				return err
			},
			"get data":         func() error { _, err := s.GetDataResource(t.Context(), ns2, "org"); return err },
			"get data by name": func() error { _, err := s.GetDataResourceByName(t.Context(), ns2, "Org"); return err },
			"get tree node":    func() error { _, err := s.GetDataTreeNode(t.Context(), ns2, "org", "product"); return err },
			"list grants": func() error {
				_, err := s.ListGrants(t.Context(), store.GrantFilter{Namespace: ns2}, store.ListOptions{})
				return err
			},
			"update": func() error {
				_, err := s.UpdateNamespace(t.Context(), ns2, func(*store.Namespace) error { return nil })
				return err
			},
			"delete": func() error { return s.DeleteNamespace(t.Context(), ns2) },
			"rename": func() error { _, err := s.RenameNamespace(t.Context(), ns2, "third", renameEdit); return err },
		} {
			require.ErrorIs(t, call(), store.ErrNamespaceNotFound, name)
		}

		byID, err := s.GetResourceByID(t.Context(), renamed, api.ID)
		require.NoError(t, err)
		api.Namespace = renamed
		require.Equal(t, api, byID, "same ID and CreatedAt under the new code")
		byName, err := s.GetDataResourceByName(t.Context(), renamed, "Org")
		require.NoError(t, err)
		org.NamespaceCode = renamed
		require.Equal(t, org, byName)
		gotNode, err := s.GetDataTreeNode(t.Context(), renamed, "org", "product/design")
		require.NoError(t, err)
		require.Equal(t, node, gotNode)
		held := allGrants(t, s, store.GrantFilter{Namespace: renamed, Subject: &alice})
		require.Len(t, held, 2)
		onMenu := allGrants(t, s, store.GrantFilter{Namespace: renamed, ResourceCode: "menu"})
		require.Equal(t, []store.Grant{grant(renamed, admins, "menu", store.Wildcard)}, onMenu)
		roles := listAll(t, directoryLister(s, store.DirectoryFilter{Type: store.SubjectRole, Namespace: renamed}))
		require.Equal(t, []store.Subject{admins, renamedRole(ops)}, entrySubjects(roles))
		_, err = s.GetDirectoryEntry(t.Context(), ops)
		require.ErrorIs(t, err, store.ErrNotFound, "the role's old subject names nothing")
		entry, err := s.GetDirectoryEntry(t.Context(), renamedRole(ops))
		require.NoError(t, err)
		want := directoryEntry(ops, ns2)
		want.Subject, want.Namespace = renamedRole(ops), renamed
		require.Equal(t, want, entry, "the role keeps its name, attributes and times")
		require.Equal(t, []store.Subject{alice}, listAll(t, memberLister(s, renamedRole(ops))))
		require.Empty(t, listAll(t, memberLister(s, ops)))
		require.Equal(t, []store.Subject{team, renamedRole(ops)}, listAll(t, membershipLister(s, alice)))
		require.Equal(t, []store.Subject{sales}, listAll(t, membershipLister(s, renamedRole(ops))))
		heldElsewhere := allGrants(t, s, store.GrantFilter{Namespace: "other", Subject: ptrTo(renamedRole(ops))})
		require.Equal(t, []store.Grant{grant("other", renamedRole(ops), "api", "api:write")}, heldElsewhere)
		require.Empty(t, allGrants(t, s, store.GrantFilter{Namespace: "other", Subject: ptrTo(ops)}))
		targets := listAll(t, targetLister(s, "p-other"))
		require.Equal(t, []store.Subject{team, renamedRole(ops)}, []store.Subject{targets[0].Subject, targets[1].Subject})
		require.Empty(t, listAll(t, directoryLister(s, store.DirectoryFilter{Type: store.SubjectRole, Namespace: ns2})))
		if sc, ok := s.(store.GrantScanner); ok {
			var scanned []store.Grant
			require.NoError(t, sc.ScanGrants(t.Context(), renamed, func(g store.Grant) error { scanned = append(scanned, g); return nil }))
			require.ElementsMatch(t, allGrants(t, s, store.GrantFilter{Namespace: renamed}), scanned)
			require.ErrorIs(t, sc.ScanGrants(t.Context(), ns2, func(store.Grant) error { return nil }), store.ErrNamespaceNotFound)
		}
	})

	h.run(t, "refs follow: pins hold under the new code and the old code is free", func(t *testing.T, s store.Store) {
		renameFixture(t, s)
		_, err := s.RenameNamespace(t.Context(), ns2, renamed, renameEdit)
		require.NoError(t, err)

		se := requireDetail(t, s.DeleteDataResource(t.Context(), renamed, "org"), store.ErrConflict)
		require.Equal(t, []string{"p-both"}, se.Codes, "the exact ref on the tree node moved with it")
		_, err = s.UpdateDataResource(t.Context(), renamed, "path", func(d *store.DataResource) error {
			d.Actions = []string{"read"}
			return nil
		})
		se = requireDetail(t, err, store.ErrConflict)
		require.Equal(t, []string{"p-both"}, se.Codes, "the exact ref on an action moved with it")
		require.ErrorIs(t, s.DeleteNamespace(t.Context(), renamed), store.ErrConflict)

		// A policy naming the old code is refused, and the old code can be
		// created again and deleted: no ref or grant was left behind.
		err = s.CreateDataPolicy(t.Context(), newPolicy("p-new", "new"), []store.PolicyRef{{Namespace: ns2}})
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		createNamespaces(t, s, ns2)
		require.Empty(t, allResources(t, s, ns2))
		require.Empty(t, allData(t, s, ns2))
		require.Empty(t, allGrants(t, s, store.GrantFilter{Namespace: ns2}))
		require.NoError(t, s.DeleteNamespace(t.Context(), ns2))

		// The moved records take writes under the new code.
		createResources(t, s, NewResource(renamed, "fresh"))
		addGrants(t, s, grant(renamed, bob, "fresh", "fresh:read"))
		require.NoError(t, s.DeleteResources(t.Context(), renamed, []string{"api"}))
		require.Empty(t, allGrants(t, s, store.GrantFilter{Namespace: renamed, ResourceCode: "api"}), "the grants on a moved resource cascade with it")
		require.NoError(t, s.DeleteDataPolicy(t.Context(), "p-both"))
		require.NoError(t, s.DeleteDataResource(t.Context(), renamed, "org"))
	})

	h.run(t, "renaming back restores the store as it was", func(t *testing.T, s store.Store) {
		renameFixture(t, s)
		before := TakeSnapshot(t, s)
		old, err := s.GetNamespace(t.Context(), ns2)
		require.NoError(t, err)
		_, err = s.RenameNamespace(t.Context(), ns2, renamed, renameEdit)
		require.NoError(t, err)
		back, err := s.RenameNamespace(t.Context(), renamed, ns2, func(ns *store.Namespace) error {
			ns.Name, ns.UpdatedAt = old.Name, old.UpdatedAt
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, old, back)
		want := before
		want.LastSeq += 2
		require.Equal(t, want, TakeSnapshot(t, s))
	})

	h.run(t, "an empty namespace renames too", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		got, err := s.RenameNamespace(t.Context(), ns2, renamed, func(*store.Namespace) error { return nil })
		require.NoError(t, err)
		want := newNamespace(ns2)
		want.Code = renamed
		require.Equal(t, want, got)
		require.Equal(t, []string{renamed, def}, namespaceCodes(listAll(t, namespaceLister(s))))
	})

	h.run(t, "refused renames write nothing", func(t *testing.T, s store.Store) {
		renameFixture(t, s)
		before := TakeSnapshot(t, s)
		boom := errors.New("boom")
		cancelled, cancel := context.WithCancel(t.Context())
		cancel()
		rename := func(ctx context.Context, code, newCode string, fn func(*store.Namespace) error) error {
			_, err := s.RenameNamespace(ctx, code, newCode, fn)
			return err
		}
		for _, c := range []struct {
			name          string
			code, newCode string
			fn            func(*store.Namespace) error
			sentinel      error
			field         string
		}{
			{"from the default namespace", def, renamed, renameEdit, store.ErrInvalid, "code"},
			{"to the default namespace", ns2, def, renameEdit, store.ErrInvalid, "newCode"},
			{"to its own code", ns2, ns2, renameEdit, store.ErrInvalid, "newCode"},
			{"missing namespace to the default one", "missing", def, renameEdit, store.ErrInvalid, "newCode"},
			{"missing namespace", "missing", renamed, renameEdit, store.ErrNamespaceNotFound, "namespace"},
			{"missing namespace to a taken code", "missing", "other", renameEdit, store.ErrNamespaceNotFound, "namespace"},
			{"to a taken code", ns2, "other", renameEdit, store.ErrConflict, "newCode"},
			{"to a taken code with a failing fn", ns2, "other", func(*store.Namespace) error { return boom }, store.ErrConflict, "newCode"},
			{"time out of range", ns2, renamed, func(ns *store.Namespace) error { ns.UpdatedAt = store.MaxTime.Add(1); return nil }, store.ErrInvalid, "updatedAt"},
		} {
			se := requireDetail(t, rename(t.Context(), c.code, c.newCode, c.fn), c.sentinel)
			require.Equal(t, c.field, se.Field, c.name)
			if c.sentinel == store.ErrConflict {
				require.Equal(t, []string{c.newCode}, se.Codes, c.name)
			}
		}
		require.Same(t, boom, rename(t.Context(), ns2, renamed, func(*store.Namespace) error { return boom }), "fn's error comes back as it is")
		require.ErrorIs(t, rename(cancelled, ns2, renamed, renameEdit), context.Canceled)
		require.ErrorIs(t, rename(cancelled, ns2, "other", renameEdit), context.Canceled, "ctx is checked first")
		requireUnchanged(t, s, before)
	})

	h.run(t, "writes racing a rename leave nothing under the old code", func(t *testing.T, s store.Store) {
		renameFixture(t, s)
		// Each writer writes under ns2 until the rename makes it fail
		// (at most a bound of times); the rename starts once every writer
		// has written once, so it races them.
		const bound = 200
		started := make(chan struct{}, 5)
		// The policy writer alternates between statements that name ns2,
		// which fail once the rename has committed, and statements that
		// do not, which succeed before and after it: a rename that wrote
		// back statements it read before such a write committed would
		// undo that write.
		lastPolicy := -1
		writers := []func(i int) error{
			func(i int) error {
				_, err := s.UpdateResource(t.Context(), ns2, "api", func(r *store.Resource) error { r.Description = pad(i); return nil })
				return err
			},
			func(i int) error {
				_, err := s.UpdateDataResource(t.Context(), ns2, "org", func(d *store.DataResource) error {
					d.Struct.Tree = append(sampleTree(), store.TreeNode{Code: "n" + pad(i), Name: "N"})
					return nil
				})
				return err
			},
			func(i int) error {
				_, err := s.UpdateDataPolicy(t.Context(), "p-both", func(p *store.DataPolicy) ([]store.PolicyRef, error) {
					st, refs := policyVariant(i)
					p.Statements = st
					return refs, nil
				})
				if err == nil {
					lastPolicy = i
				}
				return err
			},
			func(i int) error {
				return s.AddGrants(t.Context(), []store.Grant{grant(ns2, bob, "menu", "menu:"+pad(i))})
			},
			func(i int) error {
				return s.PutDirectoryEntry(t.Context(), directoryEntry(store.Subject{Type: store.SubjectRole, ID: "r" + pad(i)}, ns2), false)
			},
		}
		// Grants need declared actions: menu declares menu:0000.. for the
		// grant writer.
		_, err := s.UpdateResource(t.Context(), ns2, "menu", func(r *store.Resource) error {
			for i := range bound {
				r.Actions = append(r.Actions, store.Action{Name: "menu:" + pad(i)})
			}
			return nil
		})
		require.NoError(t, err)
		// A store that stays locked past its wait (ErrBusy, as a loaded
		// machine can make a file store) has written nothing: the
		// writers skip that write and the rename tries again.
		errs := race(len(writers)+1, func(g int) error {
			if g == len(writers) {
				for range writers {
					<-started
				}
				for {
					_, err := s.RenameNamespace(t.Context(), ns2, renamed, renameEdit)
					if !errors.Is(err, store.ErrBusy) {
						return err
					}
				}
			}
			for i := range bound {
				err := writers[g](i)
				if i == 0 {
					started <- struct{}{}
				}
				switch {
				case errors.Is(err, store.ErrNotFound):
					return nil // the rename came first
				case errors.Is(err, store.ErrBusy):
				case err != nil:
					return err
				}
			}
			return nil
		})
		for g, err := range errs {
			require.NoError(t, err, "racer %d", g)
		}

		// The policy is as the writer's last successful write left it, and
		// renamed if that write named ns2 (it then came before the rename).
		final, err := s.GetDataPolicy(t.Context(), "p-both")
		require.NoError(t, err)
		wantStatements := bothAfter
		if lastPolicy >= 0 {
			wantStatements, _ = policyVariant(lastPolicy)
			wantStatements, _ = store.RenameStatements(wantStatements, ns2, renamed)
		}
		require.Equal(t, wantStatements, final.Statements, "a write committed while the rename ran is not overwritten")
		for _, p := range allPolicies(t, s) {
			for _, st := range p.Statements {
				for _, perm := range st.Permissions {
					require.False(t, strings.HasPrefix(perm, ns2+"/"), "policy %s still names %s: %s", p.ID, ns2, perm)
				}
			}
		}
		for _, typ := range []string{store.SubjectUser, store.SubjectRole, store.SubjectGroup} {
			for _, e := range listAll(t, directoryLister(s, store.DirectoryFilter{Type: typ})) {
				require.NotEqual(t, ns2, e.Namespace, "entry %s", e.Subject)
				require.False(t, store.IsRoleOf(e.Subject, ns2), "entry %s", e.Subject)
			}
		}
		tree, err := s.GetDataResource(t.Context(), renamed, "org")
		require.NoError(t, err)
		for _, n := range tree.Struct.Tree.Flatten() {
			got, err := s.GetDataTreeNode(t.Context(), renamed, "org", n.Path)
			require.NoError(t, err, "node %s of the last tree written moved with it", n.Path)
			require.Equal(t, n.Code, got.Code)
		}
		createNamespaces(t, s, ns2)
		require.Empty(t, allResources(t, s, ns2))
		require.Empty(t, allData(t, s, ns2))
		require.Empty(t, allGrants(t, s, store.GrantFilter{Namespace: ns2}))
		_, err = s.GetDataTreeNode(t.Context(), ns2, "org", "product")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.NoError(t, s.DeleteNamespace(t.Context(), ns2), "no grant or policy ref was left under the old code")
	})

	h.run(t, "roles left by a deleted namespace of the new code block the rename", func(t *testing.T, s store.Store) {
		renameFixture(t, s)
		stale := store.Subject{Type: store.SubjectRole, ID: store.RoleID(renamed, "ops")}
		createNamespaces(t, s, renamed)
		putEntries(t, s, directoryEntry(stale, renamed))
		require.NoError(t, s.DeleteNamespace(t.Context(), renamed), "deleting a namespace keeps its roles")
		before := TakeSnapshot(t, s)
		_, err := s.RenameNamespace(t.Context(), ns2, renamed, renameEdit)
		se := requireDetail(t, err, store.ErrConflict)
		require.Equal(t, "newCode", se.Field)
		require.Equal(t, []string{renamed}, se.Codes)
		requireUnchanged(t, s, before)

		// A record naming such a role blocks it too, entry or not.
		require.NoError(t, s.DeleteDirectoryEntries(t.Context(), []store.Subject{stale}))
		staleGrant, staleTarget := grant("other", stale, "api", "api:read"), target("p-other", stale)
		for _, c := range []struct{ add, remove func() error }{
			{func() error { return s.AddGrants(t.Context(), []store.Grant{staleGrant}) },
				func() error { return s.RevokeGrants(t.Context(), []store.Grant{staleGrant}) }},
			{func() error { return s.AddMembers(t.Context(), stale, []store.Subject{bob}, store.MembershipOptions{}) },
				func() error { return s.RemoveMembers(t.Context(), stale, []store.Subject{bob}) }},
			{func() error {
				return s.AddMembers(t.Context(), team, []store.Subject{stale}, store.MembershipOptions{})
			},
				func() error { return s.RemoveMembers(t.Context(), team, []store.Subject{stale}) }},
			{func() error { return s.AttachDataPolicies(t.Context(), []store.PolicyTarget{staleTarget}) },
				func() error { return s.DetachDataPolicies(t.Context(), []store.PolicyTarget{staleTarget}) }},
		} {
			require.NoError(t, c.add())
			before := TakeSnapshot(t, s)
			_, err = s.RenameNamespace(t.Context(), ns2, renamed, renameEdit)
			requireDetail(t, err, store.ErrConflict)
			requireUnchanged(t, s, before)
			require.NoError(t, c.remove())
		}
		_, err = s.RenameNamespace(t.Context(), ns2, renamed, renameEdit)
		require.NoError(t, err)
	})

	h.run(t, "records one change with both codes", func(t *testing.T, s store.Store) {
		renameFixture(t, s)
		since := lastSeq(t, s)
		from := time.Now()
		got, err := s.RenameNamespace(store.WithActor(t.Context(), "carol"), ns2, renamed, renameEdit)
		require.NoError(t, err)
		changes := allChanges(t, s, since, store.MaxChangesLimit)
		requireChanges(t, []wantChange{{store.OpRename, store.KindNamespace, ns2, renamed, "carol", got}}, changes, from, time.Now())
		require.Equal(t, changes[0].Seq, lastSeq(t, s))
		require.True(t, changes[0].InNamespace(ns2))
		require.True(t, changes[0].InNamespace(renamed))
		require.False(t, changes[0].InNamespace("other"))
	})
}
