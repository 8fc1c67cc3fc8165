package resreg

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// TestJSONNodesMatchTheYAMLParser parses JSON documents with jsonNodes and
// with the YAML parser and expects the same kinds, values, tags, lines and
// columns, so that errors name the same positions either way.
func TestJSONNodesMatchTheYAMLParser(t *testing.T) {
	docs := []string{
		`{"a": 1, "b": [true, false, null, "x"], "c": {"d": -2.5, "e": "多字节"}}`,
		`{"名前": "多字节", "next": [1, {"k": "é"}], "after": true}`,
		"{\n  \"namespaces\": [\n    {\"code\": \"a\",\n     \"resources\": [ {\"code\": \"e\", \"type\": \"API\"} ]}\n  ]\n}\n",
		`[]`,
		"  {\"esc\": \"a\\\"b\\\\c\\n\", \"n\": 12345678901234567890}",
	}
	seed, err := os.ReadFile("testdata/seeds/data_resource_tree_request.json")
	require.NoError(t, err)
	docs = append(docs, string(seed))
	for _, doc := range docs {
		got, ok := jsonNodes([]byte(doc))
		require.True(t, ok, doc)
		var want yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(doc), &want))
		var walk func(a, b *yaml.Node)
		walk = func(a, b *yaml.Node) {
			require.Equal(t, [4]any{b.Kind, b.Value, b.Line, b.Column}, [4]any{a.Kind, a.Value, a.Line, a.Column}, doc)
			if b.Kind == yaml.ScalarNode && b.Tag != "!!float" {
				require.Equal(t, b.Tag, a.Tag, b.Value)
			}
			require.Len(t, a.Content, len(b.Content))
			for i := range a.Content {
				walk(a.Content[i], b.Content[i])
			}
		}
		walk(got, &want)
	}
	for _, bad := range []string{`{"a": }`, `{"a": 1} {"b": 2}`, `[1, 2`} {
		_, ok := jsonNodes([]byte(bad))
		require.False(t, ok, bad)
	}
}
