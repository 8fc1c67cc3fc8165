package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/resreg/resreg"
)

func init() {
	commands["check"] = command{summary: "ask whether a user may do an action on a resource", run: runCheck}
}

const checkUsage = `
usage: resreg check --user u --namespace ns --resource r --action a [--explain] [--db resreg.db | --postgres DSN] [-o table|json|yaml]

Prints "allowed" or "denied" for the user's action on the resource,
through the user's grants and those of every subject it is a member of.
A denial is an answer, not an error: the exit code is 0 either way. With
--explain, the grants and policy statements that decided it are listed,
with the membership chain each came through.

example:
  resreg check --user alice --namespace default --resource ecs --action ecs:Start --explain
`

func runCheck(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", checkUsage, stderr)
	stores := addStoreFlags(fs)
	user := fs.String("user", "", "user ID")
	ns := fs.String("namespace", "", namespaceFlagUsage+" (default: the default namespace)")
	resource := fs.String("resource", "", "resource code")
	action := fs.String("action", "", "action name")
	explain := fs.Bool("explain", false, "list what decided the answer")
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
	if *user == "" || *resource == "" || *action == "" {
		fmt.Fprintln(stderr, "check needs --user, --resource and --action")
		fs.Usage()
		return errUsage
	}
	r, closeDB, err := stores.openRead(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	in := resreg.IsActionAllowedInput{Principal: resreg.Principal{UserID: *user}, Namespace: *ns, Resource: *resource, Action: *action}
	if !*explain {
		ok, err := r.IsActionAllowed(ctx, in)
		if err != nil {
			return err
		}
		return writeAs(stdout, *out, map[string]bool{"allowed": ok}, func() error {
			_, err := fmt.Fprintln(stdout, verdict(ok))
			return err
		})
	}
	ex, err := r.ExplainActionAllowed(ctx, in)
	if err != nil {
		return err
	}
	return writeAs(stdout, *out, ex, func() error {
		fmt.Fprintf(stdout, "%s: %s\n", verdict(ex.Allowed), ex.Reason)
		for _, m := range ex.Matches {
			via := ""
			if len(m.Via) > 0 {
				chain := make([]string, len(m.Via))
				for i, s := range m.Via {
					chain[i] = s.String()
				}
				via = " via " + strings.Join(chain, " -> ")
			}
			fmt.Fprintf(stdout, "  %s %s held by %s%s\n", m.Effect, m.Permission, m.Subject, via)
		}
		return nil
	})
}

func verdict(ok bool) string {
	if ok {
		return "allowed"
	}
	return "denied"
}
