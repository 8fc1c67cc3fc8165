package resreg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
)

// Authing's authorize-resources body grants two actions of an API resource
// to a role; get-authorized-resources then lists what the role holds.
func ExampleRegistry_AuthorizeResources() {
	ctx := context.Background()
	reg := resreg.New(memstore.New())
	_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{
		Type: resreg.TypeAPI, Code: "ecs",
		Actions: []resreg.Action{
			{Name: "ecs:Start", Description: "Start ECS server"},
			{Name: "ecs:Stop", Description: "Stop ECS server"},
		},
	})
	if err != nil {
		panic(err)
	}

	body := `{"namespace": "default", "list": [{
		"targetType": "ROLE", "targetIdentifiers": ["admin"],
		"resources": [
			{"code": "ecs", "actions": ["ecs:Start", "ecs:Stop"], "resourceType": "API"},
			{"code": "ecs", "actions": ["ecs:Stop"], "effect": "DENY"}]}]}`
	var in resreg.AuthorizeResourcesInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		panic(err)
	}
	if err := reg.AuthorizeResources(ctx, in); err != nil {
		panic(err)
	}

	got, err := reg.GetAuthorizedResources(ctx, resreg.GetAuthorizedResourcesInput{
		TargetType: resreg.SubjectRole, TargetIdentifier: "admin", WithDenied: true,
	})
	if err != nil {
		panic(err)
	}
	for _, r := range got {
		fmt.Println(r.ResourceCode, r.ResourceType, r.Effect, r.Actions)
	}

	// An action the resource does not declare is refused, naming the field.
	in.List[0].Resources[0].Actions = []string{"ecs:Reboot"}
	err = reg.AuthorizeResources(ctx, in)
	var e *resreg.Error
	fmt.Println(errors.As(err, &e), e.Field)
	// Output:
	// ecs API ALLOW [ecs:Start ecs:Stop]
	// ecs API DENY [ecs:Stop]
	// true list[0].resources[0].actions[0]
}

// A data policy on the seed 002 tree (Authing's createDataResource TREE
// example): the product branch may be read, the design node also updated,
// and the policy is attached to a department sent as Authing's ORG.
func ExampleRegistry_CreateDataPolicy() {
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
		PolicyName: "Product readers",
		StatementList: []resreg.Statement{
			{Effect: resreg.Allow, Permissions: []string{
				"examplePermissionNamespace/authing/product/get",
				"examplePermissionNamespace/authing/product/design/update",
			}},
			{Effect: resreg.Deny, Permissions: []string{"examplePermissionNamespace/authing/research*/*"}},
		},
	})
	if err != nil {
		panic(err)
	}
	err = reg.AuthorizeDataPolicies(ctx, resreg.AuthorizeDataPoliciesInput{
		PolicyIDs:  []string{p.PolicyID},
		TargetList: []resreg.Target{{ID: "productDept", Type: "ORG", Name: "Product"}},
	})
	if err != nil {
		panic(err)
	}
	targets, err := reg.ListDataPolicyTargets(ctx, p.PolicyID, resreg.ListOptions{})
	if err != nil {
		panic(err)
	}
	for _, t := range targets.Items {
		fmt.Println(t.Subject, t.Name)
	}

	// A node that does not exist is refused; one a policy names cannot be
	// removed from the tree.
	_, err = reg.CreateDataPolicy(ctx, resreg.DataPolicyInput{PolicyName: "Typo", StatementList: []resreg.Statement{
		{Effect: resreg.Allow, Permissions: []string{"examplePermissionNamespace/authing/product/desing/get"}},
	}})
	var e *resreg.Error
	fmt.Println(errors.Is(err, resreg.ErrNotFound), errors.As(err, &e) && e.Field == "statementList[0].permissions[0]")
	err = reg.DeleteDataResource(ctx, "examplePermissionNamespace", "authing")
	fmt.Println(errors.Is(err, resreg.ErrConflict), errors.As(err, &e) && e.Codes[0] == p.PolicyID)
	// Output:
	// DEPARTMENT:productDept Product
	// true true
	// true true
}
