package resreg_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
)

// requireInvalidField requires err to be an ErrInvalid *resreg.Error on
// field.
func requireInvalidField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, resreg.ErrInvalid)
	var e *resreg.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, field, e.Field, "error: %v", err)
}

func TestDecodeJSONSeeds(t *testing.T) {
	// The three request bodies of the documents decode through DecodeJSON
	// exactly as through encoding/json.
	for _, c := range []struct {
		file string
		new  func() any
	}{
		{"create_resource_request.json", func() any { return new(resreg.CreateResourceInput) }},
		{"register_request.json", func() any { return new(resreg.RegisterInput) }},
		{"data_resource_string_request.json", func() any { return new(resreg.CreateDataResourceInput) }},
		{"data_resource_array_request.json", func() any { return new(resreg.CreateDataResourceInput) }},
		{"data_resource_tree_request.json", func() any { return new(resreg.CreateDataResourceInput) }},
	} {
		t.Run(c.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "seeds", c.file))
			require.NoError(t, err)
			defer f.Close()
			got := c.new()
			require.NoError(t, resreg.DecodeJSON(f, got))
			want := c.new()
			readSeed(t, c.file, want)
			require.Equal(t, want, got)
		})
	}
}

func TestDecodeJSONBadBodies(t *testing.T) {
	for _, c := range []struct {
		name, body, field string
		into              func() any
	}{
		{"empty", "", "body", register},
		{"blank", " \n\t ", "body", register},
		{"truncated", `{"type":"x","resources":[`, "body", register},
		{"syntax", `{"type":"x",}`, "body", register},
		{"trailing value", `{"type":"x"} {"type":"y"}`, "body", register},
		{"trailing garbage", `{"type":"x"}]`, "body", register},
		{"not an object", `"register"`, "body", register},
		{"wrong type at top", `{"type":1}`, "type", register},
		{"wrong type in item", `{"type":"x","resources":[{"code":"a"},{"code":5}]}`, "resources.code", register},
		{"wrong type in name", `{"type":"x","resources":[{"code":"a","name":{"defaultValue":true}}]}`, "resources.name.defaultValue", register},
		{"resources not array", `{"type":"x","resources":{}}`, "resources", register},
		{"actions not array", `{"type":"API","code":"a","actions":5}`, "actions", createResource},
		{"action name not string", `{"type":"API","code":"a","actions":[{"name":[]}]}`, "actions.name", createResource},
		{"struct of no shape", `{"namespaceCode":"d","type":"STRING","struct":5}`, "body", createData},
		{"tree node code not string", `{"namespaceCode":"d","type":"TREE","struct":[{"code":1}]}`, "struct.code", createData},
		{"nesting past encoding/json's limit", `{"struct":` + strings.Repeat("[", 10_001) + strings.Repeat("]", 10_001) + `}`, "body", createData},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := resreg.DecodeJSON(strings.NewReader(c.body), c.into())
			requireInvalidField(t, err, c.field)
		})
	}
}

func register() any       { return new(resreg.RegisterInput) }
func createResource() any { return new(resreg.CreateResourceInput) }
func createData() any     { return new(resreg.CreateDataResourceInput) }

// paddedBody returns a valid JSON object of exactly n bytes:
// {"type":"API","code":"c","description":"xxx..."}.
func paddedBody(t *testing.T, n int) []byte {
	t.Helper()
	head, tail := `{"type":"API","code":"c","description":"`, `"}`
	pad := n - len(head) - len(tail)
	require.Positive(t, pad)
	return []byte(head + strings.Repeat("x", pad) + tail)
}

func TestDecodeJSONSizeLimit(t *testing.T) {
	t.Run("exactly MaxBodyBytes is accepted", func(t *testing.T) {
		var in resreg.CreateResourceInput
		require.NoError(t, resreg.DecodeJSON(bytes.NewReader(paddedBody(t, resreg.MaxBodyBytes)), &in))
		require.Len(t, in.Description, resreg.MaxBodyBytes-len(`{"type":"API","code":"c","description":""}`))
	})
	t.Run("one byte more is rejected", func(t *testing.T) {
		var in resreg.CreateResourceInput
		err := resreg.DecodeJSON(bytes.NewReader(paddedBody(t, resreg.MaxBodyBytes+1)), &in)
		requireInvalidField(t, err, "body")
		require.Zero(t, in, "a rejected body must not be decoded at all")
	})
	t.Run("trailing whitespace within the limit is fine", func(t *testing.T) {
		var in resreg.CreateResourceInput
		require.NoError(t, resreg.DecodeJSON(strings.NewReader("{\"code\":\"c\"}\n\n"), &in))
		require.Equal(t, "c", in.Code)
	})
	t.Run("reads at most MaxBodyBytes+1 bytes", func(t *testing.T) {
		r := &countingReader{r: bytes.NewReader(paddedBody(t, 4*resreg.MaxBodyBytes))}
		var in resreg.CreateResourceInput
		requireInvalidField(t, resreg.DecodeJSON(r, &in), "body")
		require.LessOrEqual(t, r.n, int64(resreg.MaxBodyBytes+1))
	})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// failingReader returns some bytes and then an error.
type failingReader struct{ sent bool }

var errDisk = errors.New("disk on fire")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.sent {
		return 0, errDisk
	}
	f.sent = true
	return copy(p, `{"type":`), nil
}

func TestDecodeJSONNotTheBodysFault(t *testing.T) {
	t.Run("read error", func(t *testing.T) {
		err := resreg.DecodeJSON(&failingReader{}, new(resreg.RegisterInput))
		require.ErrorIs(t, err, errDisk)
		require.NotErrorIs(t, err, resreg.ErrInvalid)
	})
	t.Run("target not a pointer", func(t *testing.T) {
		err := resreg.DecodeJSON(strings.NewReader(`{}`), resreg.RegisterInput{})
		require.Error(t, err)
		require.NotErrorIs(t, err, resreg.ErrInvalid)
	})
}

func TestDecodeJSONThenValidate(t *testing.T) {
	// A body that decodes is still validated by the Registry; DecodeJSON
	// only guards the decoding.
	ctx := t.Context()
	reg := newRegistry(t)
	var in resreg.RegisterInput
	require.NoError(t, resreg.DecodeJSON(strings.NewReader(`{"type":"device","assignCodeTold":true,"resources":[{"code":"d1","name":"Door"},{"code":"bad/code","name":"x"}]}`), &in))
	require.True(t, in.AssignCodeToID)
	_, err := reg.RegisterResources(ctx, in)
	requireInvalidField(t, err, "resources[1].code")
}
