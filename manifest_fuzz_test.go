package resreg_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
)

// FuzzDecodeManifest: any input either decodes to a manifest that encodes
// and decodes back to itself, or fails with an ErrInvalid *ManifestError;
// it never panics.
func FuzzDecodeManifest(f *testing.F) {
	for _, path := range []string{"examples/registry.yaml", "testdata/plan/changed.yaml"} {
		b, err := os.ReadFile(path)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"namespaces": [{"code": "a", "resources": [{"code": "e", "type": "API", "name": {"defaultValue": "E"}}]}]}`))
	f.Add([]byte("namespaces: [{code: a, dataResources: [{resourceCode: t, resourceName: T, type: TREE, actions: [get], struct: [{code: x, name: X}]}]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := resreg.DecodeManifest(bytes.NewReader(data))
		if err != nil {
			var me *resreg.ManifestError
			require.True(t, errors.As(err, &me), "%T %v", err, err)
			require.ErrorIs(t, err, resreg.ErrInvalid)
			return
		}
		for _, format := range []string{"yaml", "json"} {
			var buf bytes.Buffer
			require.NoError(t, resreg.EncodeManifest(&buf, m, format))
			again, err := resreg.DecodeManifest(&buf)
			require.NoError(t, err, "%s:\n%s", format, buf.String())
			require.Equal(t, m.Namespaces, again.Namespaces, format)
			require.Equal(t, m.DataPolicies, again.DataPolicies, format)
			require.Equal(t, m.Memberships, again.Memberships, format)
		}
	})
}
