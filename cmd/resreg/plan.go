package main

import (
	"context"
	"flag"
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

// manifestFlags are the flags plan and apply share.
type manifestFlags struct {
	file, ns, out *string
	prune         *bool
	stores        storeFlags
}

// addManifestFlags defines them; verb ("plan", "apply") words their help.
func addManifestFlags(fs *flag.FlagSet, pruneUsage, verb string) manifestFlags {
	return manifestFlags{
		file:   fs.String("f", "", "manifest file, YAML or JSON (- reads stdin)"),
		stores: addStoreFlags(fs),
		prune:  fs.Bool("prune", false, pruneUsage),
		ns:     fs.String("namespace", "", verb+" only this namespace (data policies and memberships are then left out)"),
		out:    fs.String("o", "text", "output format: text or json"),
	}
}

// parse parses args and checks the shared flags.
func (mf manifestFlags) parse(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := mf.stores.check(fs); err != nil {
		return err
	}
	if err := checkFormat(fs, *mf.out, "text", "json"); err != nil {
		return err
	}
	if *mf.file == "" {
		fmt.Fprintln(fs.Output(), fs.Name()+" needs -f FILE")
		fs.Usage()
		return errUsage
	}
	return nil
}

// plan reads the manifest, opens the registry with open (the store's
// openRead or openWrite) and plans the manifest against it. The caller
// closes the registry with the returned function.
func (mf manifestFlags) plan(ctx context.Context, open func(context.Context) (*resreg.Registry, func(), error)) (*resreg.Registry, resreg.Plan, func(), error) {
	m, err := readManifest(*mf.file)
	if err != nil {
		return nil, resreg.Plan{}, nil, err
	}
	r, closeDB, err := open(ctx)
	if err != nil {
		return nil, resreg.Plan{}, nil, err
	}
	opts := resreg.PlanOptions{Prune: *mf.prune}
	if *mf.ns != "" {
		opts.Namespaces = []string{*mf.ns}
	}
	p, err := r.Plan(ctx, m, opts)
	if err != nil {
		closeDB()
		return nil, resreg.Plan{}, nil, fmt.Errorf("%s: %w", *mf.file, err)
	}
	return r, p, closeDB, nil
}

func runPlan(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plan", planUsage, stderr)
	mf := addManifestFlags(fs, "also plan deleting what the manifest does not name", "plan")
	if err := mf.parse(fs, args); err != nil {
		return err
	}
	_, p, closeDB, err := mf.plan(ctx, mf.stores.openRead)
	if err != nil {
		return err
	}
	defer closeDB()
	out := mf.out
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
