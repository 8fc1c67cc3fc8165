package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// scribbleResource changes every reference the record shares with whoever
// handed it over: the actions slice and the translation map.
func scribbleResource(r *store.Resource) {
	r.Actions[0].Name = "scribbled"
	r.Name.I18nValue["zh_CN"] = "scribbled"
	r.Name.I18nValue["xx"] = "added"
}

// scribbleData changes the array, the tree at every level and the actions.
func scribbleData(d *store.DataResource) {
	if len(d.Struct.Array) > 0 {
		d.Struct.Array[0] = "scribbled"
	}
	if len(d.Struct.Tree) > 0 {
		d.Struct.Tree[0].Name = "scribbled"
		d.Struct.Tree[0].Children[0].Value = "scribbled"
		d.Struct.Tree[0].Children[1].Children[0].Code = "scribbled"
	}
	d.Actions[0] = "scribbled"
}

func (h harness) copySafety(t *testing.T) {
	h.run(t, "changing resources after create", func(t *testing.T, s store.Store) {
		batch := resourcesIn(store.DefaultNamespace, "a", "b")
		require.NoError(t, s.CreateResources(t.Context(), batch, store.WriteOptions{}))
		scribbleResource(&batch[0])
		batch[1] = NewResource(store.DefaultNamespace, "replaced")
		require.Equal(t, resourcesIn(store.DefaultNamespace, "a", "b"), allResources(t, s, store.DefaultNamespace))
	})

	h.run(t, "changing resources that were read", func(t *testing.T, s store.Store) {
		want := NewResource(store.DefaultNamespace, "a")
		createResources(t, s, want)
		got, err := s.GetResource(t.Context(), store.DefaultNamespace, "a")
		require.NoError(t, err)
		scribbleResource(&got)
		got, err = s.GetResourceByID(t.Context(), store.DefaultNamespace, want.ID)
		require.NoError(t, err)
		scribbleResource(&got)
		page, err := s.ListResources(t.Context(), store.ResourceFilter{Namespace: store.DefaultNamespace}, store.ListOptions{})
		require.NoError(t, err)
		scribbleResource(&page.Items[0])
		got, err = s.UpdateResource(t.Context(), store.DefaultNamespace, "a", func(*store.Resource) error { return nil })
		require.NoError(t, err)
		scribbleResource(&got)
		got, err = s.GetResource(t.Context(), store.DefaultNamespace, "a")
		require.NoError(t, err)
		require.Equal(t, want, got)
	})

	h.run(t, "changing values that fn put into the record", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(store.DefaultNamespace, "a"))
		createData(t, s, newTreeData(store.DefaultNamespace, "org", "Org"))
		// An update function typically assigns slices and maps the caller
		// still owns; the store must not keep them.
		src := NewResource(store.DefaultNamespace, "src")
		want, err := s.UpdateResource(t.Context(), store.DefaultNamespace, "a", func(r *store.Resource) error {
			r.Actions, r.Name = src.Actions, src.Name
			return nil
		})
		require.NoError(t, err)
		want = want.Clone()
		scribbleResource(&src)
		got, err := s.GetResource(t.Context(), store.DefaultNamespace, "a")
		require.NoError(t, err)
		require.Equal(t, want, got)

		tree := newTreeData(store.DefaultNamespace, "src", "Src")
		wantData, err := s.UpdateDataResource(t.Context(), store.DefaultNamespace, "org", func(d *store.DataResource) error {
			d.Struct, d.Actions = tree.Struct, tree.Actions
			return nil
		})
		require.NoError(t, err)
		wantData = wantData.Clone()
		scribbleData(&tree)
		gotData, err := s.GetDataResource(t.Context(), store.DefaultNamespace, "org")
		require.NoError(t, err)
		require.Equal(t, wantData, gotData)
	})

	h.run(t, "changing data resources after create", func(t *testing.T, s store.Store) {
		arr, tree := newArrayData(store.DefaultNamespace, "cards", "Cards"), newTreeData(store.DefaultNamespace, "org", "Org")
		createData(t, s, arr, tree)
		scribbleData(&arr)
		scribbleData(&tree)
		require.Equal(t, []store.DataResource{
			newArrayData(store.DefaultNamespace, "cards", "Cards"),
			newTreeData(store.DefaultNamespace, "org", "Org"),
		}, allData(t, s, store.DefaultNamespace))
	})

	h.run(t, "changing data resources that were read", func(t *testing.T, s store.Store) {
		want := []store.DataResource{newArrayData(store.DefaultNamespace, "cards", "Cards"), newTreeData(store.DefaultNamespace, "org", "Org")}
		createData(t, s, want...)
		for _, w := range want {
			got, err := s.GetDataResource(t.Context(), store.DefaultNamespace, w.ResourceCode)
			require.NoError(t, err)
			scribbleData(&got)
			got, err = s.GetDataResourceByName(t.Context(), store.DefaultNamespace, w.ResourceName)
			require.NoError(t, err)
			scribbleData(&got)
			got, err = s.UpdateDataResource(t.Context(), store.DefaultNamespace, w.ResourceCode, func(*store.DataResource) error { return nil })
			require.NoError(t, err)
			scribbleData(&got)
		}
		page, err := s.ListDataResources(t.Context(), store.DataResourceFilter{Namespace: store.DefaultNamespace}, store.ListOptions{})
		require.NoError(t, err)
		for i := range page.Items {
			scribbleData(&page.Items[i])
		}
		require.Equal(t, want, allData(t, s, store.DefaultNamespace))
		node, err := s.GetDataTreeNode(t.Context(), store.DefaultNamespace, "org", "product/design/ux")
		require.NoError(t, err)
		require.Equal(t, "UX", node.Name)
	})
}

func (h harness) permissionCopySafety(t *testing.T) {
	const def = store.DefaultNamespace
	h.run(t, "changing grants after add or after a read", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(def, "a"))
		batch := []store.Grant{grant(def, alice, "a", "a:read")}
		addGrants(t, s, batch...)
		batch[0].Action, batch[0].Subject.ID = "scribbled", "scribbled"
		p, err := s.ListGrants(t.Context(), store.GrantFilter{Namespace: def}, store.ListOptions{})
		require.NoError(t, err)
		p.Items[0].ResourceCode = "scribbled"
		require.Equal(t, []store.Grant{grant(def, alice, "a", "a:read")}, allGrants(t, s, store.GrantFilter{Namespace: def}))
	})

	h.run(t, "changing members after add", func(t *testing.T, s store.Store) {
		members := []store.Subject{alice, bob}
		addMembers(t, s, team, members...)
		members[0].ID = "scribbled"
		require.Equal(t, [][2]store.Subject{{team, alice}, {team, bob}}, edges(t, s))
	})

	h.run(t, "changing a policy and its refs after create", func(t *testing.T, s store.Store) {
		createData(t, s, newTreeData(def, "org", "Org"))
		p := newPolicy("id-1", "one")
		refs := []store.PolicyRef{exactRef(def, "org", "product", "read")}
		createPolicy(t, s, p, refs...)
		p.Statements[0].Permissions[0] = "scribbled"
		p.Statements[1].Effect = "scribbled"
		refs[0].ResourceCode = "scribbled"
		got, err := s.GetDataPolicy(t.Context(), "id-1")
		require.NoError(t, err)
		require.Equal(t, newPolicy("id-1", "one"), got)
		// The stored ref still pins org.
		require.ErrorIs(t, s.DeleteDataResource(t.Context(), def, "org"), store.ErrConflict)
	})

	h.run(t, "changing policies that were read or updated", func(t *testing.T, s store.Store) {
		createPolicy(t, s, newPolicy("id-1", "one"))
		got, err := s.GetDataPolicy(t.Context(), "id-1")
		require.NoError(t, err)
		got.Statements[0].Permissions[0] = "scribbled"
		got, err = s.GetDataPolicyByName(t.Context(), "one")
		require.NoError(t, err)
		got.Statements[0].Permissions[1] = "scribbled"
		page, err := s.ListDataPolicies(t.Context(), store.DataPolicyFilter{}, store.ListOptions{})
		require.NoError(t, err)
		page.Items[0].Statements[1].Permissions[0] = "scribbled"
		var kept *store.DataPolicy
		updated, err := s.UpdateDataPolicy(t.Context(), "id-1", func(p *store.DataPolicy) ([]store.PolicyRef, error) {
			kept = p
			return nil, nil
		})
		require.NoError(t, err)
		updated.Statements[0].Effect = "scribbled"
		kept.Statements[0].Permissions[0] = "scribbled"
		got, err = s.GetDataPolicy(t.Context(), "id-1")
		require.NoError(t, err)
		require.Equal(t, newPolicy("id-1", "one"), got)
	})

	h.run(t, "changing targets after attach or after a read", func(t *testing.T, s store.Store) {
		createPolicy(t, s, newPolicy("id-1", "one"))
		batch := []store.PolicyTarget{target("id-1", alice)}
		require.NoError(t, s.AttachDataPolicies(t.Context(), batch))
		batch[0].Name, batch[0].Subject.ID = "scribbled", "scribbled"
		p, err := s.ListDataPolicyTargets(t.Context(), "id-1", store.ListOptions{})
		require.NoError(t, err)
		p.Items[0].Name = "scribbled"
		require.Equal(t, []store.PolicyTarget{target("id-1", alice)}, listAll(t, s.ListAllPolicyTargets))
	})
}
