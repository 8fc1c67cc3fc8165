package resreg_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
)

// TestActionsArePlainSlices checks that records and inputs carry actions as
// plain slices: they compare equal to slice literals, and a record's
// actions can be appended to and passed back as an update.
func TestActionsArePlainSlices(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	d, err := reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
		NamespaceCode: "default", ResourceCode: "d", ResourceName: "D",
		Type: resreg.DataString, Struct: resreg.StringStruct("x"), Actions: []string{"access"},
	})
	require.NoError(t, err)
	require.Equal(t, []string{"access"}, d.Actions)

	res, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "r", Actions: []resreg.Action{{Name: "read", Description: "Read"}}})
	require.NoError(t, err)
	require.Equal(t, []resreg.Action{{Name: "read", Description: "Read"}}, res.Actions)
	more := append(res.Actions, resreg.Action{Name: "write", Description: "Write"})
	got, err := reg.UpdateResource(ctx, "", "r", resreg.ResourceUpdate{Actions: &more})
	require.NoError(t, err)
	require.Equal(t, more, got.Actions)

	dataMore := append(d.Actions, "edit")
	gotData, err := reg.UpdateDataResource(ctx, "", "d", resreg.DataResourceUpdate{Actions: &dataMore})
	require.NoError(t, err)
	require.Equal(t, []string{"access", "edit"}, gotData.Actions)
}

// TestActionsJSON checks the JSON forms the containing types accept and
// produce: an array, a string holding an array (Authing's responses) or
// null on the way in; [] for no actions on the way out.
func TestActionsJSON(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []resreg.Action
	}{
		{"array", `{"code":"c","actions":[{"name":"a","description":"A"}]}`, []resreg.Action{{Name: "a", Description: "A"}}},
		{"string holding an array", `{"code":"c","actions":"[{\"name\":\"a\",\"description\":\"A\"}]"}`, []resreg.Action{{Name: "a", Description: "A"}}},
		{"empty string", `{"code":"c","actions":""}`, nil},
		{"null", `{"code":"c","actions":null}`, nil},
		{"empty array", `{"code":"c","actions":[]}`, nil},
		{"absent", `{"code":"c"}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in resreg.CreateResourceInput
			require.NoError(t, resreg.DecodeJSON(strings.NewReader(tc.body), &in))
			require.Equal(t, "c", in.Code)
			require.Equal(t, tc.want, in.Actions)

			var res resreg.Resource
			require.NoError(t, json.Unmarshal([]byte(tc.body), &res))
			require.Equal(t, "c", res.Code)
			require.Equal(t, tc.want, res.Actions)
		})
	}

	var din resreg.CreateDataResourceInput
	require.NoError(t, resreg.DecodeJSON(strings.NewReader(`{"resourceCode":"d","actions":"[\"read\",\"get\"]"}`), &din))
	require.Equal(t, []string{"read", "get"}, din.Actions)
	require.Equal(t, "d", din.ResourceCode)
	var d resreg.DataResource
	require.NoError(t, json.Unmarshal([]byte(`{"resourceCode":"d","actions":"[\"read\"]"}`), &d))
	require.Equal(t, []string{"read"}, d.Actions)

	b, err := json.Marshal(resreg.Resource{Code: "c"})
	require.NoError(t, err)
	require.Contains(t, string(b), `"actions":[]`)
	b, err = json.Marshal(resreg.DataResource{ResourceCode: "d"})
	require.NoError(t, err)
	require.Contains(t, string(b), `"actions":[]`)
	b, err = json.Marshal(&resreg.DataResource{ResourceCode: "d", Actions: []string{"x"}})
	require.NoError(t, err)
	require.Contains(t, string(b), `"actions":["x"]`)
	require.Contains(t, string(b), `"resourceCode":"d"`)

	var bad resreg.CreateResourceInput
	err = resreg.DecodeJSON(strings.NewReader(`{"code":"c","actions":"not json"}`), &bad)
	require.ErrorIs(t, err, resreg.ErrInvalid)
}

// TestActionNamesAreText: action names follow the text rule of Authing,
// not the code rule: any script, inner spaces, up to 128 characters.
func TestActionNamesAreText(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"资源操作名称", "read all", "ecs:Start", "Lire les données", strings.Repeat("名", 128), "a\u00a0b"} {
		t.Run(name, func(t *testing.T) {
			reg := newRegistry(t)
			res, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "r", Actions: []resreg.Action{{Name: name, Description: "d"}}})
			require.NoError(t, err)
			require.Equal(t, name, res.Actions[0].Name)
			d, err := reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{NamespaceCode: "default", ResourceCode: "d", ResourceName: "D",
				Type: resreg.DataString, Struct: resreg.StringStruct("x"), Actions: []string{name}})
			require.NoError(t, err)
			require.Equal(t, []string{name}, d.Actions)
		})
	}
	reg := newRegistry(t)
	_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "r", Actions: []resreg.Action{{Name: "同名", Description: "a"}, {Name: "同名", Description: "b"}}})
	require.ErrorIs(t, err, resreg.ErrInvalid, "names stay unique within their resource")
}
