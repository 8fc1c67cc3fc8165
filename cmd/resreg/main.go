// Command resreg runs the resource registry.
//
//	resreg serve [--addr 127.0.0.1:8080] [--db resreg.db] [--insecure-no-auth] [--pprof 127.0.0.1:6060]
//	resreg plan -f registry.yaml [--prune] [--namespace ns]
//	resreg apply -f registry.yaml [--prune] [--namespace ns] [--yes]
//	resreg export [--namespace ns] [-o yaml|json]
//	resreg get resource NS CODE
//	resreg list resources|data-resources|namespaces|policies [--namespace ns] [--keyword k]
//	resreg changes [--since N] [--follow]
//	resreg check --user u --namespace ns --resource r --action a [--explain]
//
// Each subcommand lives in its own file and registers itself in
// [commands]; it parses its own flags with the standard flag package and
// returns an error. Exit codes: 0 success, 1 the command failed, 2 bad
// usage, and 3 from plan when changes are pending. Every registry command
// takes --db FILE (SQLite, the default) or --postgres DSN. Errors go to stderr,
// data to stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"syscall"
)

// command is one subcommand. run gets the arguments after the
// subcommand's name and the environment lookup, so tests can drive it.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error
}

// commands is filled by each subcommand's file in an init function.
var commands = map[string]command{}

// exitCode ends a command that succeeded with a code of its own, such as
// plan's 3 for pending changes; nothing is printed for it.
type exitCode int

func (c exitCode) Error() string { return "exit code " + strconv.Itoa(int(c)) }

// errUsage marks a usage error: exit code 2, the flag package has
// already printed why.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func runMain(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "resreg: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := cmd.run(ctx, args[1:], env, stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, new(exitCode)):
		var code exitCode
		errors.As(err, &code)
		return int(code)
	default:
		fmt.Fprintf(stderr, "resreg %s: %v\n", args[0], err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: resreg <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-9s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'resreg <command> --help' for the command's flags.")
}

// parseFlags parses args into fs, turning a flag error into errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %q\n", fs.Args())
		return errUsage
	}
	return nil
}
