package resreg_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
)

// permFixture fills a registry with what the permission tests name:
// namespace "app" with resources ecs (API), books (API) and books:fiction
// (MENU), and data resources org (the seed 002 tree), card (ARRAY) and
// path (STRING).
func permFixture(t *testing.T, reg *resreg.Registry) {
	t.Helper()
	ctx := context.Background()
	_, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "app"})
	require.NoError(t, err)
	for _, in := range []resreg.CreateResourceInput{
		{Namespace: "app", Type: resreg.TypeAPI, Code: "ecs", Actions: []resreg.Action{{Name: "ecs:Start", Description: "Start"}, {Name: "ecs:Stop", Description: "Stop"}}, APIIdentifier: "https://api.example.com/ecs", Description: "Servers"},
		{Namespace: "app", Type: resreg.TypeAPI, Code: "books", Actions: []resreg.Action{{Name: "read", Description: "Read"}, {Name: "write", Description: "Write"}}},
		{Namespace: "app", Type: resreg.TypeMenu, Code: "books:fiction", Actions: []resreg.Action{{Name: "read", Description: "Read"}}},
	} {
		_, err := reg.CreateResource(ctx, in)
		require.NoError(t, err)
	}
	for _, in := range []resreg.CreateDataResourceInput{
		{NamespaceCode: "app", ResourceCode: "org", ResourceName: "GenAuth", Type: resreg.DataTree, Actions: []string{"get", "update", "delete"},
			Struct: resreg.TreeStruct(
				resreg.Node("product", "Product", "product",
					resreg.Node("productManager", "Product Manager", "pm"),
					resreg.Node("design", "Design", "ui")),
				resreg.Node("researchAndDevelopment", "R&D", "rd"))},
		{NamespaceCode: "app", ResourceCode: "card", ResourceName: "Cards", Type: resreg.DataArray, Struct: resreg.ArrayStruct("c1", "c2"), Actions: []string{"open"}},
		{NamespaceCode: "app", ResourceCode: "path", ResourceName: "Path", Type: resreg.DataString, Struct: resreg.StringStruct("/api/v1"), Actions: []string{"get"}},
	} {
		_, err := reg.CreateDataResource(ctx, in)
		require.NoError(t, err)
	}
}

// grantInput builds an AuthorizeResourcesInput of one item in "app".
func grantInput(targetType string, ids []string, resources ...resreg.ResourceActions) resreg.AuthorizeResourcesInput {
	return resreg.AuthorizeResourcesInput{Namespace: "app", List: []resreg.AuthorizeItem{{TargetType: targetType, TargetIdentifiers: ids, Resources: resources}}}
}

// policyInput builds a one-statement ALLOW policy.
func policyInput(name string, perms ...string) resreg.DataPolicyInput {
	return resreg.DataPolicyInput{PolicyName: name, StatementList: []resreg.Statement{{Effect: resreg.Allow, Permissions: perms}}}
}

func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}
