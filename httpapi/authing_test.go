package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/httpapi"
)

func TestAuthingNamespaces(t *testing.T) {
	for _, sp := range []struct{ infix, batchCodes, keyword string }{{"namespace", "codeList", "keywords"}, {"permission-namespace", "codes", "query"}} {
		t.Run(sp.infix, func(t *testing.T) {
			s := newTestServer(t)
			env := s.post("/api/v3/create-"+sp.infix, map[string]any{"code": "ns1", "name": "One", "description": "d"})
			requireOK(t, env)
			require.Equal(t, map[string]any{"code": "ns1", "name": "One", "description": "d"}, data(t, env.Data))
			requireFail(t, s.post("/api/v3/create-"+sp.infix, map[string]any{"code": "ns1"}), 409)
			requireFail(t, s.post("/api/v3/create-"+sp.infix, map[string]any{"code": "bad code"}), 400)

			env = s.post("/api/v3/create-"+sp.infix+"s-batch", map[string]any{"list": []map[string]any{{"code": "ns2", "name": "Two"}, {"code": "ns3", "name": "Three"}}})
			requireOK(t, env)
			require.Equal(t, map[string]any{"success": true}, data(t, env.Data))
			requireFail(t, s.post("/api/v3/create-"+sp.infix+"s-batch", map[string]any{"list": []map[string]any{{"code": "ns4"}, {"code": "ns1"}}}), 409)
			requireFail(t, s.get("/api/v3/get-"+sp.infix, map[string]any{"code": "ns4"}), 404)

			env = s.get("/api/v3/get-"+sp.infix, map[string]any{"code": "ns2"})
			requireOK(t, env)
			require.Equal(t, map[string]any{"code": "ns2", "name": "Two"}, data(t, env.Data))
			requireFail(t, s.get("/api/v3/get-"+sp.infix, map[string]any{"code": "nope"}), 404)
			requireFail(t, s.get("/api/v3/get-"+sp.infix, nil), 400)

			env = s.get("/api/v3/get-"+sp.infix+"s-batch", map[string]any{sp.batchCodes: []string{"ns3", "ns1"}})
			requireOK(t, env)
			require.Equal(t, []any{map[string]any{"code": "ns3", "name": "Three"}, map[string]any{"code": "ns1", "name": "One", "description": "d"}}, data(t, env.Data))
			requireFail(t, s.get("/api/v3/get-"+sp.infix+"s-batch", map[string]any{sp.batchCodes: []string{"ns1", "zz"}}), 404)

			env = s.get("/api/v3/list-"+sp.infix+"s", map[string]any{"page": 2, "limit": 2})
			requireOK(t, env)
			require.Equal(t, map[string]any{"totalCount": 4.0, "list": []any{
				map[string]any{"code": "ns2", "name": "Two"}, map[string]any{"code": "ns3", "name": "Three"},
			}}, data(t, env.Data), "ordered by code, the default namespace first")
			env = s.get("/api/v3/list-"+sp.infix+"s", map[string]any{sp.keyword: "thr"})
			requireOK(t, env)
			require.Equal(t, map[string]any{"totalCount": 1.0, "list": []any{map[string]any{"code": "ns3", "name": "Three"}}}, data(t, env.Data))
			requireFail(t, s.get("/api/v3/list-"+sp.infix+"s", map[string]any{"limit": 51}), 400)
			requireFail(t, s.get("/api/v3/list-"+sp.infix+"s", map[string]any{"page": "x"}), 400)

			env = s.post("/api/v3/update-"+sp.infix, map[string]any{"code": "ns2", "name": "Deux"})
			requireOK(t, env)
			require.Equal(t, map[string]any{"code": "ns2", "name": "Deux"}, data(t, env.Data))
			requireFail(t, s.post("/api/v3/update-"+sp.infix, map[string]any{"code": "nope", "name": "x"}), 404)
			requireFail(t, s.post("/api/v3/update-"+sp.infix, map[string]any{"code": "ns2", "newCode": "ns3"}), 409)
			env = s.post("/api/v3/update-"+sp.infix, map[string]any{"code": "ns2", "newCode": "ns2", "description": "same code"})
			requireOK(t, env)
			require.Equal(t, map[string]any{"code": "ns2", "name": "Deux", "description": "same code"}, data(t, env.Data), "newCode equal to code is no rename")

			_, err := s.reg.CreateResource(t.Context(), resourceIn("r1", "ns3"))
			require.NoError(t, err)
			requireFail(t, s.post("/api/v3/delete-"+sp.infix, map[string]any{"code": "ns3"}), 409)
			requireFail(t, s.post("/api/v3/delete-"+sp.infix, map[string]any{"code": "nope"}), 404)
			requireFail(t, s.post("/api/v3/delete-"+sp.infix, map[string]any{"code": "default"}), 400)
			requireOK(t, s.post("/api/v3/delete-"+sp.infix, map[string]any{"code": "ns1"}))
			requireFail(t, s.get("/api/v3/get-"+sp.infix, map[string]any{"code": "ns1"}), 404)

			requireFail(t, s.post("/api/v3/delete-"+sp.infix+"s-batch", map[string]any{sp.batchCodes: []string{"ns2", "ns3"}}), 409)
			requireOK(t, s.get("/api/v3/get-"+sp.infix, map[string]any{"code": "ns2"}))
			requireOK(t, s.post("/api/v3/delete-"+sp.infix+"s-batch", map[string]any{sp.batchCodes: []string{"ns2"}}))
			requireFail(t, s.get("/api/v3/get-"+sp.infix, map[string]any{"code": "ns2"}), 404)
		})
	}
}

func TestAuthingCheckNamespaceExists(t *testing.T) {
	s := newTestServer(t)
	requireOK(t, s.post("/api/v3/create-permission-namespace", map[string]any{"code": "ns1", "name": "One"}))
	for _, tc := range []struct {
		body map[string]any
		want map[string]any
	}{
		{map[string]any{"code": "ns1"}, map[string]any{"isValid": false, "message": "权限空间 Code 已经存在"}},
		{map[string]any{"name": "One"}, map[string]any{"isValid": false, "message": "权限空间名称已经存在"}},
		{map[string]any{"code": "free", "name": "Free"}, map[string]any{"isValid": true}},
	} {
		env := s.post("/api/v3/check-permission-namespace-exists", tc.body)
		requireOK(t, env)
		require.Equal(t, tc.want, data(t, env.Data))
	}
	requireFail(t, s.post("/api/v3/check-permission-namespace-exists", map[string]any{}), 400)
}

func resourceIn(code, ns string) resreg.CreateResourceInput {
	return resreg.CreateResourceInput{Type: "API", Code: code, Namespace: ns}
}

func TestAuthingResources(t *testing.T) {
	s := newTestServer(t)
	requireOK(t, s.post("/api/v3/create-namespace", map[string]any{"code": "ns1", "name": "One"}))

	env := s.post("/api/v3/create-resource", map[string]any{
		"type": "API", "code": "ecs", "name": "ECS", "description": "servers",
		"actions": []map[string]any{{"name": "ecs:Start", "description": "start"}}, "apiIdentifier": "https://api.example.com/ecs",
	})
	requireOK(t, env)
	require.Equal(t, map[string]any{
		"code": "ecs", "name": "ECS", "description": "servers", "type": "API", "namespace": "default", "linkedToTenant": false,
		"actions": []any{map[string]any{"name": "ecs:Start", "description": "start"}}, "apiIdentifier": "https://api.example.com/ecs",
	}, data(t, env.Data), "the resource without timestamps, name as a string")
	requireFail(t, s.post("/api/v3/create-resource", map[string]any{"type": "API", "code": "ecs"}), 409)
	requireFail(t, s.post("/api/v3/create-resource", map[string]any{"type": "API", "code": ""}), 400)
	requireFail(t, s.post("/api/v3/create-resource", map[string]any{"type": "API", "code": "x", "namespace": "nope"}), 404)

	env = s.post("/api/v3/create-resources-batch", map[string]any{"namespace": "ns1", "list": []map[string]any{
		{"type": "MENU", "code": "m1", "name": "Menu 1"}, {"type": "API", "code": "a1"},
	}})
	requireOK(t, env)
	require.Equal(t, map[string]any{"success": true}, data(t, env.Data))
	requireFail(t, s.post("/api/v3/create-resources-batch", map[string]any{"namespace": "ns1", "list": []map[string]any{{"type": "API", "code": "a2"}, {"type": "API", "code": "a1"}}}), 409)
	requireFail(t, s.get("/api/v3/get-resource", map[string]any{"code": "a2", "namespace": "ns1"}), 404)
	requireFail(t, s.post("/api/v3/create-resources-batch", map[string]any{"list": []map[string]any{}}), 400)

	env = s.get("/api/v3/get-resource", map[string]any{"code": "m1", "namespace": "ns1"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"code": "m1", "name": "Menu 1", "type": "MENU", "namespace": "ns1", "linkedToTenant": false, "actions": []any{}}, data(t, env.Data))
	requireFail(t, s.get("/api/v3/get-resource", map[string]any{"code": "m1"}), 404)
	requireFail(t, s.get("/api/v3/get-resource", map[string]any{"code": "m1", "namespace": "nope"}), 404)

	env = s.get("/api/v3/get-resources-batch", map[string]any{"codeList": []string{"m1", "a1"}, "namespace": "ns1"})
	requireOK(t, env)
	var batch []map[string]any
	require.NoError(t, json.Unmarshal(env.Data, &batch))
	require.Len(t, batch, 2)
	require.Equal(t, "m1", batch[0]["code"])
	requireFail(t, s.get("/api/v3/get-resources-batch", map[string]any{"codeList": []string{"m1", "zz"}, "namespace": "ns1"}), 404)
	requireFail(t, s.get("/api/v3/get-resources-batch", map[string]any{"namespace": "ns1"}), 400)

	env = s.get("/api/v3/list-resources", map[string]any{"namespace": "ns1", "type": "MENU", "page": 1, "limit": 10})
	requireOK(t, env)
	require.Equal(t, map[string]any{"totalCount": 1.0, "list": []any{
		map[string]any{"code": "m1", "name": "Menu 1", "type": "MENU", "namespace": "ns1", "linkedToTenant": false, "actions": []any{}},
	}}, data(t, env.Data))
	requireFail(t, s.get("/api/v3/list-resources", map[string]any{"namespace": "nope"}), 404)

	env = s.get("/api/v3/list-common-resource", map[string]any{"page": 1, "limit": 2, "keyword": ""})
	requireOK(t, env)
	var common struct {
		TotalCount int              `json:"totalCount"`
		List       []map[string]any `json:"list"`
	}
	require.NoError(t, json.Unmarshal(env.Data, &common))
	require.Equal(t, 3, common.TotalCount, "every namespace")
	require.Len(t, common.List, 2)
	require.Equal(t, "ecs", common.List[0]["code"])
	ecs, err := s.reg.GetResource(t.Context(), "", "ecs")
	require.NoError(t, err)
	require.Equal(t, ecs.ID, common.List[0]["id"])
	require.Equal(t, "a1", common.List[1]["code"])
	require.Equal(t, "One", common.List[1]["namespaceName"])
	env = s.get("/api/v3/list-common-resource", map[string]any{"namespaceCodeList": "ns1", "keyword": "menu"})
	requireOK(t, env)
	require.NoError(t, json.Unmarshal(env.Data, &common))
	require.Equal(t, 1, common.TotalCount)
	require.Equal(t, "m1", common.List[0]["code"])

	env = s.post("/api/v3/update-resource", map[string]any{"code": "m1", "namespace": "ns1", "name": "Menu One", "type": "UI"})
	requireOK(t, env)
	require.Equal(t, "Menu One", data(t, env.Data).(map[string]any)["name"])
	require.Equal(t, "UI", data(t, env.Data).(map[string]any)["type"])
	requireFail(t, s.post("/api/v3/update-resource", map[string]any{"code": "zz", "namespace": "ns1", "name": "x"}), 404)
	requireFail(t, s.post("/api/v3/update-resource", map[string]any{"code": "m1", "namespace": "ns1", "type": "bad type"}), 400)

	requireOK(t, s.post("/api/v3/delete-resource", map[string]any{"code": "ecs"}))
	requireFail(t, s.post("/api/v3/delete-resource", map[string]any{"code": "ecs"}), 404)

	requireFail(t, s.post("/api/v3/delete-resources-batch", map[string]any{"namespace": "ns1", "codeList": []string{"m1", "zz"}}), 404)
	requireOK(t, s.get("/api/v3/get-resource", map[string]any{"code": "m1", "namespace": "ns1"}))
	a1, err := s.reg.GetResource(t.Context(), "ns1", "a1")
	require.NoError(t, err)
	requireOK(t, s.post("/api/v3/delete-resources-batch", map[string]any{"namespace": "ns1", "codeList": []string{"m1"}, "ids": []string{a1.ID}}))
	requireFail(t, s.get("/api/v3/get-resource", map[string]any{"code": "a1", "namespace": "ns1"}), 404)
	requireFail(t, s.get("/api/v3/get-resource", map[string]any{"code": "m1", "namespace": "ns1"}), 404)
}

func TestAuthingDataResources(t *testing.T) {
	s := newTestServer(t)
	requireOK(t, s.post("/api/v3/create-namespace", map[string]any{"code": "ns1", "name": "One"}))
	tree := []map[string]any{{"code": "p", "name": "Product", "children": []map[string]any{{"code": "c", "name": "Child", "value": "v"}}}}

	for _, tc := range []struct {
		path string
		body map[string]any
		want map[string]any
	}{
		{"/api/v3/create-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "s1", "resourceName": "String 1", "type": "STRING", "struct": "/x", "actions": []string{"get"}},
			map[string]any{"resourceCode": "s1", "resourceName": "String 1", "type": "STRING", "struct": "/x", "actions": []any{"get"}}},
		{"/api/v3/create-string-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "s2", "resourceName": "String 2", "struct": "/y", "actions": []string{"get"}, "description": "d"},
			map[string]any{"resourceCode": "s2", "resourceName": "String 2", "type": "STRING", "struct": "/y", "actions": []any{"get"}, "description": "d"}},
		{"/api/v3/create-array-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "a1", "resourceName": "Array 1", "struct": []string{"x", "y"}, "actions": []string{"get", "update"}},
			map[string]any{"resourceCode": "a1", "resourceName": "Array 1", "type": "ARRAY", "struct": []any{"x", "y"}, "actions": []any{"get", "update"}}},
		{"/api/v3/create-tree-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "t1", "resourceName": "Tree 1", "struct": tree, "actions": []string{"read"}},
			map[string]any{"resourceCode": "t1", "resourceName": "Tree 1", "type": "TREE", "actions": []any{"read"}, "struct": []any{
				map[string]any{"code": "p", "name": "Product", "children": []any{map[string]any{"code": "c", "name": "Child", "value": "v"}}},
			}}},
	} {
		env := s.post(tc.path, tc.body)
		requireOK(t, env)
		require.Equal(t, tc.want, data(t, env.Data), tc.path)
	}
	requireFail(t, s.post("/api/v3/create-string-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "s1", "resourceName": "Other", "struct": "/x", "actions": []string{"get"}}), 409)
	requireFail(t, s.post("/api/v3/create-array-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "a9", "resourceName": "A9", "struct": "not an array", "actions": []string{"get"}}), 400)
	requireFail(t, s.post("/api/v3/create-tree-data-resource", map[string]any{"namespaceCode": "nope", "resourceCode": "t9", "resourceName": "T9", "struct": tree, "actions": []string{"get"}}), 404)
	requireFail(t, s.post("/api/v3/create-string-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "s9", "resourceName": "S9", "type": "TREE", "struct": "/x", "actions": []string{"get"}}), 400)

	env := s.get("/api/v3/get-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "a1"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"namespaceCode": "ns1", "resourceCode": "a1", "resourceName": "Array 1", "type": "ARRAY", "struct": []any{"x", "y"}, "actions": []any{"get", "update"}}, data(t, env.Data))
	requireFail(t, s.get("/api/v3/get-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "zz"}), 404)

	env = s.get("/api/v3/list-data-resources", map[string]any{"page": 1, "limit": 2, "namespaceCodes": []string{"ns1"}})
	requireOK(t, env)
	require.Equal(t, map[string]any{"totalCount": 4.0, "list": []any{
		map[string]any{"resourceCode": "a1", "resourceName": "Array 1", "type": "ARRAY", "namespaceCode": "ns1", "namespaceName": "One", "authorizationNum": 0.0, "updatedAt": "2026-12-01T12:00:00Z"},
		map[string]any{"resourceCode": "s1", "resourceName": "String 1", "type": "STRING", "namespaceCode": "ns1", "namespaceName": "One", "authorizationNum": 0.0, "updatedAt": "2026-12-01T12:00:00Z"},
	}}, data(t, env.Data))
	env = s.get("/api/v3/list-data-resources", map[string]any{"query": "tree"})
	requireOK(t, env)
	require.Equal(t, 1.0, data(t, env.Data).(map[string]any)["totalCount"])
	requireFail(t, s.get("/api/v3/list-data-resources", map[string]any{"namespaceCodes": []string{"nope"}}), 404)

	env = s.post("/api/v3/update-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "a1", "resourceName": "Array One", "struct": []string{"z"}})
	requireOK(t, env)
	require.Equal(t, map[string]any{"resourceCode": "a1", "resourceName": "Array One", "type": "ARRAY", "struct": []any{"z"}, "actions": []any{"get", "update"}}, data(t, env.Data))
	requireFail(t, s.post("/api/v3/update-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "a1", "struct": "/string"}), 400)
	requireFail(t, s.post("/api/v3/update-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "a1", "resourceName": "String 1"}), 409)
	requireFail(t, s.post("/api/v3/update-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "zz", "resourceName": "x"}), 404)

	for _, tc := range []struct {
		params map[string]any
		want   map[string]any
	}{
		{map[string]any{"namespaceCode": "ns1", "resourceCode": "s1"}, map[string]any{"isValid": false, "message": "数据资源 code 已经存在"}},
		{map[string]any{"namespaceCode": "ns1", "resourceName": "Tree 1"}, map[string]any{"isValid": false, "message": "数据资源名称已经存在"}},
		{map[string]any{"namespaceCode": "ns1", "resourceCode": "free", "resourceName": "Free"}, map[string]any{"isValid": true}},
	} {
		env := s.get("/api/v3/check-data-resource-exists", tc.params)
		requireOK(t, env)
		require.Equal(t, tc.want, data(t, env.Data))
	}
	requireFail(t, s.get("/api/v3/check-data-resource-exists", map[string]any{"namespaceCode": "ns1"}), 400)

	env = s.post("/api/v3/delete-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "s1"})
	requireOK(t, env)
	require.NotContains(t, env.raw, "data", "CommonResponseDto has no data")
	requireFail(t, s.post("/api/v3/delete-data-resource", map[string]any{"namespaceCode": "ns1", "resourceCode": "s1"}), 404)
}

func TestAuthingRequestErrors(t *testing.T) {
	s := newTestServer(t)
	t.Run("unknown endpoint", func(t *testing.T) {
		requireFail(t, s.post("/api/v3/no-such-endpoint", map[string]any{}), 404)
	})
	t.Run("malformed JSON", func(t *testing.T) {
		s.h = httpapi.NewHandler(s.reg, httpapi.WithInsecureNoAuth(), quiet)
		r := httptest.NewRequest(http.MethodPost, "/api/v3/create-resource", strings.NewReader(`{"code": 1}`))
		env := decodeAuthing(t, s.do(r))
		requireFail(t, env, 400)
		require.Contains(t, env.Message, "code")
	})
	t.Run("body over the cap", func(t *testing.T) {
		s.h = httpapi.NewHandler(s.reg, httpapi.WithInsecureNoAuth(), quiet)
		big := bytes.Repeat([]byte(" "), 2<<20)
		r := httptest.NewRequest(http.MethodPost, "/api/v3/create-resource", bytes.NewReader(big))
		env := decodeAuthing(t, s.do(r))
		requireFail(t, env, 400)
		require.Contains(t, env.Message, "body")
	})
}

func TestAccessLogAndHealth(t *testing.T) {
	s := newTestServer(t)
	requireOK(t, s.post("/api/v3/create-namespace", map[string]any{"code": "ns1"}))
	requireFail(t, s.post("/api/v3/create-namespace", map[string]any{"code": "ns1"}), 409)
	lines := strings.Split(strings.TrimSpace(s.logs.String()), "\n")
	require.Len(t, lines, 2, "one line per request")
	var entry map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &entry))
	require.Equal(t, "POST", entry["method"])
	require.Equal(t, "/api/v3/create-namespace", entry["path"])
	require.Equal(t, 200.0, entry["status"])
	require.Equal(t, 409.0, entry["statusCode"])
	require.NotEmpty(t, entry["requestId"])
	require.Contains(t, entry, "duration")
	require.NotContains(t, s.logs.String(), testSecret)

	rec := s.do(httptest.NewRequest(http.MethodGet, "/healthz", nil))
	require.Equal(t, http.StatusOK, rec.Code)
}
