package resreg_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
)

func TestOptions(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 3, 4, 5, 6, 7, 8, time.FixedZone("X", 3600))
	var n atomic.Int64
	reg := newRegistry(t,
		resreg.WithClock(func() time.Time { return clock }),
		resreg.WithIDGenerator(func() string { return "id-" + strconv.FormatInt(n.Add(1), 10) }),
		resreg.WithLimits(resreg.Limits{MaxActions: 1}),
	)
	require.Equal(t, 1000, reg.Limits().MaxBatch, "zero limits take the defaults")
	require.Equal(t, 1, reg.Limits().MaxActions)

	res, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "a"})
	require.NoError(t, err)
	require.Equal(t, "id-1", res.ID)
	require.Equal(t, clock.UTC(), res.CreatedAt)
	require.Equal(t, time.UTC, res.CreatedAt.Location())

	_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "b", Actions: []resreg.Action{{Name: "x", Description: "x"}, {Name: "y", Description: "y"}}})
	require.ErrorIs(t, err, resreg.ErrInvalid)
}

func TestQuota(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t, resreg.WithLimits(resreg.Limits{MaxResourcesPerNamespace: 3}))
	_, err := reg.CreateResources(ctx, []resreg.CreateResourceInput{{Type: "API", Code: "a"}, {Type: "API", Code: "b"}})
	require.NoError(t, err)
	_, err = reg.CreateResources(ctx, []resreg.CreateResourceInput{{Type: "API", Code: "c"}, {Type: "API", Code: "d"}})
	require.ErrorIs(t, err, resreg.ErrLimitExceeded)
	require.Equal(t, 31415, resreg.EnOSCode(err))
	_, err = reg.GetResource(ctx, "", "c")
	require.ErrorIs(t, err, resreg.ErrNotFound, "a batch past the quota writes nothing")

	// Data resources do not count toward the quota.
	_, err = reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
		NamespaceCode: "default", ResourceCode: "d1", ResourceName: "D1", Type: resreg.DataString,
		Struct: resreg.StringStruct("x"), Actions: []string{"get"},
	})
	require.NoError(t, err)
	_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "c"})
	require.NoError(t, err)
}

func TestRegisterGeneratesUniqueIDs(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	in := okRegister(500)
	res, err := reg.RegisterResources(ctx, in)
	require.NoError(t, err)
	ids := map[string]bool{}
	for i, r := range res.Resources {
		require.NotEqual(t, r.Code, r.ID)
		require.False(t, ids[r.ID], "repeated ID")
		ids[r.ID] = true
		got, err := reg.GetResourceByID(ctx, "", r.ID)
		require.NoError(t, err)
		require.Equal(t, in.Resources[i].Code, got.Code)
	}
}

func TestRegisterInputAcceptsBothSpellings(t *testing.T) {
	for body, want := range map[string]bool{
		`{"type":"t","assignCodeTold":true,"resources":[]}`:                        true,
		`{"type":"t","assignCodeToId":true,"resources":[]}`:                        true,
		`{"type":"t","assignCodeToId":false,"assignCodeTold":true,"resources":[]}`: false,
		`{"type":"t","resources":[]}`:                                              false,
	} {
		var in resreg.RegisterInput
		require.NoError(t, json.Unmarshal([]byte(body), &in))
		require.Equal(t, want, in.AssignCodeToID, body)
	}
	var in resreg.RegisterInput
	require.NoError(t, json.Unmarshal([]byte(`{"orgId":"o1","type":"t"}`), &in))
	require.Equal(t, "o1", in.Namespace)
}

func TestUpdateResource(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	reg := newRegistry(t, resreg.WithClock(func() time.Time { return now }))
	orig, err := reg.CreateResource(ctx, okResource())
	require.NoError(t, err)

	now = now.Add(time.Hour)
	desc := "new description"
	got, err := reg.UpdateResource(ctx, "", "fresh", resreg.ResourceUpdate{
		Description: &desc,
		Name:        &resreg.I18nName{DefaultValue: "Renamed", I18nValue: map[string]string{"de": "Umbenannt"}},
	})
	require.NoError(t, err)
	require.Equal(t, desc, got.Description)
	require.Equal(t, "Umbenannt", got.Name.Resolve("de_DE"))
	require.Equal(t, orig.Actions, got.Actions, "nil fields stay as they are")
	require.Equal(t, orig.ID, got.ID)
	require.Equal(t, orig.CreatedAt, got.CreatedAt)
	require.Equal(t, now, got.UpdatedAt)

	read, err := reg.GetResource(ctx, "", "fresh")
	require.NoError(t, err)
	require.Equal(t, got, read)
}

func TestDeleteResourcesIsAtomic(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	for _, c := range []string{"a", "b", "c"} {
		_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: c})
		require.NoError(t, err)
	}
	err := reg.DeleteResources(ctx, "", "a", "zz", "b")
	require.ErrorIs(t, err, resreg.ErrNotFound)
	var e *resreg.Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, []string{"zz"}, e.Codes)
	page, err := reg.ListResources(ctx, resreg.ResourceFilter{}, resreg.ListOptions{IncludeTotal: true})
	require.NoError(t, err)
	require.Equal(t, 3, page.TotalCount)

	require.NoError(t, reg.DeleteResources(ctx, "", "a", "b", "a"))
	page, err = reg.ListResources(ctx, resreg.ResourceFilter{}, resreg.ListOptions{IncludeTotal: true})
	require.NoError(t, err)
	require.Equal(t, 1, page.TotalCount)
}

func TestListResourcesKeyword(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	_, err := reg.CreateResources(ctx, []resreg.CreateResourceInput{
		{Type: "API", Code: "orders", Name: resreg.I18nName{DefaultValue: "Orders", I18nValue: map[string]string{"zh_CN": "订单管理"}}},
		{Type: "MENU", Code: "invoices", Name: resreg.Name("Billing")},
		{Type: "MENU", Code: "ORDER-archive"},
	})
	require.NoError(t, err)
	codes := func(f resreg.ResourceFilter) []string {
		p, err := reg.ListResources(ctx, f, resreg.ListOptions{})
		require.NoError(t, err)
		var out []string
		for _, r := range p.Items {
			out = append(out, r.Code)
		}
		return out
	}
	require.Equal(t, []string{"ORDER-archive", "orders"}, codes(resreg.ResourceFilter{Keyword: "order"}))
	require.Equal(t, []string{"orders"}, codes(resreg.ResourceFilter{Keyword: "订单"}))
	require.Equal(t, []string{"invoices"}, codes(resreg.ResourceFilter{Keyword: "BILL"}))
	require.Equal(t, []string{"ORDER-archive"}, codes(resreg.ResourceFilter{Keyword: "order", Types: []string{"MENU"}}))
}

func TestNamespaces(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	ns, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "space", Name: "Space"})
	require.NoError(t, err)
	got, err := reg.GetNamespace(ctx, "space")
	require.NoError(t, err)
	require.Equal(t, ns, got)

	name := "Renamed"
	upd, err := reg.UpdateNamespace(ctx, "space", resreg.NamespaceUpdate{Name: &name})
	require.NoError(t, err)
	require.Equal(t, "Renamed", upd.Name)

	_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "x", Namespace: "space"})
	require.NoError(t, err)
	require.ErrorIs(t, reg.DeleteNamespace(ctx, "space"), resreg.ErrConflict)
	require.NoError(t, reg.DeleteResources(ctx, "space", "x"))
	require.NoError(t, reg.DeleteNamespace(ctx, "space"))
	_, err = reg.GetNamespace(ctx, "space")
	require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)

	page, err := reg.ListNamespaces(ctx, resreg.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.Equal(t, resreg.DefaultNamespace, page.Items[0].Code)
}

func TestDataResourceLifecycle(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	in := okData(resreg.DataTree)
	_, err := reg.CreateDataResource(ctx, in)
	require.NoError(t, err)

	exists, err := reg.DataResourceExists(ctx, resreg.DataResourceExistsQuery{ResourceCode: "newdr"})
	require.NoError(t, err)
	require.True(t, exists)
	exists, err = reg.DataResourceExists(ctx, resreg.DataResourceExistsQuery{ResourceName: "New"})
	require.NoError(t, err)
	require.True(t, exists)
	exists, err = reg.DataResourceExists(ctx, resreg.DataResourceExistsQuery{ResourceCode: "other", ResourceName: "Other"})
	require.NoError(t, err)
	require.False(t, exists)
	_, err = reg.DataResourceExists(ctx, resreg.DataResourceExistsQuery{})
	require.ErrorIs(t, err, resreg.ErrInvalid)
	_, err = reg.DataResourceExists(ctx, resreg.DataResourceExistsQuery{NamespaceCode: "nope", ResourceCode: "x"})
	require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)

	newTree := resreg.TreeStruct(resreg.Node("x", "X", "1", resreg.Node("y", "Y", "2")))
	upd, err := reg.UpdateDataResource(ctx, "", "newdr", resreg.DataResourceUpdate{Struct: &newTree})
	require.NoError(t, err)
	require.Equal(t, newTree, upd.Struct)
	node, err := reg.FindTreeNode(ctx, "", "newdr", "x/y")
	require.NoError(t, err)
	require.Equal(t, "2", node.Value)
	_, err = reg.FindTreeNode(ctx, "", "newdr", "a/b")
	require.ErrorIs(t, err, resreg.ErrNotFound)

	page, err := reg.ListDataResources(ctx, resreg.DataResourceFilter{Types: []resreg.DataType{resreg.DataTree}}, resreg.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)

	require.NoError(t, reg.DeleteDataResource(ctx, "", "newdr"))
	_, err = reg.GetDataResource(ctx, "", "newdr")
	require.ErrorIs(t, err, resreg.ErrNotFound)
}

func TestCancelledContextWritesNothing(t *testing.T) {
	reg := newRegistry(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := reg.RegisterResources(ctx, okRegister(10))
	require.ErrorIs(t, err, context.Canceled)
	_, err = reg.CreateDataResource(ctx, okData(resreg.DataArray))
	require.ErrorIs(t, err, context.Canceled)
	page, err := reg.ListResources(context.Background(), resreg.ResourceFilter{}, resreg.ListOptions{IncludeTotal: true})
	require.NoError(t, err)
	require.Zero(t, page.TotalCount)
}
