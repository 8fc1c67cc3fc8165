package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/resreg/resreg"
)

func init() {
	commands["list"] = command{summary: "list resources, data-resources, namespaces or policies", run: runList}
}

const listUsage = `
usage: resreg list resources|data-resources|namespaces|policies [--db resreg.db | --postgres DSN]
                   [--namespace ns] [--keyword k] [-o table|json|yaml]

Lists records ordered by code (policies by name). --namespace selects the
namespace of resources and data resources (default: the default
namespace); --keyword keeps records whose code or name holds it, ignoring
case.

example:
  resreg list resources --namespace default --keyword ecs -o json
`

func runList(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("list", listUsage, stderr)
	stores := addStoreFlags(fs)
	ns := fs.String("namespace", "", namespaceFlagUsage)
	keyword := fs.String("keyword", "", "keep records whose code or name holds this text")
	out := fs.String("o", "table", outputFlagUsage)
	pos, err := parseWithArgs(fs, args, 1)
	if err != nil {
		return err
	}
	if err := stores.check(fs); err != nil {
		return err
	}
	if err := checkFormat(fs, *out, "table", "json", "yaml"); err != nil {
		return err
	}
	kind := pos[0]
	switch kind {
	case "resources", "data-resources", "namespaces", "policies":
	default:
		fmt.Fprintf(stderr, "list knows resources, data-resources, namespaces and policies, got %q\n", kind)
		return errUsage
	}
	r, closeDB, err := stores.openRead(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	switch kind {
	case "resources":
		items, err := listAll(func(o resreg.ListOptions) (resreg.Page[resreg.Resource], error) {
			return r.ListResources(ctx, resreg.ResourceFilter{Namespace: *ns, Keyword: *keyword}, o)
		})
		if err != nil {
			return err
		}
		return writeAs(stdout, *out, items, func() error {
			fmt.Fprintln(tw, "CODE\tTYPE\tNAME\tACTIONS")
			for _, res := range items {
				names := make([]string, len(res.Actions))
				for i, a := range res.Actions {
					names[i] = a.Name
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", res.Code, res.Type, res.Name.DefaultValue, strings.Join(names, ","))
			}
			return tw.Flush()
		})
	case "data-resources":
		items, err := listAll(func(o resreg.ListOptions) (resreg.Page[resreg.DataResource], error) {
			return r.ListDataResources(ctx, resreg.DataResourceFilter{Namespace: *ns, Keyword: *keyword}, o)
		})
		if err != nil {
			return err
		}
		return writeAs(stdout, *out, items, func() error {
			fmt.Fprintln(tw, "CODE\tTYPE\tNAME\tACTIONS")
			for _, d := range items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.ResourceCode, d.Type, d.ResourceName, strings.Join(d.Actions, ","))
			}
			return tw.Flush()
		})
	case "namespaces":
		all, err := listAll(func(o resreg.ListOptions) (resreg.Page[resreg.Namespace], error) { return r.ListNamespaces(ctx, o) })
		if err != nil {
			return err
		}
		items := all[:0]
		for _, n := range all {
			if *keyword == "" || containsFold(n.Code, *keyword) || containsFold(n.Name, *keyword) {
				items = append(items, n)
			}
		}
		return writeAs(stdout, *out, items, func() error {
			fmt.Fprintln(tw, "CODE\tNAME\tDESCRIPTION")
			for _, n := range items {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", n.Code, n.Name, oneLine(n.Description))
			}
			return tw.Flush()
		})
	default:
		items, err := listAll(func(o resreg.ListOptions) (resreg.Page[resreg.DataPolicy], error) {
			return r.ListDataPolicies(ctx, resreg.DataPolicyFilter{Keyword: *keyword}, o)
		})
		if err != nil {
			return err
		}
		return writeAs(stdout, *out, items, func() error {
			fmt.Fprintln(tw, "NAME\tID\tSTATEMENTS\tDESCRIPTION")
			for _, p := range items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.PolicyName, p.PolicyID, strconv.Itoa(len(p.StatementList)), oneLine(p.Description))
			}
			return tw.Flush()
		})
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
