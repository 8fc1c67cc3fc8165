package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func init() {
	commands["get"] = command{summary: "show one record: get resource NS CODE", run: runGet}
}

const getUsage = `
usage: resreg get resource NS CODE [--db resreg.db | --postgres DSN] [-o table|json|yaml]

Shows the resource CODE of namespace NS.

example:
  resreg get resource default ecs -o json
`

func runGet(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("get", getUsage, stderr)
	stores := addStoreFlags(fs)
	out := fs.String("o", "table", outputFlagUsage)
	pos, err := parseWithArgs(fs, args, 3)
	if err != nil {
		return err
	}
	if err := stores.check(fs); err != nil {
		return err
	}
	if err := checkFormat(fs, *out, "table", "json", "yaml"); err != nil {
		return err
	}
	if pos[0] != "resource" {
		fmt.Fprintf(stderr, "get knows the kind resource, got %q\n", pos[0])
		return errUsage
	}
	r, closeDB, err := stores.openRead(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	res, err := r.GetResource(ctx, pos[1], pos[2])
	if err != nil {
		return err
	}
	return writeAs(stdout, *out, res, func() error {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "namespace\t%s\ncode\t%s\nid\t%s\ntype\t%s\nname\t%s\n", res.Namespace, res.Code, res.ID, res.Type, res.Name.DefaultValue)
		for _, k := range sortedKeys(res.Name.I18nValue) {
			fmt.Fprintf(tw, "name.%s\t%s\n", k, res.Name.I18nValue[k])
		}
		fmt.Fprintf(tw, "description\t%s\napiIdentifier\t%s\nlinkedToTenant\t%t\n", res.Description, res.APIIdentifier, res.LinkedToTenant)
		for _, a := range res.Actions {
			fmt.Fprintf(tw, "action\t%s\t%s\n", a.Name, strings.ReplaceAll(a.Description, "\n", " "))
		}
		fmt.Fprintf(tw, "createdAt\t%s\nupdatedAt\t%s\n", res.CreatedAt.Format("2006-01-02T15:04:05Z07:00"), res.UpdatedAt.Format("2006-01-02T15:04:05Z07:00"))
		return tw.Flush()
	})
}
