package resreg_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
)

// readSeed decodes testdata/seeds/name into v, failing the test on error.
func readSeed(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seeds", name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v), "decoding %s", name)
}

func newRegistry(t *testing.T, opts ...resreg.Option) *resreg.Registry {
	t.Helper()
	return resreg.New(memstore.New(), opts...)
}

func TestSeedCreateResource(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)

	var in resreg.CreateResourceInput
	readSeed(t, "create_resource_request.json", &in)
	got, err := reg.CreateResource(ctx, in)
	require.NoError(t, err)

	// The stored record reads back as the seed's response describes it.
	var resp struct {
		StatusCode int             `json:"statusCode"`
		Data       resreg.Resource `json:"data"`
	}
	readSeed(t, "create_resource_response.json", &resp)
	want := resp.Data
	stored, err := reg.GetResource(ctx, "", "ecs")
	require.NoError(t, err)
	require.Equal(t, got, stored)
	require.Equal(t, want.Code, stored.Code)
	require.Equal(t, want.Type, stored.Type)
	require.Equal(t, want.Name, stored.Name)
	require.Equal(t, "Server", stored.Name.DefaultValue)
	require.Equal(t, want.Description, stored.Description)
	require.Equal(t, want.Actions, stored.Actions)
	require.Len(t, stored.Actions, 2)
	require.Equal(t, want.APIIdentifier, stored.APIIdentifier)
	require.Equal(t, want.Namespace, stored.Namespace)
	require.Equal(t, http200, resreg.StatusCode(err))
	require.NotEmpty(t, stored.ID)
}

const http200 = 200

func TestSeedCreateDataResources(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	_, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "examplePermissionNamespace", Name: "Example"})
	require.NoError(t, err)

	cases := []struct {
		file   string
		typ    resreg.DataType
		struc  resreg.Struct
		action []string
	}{
		{"data_resource_string_request.json", resreg.DataString, resreg.StringStruct("/resource/create"), []string{"access"}},
		{"data_resource_array_request.json", resreg.DataArray,
			resreg.ArrayStruct("accessCardNumber1", "accessCardNumber2", "accessCardNumber3"), []string{"get", "update"}},
		{"data_resource_tree_request.json", resreg.DataTree, resreg.TreeStruct(
			resreg.Node("product", "Product", "product",
				resreg.Node("productManager", "Product Manager", "pm"),
				resreg.Node("design", "Design", "ui")),
			resreg.Node("researchAndDevelopment", "R&D", "rd"),
		), []string{"get", "update", "delete"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.typ), func(t *testing.T) {
			var in resreg.CreateDataResourceInput
			readSeed(t, tc.file, &in)
			created, err := reg.CreateDataResource(ctx, in)
			require.NoError(t, err)

			got, err := reg.GetDataResource(ctx, "examplePermissionNamespace", in.ResourceCode)
			require.NoError(t, err)
			require.Equal(t, created, got)
			require.Equal(t, tc.typ, got.Type)
			require.Equal(t, tc.struc, got.Struct)
			require.Equal(t, tc.action, got.Actions)
			require.Equal(t, in.ResourceName, got.ResourceName)
			require.Equal(t, in.Description, got.Description)
		})
	}

	node, err := reg.FindTreeNode(ctx, "examplePermissionNamespace", "authing", "product/productManager")
	require.NoError(t, err)
	require.Equal(t, resreg.TreePath{Path: "product/productManager", Code: "productManager", Name: "Product Manager", Value: "pm", Depth: 2}, node)
}

func TestSeedDataResourceResponseDecodes(t *testing.T) {
	var resp struct {
		Data resreg.DataResource `json:"data"`
	}
	readSeed(t, "data_resource_response.json", &resp)
	require.Equal(t, []string{"read", "get"}, resp.Data.Actions)
	require.Equal(t, resreg.DataTree, resp.Data.Type)
	require.Equal(t, "dataResourceTestCode", resp.Data.ResourceCode)
}

func TestSeedRegisterResources(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)

	var in resreg.RegisterInput
	readSeed(t, "register_request.json", &in)
	require.True(t, in.AssignCodeToID)
	res, err := reg.RegisterResources(ctx, in)
	require.NoError(t, err)
	require.True(t, res.Success)

	var resp struct {
		Code int                   `json:"code"`
		Data resreg.RegisterResult `json:"data"`
	}
	readSeed(t, "register_response.json", &resp)
	require.Len(t, res.Resources, len(resp.Data.Resources))
	for i, want := range resp.Data.Resources {
		got, err := reg.GetResource(ctx, "", want.Code)
		require.NoError(t, err)
		require.Equal(t, res.Resources[i], got)
		require.Equal(t, want.Code, got.ID, "assignCodeToId makes the ID the code")
		require.Equal(t, want.Name, got.Name)
		require.Equal(t, "your_resource_type", got.Type)
		require.Equal(t, want.Name.I18nValue["zh_CN"], got.Name.Resolve("zh-CN"))
	}
	require.Equal(t, resp.Code, resreg.EnOSCode(err))
}
