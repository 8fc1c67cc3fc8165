package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/resreg/resreg"
)

func init() {
	commands["plan"] = command{summary: "show what applying a manifest would change (exit 3 when changes are pending)", run: runPlan}
}

// exitChangesPending is plan's exit code when the registry differs from
// the manifest, so that CI can gate on it.
const exitChangesPending = exitCode(3)

const planUsage = `
usage: resreg plan -f registry.yaml [--db resreg.db | --postgres DSN] [--prune] [--namespace ns] [-o text|json]

Compares the manifest with the registry and prints every change that
applying it would make: "+" create, "~" update (with the changed fields),
"-" delete (only with --prune). Nothing is written; applying is
available with "resreg apply".

Exit codes: 0 nothing would change, 3 changes are pending, 1 error, 2 usage.

example:
  resreg plan -f examples/registry.yaml --db registry.db --prune
`

func runPlan(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plan", planUsage, stderr)
	file := fs.String("f", "", "manifest file, YAML or JSON (- reads stdin)")
	stores := addStoreFlags(fs)
	prune := fs.Bool("prune", false, "also plan deleting what the manifest does not name")
	ns := fs.String("namespace", "", "plan only this namespace (data policies and memberships are then left out)")
	out := fs.String("o", "text", "output format: text or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := stores.check(fs); err != nil {
		return err
	}
	if err := checkFormat(fs, *out, "text", "json"); err != nil {
		return err
	}
	if *file == "" {
		fmt.Fprintln(stderr, "plan needs -f FILE")
		fs.Usage()
		return errUsage
	}
	m, err := readManifest(*file)
	if err != nil {
		return err
	}
	r, closeDB, err := stores.openRead(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	opts := resreg.PlanOptions{Prune: *prune}
	if *ns != "" {
		opts.Namespaces = []string{*ns}
	}
	p, err := r.Plan(ctx, m, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	if *out == "json" {
		err = writeJSON(stdout, p)
	} else {
		_, err = io.WriteString(stdout, colourPlan(p.String(), useColour(stdout, env)))
	}
	if err != nil {
		return err
	}
	if !p.Empty() {
		return exitChangesPending
	}
	return nil
}

// readManifest decodes the manifest at path, or stdin for "-".
func readManifest(path string) (resreg.Manifest, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return resreg.Manifest{}, err
		}
		defer f.Close()
		r = f
	}
	m, err := resreg.DecodeManifest(r)
	if err != nil {
		return resreg.Manifest{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// colourPlan colours the change lines of a rendered plan: green creates,
// yellow updates, red deletes.
func colourPlan(text string, colour bool) string {
	if !colour {
		return text
	}
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		code := ""
		switch {
		case strings.HasPrefix(l, "+ "):
			code = "32"
		case strings.HasPrefix(l, "~ "):
			code = "33"
		case strings.HasPrefix(l, "- "):
			code = "31"
		}
		if code != "" {
			lines[i] = "\x1b[" + code + "m" + strings.TrimSuffix(l, "\n") + "\x1b[0m\n"
		}
	}
	return strings.Join(lines, "")
}
