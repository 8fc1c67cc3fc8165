package resreg

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// jsonNodes parses a JSON document into the node tree the YAML parser
// would build from it, with the same lines and columns, several times
// faster than the YAML parser on large manifests. ok is false when data
// is not one JSON value (the caller then reads it as YAML, which also
// names the problem).
func jsonNodes(data []byte) (doc *yaml.Node, ok bool) {
	lines := []int{0} // offsets at which lines start
	for i, c := range data {
		if c == '\n' {
			lines = append(lines, i+1)
		}
	}
	at := func(off int64) (int, int) {
		l := sort.Search(len(lines), func(i int) bool { return int64(lines[i]) > off }) - 1
		// Columns count characters, as the YAML parser's do.
		return l + 1, utf8.RuneCount(data[lines[l]:off]) + 1
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// next reads one token and the offset at which it starts: after the
	// previous token come white space and at most one ',' or ':'.
	next := func() (json.Token, int64, error) {
		start := dec.InputOffset()
		for start < int64(len(data)) {
			c := data[start]
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ',' && c != ':' {
				break
			}
			start++
		}
		tok, err := dec.Token()
		return tok, start, err
	}
	var value func(tok json.Token, start int64) (*yaml.Node, error)
	value = func(tok json.Token, start int64) (*yaml.Node, error) {
		line, col := at(start)
		n := &yaml.Node{Line: line, Column: col}
		switch t := tok.(type) {
		case json.Delim:
			closing := json.Delim('}')
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
			if t == '[' {
				closing, n.Kind, n.Tag = ']', yaml.SequenceNode, "!!seq"
			}
			for {
				tok, s, err := next()
				if err != nil {
					return nil, err
				}
				if d, isDelim := tok.(json.Delim); isDelim && d == closing {
					return n, nil
				}
				child, err := value(tok, s)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, child)
			}
		case string:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!str", t
		case json.Number:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!int", t.String()
			if bytes.ContainsAny([]byte(n.Value), ".eE") {
				n.Tag = "!!float"
			}
		case bool:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", "false"
			if t {
				n.Value = "true"
			}
		case nil:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
		}
		return n, nil
	}
	tok, start, err := next()
	if err != nil {
		return nil, false
	}
	root, err := value(tok, start)
	if err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Line: root.Line, Column: root.Column, Content: []*yaml.Node{root}}, true
}
