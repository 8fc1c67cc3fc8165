package resreg_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
)

func TestAuthingAndEnOSWindows(t *testing.T) {
	tests := []struct {
		name     string
		get      func() (resreg.Window, error)
		want     resreg.Window
		badField string
	}{
		{"authing defaults", func() (resreg.Window, error) { return resreg.AuthingWindow(0, 0) }, resreg.Window{Offset: 0, Limit: 10}, ""},
		{"authing page 3", func() (resreg.Window, error) { return resreg.AuthingWindow(3, 50) }, resreg.Window{Offset: 100, Limit: 50}, ""},
		{"authing limit 51", func() (resreg.Window, error) { return resreg.AuthingWindow(1, 51) }, resreg.Window{}, "limit"},
		{"authing page -1", func() (resreg.Window, error) { return resreg.AuthingWindow(-1, 10) }, resreg.Window{}, "page"},
		{"authing too deep", func() (resreg.Window, error) { return resreg.AuthingWindow(1_000_000, 50) }, resreg.Window{}, "page"},
		{"enos defaults", func() (resreg.Window, error) { return resreg.EnOSWindow(0, 0) }, resreg.Window{Offset: 0, Limit: 1000}, ""},
		{"enos page 2", func() (resreg.Window, error) { return resreg.EnOSWindow(2, 5) }, resreg.Window{Offset: 10, Limit: 5}, ""},
		{"enos size 1001", func() (resreg.Window, error) { return resreg.EnOSWindow(0, 1001) }, resreg.Window{}, "pagination.pageSize"},
		{"enos page -1", func() (resreg.Window, error) { return resreg.EnOSWindow(-1, 5) }, resreg.Window{}, "pagination.pageNo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get()
			if tt.badField == "" {
				require.NoError(t, err)
				require.Equal(t, tt.want, got)
				return
			}
			require.ErrorIs(t, err, resreg.ErrInvalid)
			var e *resreg.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.badField, e.Field)
		})
	}
}

func TestListWindowWalksPastTheOffset(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	in := make([]resreg.CreateResourceInput, 25)
	for i := range in {
		in[i] = resreg.CreateResourceInput{Type: "API", Code: "r" + strconv.Itoa(100+i)}
	}
	_, err := reg.CreateResources(ctx, in)
	require.NoError(t, err)
	list := func(ctx context.Context, o resreg.ListOptions) (resreg.Page[resreg.Resource], error) {
		return reg.ListResources(ctx, resreg.ResourceFilter{}, o)
	}
	codes := func(p resreg.WindowPage[resreg.Resource]) []string {
		out := []string{}
		for _, r := range p.Items {
			out = append(out, r.Code)
		}
		return out
	}
	w, err := resreg.AuthingWindow(3, 10)
	require.NoError(t, err)
	p, err := resreg.ListWindow(ctx, w, list)
	require.NoError(t, err)
	require.Equal(t, 25, p.TotalCount)
	require.Equal(t, []string{"r120", "r121", "r122", "r123", "r124"}, codes(p))

	w, _ = resreg.AuthingWindow(1, 2)
	p, err = resreg.ListWindow(ctx, w, list)
	require.NoError(t, err)
	require.Equal(t, 25, p.TotalCount)
	require.Equal(t, []string{"r100", "r101"}, codes(p))

	w, _ = resreg.AuthingWindow(9, 10)
	p, err = resreg.ListWindow(ctx, w, list)
	require.NoError(t, err)
	require.Equal(t, 25, p.TotalCount)
	require.Empty(t, p.Items)
}

func TestResourcesByID(t *testing.T) {
	ctx := context.Background()
	n := 0
	reg := newRegistry(t, resreg.WithIDGenerator(func() string { n++; return "id" + strconv.Itoa(n) }))
	_, err := reg.CreateResources(ctx, []resreg.CreateResourceInput{{Type: "API", Code: "a"}, {Type: "API", Code: "b"}, {Type: "API", Code: "c"}})
	require.NoError(t, err)

	name := resreg.Name("renamed")
	got, err := reg.UpdateResourceByID(ctx, "", "id2", resreg.ResourceUpdate{Name: &name})
	require.NoError(t, err)
	require.Equal(t, "b", got.Code)
	require.Equal(t, "renamed", got.Name.DefaultValue)

	_, err = reg.UpdateResourceByID(ctx, "", "nope", resreg.ResourceUpdate{Name: &name})
	require.ErrorIs(t, err, resreg.ErrNotFound)
	_, err = reg.UpdateResourceByID(ctx, "", "", resreg.ResourceUpdate{})
	require.ErrorIs(t, err, resreg.ErrInvalid)
	_, err = reg.UpdateResourceByID(ctx, "missing-ns", "id1", resreg.ResourceUpdate{})
	require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)

	batch, err := reg.GetResources(ctx, "", []string{"c", "a", "c"})
	require.NoError(t, err)
	require.Len(t, batch, 2)
	require.Equal(t, "c", batch[0].Code)
	_, err = reg.GetResources(ctx, "", []string{"a", "x", "y"})
	require.ErrorIs(t, err, resreg.ErrNotFound)
	var e *resreg.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, []string{"x", "y"}, e.Codes)

	// A missing ID deletes nothing.
	err = reg.DeleteResourcesByID(ctx, "", []string{"id1", "gone"}, nil)
	require.ErrorIs(t, err, resreg.ErrNotFound)
	_, err = reg.GetResource(ctx, "", "a")
	require.NoError(t, err)
	// A missing code deletes nothing either.
	err = reg.DeleteResourcesByID(ctx, "", []string{"id1"}, []string{"zz"})
	require.ErrorIs(t, err, resreg.ErrNotFound)
	_, err = reg.GetResource(ctx, "", "a")
	require.NoError(t, err)

	require.NoError(t, reg.DeleteResourcesByID(ctx, "", []string{"id1"}, []string{"c"}))
	for _, code := range []string{"a", "c"} {
		_, err = reg.GetResource(ctx, "", code)
		require.ErrorIs(t, err, resreg.ErrNotFound)
	}
	require.ErrorIs(t, reg.DeleteResourcesByID(ctx, "", nil, nil), resreg.ErrInvalid)
	err = reg.DeleteResourcesByID(ctx, "", []string{"id2"}, []string{""})
	var bad *resreg.Error
	require.ErrorAs(t, err, &bad)
	require.Equal(t, "codes[0]", bad.Field)
	many := make([]string, 600)
	for i := range many {
		many[i] = "k" + strconv.Itoa(i)
	}
	err = reg.DeleteResourcesByID(ctx, "", many, many)
	require.ErrorAs(t, err, &bad)
	require.Contains(t, bad.Message, "together hold at most 1000")
}

func TestNamespaceBatches(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	_, err := reg.CreateNamespaces(ctx, []resreg.Namespace{{Code: "n1", Name: "One"}, {Code: "n2"}})
	require.NoError(t, err)

	_, err = reg.CreateNamespaces(ctx, []resreg.Namespace{{Code: "n3"}, {Code: "n1"}})
	require.ErrorIs(t, err, resreg.ErrConflict)
	_, err = reg.GetNamespace(ctx, "n3")
	require.ErrorIs(t, err, resreg.ErrNamespaceNotFound, "a conflicting batch creates nothing")
	_, err = reg.CreateNamespaces(ctx, []resreg.Namespace{{Code: "n4"}, {Code: "n4"}})
	require.ErrorIs(t, err, resreg.ErrConflict)
	_, err = reg.CreateNamespaces(ctx, []resreg.Namespace{{Code: "ok"}, {Code: "bad code!"}})
	require.ErrorIs(t, err, resreg.ErrInvalid)
	var e *resreg.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "list[1].code", e.Field)

	got, err := reg.GetNamespaces(ctx, []string{"n2", "n1"})
	require.NoError(t, err)
	require.Equal(t, "n2", got[0].Code)
	_, err = reg.GetNamespaces(ctx, []string{"n1", "nx"})
	require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)

	codeTaken, nameTaken, err := reg.NamespaceExists(ctx, resreg.NamespaceExistsQuery{Code: "n1", Name: "One"})
	require.NoError(t, err)
	require.True(t, codeTaken)
	require.True(t, nameTaken)
	codeTaken, nameTaken, err = reg.NamespaceExists(ctx, resreg.NamespaceExistsQuery{Code: "free", Name: "Free"})
	require.NoError(t, err)
	require.False(t, codeTaken)
	require.False(t, nameTaken)
	_, _, err = reg.NamespaceExists(ctx, resreg.NamespaceExistsQuery{})
	require.ErrorIs(t, err, resreg.ErrInvalid)

	_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "r", Namespace: "n2"})
	require.NoError(t, err)
	require.ErrorIs(t, reg.DeleteNamespaces(ctx, []string{"n1", "n2"}), resreg.ErrConflict)
	_, err = reg.GetNamespace(ctx, "n1")
	require.NoError(t, err, "a failed batch delete restores what it removed")
	require.ErrorIs(t, reg.DeleteNamespaces(ctx, []string{"n1", "default"}), resreg.ErrInvalid)
	require.ErrorIs(t, reg.DeleteNamespaces(ctx, []string{"n1", "nx"}), resreg.ErrNamespaceNotFound)
	require.NoError(t, reg.DeleteNamespaces(ctx, []string{"n1"}))
	_, err = reg.GetNamespace(ctx, "n1")
	require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)
}

func TestListAcrossNamespaces(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	_, err := reg.CreateNamespaces(ctx, []resreg.Namespace{{Code: "a"}, {Code: "b"}, {Code: "c"}})
	require.NoError(t, err)
	for ns, n := range map[string]int{"a": 3, "b": 0, "c": 4} {
		for i := range n {
			_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: ns + strconv.Itoa(i), Namespace: ns})
			require.NoError(t, err)
		}
	}
	all, err := reg.NamespaceCodes(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c", "default"}, all)
	list := func(ctx context.Context, ns string, o resreg.ListOptions) (resreg.Page[resreg.Resource], error) {
		return reg.ListResources(ctx, resreg.ResourceFilter{Namespace: ns}, o)
	}
	p, err := resreg.ListAcross(ctx, reg, all, resreg.Window{Offset: 2, Limit: 3}, list)
	require.NoError(t, err)
	require.Equal(t, 7, p.TotalCount)
	var codes []string
	for _, r := range p.Items {
		codes = append(codes, r.Code)
	}
	require.Equal(t, []string{"a2", "c0", "c1"}, codes)

	_, err = resreg.ListAcross(ctx, reg, []string{"a", "nope"}, resreg.Window{Limit: 1}, list)
	require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)
}

func TestListResourcesWindowFilters(t *testing.T) {
	ctx := context.Background()
	n := 0
	reg := newRegistry(t, resreg.WithIDGenerator(func() string { n++; return "id" + strconv.Itoa(n) }))
	_, err := reg.CreateResources(ctx, []resreg.CreateResourceInput{{Type: "API", Code: "a"}, {Type: "MENU", Code: "b"}, {Type: "API", Code: "c"}})
	require.NoError(t, err)
	p, err := reg.ListResourcesWindow(ctx, resreg.ResourceFilter{Types: []string{"API"}}, resreg.Window{Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 2, p.TotalCount)
	p, err = reg.ListResourcesWindow(ctx, resreg.ResourceFilter{IDs: []string{"id2"}}, resreg.Window{Limit: 10})
	require.NoError(t, err)
	require.Len(t, p.Items, 1)
	require.Equal(t, "b", p.Items[0].Code)
	_, err = reg.ListResourcesWindow(ctx, resreg.ResourceFilter{Codes: make([]string, 1001)}, resreg.Window{Limit: 10})
	require.ErrorIs(t, err, resreg.ErrInvalid)
}

func TestListNamespacesWindowKeyword(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	_, err := reg.CreateNamespaces(ctx, []resreg.Namespace{{Code: "shop-a", Name: "Shop A"}, {Code: "blog", Name: "Shopping blog"}, {Code: "shop-b"}, {Code: "misc"}})
	require.NoError(t, err)
	p, err := reg.ListNamespacesWindow(ctx, "SHOP", resreg.Window{Offset: 1, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, 3, p.TotalCount)
	require.Len(t, p.Items, 1)
	require.Equal(t, "shop-a", p.Items[0].Code, "blog, shop-a, shop-b by code; the second")
	p, err = reg.ListNamespacesWindow(ctx, "", resreg.Window{Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 5, p.TotalCount)
}
