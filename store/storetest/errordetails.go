package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// requireError requires err to be an *store.Error equal to want in every
// detail: sentinel, Field, Codes (sorted, without repeats) and Message. The
// wanted errors come from package store's constructors, which every store
// uses, so that all stores report a failure the same way.
func requireError(t *testing.T, want *store.Error, err error, what string) {
	t.Helper()
	require.ErrorIs(t, err, want.Err, what)
	var got *store.Error
	require.ErrorAs(t, err, &got, what)
	require.Equal(t, want.Field, got.Field, "%s: Field", what)
	require.Equal(t, want.Codes, got.Codes, "%s: Codes", what)
	require.Equal(t, want.Message, got.Message, "%s: Message", what)
}

// errorDetails checks the details of the errors a store returns, which a
// differential run found to differ between stores.
func (h harness) errorDetails(t *testing.T) {
	h.run(t, "DeleteNamespace of a namespace that holds records", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, "full", "data")
		createResources(t, s, NewResource("full", "r"))
		createData(t, s, newStringData("data", "d", "D"))
		requireError(t, store.NamespaceNotEmpty("full"), s.DeleteNamespace(t.Context(), "full"), "resources")
		requireError(t, store.NamespaceNotEmpty("data"), s.DeleteNamespace(t.Context(), "data"), "data resources")
		requireError(t, store.DefaultNamespaceUndeletable(), s.DeleteNamespace(t.Context(), store.DefaultNamespace), "default")
		requireError(t, store.NamespaceNotFound("nope"), s.DeleteNamespace(t.Context(), "nope"), "missing")
		requireError(t, store.NamespaceExists("full"), s.CreateNamespace(t.Context(), newNamespace("full")), "create taken")
	})

	h.run(t, "DeleteResources lists missing codes sorted without repeats", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(store.DefaultNamespace, "b"))
		err := s.DeleteResources(t.Context(), store.DefaultNamespace, []string{"z", "b", "a", "z", "m"})
		requireError(t, store.ResourcesNotFound(store.DefaultNamespace, []string{"a", "m", "z"}), err, "delete")
		_, err = s.GetResource(t.Context(), store.DefaultNamespace, "b")
		require.NoError(t, err, "nothing was deleted")
	})

	h.run(t, "CreateResources conflicts", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createNamespaces(t, s, "n1", "n2")
		createResources(t, s, NewResource("n1", "c10"), NewResource("n2", "c10"), NewResource(store.DefaultNamespace, "taken"))
		idOwner := NewResource(store.DefaultNamespace, "owner")
		idOwner.ID = "shared-id"
		createResources(t, s, idOwner)

		other := func(ns, code string) store.Resource {
			r := NewResource(ns, code)
			r.ID = "other-" + ns + "-" + code
			return r
		}
		withID := func(r store.Resource, id string) store.Resource { r.ID = id; return r }
		tests := []struct {
			name  string
			batch []store.Resource
			want  *store.Error
		}{
			{"one code taken", []store.Resource{other(store.DefaultNamespace, "taken")},
				store.ResourcesConflict(store.CodeTaken, []string{"taken"})},
			{"one ID taken", []store.Resource{withID(NewResource(store.DefaultNamespace, "fresh"), "shared-id")},
				store.ResourcesConflict(store.IDTaken, []string{"fresh"})},
			{"a code taken in two namespaces is listed once", []store.Resource{other("n1", "c10"), other("n2", "c10")},
				store.ResourcesConflict(store.CodeTaken, []string{"c10"})},
			{"a code repeated within the batch", []store.Resource{other(store.DefaultNamespace, "x"), other(store.DefaultNamespace, "x")},
				store.ResourcesConflict(store.Repeated, []string{"x"})},
			{"taken and repeated, out of order", []store.Resource{other(store.DefaultNamespace, "y"), other(store.DefaultNamespace, "taken"), other(store.DefaultNamespace, "y"), other(store.DefaultNamespace, "taken")},
				store.ResourcesConflict(store.CodeTaken|store.Repeated, []string{"taken", "y"})},
			{"an ID repeated within the batch", []store.Resource{withID(NewResource(store.DefaultNamespace, "p"), "same"), withID(NewResource(store.DefaultNamespace, "q"), "same")},
				store.ResourcesConflict(store.Repeated, []string{"q"})},
		}
		for _, tc := range tests {
			before := TakeSnapshot(t, s)
			requireError(t, tc.want, s.CreateResources(ctx, tc.batch, store.WriteOptions{}), tc.name)
			require.Equal(t, before, TakeSnapshot(t, s), "%s: nothing written", tc.name)
		}
		require.Equal(t, `resource code "taken" is already taken`, store.ResourcesConflict(store.CodeTaken, []string{"taken"}).Message)
	})

	h.run(t, "not found", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createData(t, s, newStringData(store.DefaultNamespace, "str", "S"), newTreeData(store.DefaultNamespace, "tree", "T"))
		ns := store.DefaultNamespace
		_, err := s.GetResource(ctx, ns, "nope")
		requireError(t, store.ResourceNotFound(ns, "nope"), err, "GetResource")
		_, err = s.GetResourceByID(ctx, ns, "nope-id")
		requireError(t, store.ResourceIDNotFound(ns, "nope-id"), err, "GetResourceByID")
		_, err = s.UpdateResource(ctx, ns, "nope", func(*store.Resource) error { return nil })
		requireError(t, store.ResourceNotFound(ns, "nope"), err, "UpdateResource")
		_, err = s.GetDataResource(ctx, ns, "nope")
		requireError(t, store.DataResourceNotFound(ns, "nope"), err, "GetDataResource")
		_, err = s.GetDataResourceByName(ctx, ns, "Nope")
		requireError(t, store.DataResourceNameNotFound(ns, "Nope"), err, "GetDataResourceByName")
		_, err = s.UpdateDataResource(ctx, ns, "nope", func(*store.DataResource) error { return nil })
		requireError(t, store.DataResourceNotFound(ns, "nope"), err, "UpdateDataResource")
		requireError(t, store.DataResourceNotFound(ns, "nope"), s.DeleteDataResource(ctx, ns, "nope"), "DeleteDataResource")
		for _, c := range []struct{ code, path string }{{"nope", "product"}, {"str", "product"}, {"tree", "product/nope"}} {
			_, err = s.GetDataTreeNode(ctx, ns, c.code, c.path)
			requireError(t, store.TreeNodeNotFound(ns, c.code, c.path), err, "GetDataTreeNode "+c.code)
		}
		_, err = s.GetResource(ctx, "gone", "x")
		requireError(t, store.NamespaceNotFound("gone"), err, "missing namespace")
	})

	h.run(t, "data resource conflicts", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createData(t, s, newStringData(store.DefaultNamespace, "a", "A"), newStringData(store.DefaultNamespace, "b", "B"))
		requireError(t, store.DataCodeTaken("a"), s.CreateDataResource(ctx, newStringData(store.DefaultNamespace, "a", "Other")), "code taken")
		requireError(t, store.DataNameTaken("A", "c"), s.CreateDataResource(ctx, newStringData(store.DefaultNamespace, "c", "A")), "name taken")
		_, err := s.UpdateDataResource(ctx, store.DefaultNamespace, "b", func(d *store.DataResource) error { d.ResourceName = "A"; return nil })
		requireError(t, store.DataNameTaken("A", "b"), err, "rename to a taken name")
	})

	h.run(t, "grant errors", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ns := store.DefaultNamespace
		createNamespaces(t, s, "held")
		createResources(t, s, NewResource(ns, "doc"), NewResource("held", "r"))
		err := s.AddGrants(ctx, []store.Grant{grant(ns, team, "z", "read"), grant(ns, team, "doc", "nope"), grant(ns, team, "a", "read"), grant(ns, bob, "z", "read")})
		requireError(t, store.GrantResourcesNotFound([]string{"a", "z"}), err, "missing resources")
		err = s.AddGrants(ctx, []store.Grant{grant(ns, team, "doc", "zap"), grant(ns, team, "doc", "doc:read"), grant(ns, bob, "doc", "zap"), grant(ns, team, "doc", "bad")})
		requireError(t, store.GrantActionsUndeclared([]string{"bad", "zap"}), err, "undeclared actions")
		requireError(t, store.NamespaceNotFound("gone"), s.AddGrants(ctx, []store.Grant{grant("gone", team, "doc", "read")}), "AddGrants namespace")
		requireError(t, store.NamespaceNotFound("gone"), s.RevokeGrants(ctx, []store.Grant{grant("gone", team, "doc", "read")}), "RevokeGrants namespace")
		_, err = s.ListGrants(ctx, store.GrantFilter{Namespace: "gone"}, store.ListOptions{})
		requireError(t, store.NamespaceNotFound("gone"), err, "ListGrants namespace")

		addGrants(t, s, grant("held", team, "r", "r:read"))
		require.NoError(t, s.DeleteResources(ctx, "held", []string{"r"}))
		addGrants(t, s, grant("held", team, store.Wildcard, store.Wildcard))
		requireError(t, store.NamespaceHoldsGrants("held"), s.DeleteNamespace(ctx, "held"), "namespace with grants")
	})

	h.run(t, "membership errors", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		addMembers(t, s, admins, editors)
		addMembers(t, s, editors, team)
		opts := store.MembershipOptions{}
		requireError(t, store.UserCannotHaveMembers(), s.AddMembers(ctx, alice, []store.Subject{bob}, opts), "user parent")
		requireError(t, store.MemberIsParent("members[1]", team), s.AddMembers(ctx, team, []store.Subject{alice, team}, opts), "self")
		requireError(t, store.MembershipCycle("members[1]", team, admins), s.AddMembers(ctx, team, []store.Subject{bob, admins}, opts), "cycle")
		err := s.AddMembers(ctx, sales, []store.Subject{bob, admins}, store.MembershipOptions{MaxDepth: 2})
		requireError(t, store.MembershipTooDeep("members[1]", sales, admins, 2), err, "too deep")
	})

	h.run(t, "data policy errors", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ns := store.DefaultNamespace
		createNamespaces(t, s, "named")
		createData(t, s, newTreeData(ns, "org", "Org"), newStringData(ns, "str", "Str"), newStringData("named", "d", "D"))
		createPolicy(t, s, newPolicy("p1", "One"), exactRef(ns, "org", "product", "read"))
		createPolicy(t, s, newPolicy("p2", "Two"), exactRef(ns, "org", "", ""), patternRef("named", "d", ""))
		createPolicy(t, s, newPolicy("p0", "Zero"), store.PolicyRef{Namespace: "named"})

		requireError(t, store.PolicyNameTaken("One"), s.CreateDataPolicy(ctx, newPolicy("p9", "One"), nil), "name taken")
		requireError(t, store.PolicyIDTaken("p1"), s.CreateDataPolicy(ctx, newPolicy("p1", "Nine"), nil), "ID taken")
		_, err := s.UpdateDataPolicy(ctx, "p2", func(p *store.DataPolicy) ([]store.PolicyRef, error) { p.Name = "One"; return nil, nil })
		requireError(t, store.PolicyNameTaken("One"), err, "rename to a taken name")
		_, err = s.UpdateDataPolicy(ctx, "nope", func(*store.DataPolicy) ([]store.PolicyRef, error) { return nil, nil })
		requireError(t, store.PolicyNotFound("nope"), err, "UpdateDataPolicy")
		_, err = s.GetDataPolicy(ctx, "nope")
		requireError(t, store.PolicyNotFound("nope"), err, "GetDataPolicy")
		_, err = s.GetDataPolicyByName(ctx, "Nope")
		requireError(t, store.PolicyNameNotFound("Nope"), err, "GetDataPolicyByName")
		requireError(t, store.PolicyNotFound("nope"), s.DeleteDataPolicy(ctx, "nope"), "DeleteDataPolicy")
		_, err = s.ListDataPolicyTargets(ctx, "nope", store.ListOptions{})
		requireError(t, store.PolicyNotFound("nope"), err, "ListDataPolicyTargets")
		ts := []store.PolicyTarget{target("z", team), target("p1", team), target("a", team), target("z", bob)}
		requireError(t, store.PoliciesNotFound([]string{"a", "z"}), s.AttachDataPolicies(ctx, ts), "attach")
		requireError(t, store.PoliciesNotFound([]string{"a", "z"}), s.DetachDataPolicies(ctx, ts), "detach")

		at := func(r store.PolicyRef) store.PolicyRef { r.Statement, r.Permission = 1, 2; return r }
		const field = "statementList[1].permissions[2]"
		refs := []struct {
			name string
			ref  store.PolicyRef
			want *store.Error
		}{
			{"namespace", at(store.PolicyRef{Namespace: "gone"}), store.RefNamespaceNotFound(field, "gone")},
			{"data resource", at(patternRef(ns, "nope", "")), store.RefDataNotFound(field, ns, "nope")},
			{"node", at(exactRef(ns, "org", "product/nope", "")), store.RefNodeNotFound(field, "org", "product/nope")},
			{"nodes of a STRING", at(exactRef(ns, "str", "x", "")), store.RefNoNodes(field, "str", store.DataString)},
			{"action", at(patternRef(ns, "org", "fly")), store.RefActionUnknown(field, "org", "fly")},
		}
		for _, tc := range refs {
			requireError(t, tc.want, s.CreateDataPolicy(ctx, newPolicy("new", "New"), []store.PolicyRef{tc.ref}), "create ref "+tc.name)
			_, err := s.UpdateDataPolicy(ctx, "p1", func(*store.DataPolicy) ([]store.PolicyRef, error) { return []store.PolicyRef{tc.ref}, nil })
			requireError(t, tc.want, err, "update ref "+tc.name)
		}

		requireError(t, store.DataResourcePinned("org", []string{"p1", "p2"}), s.DeleteDataResource(ctx, ns, "org"), "pinned delete")
		_, err = s.UpdateDataResource(ctx, ns, "org", func(d *store.DataResource) error { d.Actions = nil; return nil })
		requireError(t, store.DataUpdatePinned("org", []string{"p1"}), err, "pinned update")
		// A pattern ref pins nothing: d goes, and only refs name "named".
		require.NoError(t, s.DeleteDataResource(ctx, "named", "d"))
		requireError(t, store.NamespaceNamedByPolicies("named", []string{"p0", "p2"}), s.DeleteNamespace(ctx, "named"), "named namespace")
	})

	h.run(t, "quota", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(store.DefaultNamespace, "a"))
		err := s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "b", "c"), store.WriteOptions{MaxResourcesPerNamespace: 2})
		requireError(t, store.QuotaExceeded(store.DefaultNamespace, 3, 2), err, "quota")
	})
}
