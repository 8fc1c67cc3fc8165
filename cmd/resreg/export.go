package main

import (
	"context"
	"io"

	"github.com/resreg/resreg"
)

func init() {
	commands["export"] = command{summary: "print the registry as a manifest", run: runExport}
}

const exportUsage = `
usage: resreg export [--db resreg.db | --postgres DSN] [--namespace ns] [-o yaml|json]

Prints the registry as a manifest that "resreg plan -f" reads: planning it
against the same registry shows no changes. Generated IDs and timestamps
are left out. With --namespace, only that namespace is exported, without
the registry-wide data policies and memberships.

example:
  resreg export --db registry.db > registry.yaml
`

func runExport(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", exportUsage, stderr)
	stores := addStoreFlags(fs)
	ns := fs.String("namespace", "", "export only this namespace")
	out := fs.String("o", "yaml", "output format: yaml or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := stores.check(fs); err != nil {
		return err
	}
	if err := checkFormat(fs, *out, "yaml", "json"); err != nil {
		return err
	}
	r, closeDB, err := stores.openRead(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	var namespaces []string
	if *ns != "" {
		namespaces = []string{*ns}
	}
	m, err := r.Export(ctx, namespaces...)
	if err != nil {
		return err
	}
	return resreg.EncodeManifest(stdout, m, *out)
}
