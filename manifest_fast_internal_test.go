package resreg

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// The fast path (fastManifest) must return, whenever it accepts a
// document, the manifest the slow path (parseDocument and decodeNodes)
// returns. The tests below hold its readers to the parsers of the slow
// path event by event, and the whole path to the slow one manifest by
// manifest; the fuzzers do the same on mutated and generated documents.

// slowDecode is DecodeManifest without the fast path.
func slowDecode(data []byte) (Manifest, error) {
	doc, err := parseDocument(data)
	if err != nil || doc == nil {
		return Manifest{}, err
	}
	return decodeNodes(doc, string(data))
}

// tryEvents runs a fast reader, reporting a refusal as ok false.
func tryEvents(read func(string) *events, src string) (ev *events, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, refused := r.(refusal); !refused {
				panic(r)
			}
			ev, ok = nil, false
		}
	}()
	return read(src), true
}

// matchEvents reports how ev differs from the node tree doc, nil if it
// holds the same values: the same kinds, keys and scalar values, nulls
// where the tree has !!null and booleans where it has !!bool true or
// false (the only scalars walker reads differently from their text).
func matchEvents(ev *events, doc *yaml.Node) error {
	i := 0
	var walk func(n *yaml.Node) error
	take := func() (event, error) {
		if i >= len(ev.ev) {
			return event{}, errors.New("the events end early")
		}
		i++
		return ev.ev[i-1], nil
	}
	walk = func(n *yaml.Node) error {
		e, err := take()
		if err != nil {
			return err
		}
		at := fmt.Sprintf("node %d:%d (kind %d, tag %s, %q), event %d (kind %d)", n.Line, n.Column, n.Kind, n.Tag, n.Value, i-1, e.kind)
		switch n.Kind {
		case yaml.MappingNode, yaml.SequenceNode:
			if n.Kind == yaml.MappingNode && (e.kind != evMap || int(e.a) != len(n.Content)/2) ||
				n.Kind == yaml.SequenceNode && (e.kind != evSeq || int(e.a) != len(n.Content)) {
				return fmt.Errorf("%s, %d items", at, e.a)
			}
			for j, c := range n.Content {
				if n.Kind == yaml.MappingNode && j%2 == 0 {
					k, err := take()
					if err != nil {
						return err
					}
					if c.Kind != yaml.ScalarNode || k.kind != evText && k.kind != evDecoded || ev.text(k) != c.Value {
						return fmt.Errorf("key %d:%d %q, event %d (kind %d, %q)", c.Line, c.Column, c.Value, i-1, k.kind, ev.text(k))
					}
					continue
				}
				if err := walk(c); err != nil {
					return err
				}
			}
			if e, err := take(); err != nil || e.kind != evEnd {
				return fmt.Errorf("%s: no end (%v)", at, err)
			}
		case yaml.ScalarNode:
			var ok bool
			switch e.kind {
			case evNull:
				ok = n.Tag == "!!null"
			case evTrue, evFalse:
				ok = n.Tag == "!!bool" && n.Value == ev.text(e)
			case evText, evDecoded:
				ok = n.Tag != "!!null" && n.Value == ev.text(e)
			}
			if !ok {
				return fmt.Errorf("%s: %q", at, ev.text(e))
			}
		default:
			return errors.New(at)
		}
		return nil
	}
	if err := walk(value(doc)); err != nil {
		return err
	}
	if i != len(ev.ev) {
		return fmt.Errorf("%d events left", len(ev.ev)-i)
	}
	return nil
}

// checkYAMLReader holds readYAMLEvents to the YAML parser on data: when it
// accepts, the parser reads one document without aliases holding the same
// values.
func checkYAMLReader(t *testing.T, data []byte) bool {
	t.Helper()
	ev, ok := tryEvents(readYAMLEvents, string(data))
	if !ok {
		return false
	}
	doc, err := parseYAML(data)
	require.NoError(t, err, "the fast reader accepts what the parser refuses:\n%s", data)
	require.NotNil(t, doc, "%s", data)
	require.Nil(t, noAliases(doc))
	require.NoError(t, matchEvents(ev, doc), "%s", data)
	return true
}

// checkJSONReader holds readJSONEvents to jsonNodes in the same way.
func checkJSONReader(t *testing.T, data []byte) bool {
	t.Helper()
	ev, ok := tryEvents(readJSONEvents, string(data))
	if !ok {
		return false
	}
	require.True(t, looksLikeJSON(data))
	doc, ok := jsonNodes(data)
	require.True(t, ok, "the fast reader accepts what jsonNodes refuses:\n%s", data)
	require.NoError(t, matchEvents(ev, doc), "%s", data)
	return true
}

// checkFastMatchesSlow holds the fast path to the slow one on data, and
// DecodeManifest to the slow path: the same manifest, or the same error
// at the same position. It reports whether the fast path accepted.
func checkFastMatchesSlow(t *testing.T, data []byte) bool {
	t.Helper()
	want, wantErr := slowDecode(data)
	fast, ok := fastManifest(string(data), looksLikeJSON(data))
	if ok {
		require.NoError(t, wantErr, "the fast path accepts what the slow path refuses:\n%s", data)
		require.Equal(t, want, fast, "%s", data)
	}
	got, err := DecodeManifest(bytes.NewReader(data))
	if wantErr != nil {
		require.Error(t, err)
		require.Equal(t, wantErr.Error(), err.Error())
		var me *ManifestError
		require.ErrorAs(t, err, &me)
		require.Equal(t, wantErr.(*ManifestError).Err.Field, me.Err.Field)
		return ok
	}
	require.NoError(t, err)
	require.Equal(t, want, got)
	return ok
}

// fastDocuments are documents in the forms the fast path reads: the
// repository's manifests, what EncodeManifest writes, and the YAML forms
// people write by hand.
func fastDocuments(t testing.TB) map[string][]byte {
	docs := map[string][]byte{}
	paths, err := filepath.Glob("testdata/plan/*.yaml")
	require.NoError(t, err)
	for _, p := range append(paths, "examples/registry.yaml") {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		docs[p] = b
	}
	m, err := DecodeManifest(bytes.NewReader(docs["examples/registry.yaml"]))
	require.NoError(t, err)
	tricky := []string{"del\x7f", "c1\u0080\u009f", "nel\u0085", "\ufeffbom", "true", "123", "null", "~", "*", "- x", "a: b", "#c", "x #y",
		"'q'", "\"d\"", "0x1F", "1e3", "yes", "on", "服务器", "multi\nline", "final\n", "kept\n\n", `back\slash`, "tab\tbed", " lead", "trail ", "ecs:Start", "R&D"}
	for i, s := range tricky {
		m.Namespaces[0].Resources = append(m.Namespaces[0].Resources, ManifestResource{Code: fmt.Sprintf("tricky%d", i), Type: "API",
			Name: Name(s), Description: s, Actions: []Action{{Name: "act", Description: s}}})
	}
	for _, format := range []string{"yaml", "json"} {
		var buf bytes.Buffer
		require.NoError(t, EncodeManifest(&buf, m, format))
		docs["encoded."+format] = buf.Bytes()
	}
	docs["hand.yaml"] = []byte(`# hand-written
namespaces:
- code: app   # sequences at the indentation of their key
  name: 'App''s'
  description: "Tab\tand \u00e9 and \x41"
  resources:
  - code: ecs
    type: API
    linkedToTenant: true
    name: {defaultValue: Server, i18nValue: {zh_CN: 服务器, "en-US": Server}}
    actions: [{name: "ecs:Start", description: Start}, {name: ecs:Stop, description: 'Stop #1'}]
  -   code: oss
      type: API
      linkedToTenant: false
      description:
      name: ~

  dataResources:
    - resourceCode: tree
      resourceName: Tree
      type: TREE
      actions: [get]
      struct:
        -
          code: a
          name: A
          children:
          - {code: b, name: B}
    - resourceCode: arr
      resourceName: Arr
      type: ARRAY
      actions: [get]
      struct: [x, "y"]
memberships:
  - parent: {type: ROLE, id: admin}
    members: [{type: USER, id: alice}]
`)
	docs["crlf.yaml"] = bytes.ReplaceAll(docs["hand.yaml"], []byte("\n"), []byte("\r\n"))
	return docs
}

func TestFastPathReadsTheCommonForms(t *testing.T) {
	for name, data := range fastDocuments(t) {
		t.Run(name, func(t *testing.T) {
			if looksLikeJSON(data) {
				require.True(t, checkJSONReader(t, data), "refused")
			} else {
				require.True(t, checkYAMLReader(t, data), "refused")
			}
			require.True(t, checkFastMatchesSlow(t, data), "refused")
		})
	}
}

// TestFastPathRefuses lists documents the fast path must leave to the
// slow one, because their meaning is not plain, they are wrong, or both
// (the slow path then reports the error).
func TestFastPathRefuses(t *testing.T) {
	const ns = "namespaces:\n  - code: a\n"
	docs := []string{
		"",
		"# only a comment\n",
		"---\nnamespaces: []\n",
		"namespaces: []\n---\nnamespaces: []\n",
		"namespaces: []\n...\n",
		"%YAML 1.2\n---\nnamespaces: []\n",
		"namespaces:\n  - &a {code: a}\n  - *a\n",
		"namespaces: !!seq []\n",
		ns + "    name: |2\n      block\n",
		ns + "    name: >\n      folded\n",
		ns + "    name: two\n      lines\n",
		ns + "    name: \"two\n      lines\"\n",
		ns + "    name: a: b\n",
		ns + "    colour: red\n",
		ns + "    code: b\n",
		ns + "    Code: b\n",
		ns + "    <<: {name: x}\n",
		ns + "    ? name\n    : x\n",
		ns + "    name: [a, b,]\n",
		ns + "    name: {x: }\n",
		ns + "    name: [a\n      , b]\n",
		ns + "    resources:\n      - code: e\n        type: API\n        linkedToTenant: yes\n",
		ns + "    resources:\n      - code: e\n        type: API\n        linkedToTenant: True\n",
		ns + "    resources:\n      - code: e\n        type: API\n        linkedToTenant: 'true'\n",
		ns + "    resources:\n      - code: e\n        type: \"API\"\n        linkedToTenant: \"true\"\n",
		ns + "\tname: x\n",
		"\ufeffnamespaces: []\n",
		"namespaces: [{code: a}]\r",
		"namespaces:\n- - code: a\n",
		"- a\n",
		"scalar\n",
		"  namespaces: []\nmemberships: []\n",
		"namespaces: [{code: a, code: b}]\n",
		"namespaces: [{code: 'bad code'}]\n",
		`{"namespaces": [{"code": 1}]}`,
		`{"namespaces": [{"Code": "a"}]}`,
		`{"namespaces": [{"code": "a", "code": "b"}]}`,
		`{"namespaces": [{"code": "a"},]}`,
		`{"namespaces": []} {}`,
		`{"namespaces": [{"code": "a"}]`,
		`[{"code": "a"}]`,
		"{\"namespaces\": [{\"code\": \"a\tb\"}]}",
		`{namespaces: []}`,
	}
	for _, doc := range docs {
		data := []byte(doc)
		_, ok := fastManifest(doc, looksLikeJSON(data))
		require.False(t, ok, "%q", doc)
		checkFastMatchesSlow(t, data)
		checkYAMLReader(t, data)
		if looksLikeJSON(data) {
			checkJSONReader(t, data)
		}
	}
}

// TestFastReadersMatchTheParsers holds the readers to the parsers on
// documents built to probe YAML's corners, accepted or not.
func TestFastReadersMatchTheParsers(t *testing.T) {
	docs := []string{
		"a: [ecs:Start, b]\n", "a: [x: y]\n", "a: {b:c}\n", "a: {b: c:d}\n", "a: [b :c]\n", "a: [b, c d, 'e, f']\n",
		"a: \"x\"#c\n", "a: 'x' #c\n", "a: x#c\n", "a: x #c\n", "a:#x\n", "a: #x\n  b: c\n",
		"a:\n- b\n- c\nd: e\n", "a:\n  - b\n   - c\n", "a:\n  b: c\n d: e\n",
		"a: \"\\x41\\u00e9\\N\\_\\L\\P\\U0001F600\\e\\0\\/\\ \"\n", "a: \"\\ud800\"\n", "a: \"\\q\"\n",
		"a: True\n", "a: TRUE\n", "a: Null\n", "a: NULL\n", "a: ~\n", "a: null\n", "a:\n", "a: ''\n", "a: \"\"\n",
		"a: <<\n", "<<: a\n", "a: =\n", "a: 1e3\n", "a: 0x1F\n", "a: .inf\n", "a: 2001-12-14\n",
		"\"a\": b\n", "'a''b': c\n", "\"a\":b\n", "a : b\n", "a  :  b  \n",
		"a: {\"b\": c}\n", "a: {'b': c}\n", "a: [\"b\", 'c']\n", "a: [[b], {c: [d]}]\n", "a: []\n", "a: {}\n", "a: [ ]\n", "a: { }\n",
		"- a: b\n  c: d\n- e\n", "a:\n  -\n    b: c\n  -\n  - d\n",
		"a:\n  - b: c\n    d:\n    - e\n    f: g\n",
		"a: b\n# c\n  # d\ne: f\n", "a: b\n\n\ne: f\n",
		"a: it's\n", "a: R&D\n", "a: C#\n", "a: x, y\n", "a: x [y]\n", "a: x {y}\n", "a: 100%\n", "a: x?\n", "a: x|y\n",
		"a: [x?]\n", "a: [x#y]\n", "a: [x #y]\n", "a: [x]#y\n", "a: [x] #y\n",
		"a: 多字节\n", "名前: x\n", "a: é\n",
		"a: b\r\nc: d\r\n", "a: 'b\r\n  c'\n",
		"a:\n  b:\n    c:\n      d: e\n",
		"a: |\n  x\n  y\n", "a: |-\n  x\n\n  y\n\n\nb: c\n", "a: |+\n  x\n\n\nb: c\n", "a: |+\n  x\n\n", "a: |\n  x", "a: |\n  x\n", "a: |\n  x\n  ",
		"a: |\n  x\n     \n  y\n", "a: |\n  x\n \n  y\n", "a: |\n    x\n      y\n    z\n  # c\nb: |2\n   x\n", "a: | # c\n  #x\n  y: z\n",
		"a: |\n\n  x\n", "a: |\nb: c\n", "- |\n x\n- |-\n  y\n", "a:\n- |\n  x\n- b: |\n    y\n  c: d\n", "a: |\r\n  x\r\n\r\n  y\r\nb: c\r\n",
		"a: |\n  x\n b: c\n", "a: |\n  x\n---\n", "a: >\n  x\n",
		"...: x\n", "---x: y\n", "a: ---\n", "a: ...\n", "a: -1\n", "a: -x\n", "a: :x\n", "a: ?x\n",
	}
	for _, doc := range docs {
		checkYAMLReader(t, []byte(doc))
	}
	jsons := []string{
		`{}`, `{"a": []}`, `{"a": {}}`, `{"a": [true, false, null, "x"]}`, "{\"a\":\n\t\"b\"\r\n}",
		`{"a": "\u00e9\n\"\\\/"}`, `{"a": "\ud83d\ude00"}`, `{"a": "\ud800"}`, "{\"a\": \"\xff\"}", `{"a": "\x"}`,
		`{"a": tru}`, `{"a": nul}`, `{"a": 1}`, `{"a" "b"}`, `{"a": "b",}`, `{"a": ["b",]}`, `{,}`, `{"a": "b"}x`,
		`  {"a": "b"}  `, `{"a": "多字节"}`,
	}
	for _, doc := range jsons {
		checkJSONReader(t, []byte(doc))
		checkYAMLReader(t, []byte(doc))
	}
}

func FuzzFastYAMLReader(f *testing.F) {
	for _, d := range fastDocuments(f) {
		f.Add(d)
	}
	f.Add([]byte("a: [ecs:Start, b]\nb: {c: 'd''e', f: \"\\x41\"}\n- x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkYAMLReader(t, data)
	})
}

func FuzzFastJSONReader(f *testing.F) {
	for _, d := range fastDocuments(f) {
		f.Add(d)
	}
	f.Add([]byte(`{"a": ["\u00e9\n", true, false, null, {"b": {}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkJSONReader(t, data)
	})
}

func FuzzFastManifest(f *testing.F) {
	for _, d := range fastDocuments(f) {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastMatchesSlow(t, data)
	})
}

// TestLaterErrorsArePositionedAfterTheFastPath: a manifest the fast path
// read keeps no node tree, yet a later check (Plan's, with the Registry's
// limits) names the same line and column as on a manifest read with one.
func TestLaterErrorsArePositionedAfterTheFastPath(t *testing.T) {
	docs := fastDocuments(t)
	for _, name := range []string{"examples/registry.yaml", "encoded.yaml", "encoded.json", "crlf.yaml"} {
		data := docs[name]
		m, ok := fastManifest(string(data), looksLikeJSON(data))
		require.True(t, ok, name)
		err := (&Registry{limits: Limits{MaxActions: 1}}).checkManifest(m)
		var me *ManifestError
		require.ErrorAs(t, err, &me, name)
		require.Equal(t, "namespaces[0].resources[0].actions", me.Err.Field)
		doc, perr := parseDocument(data)
		require.NoError(t, perr)
		n := locate(doc, me.Err.Field)
		require.Equal(t, [2]int{n.Line, n.Column}, [2]int{me.Line, me.Column}, name)
		require.NotZero(t, me.Line)
	}
}
