package storetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

func (h harness) dataPolicies(t *testing.T) {
	t.Run("records", h.policyRecords)
	t.Run("ref checks", h.policyRefChecks)
	t.Run("targets", h.policyTargets)
	t.Run("pins", h.policyPins)
}

// policyFixture makes, in the default namespace, the TREE "org" (see
// sampleTree), the STRING "api" and the ARRAY "cards", each with actions
// read and write.
func policyFixture(t *testing.T, s store.Store) {
	t.Helper()
	const def = store.DefaultNamespace
	createData(t, s, newTreeData(def, "org", "Org"), newStringData(def, "api", "API"), newArrayData(def, "cards", "Cards"))
}

func (h harness) policyRecords(t *testing.T) {
	const def = store.DefaultNamespace
	h.run(t, "create, get by ID and name, list by name", func(t *testing.T, s store.Store) {
		policyFixture(t, s)
		b, a := newPolicy("id-1", "b policy"), newPolicy("id-2", "A policy")
		createPolicy(t, s, b, exactRef(def, "org", "product", "read"))
		createPolicy(t, s, a)
		got, err := s.GetDataPolicy(t.Context(), "id-1")
		require.NoError(t, err)
		require.Equal(t, b, got)
		got, err = s.GetDataPolicyByName(t.Context(), "A policy")
		require.NoError(t, err)
		require.Equal(t, a, got)
		require.Equal(t, []store.DataPolicy{a, b}, allPolicies(t, s))
		_, err = s.GetDataPolicy(t.Context(), "id-3")
		requireDetail(t, err, store.ErrNotFound)
		_, err = s.GetDataPolicyByName(t.Context(), "a policy")
		requireDetail(t, err, store.ErrNotFound)
	})

	h.run(t, "keyword matches name or description, ignoring case", func(t *testing.T, s store.Store) {
		p1, p2, p3 := newPolicy("1", "Finance readers"), newPolicy("2", "ops"), newPolicy("3", "other")
		p2.Description = "for the FINANCE team"
		for _, p := range []store.DataPolicy{p1, p2, p3} {
			createPolicy(t, s, p)
		}
		got, totals := collect(t, policyLister(s, store.DataPolicyFilter{Keyword: "finance"}), store.ListOptions{PageSize: 1, IncludeTotal: true})
		require.Equal(t, []store.DataPolicy{p1, p2}, got)
		require.Equal(t, []int{2, 2}, totals)
	})

	h.run(t, "a taken name, then a taken ID, is a conflict", func(t *testing.T, s store.Store) {
		createPolicy(t, s, newPolicy("id-1", "one"))
		before := TakeSnapshot(t, s)
		err := s.CreateDataPolicy(t.Context(), newPolicy("id-1", "one"), nil)
		require.Equal(t, "policyName", requireDetail(t, err, store.ErrConflict).Field)
		err = s.CreateDataPolicy(t.Context(), newPolicy("id-1", "two"), nil)
		require.Equal(t, "policyId", requireDetail(t, err, store.ErrConflict).Field)
		requireUnchanged(t, s, before)
	})

	h.run(t, "update applies fn, keeps ID and CreatedAt, replaces refs", func(t *testing.T, s store.Store) {
		policyFixture(t, s)
		createPolicy(t, s, newPolicy("id-1", "one"), exactRef(def, "org", "product", "read"))
		got, err := s.UpdateDataPolicy(t.Context(), "id-1", func(p *store.DataPolicy) ([]store.PolicyRef, error) {
			p.ID, p.CreatedAt = "changed", at(40)
			p.Name, p.Description, p.UpdatedAt = "renamed", "new", at(41)
			p.Statements = []store.Statement{{Effect: store.EffectAllow, Permissions: []string{"default/api/write"}}}
			return []store.PolicyRef{exactRef(def, "api", "", "write")}, nil
		})
		require.NoError(t, err)
		want := newPolicy("id-1", "renamed")
		want.Description, want.UpdatedAt = "new", at(41)
		want.Statements = []store.Statement{{Effect: store.EffectAllow, Permissions: []string{"default/api/write"}}}
		require.Equal(t, want, got)
		require.Equal(t, []store.DataPolicy{want}, allPolicies(t, s))
		_, err = s.GetDataPolicyByName(t.Context(), "one")
		require.ErrorIs(t, err, store.ErrNotFound)
		// The old ref no longer pins org; the new one pins api.
		require.NoError(t, s.DeleteDataResource(t.Context(), def, "org"))
		require.ErrorIs(t, s.DeleteDataResource(t.Context(), def, "api"), store.ErrConflict)
	})

	h.run(t, "update errors write nothing", func(t *testing.T, s store.Store) {
		policyFixture(t, s)
		createPolicy(t, s, newPolicy("id-1", "one"))
		createPolicy(t, s, newPolicy("id-2", "two"))
		before := TakeSnapshot(t, s)
		_, err := s.UpdateDataPolicy(t.Context(), "id-9", func(*store.DataPolicy) ([]store.PolicyRef, error) { return nil, nil })
		requireDetail(t, err, store.ErrNotFound)
		_, err = s.UpdateDataPolicy(t.Context(), "id-1", func(p *store.DataPolicy) ([]store.PolicyRef, error) { p.Name = "two"; return nil, nil })
		require.Equal(t, "policyName", requireDetail(t, err, store.ErrConflict).Field)
		refused := errors.New("refused by fn")
		_, err = s.UpdateDataPolicy(t.Context(), "id-1", func(p *store.DataPolicy) ([]store.PolicyRef, error) { p.Name = "x"; return nil, refused })
		require.ErrorIs(t, err, refused)
		_, err = s.UpdateDataPolicy(t.Context(), "id-1", func(p *store.DataPolicy) ([]store.PolicyRef, error) {
			p.Name = "x"
			return []store.PolicyRef{exactRef(def, "org", "nowhere", "read")}, nil
		})
		requireDetail(t, err, store.ErrNotFound)
		requireUnchanged(t, s, before)
		// Keeping its own name is no conflict.
		_, err = s.UpdateDataPolicy(t.Context(), "id-1", func(p *store.DataPolicy) ([]store.PolicyRef, error) { p.Description = "d"; return nil, nil })
		require.NoError(t, err)
	})

	h.run(t, "delete removes the policy, its targets and its refs", func(t *testing.T, s store.Store) {
		policyFixture(t, s)
		createPolicy(t, s, newPolicy("id-1", "one"), exactRef(def, "org", "", "read"))
		createPolicy(t, s, newPolicy("id-2", "two"))
		require.NoError(t, s.AttachDataPolicies(t.Context(), []store.PolicyTarget{target("id-1", alice), target("id-2", alice), target("id-1", team)}))
		require.NoError(t, s.DeleteDataPolicy(t.Context(), "id-1"))
		require.Equal(t, []store.PolicyTarget{target("id-2", alice)}, listAll(t, s.ListAllPolicyTargets))
		require.Equal(t, []store.DataPolicy{newPolicy("id-2", "two")}, allPolicies(t, s))
		_, err := s.ListDataPolicyTargets(t.Context(), "id-1", store.ListOptions{})
		requireDetail(t, err, store.ErrNotFound)
		requireDetail(t, s.DeleteDataPolicy(t.Context(), "id-1"), store.ErrNotFound)
		require.NoError(t, s.DeleteDataResource(t.Context(), def, "org"))
		// The name is free again.
		createPolicy(t, s, newPolicy("id-3", "one"))
	})
}

func (h harness) policyRefChecks(t *testing.T) {
	const def = store.DefaultNamespace
	at12 := func(r store.PolicyRef) store.PolicyRef { r.Statement, r.Permission = 1, 2; return r }
	cases := []struct {
		name     string
		ref      store.PolicyRef
		sentinel error
	}{
		{"missing namespace", at12(store.PolicyRef{Namespace: "nowhere"}), store.ErrNamespaceNotFound},
		{"missing data resource", at12(exactRef(def, "nope", "", "read")), store.ErrNotFound},
		{"missing data resource behind a node wildcard", at12(patternRef(def, "nope", "read")), store.ErrNotFound},
		{"missing node", at12(exactRef(def, "org", "product/nope", "read")), store.ErrNotFound},
		{"missing root of a path", at12(exactRef(def, "org", "nope/design", "read")), store.ErrNotFound},
		{"node path on a STRING", at12(exactRef(def, "api", "x", "read")), store.ErrInvalid},
		{"node path on an ARRAY", at12(exactRef(def, "cards", "card-1", "read")), store.ErrInvalid},
		{"undeclared action", at12(exactRef(def, "org", "product", "delete")), store.ErrInvalid},
		{"undeclared action behind a node wildcard", at12(patternRef(def, "org", "delete")), store.ErrInvalid},
		{"undeclared action on the whole resource", at12(exactRef(def, "api", "", "delete")), store.ErrInvalid},
	}
	for _, c := range cases {
		h.run(t, c.name, func(t *testing.T, s store.Store) {
			policyFixture(t, s)
			before := TakeSnapshot(t, s)
			good := exactRef(def, "org", "product/design/ux", "read")
			err := s.CreateDataPolicy(t.Context(), newPolicy("id-1", "one"), []store.PolicyRef{good, c.ref})
			require.Equal(t, "statementList[1].permissions[2]", requireDetail(t, err, c.sentinel).Field)
			if c.sentinel != store.ErrNamespaceNotFound {
				require.NotErrorIs(t, err, store.ErrNamespaceNotFound)
			}
			requireUnchanged(t, s, before)
			createPolicy(t, s, newPolicy("id-1", "one"), good)
			_, err = s.UpdateDataPolicy(t.Context(), "id-1", func(*store.DataPolicy) ([]store.PolicyRef, error) {
				return []store.PolicyRef{c.ref}, nil
			})
			require.Equal(t, "statementList[1].permissions[2]", requireDetail(t, err, c.sentinel).Field)
		})
	}

	h.run(t, "refs that pass", func(t *testing.T, s store.Store) {
		policyFixture(t, s)
		createPolicy(t, s, newPolicy("id-1", "one"),
			store.PolicyRef{Namespace: def},                     // default/*/read
			store.PolicyRef{Namespace: def, Action: "anything"}, // default/ser*/anything: not checked
			exactRef(def, "org", "", ""),                        // default/org/*
			exactRef(def, "org", "product/design", "write"),     // a node
			exactRef(def, "api", "", "read"), exactRef(def, "cards", "", "write"),
			patternRef(def, "org", ""), // default/org/prod*/*
		)
	})
}

func (h harness) policyTargets(t *testing.T) {
	h.run(t, "attach, list by policy and subject, detach", func(t *testing.T, s store.Store) {
		createPolicy(t, s, newPolicy("id-2", "two"))
		createPolicy(t, s, newPolicy("id-1", "one"))
		in := []store.PolicyTarget{target("id-2", alice), target("id-1", team), target("id-1", alice), target("id-1", admins)}
		require.NoError(t, s.AttachDataPolicies(t.Context(), in))
		require.Equal(t, []store.PolicyTarget{target("id-1", team), target("id-1", admins), target("id-1", alice)},
			listAll(t, targetLister(s, "id-1")))
		require.Equal(t, []store.PolicyTarget{target("id-1", team), target("id-1", admins), target("id-1", alice), target("id-2", alice)},
			listAll(t, s.ListAllPolicyTargets))
		require.NoError(t, s.DetachDataPolicies(t.Context(), []store.PolicyTarget{
			{PolicyID: "id-1", Subject: alice}, {PolicyID: "id-1", Subject: bob}, {PolicyID: "id-2", Subject: alice},
		}))
		require.Equal(t, []store.PolicyTarget{target("id-1", team), target("id-1", admins)}, listAll(t, s.ListAllPolicyTargets))
	})

	h.run(t, "attaching a present target keeps its name and CreatedAt", func(t *testing.T, s store.Store) {
		createPolicy(t, s, newPolicy("id-1", "one"))
		first := target("id-1", alice)
		require.NoError(t, s.AttachDataPolicies(t.Context(), []store.PolicyTarget{first}))
		again := first
		again.Name, again.CreatedAt = "other", at(50)
		require.NoError(t, s.AttachDataPolicies(t.Context(), []store.PolicyTarget{again}))
		require.Equal(t, []store.PolicyTarget{first}, listAll(t, targetLister(s, "id-1")))
	})

	h.run(t, "missing policies are not found and nothing is written", func(t *testing.T, s store.Store) {
		createPolicy(t, s, newPolicy("id-1", "one"))
		require.NoError(t, s.AttachDataPolicies(t.Context(), []store.PolicyTarget{target("id-1", bob)}))
		before := TakeSnapshot(t, s)
		batch := []store.PolicyTarget{target("id-1", alice), target("id-z", alice), target("id-x", team), target("id-z", bob), target("id-1", bob)}
		err := s.AttachDataPolicies(t.Context(), batch)
		require.Equal(t, []string{"id-x", "id-z"}, requireDetail(t, err, store.ErrNotFound).Codes)
		err = s.DetachDataPolicies(t.Context(), batch)
		requireDetail(t, err, store.ErrNotFound)
		requireUnchanged(t, s, before)
		_, err = s.ListDataPolicyTargets(t.Context(), "id-z", store.ListOptions{})
		requireDetail(t, err, store.ErrNotFound)
	})
}

func (h harness) policyPins(t *testing.T) {
	const def = store.DefaultNamespace
	updates := []struct {
		name   string
		edit   func(d *store.DataResource)
		pinned []string // policy IDs, sorted; nil when the update is allowed
	}{
		{"removing a pinned node", func(d *store.DataResource) { d.Struct.Tree[0].Children = d.Struct.Tree[0].Children[1:] }, []string{"p-a", "p-c"}},
		{"removing an ancestor of a pinned node", func(d *store.DataResource) { d.Struct.Tree = d.Struct.Tree[1:] }, []string{"p-a", "p-b", "p-c"}},
		{"removing a pinned action", func(d *store.DataResource) { d.Actions = []string{"write"} }, []string{"p-a", "p-c"}},
		{"turning the TREE into a STRING", func(d *store.DataResource) {
			d.Type, d.Struct = store.DataString, store.Struct{String: "x"}
		}, []string{"p-a", "p-b", "p-c"}},
		{"removing an unpinned node", func(d *store.DataResource) { d.Struct.Tree = d.Struct.Tree[:1] }, nil},
		{"removing an action only a pattern names", func(d *store.DataResource) { d.Actions = []string{"read"} }, nil},
		{"adding nodes and actions", func(d *store.DataResource) {
			d.Actions = append(d.Actions, "delete")
			d.Struct.Tree = append(d.Struct.Tree, store.TreeNode{Code: "new", Name: "New"})
		}, nil},
	}
	// seed: p-c and p-a pin org/product/productManager with read, p-b pins
	// org/product/design with any action, p-w names org only behind a node
	// wildcard (it pins nothing), p-x pins api.
	seed := func(t *testing.T, s store.Store) {
		policyFixture(t, s)
		createPolicy(t, s, newPolicy("p-c", "c"), exactRef(def, "org", "product/productManager", "read"))
		createPolicy(t, s, newPolicy("p-a", "a"), exactRef(def, "org", "product/productManager", "read"))
		createPolicy(t, s, newPolicy("p-b", "b"), exactRef(def, "org", "product/design", ""))
		createPolicy(t, s, newPolicy("p-w", "w"), patternRef(def, "org", "write"))
		createPolicy(t, s, newPolicy("p-x", "x"), exactRef(def, "api", "", "read"))
	}
	for _, c := range updates {
		h.run(t, c.name, func(t *testing.T, s store.Store) {
			seed(t, s)
			before := TakeSnapshot(t, s)
			_, err := s.UpdateDataResource(t.Context(), def, "org", func(d *store.DataResource) error { c.edit(d); return nil })
			if c.pinned == nil {
				require.NoError(t, err)
				return
			}
			require.Equal(t, c.pinned, requireDetail(t, err, store.ErrConflict).Codes)
			requireUnchanged(t, s, before)
		})
	}

	h.run(t, "deleting a data resource an exact ref names", func(t *testing.T, s store.Store) {
		seed(t, s)
		before := TakeSnapshot(t, s)
		err := s.DeleteDataResource(t.Context(), def, "org")
		require.Equal(t, []string{"p-a", "p-b", "p-c"}, requireDetail(t, err, store.ErrConflict).Codes)
		err = s.DeleteDataResource(t.Context(), def, "api")
		require.Equal(t, []string{"p-x"}, requireDetail(t, err, store.ErrConflict).Codes)
		requireUnchanged(t, s, before)
		// cards is named by no policy; a pattern ref does not pin.
		require.NoError(t, s.DeleteDataResource(t.Context(), def, "cards"))
		for _, id := range []string{"p-a", "p-b", "p-c"} {
			require.NoError(t, s.DeleteDataPolicy(t.Context(), id))
		}
		require.NoError(t, s.DeleteDataResource(t.Context(), def, "org"))
	})

	h.run(t, "deleting a namespace a policy names", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		createPolicy(t, s, newPolicy("p-1", "one"), store.PolicyRef{Namespace: ns2})
		before := TakeSnapshot(t, s)
		requireDetail(t, s.DeleteNamespace(t.Context(), ns2), store.ErrConflict)
		requireUnchanged(t, s, before)
		_, err := s.UpdateDataPolicy(t.Context(), "p-1", func(*store.DataPolicy) ([]store.PolicyRef, error) {
			return []store.PolicyRef{{Namespace: store.DefaultNamespace}}, nil
		})
		require.NoError(t, err)
		require.NoError(t, s.DeleteNamespace(t.Context(), ns2))
	})
}
