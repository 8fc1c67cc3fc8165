// Command quickstart registers the sample resources of the three APIs resreg
// implements (Authing createResource and createDataResource, EnOS Register
// Resource) in a SQLite file and prints what the registry holds.
//
// Run it twice: the second run finds everything already registered, says
// so, and prints the same registry.
//
//	go run ./examples/quickstart [-db quickstart.db]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/sqlitestore"
)

func main() {
	dbPath := flag.String("db", "quickstart.db", "SQLite file that keeps the registry")
	flag.Parse()
	if err := run(context.Background(), *dbPath); err != nil {
		log.SetFlags(0)
		log.Fatalf("quickstart: %v", err)
	}
}

func run(ctx context.Context, dbPath string) error {
	st, err := sqlitestore.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := resreg.New(st)
	fmt.Printf("registry file: %s\n\n", dbPath)

	const space = "examplePermissionNamespace"
	_, err = reg.CreateNamespace(ctx, resreg.Namespace{Code: space, Name: "Example permission space"})
	report("namespace "+space, err)

	// Authing createResource, the request of its documentation.
	_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{
		Type:        resreg.TypeAPI,
		Code:        "ecs",
		Name:        resreg.Name("Server"),
		Description: "Server",
		Actions: []resreg.Action{
			{Name: "ecs:Start", Description: "Start ECS server"},
			{Name: "ecs:Stop", Description: "Stop ECS server"},
		},
		APIIdentifier: "https://my-awesome-api.com/api",
		Namespace:     resreg.DefaultNamespace,
	})
	report("resource ecs", err)

	// Authing createDataResource, its three request examples.
	for _, in := range []resreg.CreateDataResourceInput{
		{
			NamespaceCode: space, ResourceCode: "createResourceAPI", ResourceName: "createResource API",
			Description: "This is the createResource API", Type: resreg.DataString,
			Struct: resreg.StringStruct("/resource/create"), Actions: []string{"access"},
		},
		{
			NamespaceCode: space, ResourceCode: "accessCardNumber", ResourceName: "A set of access card numbers",
			Description: "This is a set of access card numbers", Type: resreg.DataArray,
			Struct:  resreg.ArrayStruct("accessCardNumber1", "accessCardNumber2", "accessCardNumber3"),
			Actions: []string{"get", "update"},
		},
		{
			NamespaceCode: space, ResourceCode: "authing", ResourceName: "GenAuth",
			Description: "This is the organizational structure of GenAuth", Type: resreg.DataTree,
			Struct: resreg.TreeStruct(
				resreg.Node("product", "Product", "product",
					resreg.Node("productManager", "Product Manager", "pm"),
					resreg.Node("design", "Design", "ui")),
				resreg.Node("researchAndDevelopment", "R&D", "rd"),
			),
			Actions: []string{"get", "update", "delete"},
		},
	} {
		_, err = reg.CreateDataResource(ctx, in)
		report("data resource "+in.ResourceCode, err)
	}

	// EnOS Register Resource, the request sample of its documentation.
	_, err = reg.RegisterResources(ctx, resreg.RegisterInput{
		Type:           "your_resource_type",
		AssignCodeToID: true,
		Resources: []resreg.RegisterItem{
			{Code: "your_resource_code_1", Name: resreg.I18nName{DefaultValue: "your_resource_name_1",
				I18nValue: map[string]string{"zh_CN": "your_resource_name_zh_1", "en_US": "your_resource_name_en_1"}}},
			{Code: "your_resource_code_2", Name: resreg.I18nName{DefaultValue: "your_resource_name_2",
				I18nValue: map[string]string{"zh_CN": "your_resource_name_zh_2", "en_US": "your_resource_name_en_2"}}},
		},
	})
	report("EnOS batch your_resource_code_1, your_resource_code_2", err)

	return printRegistry(ctx, reg, []string{resreg.DefaultNamespace, space})
}

// report says what happened to one registration. A conflict is not a
// failure here: it means an earlier run registered the same thing.
func report(what string, err error) {
	switch {
	case err == nil:
		fmt.Printf("registered  %s\n", what)
	case errors.Is(err, resreg.ErrConflict):
		fmt.Printf("exists      %s (kept from an earlier run)\n", what)
	default:
		fmt.Fprintf(os.Stderr, "failed      %s: %v\n", what, err)
		os.Exit(1)
	}
}

// printRegistry lists every resource and data resource of the namespaces.
func printRegistry(ctx context.Context, reg *resreg.Registry, namespaces []string) error {
	for _, ns := range namespaces {
		fmt.Printf("\nnamespace %s\n", ns)
		opts := resreg.ListOptions{PageSize: resreg.MaxPageSize}
		for {
			page, err := reg.ListResources(ctx, resreg.ResourceFilter{Namespace: ns}, opts)
			if err != nil {
				return err
			}
			for _, r := range page.Items {
				actions := make([]string, len(r.Actions))
				for i, a := range r.Actions {
					actions[i] = a.Name
				}
				fmt.Printf("  resource  %-22s type=%-18s id=%-22s name=%q zh_CN=%q actions=[%s]\n",
					r.Code, r.Type, r.ID, r.Name.DefaultValue, r.Name.Resolve("zh_CN"), strings.Join(actions, " "))
			}
			if opts.PageToken = page.NextPageToken; opts.PageToken == "" {
				break
			}
		}
		opts = resreg.ListOptions{PageSize: resreg.MaxPageSize}
		for {
			page, err := reg.ListDataResources(ctx, resreg.DataResourceFilter{Namespace: ns}, opts)
			if err != nil {
				return err
			}
			for _, d := range page.Items {
				fmt.Printf("  data      %-22s type=%-6s name=%q actions=%v\n", d.ResourceCode, d.Type, d.ResourceName, []string(d.Actions))
				switch d.Type {
				case resreg.DataString:
					fmt.Printf("            %s\n", d.Struct.String)
				case resreg.DataArray:
					fmt.Printf("            %s\n", strings.Join(d.Struct.Array, ", "))
				case resreg.DataTree:
					for _, p := range d.Struct.Tree.Flatten() {
						fmt.Printf("            %s%s (%s) = %s\n", strings.Repeat("  ", p.Depth-1), p.Path, p.Name, p.Value)
					}
				}
			}
			if opts.PageToken = page.NextPageToken; opts.PageToken == "" {
				break
			}
		}
	}
	return nil
}
