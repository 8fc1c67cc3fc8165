package resreg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
)

// Authing's createResource: an API resource with two actions in the default
// namespace.
func ExampleRegistry_CreateResource() {
	ctx := context.Background()
	reg := resreg.New(memstore.New())

	res, err := reg.CreateResource(ctx, resreg.CreateResourceInput{
		Type:        resreg.TypeAPI,
		Code:        "ecs",
		Name:        resreg.Name("Server"),
		Description: "Server",
		Actions: []resreg.Action{
			{Name: "ecs:Start", Description: "Start ECS server"},
			{Name: "ecs:Stop", Description: "Stop ECS server"},
		},
		APIIdentifier: "https://my-awesome-api.com/api",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Namespace, res.Type, res.Code, res.Name.DefaultValue, len(res.Actions))

	_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: "ecs"})
	fmt.Println(errors.Is(err, resreg.ErrConflict), resreg.StatusCode(err))
	// Output:
	// default API ecs Server 2
	// true 409
}

// Authing's createDataResource with the TREE request example, decoded as it
// is sent, then one node looked up by path.
func ExampleRegistry_CreateDataResource() {
	ctx := context.Background()
	reg := resreg.New(memstore.New())
	if _, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "examplePermissionNamespace"}); err != nil {
		panic(err)
	}

	body := `{
		"namespaceCode": "examplePermissionNamespace",
		"resourceName": "GenAuth",
		"resourceCode": "authing",
		"struct": [
			{"name": "Product", "code": "product", "value": "product", "children": [
				{"name": "Product Manager", "code": "productManager", "value": "pm"},
				{"name": "Design", "code": "design", "value": "ui"}]},
			{"name": "R&D", "code": "researchAndDevelopment", "value": "rd"}],
		"type": "TREE",
		"actions": ["get", "update", "delete"]
	}`
	var in resreg.CreateDataResourceInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		panic(err)
	}
	d, err := reg.CreateDataResource(ctx, in)
	if err != nil {
		panic(err)
	}
	for _, p := range d.Struct.Tree.Flatten() {
		fmt.Println(p.Depth, p.Path, p.Value)
	}
	node, err := reg.FindTreeNode(ctx, "examplePermissionNamespace", "authing", "product/design")
	fmt.Println(node.Name, err)
	// Output:
	// 1 product product
	// 2 product/productManager pm
	// 2 product/design ui
	// 1 researchAndDevelopment rd
	// Design <nil>
}

// EnOS Register Resource: a batch with internationalised names, IDs equal to
// codes.
func ExampleRegistry_RegisterResources() {
	ctx := context.Background()
	reg := resreg.New(memstore.New())

	res, err := reg.RegisterResources(ctx, resreg.RegisterInput{
		Type:           "menu_type",
		AssignCodeToID: true,
		Resources: []resreg.RegisterItem{
			{Code: "orders", Name: resreg.I18nName{DefaultValue: "Orders", I18nValue: map[string]string{"zh_CN": "订单"}}},
			{Code: "invoices", Name: resreg.I18nName{DefaultValue: "Invoices", I18nValue: map[string]string{"zh_CN": "发票"}}},
		},
	})
	if err != nil {
		panic(err)
	}
	for _, r := range res.Resources {
		fmt.Println(r.ID, r.Name.Resolve("zh-CN"), r.Name.Resolve("fr"))
	}

	// A missing default name is EnOS error 31400 and registers nothing.
	_, err = reg.RegisterResources(ctx, resreg.RegisterInput{
		Type:      "menu_type",
		Resources: []resreg.RegisterItem{{Code: "reports"}},
	})
	var e *resreg.Error
	fmt.Println(errors.As(err, &e), e.Field, resreg.EnOSCode(err))
	// Output:
	// orders 订单 Orders
	// invoices 发票 Invoices
	// true resources[0].name.defaultValue 31400
}

// Paging through resources with keyset tokens.
func ExampleRegistry_ListResources() {
	ctx := context.Background()
	reg := resreg.New(memstore.New())
	for _, code := range []string{"c", "a", "e", "b", "d"} {
		if _, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeMenu, Code: code}); err != nil {
			panic(err)
		}
	}
	opts := resreg.ListOptions{PageSize: 2, IncludeTotal: true}
	for {
		page, err := reg.ListResources(ctx, resreg.ResourceFilter{}, opts)
		if err != nil {
			panic(err)
		}
		for _, r := range page.Items {
			fmt.Print(r.Code, " ")
		}
		fmt.Println("of", page.TotalCount)
		if page.NextPageToken == "" {
			break
		}
		opts.PageToken = page.NextPageToken
	}
	// Output:
	// a b of 5
	// c d of 5
	// e of 5
}

func ExampleI18nName_Resolve() {
	name := resreg.I18nName{
		DefaultValue: "Server",
		I18nValue:    map[string]string{"zh_CN": "服务器", "zh_TW": "伺服器", "de": "Server (de)"},
	}
	fmt.Println(name.Resolve("zh-TW"))
	fmt.Println(name.Resolve("zh"))
	fmt.Println(name.Resolve("de_AT"))
	fmt.Println(name.Resolve("ja"))
	// Output:
	// 伺服器
	// 服务器
	// Server (de)
	// Server
}
