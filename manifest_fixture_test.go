package resreg_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// fixedRegistry is a Registry on s with a fixed clock, so that nothing it
// records depends on when the test runs.
func fixedRegistry(s store.Store) *resreg.Registry {
	return resreg.New(s, resreg.WithClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }))
}

// decodeFile decodes the manifest at path.
func decodeFile(t *testing.T, path string) resreg.Manifest {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	m, err := resreg.DecodeManifest(f)
	require.NoError(t, err)
	return m
}

// seedExample writes, through the Registry's own calls, what
// examples/registry.yaml declares.
func seedExample(t *testing.T, r *resreg.Registry) {
	t.Helper()
	ctx := context.Background()
	_, err := r.CreateNamespace(ctx, resreg.Namespace{Code: "examplePermissionNamespace", Name: "Example permission namespace"})
	require.NoError(t, err)
	_, err = r.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "ecs", Description: "Server", Name: resreg.Name("Server"),
		Actions:       []resreg.Action{{Name: "ecs:Start", Description: "Start ECS server"}, {Name: "ecs:Stop", Description: "Stop ECS server"}},
		APIIdentifier: "https://my-awesome-api.com/api"})
	require.NoError(t, err)
	_, err = r.RegisterResources(ctx, resreg.RegisterInput{Type: "your_resource_type", AssignCodeToID: true, Resources: []resreg.RegisterItem{
		{Code: "your_resource_code_1", Name: resreg.I18nName{DefaultValue: "your_resource_name_1", I18nValue: map[string]string{"zh_CN": "your_resource_name_zh_1", "en_US": "your_resource_name_en_1"}}},
		{Code: "your_resource_code_2", Name: resreg.I18nName{DefaultValue: "your_resource_name_2", I18nValue: map[string]string{"zh_CN": "your_resource_name_zh_2", "en_US": "your_resource_name_en_2"}}},
	}})
	require.NoError(t, err)
	const ns = "examplePermissionNamespace"
	for _, in := range []resreg.CreateDataResourceInput{
		{NamespaceCode: ns, ResourceName: "createResource API", Description: "This is the createResource API", ResourceCode: "createResourceAPI",
			Type: resreg.DataString, Struct: resreg.StringStruct("/resource/create"), Actions: []string{"access"}},
		{NamespaceCode: ns, ResourceName: "A set of access card numbers", Description: "This is a set of access card numbers", ResourceCode: "accessCardNumber",
			Type: resreg.DataArray, Struct: resreg.ArrayStruct("accessCardNumber1", "accessCardNumber2", "accessCardNumber3"), Actions: []string{"get", "update"}},
		{NamespaceCode: ns, ResourceName: "GenAuth", Description: "This is the organizational structure of GenAuth", ResourceCode: "authing",
			Type: resreg.DataTree, Struct: resreg.TreeStruct(
				resreg.Node("product", "Product", "product", resreg.Node("productManager", "Product Manager", "pm"), resreg.Node("design", "Design", "ui")),
				resreg.Node("researchAndDevelopment", "R&D", "rd")),
			Actions: []string{"get", "update", "delete"}},
	} {
		_, err := r.CreateDataResource(ctx, in)
		require.NoError(t, err)
	}
	require.NoError(t, r.AuthorizeResources(ctx, resreg.AuthorizeResourcesInput{List: []resreg.AuthorizeItem{{
		TargetType: "ROLE", TargetIdentifiers: []string{"admin"},
		Resources: []resreg.ResourceActions{{Code: "ecs", Actions: []string{"ecs:Start", "ecs:Stop"}, ResourceType: "API"}},
	}}}))
	p, err := r.CreateDataPolicy(ctx, resreg.DataPolicyInput{PolicyName: "Product readers", Description: "Read the product branch of the organisation",
		StatementList: []resreg.Statement{{Effect: resreg.Allow, Permissions: []string{"examplePermissionNamespace/authing/product/*/get"}}}})
	require.NoError(t, err)
	require.NoError(t, r.AuthorizeDataPolicies(ctx, resreg.AuthorizeDataPoliciesInput{PolicyIDs: []string{p.PolicyID},
		TargetList: []resreg.Target{{Type: "ROLE", ID: "admin", Name: "Administrators"}}}))
	require.NoError(t, r.AddMembers(ctx, resreg.Role("admin"), resreg.User("alice")))
}

func memstoreNew() store.Store { return memstore.New() }
