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
