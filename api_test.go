package resreg_test

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

func TestGetDataResourceByName(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	_, err := reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
		NamespaceCode: "default", ResourceCode: "d", ResourceName: "Paths",
		Type: resreg.DataString, Struct: resreg.StringStruct("/v1"), Actions: []string{"get"},
	})
	require.NoError(t, err)

	tests := []struct {
		name, namespace, resourceName string
		wantCode                      string
		wantErr                       error
	}{
		{"found in the default namespace", "", "Paths", "d", nil},
		{"found by explicit namespace", "default", "Paths", "d", nil},
		{"missing name", "", "Nope", "", resreg.ErrNotFound},
		{"missing namespace", "nope", "Paths", "", resreg.ErrNamespaceNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := reg.GetDataResourceByName(ctx, tc.namespace, tc.resourceName)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantCode, d.ResourceCode)
		})
	}
}

func TestNewNilStorePanics(t *testing.T) {
	require.PanicsWithValue(t, "resreg: New needs a store (memstore.New(), sqlitestore.Open(...)); got nil", func() {
		resreg.New(nil)
	})
	var typedNil store.Store
	require.Panics(t, func() { resreg.New(typedNil) })
}

func TestDecodeJSONNilReader(t *testing.T) {
	var in resreg.CreateResourceInput
	var r io.Reader
	err := resreg.DecodeJSON(r, &in)
	require.ErrorIs(t, err, resreg.ErrInvalid)
	var e *resreg.Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, "body", e.Field)
}

// TestRootDoesNotImportNetHTTP keeps net/http (about 1.4 MB of a stripped
// binary, see BENCHMARKS.md) out of every program that links resreg.
func TestRootDoesNotImportNetHTTP(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, string(out))
	for _, dep := range strings.Fields(string(out)) {
		require.NotEqual(t, "net/http", dep, "package resreg must not depend on net/http")
	}
}

func TestFilterListBounds(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t, resreg.WithLimits(resreg.Limits{MaxBatch: 3}))
	list := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "x" // repeats count toward the bound
		}
		return out
	}
	tests := []struct {
		name  string
		call  func(n int) error
		field string
	}{
		{"types", func(n int) error {
			_, err := reg.ListResources(ctx, resreg.ResourceFilter{Types: list(n)}, resreg.ListOptions{})
			return err
		}, "types"},
		{"codes", func(n int) error {
			_, err := reg.ListResources(ctx, resreg.ResourceFilter{Codes: list(n)}, resreg.ListOptions{})
			return err
		}, "codes"},
		{"ids", func(n int) error {
			_, err := reg.ListResources(ctx, resreg.ResourceFilter{IDs: list(n)}, resreg.ListOptions{})
			return err
		}, "ids"},
		{"data types", func(n int) error {
			types := make([]resreg.DataType, n)
			for i := range types {
				types[i] = resreg.DataTree
			}
			_, err := reg.ListDataResources(ctx, resreg.DataResourceFilter{Types: types}, resreg.ListOptions{})
			return err
		}, "types"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.call(3), "MaxBatch items are allowed")
			err := tc.call(4)
			require.ErrorIs(t, err, resreg.ErrInvalid)
			var e *resreg.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.field, e.Field)
		})
	}
}

// TestCreateResourceConflictSaysWhatIsTaken: a single create that conflicts
// says that the code, or the ID, is taken, identically on every store.
func TestCreateResourceConflictSaysWhatIsTaken(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s, resreg.WithIDGenerator(func() string { return "fixed-id" }))
		_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "ecs"})
		require.NoError(t, err)

		_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "ecs"})
		var e *resreg.Error
		require.ErrorAs(t, err, &e)
		require.ErrorIs(t, err, resreg.ErrConflict)
		require.Equal(t, "code", e.Field)
		require.Equal(t, []string{"ecs"}, e.Codes)
		require.Equal(t, `resource code "ecs" is already taken; the ID of resource "ecs" is already taken`, e.Message)

		reg = resreg.New(s)
		_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "ecs"})
		require.ErrorAs(t, err, &e)
		require.Equal(t, `resource code "ecs" is already taken`, e.Message)

		reg = resreg.New(s, resreg.WithIDGenerator(func() string { return "fixed-id" }))
		_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "other"})
		require.ErrorAs(t, err, &e)
		require.Equal(t, `the ID of resource "other" is already taken`, e.Message)
		require.Equal(t, []string{"other"}, e.Codes)
	})
}
