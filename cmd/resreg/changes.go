package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/resreg/resreg"
)

func init() {
	commands["changes"] = command{summary: "print the change log, optionally following it", run: runChanges}
}

const changesUsage = `
usage: resreg changes [--db resreg.db | --postgres DSN] [--since N] [--follow] [--namespace ns] [-o table|json|yaml]

Prints the changes recorded after sequence number N, oldest first. With
--follow it keeps printing new changes until interrupted; -o json then
prints one JSON object per line. A namespace's rename is one change, op
"rename", whose NAMESPACE is the old code and KEY the new one; --namespace
selects it by either.

example:
  resreg changes --since 120 --follow -o json
`

func runChanges(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("changes", changesUsage, stderr)
	stores := addStoreFlags(fs)
	since := fs.Int64("since", 0, "print the changes after this sequence number")
	follow := fs.Bool("follow", false, "keep printing new changes until interrupted")
	ns := fs.String("namespace", "", "only the changes of this namespace (default: every namespace)")
	out := fs.String("o", "table", outputFlagUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := stores.check(fs); err != nil {
		return err
	}
	if err := checkFormat(fs, *out, "table", "json", "yaml"); err != nil {
		return err
	}
	if *follow && *out == "yaml" {
		fmt.Fprintln(stderr, "--follow prints table or json lines, not yaml")
		return errUsage
	}
	r, closeDB, err := stores.openRead(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	if *follow {
		return followChanges(ctx, r, *since, *ns, *out, stdout)
	}
	var all []resreg.Change
	for after := *since; ; {
		page, err := r.Changes(ctx, resreg.ChangesOptions{Since: after, Limit: 1000, Namespace: *ns})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after = page[len(page)-1].Seq
	}
	if all == nil {
		all = []resreg.Change{}
	}
	return writeAs(stdout, *out, all, func() error {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tTIME\tOP\tKIND\tNAMESPACE\tKEY")
		for _, c := range all {
			changeRow(tw, c)
		}
		return tw.Flush()
	})
}

func changeRow(w io.Writer, c resreg.Change) {
	fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", c.Seq, c.Time.Format(time.RFC3339), c.Op, c.Kind, c.Namespace, c.Key)
}

// followChanges prints each change as it is committed, one line each,
// until ctx ends (an interrupt), which is a normal end.
func followChanges(ctx context.Context, r *resreg.Registry, since int64, ns, format string, stdout io.Writer) error {
	for c, err := range r.Watch(ctx, since) {
		if err != nil {
			return err
		}
		if ns != "" && !c.InNamespace(ns) {
			continue
		}
		if format == "json" {
			err = writeJSONLine(stdout, c)
		} else {
			changeRow(stdout, c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
