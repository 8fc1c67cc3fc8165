package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/resreg/resreg"
)

func init() {
	commands["apply"] = command{summary: "make the registry hold what a manifest declares, all or nothing", run: runApply}
}

const applyUsage = `
usage: resreg apply -f registry.yaml [--db resreg.db | --postgres DSN] [--prune] [--namespace ns] [--yes] [-o text|json]

Plans the manifest against the registry (as "resreg plan" does), prints the
plan, and writes it in one transaction: every change or, on any error, none.
A --db file that does not exist is created. Applying the same manifest again
changes nothing and records no change.

A plan that deletes (only with --prune) asks for confirmation on a terminal;
--yes applies without asking, and is required when stdin is not a terminal.
If the registry changes between the plan and the write, nothing is written
and apply fails: run it again.

Exit codes: 0 applied (or nothing to do), 1 error or declined, 2 usage.

example:
  resreg apply -f examples/registry.yaml --db registry.db
  resreg apply -f registry.yaml --db registry.db --prune --yes
`

// progressAbove is how many changes a plan needs before apply shows a
// progress bar (on a terminal only).
const progressAbove = 1000

func runApply(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("apply", applyUsage, stderr)
	mf := addManifestFlags(fs, "also delete what the manifest does not name", "apply")
	yes := fs.Bool("yes", false, "apply deletions without asking")
	if err := mf.parse(fs, args); err != nil {
		return err
	}
	r, p, closeDB, err := mf.plan(ctx, mf.stores.openWrite)
	if err != nil {
		return err
	}
	defer closeDB()
	out, file, stores := mf.out, mf.file, mf.stores
	if *out == "text" {
		if _, err := io.WriteString(stdout, colourPlan(p.String(), useColour(stdout, env))); err != nil {
			return err
		}
	}
	if _, _, del := p.Counts(); del > 0 && !*yes {
		if err := confirm(del, *file == "-", stderr); err != nil {
			return err
		}
	}
	var applyOpts []resreg.ApplyOption
	if len(p.Changes) > progressAbove && isTerminal(stderr, env) {
		bar := &progressBar{w: stderr}
		applyOpts = append(applyOpts, resreg.ApplyProgress(bar.update))
		defer bar.done()
	}
	res, err := r.Apply(ctx, p, applyOpts...)
	if err != nil {
		return fmt.Errorf("apply %s to %s: %w", *file, stores.name(), err)
	}
	if *out == "json" {
		return writeJSON(stdout, struct {
			Plan   resreg.Plan        `json:"plan"`
			Result resreg.ApplyResult `json:"result"`
		}{p, res})
	}
	if p.Empty() {
		return nil
	}
	_, err = fmt.Fprintf(stdout, "\nApplied: %d created, %d updated, %d deleted (change log %d -> %d).\n",
		res.Created, res.Updated, res.Deleted, res.FromSeq, res.ToSeq)
	return err
}

// errDeclined ends an apply whose deletions were not confirmed.
type errDeclined struct{ reason string }

func (e errDeclined) Error() string { return e.reason }

// confirm asks on the terminal whether to apply del deletions. Without a
// terminal on stdin (or with the manifest on stdin) it refuses: --yes is
// the way to apply deletions from a script.
func confirm(del int, manifestOnStdin bool, stderr io.Writer) error {
	if manifestOnStdin || !isTerminal(os.Stdin, func(string) string { return "" }) {
		return errDeclined{fmt.Sprintf("the plan deletes %d records; pass --yes to apply it without a terminal to confirm on", del)}
	}
	fmt.Fprintf(stderr, "The plan deletes %d records. Apply it? [y/N] ", del)
	answer, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && answer == "" {
		return errDeclined{"not applied: no answer"}
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return errDeclined{"not applied"}
}
