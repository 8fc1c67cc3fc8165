package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/resreg/resreg"
)

// Flags shared by the registry commands, spelled the same in each (the
// store's flags are in store.go).
const (
	namespaceFlagUsage = "namespace code"
	outputFlagUsage    = "output format: table, json or yaml"
)

// newFlagSet returns a flag set for a command whose usage text (with an
// example) is usage, printing the flags after it.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, strings.TrimSpace(usage))
		fmt.Fprintln(stderr, "\nflags:")
		fs.PrintDefaults()
	}
	return fs
}

// parseWithArgs parses args, allowing n positional arguments (flags may
// come before or after them), and returns the positionals.
func parseWithArgs(fs *flag.FlagSet, args []string, n int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != n {
		fmt.Fprintf(fs.Output(), "%s takes %d arguments, got %d: %q\n\n", fs.Name(), n, len(pos), pos)
		fs.Usage()
		return nil, errUsage
	}
	return pos, nil
}

// checkFormat refuses an output format not in allowed.
func checkFormat(fs *flag.FlagSet, format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	fmt.Fprintf(fs.Output(), "-o must be one of %s, got %q\n", strings.Join(allowed, ", "), format)
	return errUsage
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeYAML writes v as YAML in its JSON field names: the JSON is parsed as
// YAML, keeping field order, and written back in block style.
func writeYAML(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(yamlReadable(b), &doc); err != nil {
		return err
	}
	block(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	return enc.Close()
}

func block(n *yaml.Node) {
	n.Style &^= yaml.FlowStyle
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		n.Style &^= yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		block(c)
	}
}

// writeAs writes v in format json or yaml, or calls table.
func writeAs(w io.Writer, format string, v any, table func() error) error {
	switch format {
	case "json":
		return writeJSON(w, v)
	case "yaml":
		return writeYAML(w, v)
	}
	return table()
}

// useColour reports whether w is a terminal and NO_COLOR is not set.
func useColour(w io.Writer, env func(string) string) bool {
	return env("NO_COLOR") == "" && isTerminal(w, env)
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// listAll reads every page of a listing.
func listAll[T any](list func(resreg.ListOptions) (resreg.Page[T], error)) ([]T, error) {
	items := []T{}
	opts := resreg.ListOptions{PageSize: 1000}
	for {
		page, err := list(opts)
		if err != nil {
			return nil, err
		}
		items = append(items, page.Items...)
		if page.NextPageToken == "" {
			return items, nil
		}
		opts.PageToken = page.NextPageToken
	}
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

// yamlReadable escapes, in JSON text, the characters that encoding/json
// leaves raw but the YAML reader refuses or, for NEL, reads as a line break (DEL, the C1 controls,
// U+FFFE and U+FFFF); outside strings JSON is ASCII.
func yamlReadable(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0xfffe || r == 0xffff {
			if out == nil {
				out = append(make([]byte, 0, len(b)+16), b[:i]...)
			}
			out = append(out, fmt.Sprintf(`\u%04x`, r)...)
		} else if out != nil {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}
