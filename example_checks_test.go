package resreg_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
)

// Authing's is-action-allowed: a role's grant reaches a user through a
// group, and a DENY wins over it.
func ExampleRegistry_IsActionAllowed() {
	ctx := context.Background()
	reg := resreg.New(memstore.New())
	_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{
		Type: resreg.TypeAPI, Code: "ecs",
		Actions: []resreg.Action{{Name: "ecs:Start", Description: "Start"}, {Name: "ecs:Stop", Description: "Stop"}},
	})
	if err != nil {
		panic(err)
	}
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(reg.AddMembers(ctx, resreg.Group("ops"), resreg.User("alice")))
	must(reg.AddMembers(ctx, resreg.Role("operator"), resreg.Group("ops")))
	must(reg.AuthorizeResources(ctx, resreg.AuthorizeResourcesInput{List: []resreg.AuthorizeItem{{
		TargetType: resreg.SubjectRole, TargetIdentifiers: []string{"operator"},
		Resources: []resreg.ResourceActions{{Code: "ecs", Actions: []string{"*"}}},
	}, {
		TargetType: resreg.SubjectUser, TargetIdentifiers: []string{"alice"},
		Resources: []resreg.ResourceActions{{Code: "ecs", Actions: []string{"ecs:Stop"}, Effect: resreg.Deny}},
	}}}))

	for _, action := range []string{"ecs:Start", "ecs:Stop", "ecs:Reboot"} {
		in := resreg.IsActionAllowedInput{Principal: resreg.Principal{UserID: "alice"}, Resource: "ecs", Action: action}
		ok, err := reg.IsActionAllowed(ctx, in)
		if err != nil {
			panic(err)
		}
		ex, err := reg.ExplainActionAllowed(ctx, in)
		if err != nil {
			panic(err)
		}
		fmt.Println(action, ok, "-", ex.Reason)
	}
	// Output:
	// ecs:Start true - allowed by ALLOW default/ecs/* held by ROLE:operator via GROUP:ops via USER:alice
	// ecs:Stop false - denied by DENY default/ecs/ecs:Stop held by USER:alice
	// ecs:Reboot false - no such action
}

// Authing's check-permission on the seed 002 tree: a policy on the product
// node covers its subtree, a DENY on design wins below it, and R&D is
// outside the grant.
func ExampleRegistry_CheckPermission() {
	ctx := context.Background()
	reg := resreg.New(memstore.New())
	if _, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "examplePermissionNamespace"}); err != nil {
		panic(err)
	}
	seed, err := os.ReadFile("testdata/seeds/data_resource_tree_request.json")
	if err != nil {
		panic(err)
	}
	var tree resreg.CreateDataResourceInput
	if err := json.Unmarshal(seed, &tree); err != nil {
		panic(err)
	}
	if _, err := reg.CreateDataResource(ctx, tree); err != nil {
		panic(err)
	}
	p, err := reg.CreateDataPolicy(ctx, resreg.DataPolicyInput{
		PolicyName: "Product",
		StatementList: []resreg.Statement{
			{Effect: resreg.Allow, Permissions: []string{"examplePermissionNamespace/authing/product/*"}},
			{Effect: resreg.Deny, Permissions: []string{"examplePermissionNamespace/authing/product/design/delete"}},
		},
	})
	if err != nil {
		panic(err)
	}
	err = reg.AuthorizeDataPolicies(ctx, resreg.AuthorizeDataPoliciesInput{
		PolicyIDs: []string{p.PolicyID}, TargetList: []resreg.Target{{ID: "productDept", Type: "ORG"}},
	})
	if err != nil {
		panic(err)
	}

	res, err := reg.CheckPermission(ctx, resreg.CheckPermissionInput{
		Principal:     resreg.Principal{UserID: "bob", Subjects: []resreg.Subject{resreg.Department("productDept")}},
		NamespaceCode: "examplePermissionNamespace",
		Action:        "delete",
		Resources:     []string{"authing/product", "authing/product/productManager", "authing/product/design", "authing/researchAndDevelopment"},
	})
	if err != nil {
		panic(err)
	}
	for _, r := range res.CheckResultList {
		fmt.Println(r.Resource, r.Action, r.Enabled)
	}
	// Output:
	// authing/product delete true
	// authing/product/productManager delete true
	// authing/product/design delete false
	// authing/researchAndDevelopment delete false
}
