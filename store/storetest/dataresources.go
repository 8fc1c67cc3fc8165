package storetest

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

func (h harness) dataResources(t *testing.T) {
	h.run(t, "each type reads back equal by code, name and listing", func(t *testing.T, s store.Store) {
		str := newStringData(store.DefaultNamespace, "path", "API path")
		arr := newArrayData(store.DefaultNamespace, "cards", "Access cards")
		tree := newTreeData(store.DefaultNamespace, "org", "Org chart")
		bare := newStringData(store.DefaultNamespace, "bare", "Bare")
		bare.Description, bare.Actions, bare.Struct = "", nil, store.Struct{}
		createData(t, s, tree, str, bare, arr)
		for _, want := range []store.DataResource{str, arr, tree, bare} {
			got, err := s.GetDataResource(t.Context(), store.DefaultNamespace, want.ResourceCode)
			require.NoError(t, err)
			require.Equal(t, want, got)
			got, err = s.GetDataResourceByName(t.Context(), store.DefaultNamespace, want.ResourceName)
			require.NoError(t, err)
			require.Equal(t, want, got)
		}
		require.Equal(t, []store.DataResource{bare, arr, tree, str}, allData(t, s, store.DefaultNamespace))
	})

	h.run(t, "an empty array stays an array", func(t *testing.T, s store.Store) {
		d := newArrayData(store.DefaultNamespace, "cards", "Cards")
		d.Struct = store.Struct{Array: []string{}}
		createData(t, s, d)
		got, err := s.GetDataResource(t.Context(), store.DefaultNamespace, "cards")
		require.NoError(t, err)
		require.Equal(t, store.DataArray, got.Struct.Shape())
		require.Empty(t, got.Struct.Array)
	})

	h.run(t, "taken code is a conflict on resourceCode", func(t *testing.T, s store.Store) {
		createData(t, s, newStringData(store.DefaultNamespace, "path", "Path"))
		before := TakeSnapshot(t, s)
		err := s.CreateDataResource(t.Context(), newArrayData(store.DefaultNamespace, "path", "Another name"))
		require.Equal(t, "resourceCode", requireDetail(t, err, store.ErrConflict).Field)
		requireUnchanged(t, s, before)
	})

	h.run(t, "taken name is a conflict on resourceName", func(t *testing.T, s store.Store) {
		createData(t, s, newStringData(store.DefaultNamespace, "path", "Path"))
		before := TakeSnapshot(t, s)
		err := s.CreateDataResource(t.Context(), newArrayData(store.DefaultNamespace, "other", "Path"))
		require.Equal(t, "resourceName", requireDetail(t, err, store.ErrConflict).Field)
		requireUnchanged(t, s, before)
	})

	h.run(t, "same code and name in another namespace", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		a, b := newStringData(store.DefaultNamespace, "path", "Path"), newTreeData(ns2, "path", "Path")
		createData(t, s, a, b)
		got, err := s.GetDataResourceByName(t.Context(), ns2, "Path")
		require.NoError(t, err)
		require.Equal(t, b, got)
		got, err = s.GetDataResource(t.Context(), store.DefaultNamespace, "path")
		require.NoError(t, err)
		require.Equal(t, a, got)
	})

	h.run(t, "create in a missing namespace", func(t *testing.T, s store.Store) {
		before := TakeSnapshot(t, s)
		require.ErrorIs(t, s.CreateDataResource(t.Context(), newStringData("missing", "path", "Path")), store.ErrNamespaceNotFound)
		requireUnchanged(t, s, before)
	})

	h.run(t, "missing code or name is not found", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		createData(t, s, newStringData(ns2, "path", "Path"))
		_, err := s.GetDataResource(t.Context(), store.DefaultNamespace, "path")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.NotErrorIs(t, err, store.ErrNamespaceNotFound)
		_, err = s.GetDataResourceByName(t.Context(), store.DefaultNamespace, "Path")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.NotErrorIs(t, err, store.ErrNamespaceNotFound)
		_, err = s.GetDataResourceByName(t.Context(), ns2, "path") // a code is not a name
		require.ErrorIs(t, err, store.ErrNotFound)
	})

	h.run(t, "missing namespace is namespace not found", func(t *testing.T, s store.Store) {
		_, err := s.GetDataResource(t.Context(), "missing", "path")
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		_, err = s.GetDataResourceByName(t.Context(), "missing", "Path")
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		_, err = s.ListDataResources(t.Context(), store.DataResourceFilter{Namespace: "missing"}, store.ListOptions{})
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		_, err = s.UpdateDataResource(t.Context(), "missing", "path", func(*store.DataResource) error { return nil })
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		require.ErrorIs(t, s.DeleteDataResource(t.Context(), "missing", "path"), store.ErrNamespaceNotFound)
	})

	h.run(t, "update edits the stored record and renames", func(t *testing.T, s store.Store) {
		orig := newStringData(store.DefaultNamespace, "path", "Path")
		createData(t, s, orig)
		want := orig
		want.ResourceName, want.Description = "New path", "moved"
		want.Struct = store.Struct{String: "/api/v2"}
		want.Actions = []string{"read"}
		want.UpdatedAt = at(60)
		var seen store.DataResource
		got, err := s.UpdateDataResource(t.Context(), store.DefaultNamespace, "path", func(d *store.DataResource) error {
			seen = d.Clone()
			d.ResourceName, d.Description, d.Struct = want.ResourceName, want.Description, want.Struct
			d.Actions, d.UpdatedAt = slices.Clone(want.Actions), want.UpdatedAt
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, orig, seen, "fn must see the stored record")
		require.Equal(t, want, got)
		stored, err := s.GetDataResourceByName(t.Context(), store.DefaultNamespace, "New path")
		require.NoError(t, err)
		require.Equal(t, want, stored)
		_, err = s.GetDataResourceByName(t.Context(), store.DefaultNamespace, "Path")
		require.ErrorIs(t, err, store.ErrNotFound)
		// The old name is free again.
		createData(t, s, newArrayData(store.DefaultNamespace, "cards", "Path"))
	})

	h.run(t, "update to a taken name is a conflict", func(t *testing.T, s store.Store) {
		createData(t, s, newStringData(store.DefaultNamespace, "a", "A"), newStringData(store.DefaultNamespace, "b", "B"))
		before := TakeSnapshot(t, s)
		_, err := s.UpdateDataResource(t.Context(), store.DefaultNamespace, "b", func(d *store.DataResource) error {
			d.ResourceName, d.Description = "A", "changed"
			return nil
		})
		require.ErrorIs(t, err, store.ErrConflict)
		requireUnchanged(t, s, before)
	})

	h.run(t, "update keeping its own name is fine", func(t *testing.T, s store.Store) {
		createData(t, s, newStringData(store.DefaultNamespace, "a", "A"))
		got, err := s.UpdateDataResource(t.Context(), store.DefaultNamespace, "a", func(d *store.DataResource) error {
			d.Description = "changed"
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, "A", got.ResourceName)
		require.Equal(t, "changed", got.Description)
	})

	h.run(t, "update ignores changes to namespace, code and createdAt", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		orig := newArrayData(store.DefaultNamespace, "cards", "Cards")
		createData(t, s, orig)
		got, err := s.UpdateDataResource(t.Context(), store.DefaultNamespace, "cards", func(d *store.DataResource) error {
			d.NamespaceCode, d.ResourceCode, d.CreatedAt, d.Description = ns2, "moved", at(91), "edited"
			return nil
		})
		require.NoError(t, err)
		want := orig
		want.Description = "edited"
		require.Equal(t, want, got)
		require.Equal(t, []store.DataResource{want}, allData(t, s, store.DefaultNamespace))
		require.Empty(t, allData(t, s, ns2))
	})

	h.run(t, "update fn error is returned as is and nothing is written", func(t *testing.T, s store.Store) {
		createData(t, s, newTreeData(store.DefaultNamespace, "org", "Org"), newArrayData(store.DefaultNamespace, "cards", "Cards"))
		before := TakeSnapshot(t, s)
		_, err := s.UpdateDataResource(t.Context(), store.DefaultNamespace, "org", func(d *store.DataResource) error {
			// Edits in place reach the stored record if fn was not given a
			// deep copy.
			d.Struct.Tree[0].Children[1].Children[0].Name = "changed"
			d.Actions[0] = "changed"
			return errFromFn
		})
		require.Same(t, errFromFn, err, "the fn error must be returned unwrapped")
		_, err = s.UpdateDataResource(t.Context(), store.DefaultNamespace, "cards", func(d *store.DataResource) error {
			d.Struct.Array[0] = "changed"
			return errFromFn
		})
		require.Same(t, errFromFn, err, "the fn error must be returned unwrapped")
		requireUnchanged(t, s, before)
	})

	h.run(t, "update missing is not found and fn is not called", func(t *testing.T, s store.Store) {
		called := false
		_, err := s.UpdateDataResource(t.Context(), store.DefaultNamespace, "missing", func(*store.DataResource) error { called = true; return nil })
		require.ErrorIs(t, err, store.ErrNotFound)
		require.NotErrorIs(t, err, store.ErrNamespaceNotFound)
		require.False(t, called)
	})

	h.run(t, "delete removes it and frees code and name", func(t *testing.T, s store.Store) {
		keep := newArrayData(store.DefaultNamespace, "cards", "Cards")
		createData(t, s, newTreeData(store.DefaultNamespace, "org", "Org"), keep)
		require.NoError(t, s.DeleteDataResource(t.Context(), store.DefaultNamespace, "org"))
		_, err := s.GetDataResource(t.Context(), store.DefaultNamespace, "org")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.GetDataResourceByName(t.Context(), store.DefaultNamespace, "Org")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.Equal(t, []store.DataResource{keep}, allData(t, s, store.DefaultNamespace))
		createData(t, s, newStringData(store.DefaultNamespace, "org", "Org"))
	})

	h.run(t, "delete missing is not found", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		createData(t, s, newStringData(ns2, "path", "Path"))
		err := s.DeleteDataResource(t.Context(), store.DefaultNamespace, "path")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.NotErrorIs(t, err, store.ErrNamespaceNotFound)
		require.Len(t, allData(t, s, ns2), 1)
	})

	h.dataFilters(t)
}

func (h harness) dataFilters(t *testing.T) {
	seed := func(t *testing.T, s store.Store) []store.DataResource {
		ds := []store.DataResource{
			newTreeData(store.DefaultNamespace, "org-chart", "Organisation"),
			newArrayData(store.DefaultNamespace, "cards", "Access Cards"),
			newStringData(store.DefaultNamespace, "api_path", "Écran principal"),
			newTreeData(store.DefaultNamespace, "Regions", "Sales regions"),
		}
		ds[1].Description = "secret"
		createNamespaces(t, s, ns2)
		createData(t, s, ds...)
		createData(t, s, newStringData(ns2, "cards-elsewhere", "Cards elsewhere"))
		return ds
	}
	cases := []struct {
		name   string
		filter store.DataResourceFilter
		want   []string
	}{
		{"no filter", store.DataResourceFilter{}, []string{"Regions", "api_path", "cards", "org-chart"}},
		{"one type", store.DataResourceFilter{Types: []store.DataType{store.DataTree}}, []string{"Regions", "org-chart"}},
		{"several types", store.DataResourceFilter{Types: []store.DataType{store.DataString, store.DataArray}}, []string{"api_path", "cards"}},
		{"keyword on code", store.DataResourceFilter{Keyword: "CHART"}, []string{"org-chart"}},
		{"keyword on name", store.DataResourceFilter{Keyword: "access"}, []string{"cards"}},
		{"keyword folds non-ASCII case", store.DataResourceFilter{Keyword: "ÉCRAN"}, []string{"api_path"}},
		{"keyword underscore is literal", store.DataResourceFilter{Keyword: "_"}, []string{"api_path"}},
		{"keyword ignores description", store.DataResourceFilter{Keyword: "secret"}, nil},
		{"keyword matching code or name", store.DataResourceFilter{Keyword: "regions"}, []string{"Regions"}},
		{"type and keyword", store.DataResourceFilter{Types: []store.DataType{store.DataTree}, Keyword: "ORG"}, []string{"org-chart"}},
	}
	for _, tc := range cases {
		h.run(t, "list filter "+tc.name, func(t *testing.T, s store.Store) {
			ds := seed(t, s)
			var byMatch []string
			for _, d := range ds {
				if tc.filter.Match(&d) {
					byMatch = append(byMatch, d.ResourceCode)
				}
			}
			requireCodes(t, byMatch, tc.want)
			f := tc.filter
			f.Namespace = store.DefaultNamespace
			items, totals := collect(t, dataLister(s, f), store.ListOptions{PageSize: 1, IncludeTotal: true})
			require.Equal(t, tc.want, nilIfEmpty(dataCodes(items)))
			for _, n := range totals {
				require.Equal(t, len(tc.want), n, "TotalCount")
			}
		})
	}
}
