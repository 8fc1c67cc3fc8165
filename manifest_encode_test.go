package resreg_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
)

// TestEncodeManifestKeepsTrickyStrings encodes strings that YAML would read
// as something else unquoted and decodes them back unchanged.
func TestEncodeManifestKeepsTrickyStrings(t *testing.T) {
	tricky := []string{"del\x7f", "c1\u0080\u009f", "nel\u0085", "\ufeffbom", "true", "123", "null", "~", "*", "- x", "a: b", "#c", "x #y", "multi\nline", "'q'", "\"d\"", "0x1F", "1e3", "yes", "on", "服务器"}
	var rs []resreg.ManifestResource
	for i, s := range tricky {
		rs = append(rs, resreg.ManifestResource{Code: "r" + string(rune('a'+i)), Type: "API", Name: resreg.Name(s), Description: s,
			Actions: []resreg.Action{{Name: "act", Description: "d"}}})
	}
	m := resreg.Manifest{Namespaces: []resreg.ManifestNamespace{{Code: "ns", Name: "true", Resources: rs}}}
	for _, format := range []string{"yaml", "json"} {
		var buf bytes.Buffer
		require.NoError(t, resreg.EncodeManifest(&buf, m, format))
		got, err := resreg.DecodeManifest(&buf)
		require.NoError(t, err, format)
		require.Equal(t, m.Namespaces, got.Namespaces, format)
	}
	require.ErrorIs(t, resreg.EncodeManifest(&bytes.Buffer{}, m, "xml"), resreg.ErrInvalid)
}
