package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/httpapi"
)

// permissionFixture makes namespace app with resources ecs (API,
// ecs:Start, ecs:Stop) and books (MENU, read), data resources org (TREE),
// path (STRING) and cards (ARRAY), and a user in group devs and role ops;
// it returns the userId.
func permissionFixture(t *testing.T, s *testServer) string {
	t.Helper()
	requireOK(t, s.post("/api/v3/create-namespace", map[string]any{"code": "app", "name": "App"}))
	requireOK(t, s.post("/api/v3/create-resource", map[string]any{"namespace": "app", "type": "API", "code": "ecs", "name": "ECS",
		"actions": []map[string]any{{"name": "ecs:Start", "description": "start"}, {"name": "ecs:Stop", "description": "stop"}}, "apiIdentifier": "https://api.example.com/ecs"}))
	requireOK(t, s.post("/api/v3/create-resource", map[string]any{"namespace": "app", "type": "MENU", "code": "books", "name": "Books",
		"actions": []map[string]any{{"name": "read", "description": "read"}}}))
	tree := []map[string]any{{"code": "product", "name": "Product", "value": "p", "children": []map[string]any{
		{"code": "pm", "name": "PM", "value": "pm"}, {"code": "design", "name": "Design"},
	}}, {"code": "rd", "name": "R&D"}}
	requireOK(t, s.post("/api/v3/create-tree-data-resource", map[string]any{"namespaceCode": "app", "resourceCode": "org", "resourceName": "Org", "struct": tree, "actions": []string{"get", "update"}}))
	requireOK(t, s.post("/api/v3/create-string-data-resource", map[string]any{"namespaceCode": "app", "resourceCode": "path", "resourceName": "Path", "struct": "/api/v1", "actions": []string{"get"}}))
	requireOK(t, s.post("/api/v3/create-array-data-resource", map[string]any{"namespaceCode": "app", "resourceCode": "cards", "resourceName": "Cards", "struct": []string{"c1", "c2"}, "actions": []string{"open"}}))
	user := s.createUser(map[string]any{"name": "Alice"})
	requireOK(t, s.post("/api/v3/create-group", map[string]any{"code": "devs", "name": "Developers"}))
	requireOK(t, s.post("/api/v3/add-group-members", map[string]any{"code": "devs", "userIds": []string{user}}))
	requireOK(t, s.post("/api/v3/create-role", map[string]any{"code": "ops", "namespace": "app"}))
	requireOK(t, s.post("/api/v3/assign-role", map[string]any{"code": "ops", "namespace": "app", "targets": []map[string]any{{"targetType": "USER", "targetIdentifier": user}}}))
	return user
}

func TestAuthingResourcePermissions(t *testing.T) {
	s := newTestServer(t)
	user := permissionFixture(t, s)
	env := s.post("/api/v3/authorize-resources", map[string]any{"namespace": "app", "list": []map[string]any{
		{"targetType": "ROLE", "targetIdentifiers": []string{"ops"}, "resources": []map[string]any{{"code": "ecs", "actions": []string{"ecs:Start"}, "resourceType": "API"}}},
		{"targetType": "GROUP", "targetIdentifiers": []string{"devs"}, "resources": []map[string]any{{"code": "books", "actions": []string{"read"}, "resourceType": "MENU"}}},
	}})
	requireOK(t, env)
	require.Equal(t, map[string]any{"success": true}, data(t, env.Data))
	requireFail(t, s.post("/api/v3/authorize-resources", map[string]any{"namespace": "app", "list": []map[string]any{
		{"targetType": "USER", "targetIdentifiers": []string{user}, "resources": []map[string]any{{"code": "nope", "actions": []string{"x"}}}},
	}}), 404)
	requireFail(t, s.post("/api/v3/authorize-resources", map[string]any{"namespace": "app", "list": []map[string]any{
		{"targetType": "USER", "targetIdentifiers": []string{user}, "resources": []map[string]any{{"code": "ecs", "actions": []string{"ecs:Fly"}}}},
	}}), 400)

	allowed := func(resource, action string) bool {
		t.Helper()
		env := s.post("/api/v3/is-action-allowed", map[string]any{"userId": user, "namespace": "app", "resource": resource, "action": action})
		requireOK(t, env)
		var out map[string]bool
		require.NoError(t, json.Unmarshal(env.Data, &out))
		return out["allowed"]
	}
	require.True(t, allowed("ecs", "ecs:Start"), "through the role")
	require.False(t, allowed("ecs", "ecs:Stop"))
	require.True(t, allowed("books", "read"), "through the group")
	requireFail(t, s.post("/api/v3/is-action-allowed", map[string]any{"userId": "ghost", "namespace": "app", "resource": "ecs", "action": "ecs:Start"}), 404)
	requireFail(t, s.post("/api/v3/is-action-allowed", map[string]any{"userId": user, "namespace": "app", "resource": "ecs"}), 400)
	requireFail(t, s.post("/api/v3/is-action-allowed", map[string]any{"userId": user, "namespace": "nope", "resource": "ecs", "action": "a"}), 404)

	env = s.get("/api/v3/get-authorized-resources", map[string]any{"namespace": "app", "targetType": "ROLE", "targetIdentifier": "ops"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"totalCount": 1.0, "list": []any{map[string]any{
		"resourceCode": "ecs", "resourceType": "API", "apiIdentifier": "https://api.example.com/ecs", "actions": []any{"ecs:Start"}, "effect": "ALLOW",
	}}}, data(t, env.Data))
	env = s.get("/api/v3/get-authorized-resources", map[string]any{"namespace": "app", "targetType": "GROUP", "targetIdentifier": "devs", "resourceList": []string{"ecs"}})
	requireOK(t, env)
	require.Equal(t, map[string]any{"totalCount": 0.0, "list": []any{}}, data(t, env.Data), "resourceList filters")
	requireFail(t, s.get("/api/v3/get-authorized-resources", map[string]any{"namespace": "nope", "targetType": "USER", "targetIdentifier": user}), 404)
	requireFail(t, s.get("/api/v3/get-authorized-resources", map[string]any{"namespace": "app"}), 400)

	env = s.get("/api/v3/get-user-authorized-resources", map[string]any{"userId": user, "namespace": "app"})
	requireOK(t, env)
	got := data(t, env.Data).(map[string]any)
	require.Equal(t, 2.0, got["totalCount"])
	list := got["list"].([]any)
	require.Equal(t, "books", list[0].(map[string]any)["resourceCode"])
	require.Equal(t, []any{"read"}, list[0].(map[string]any)["actions"])
	require.Equal(t, "ecs", list[1].(map[string]any)["resourceCode"])
	env = s.get("/api/v3/get-user-authorized-resources", map[string]any{"userId": user, "namespace": "app", "resourceType": "API"})
	requireOK(t, env)
	require.Equal(t, 1.0, data(t, env.Data).(map[string]any)["totalCount"])
	requireFail(t, s.get("/api/v3/get-user-authorized-resources", map[string]any{"userId": "ghost", "namespace": "app"}), 404)

	env = s.get("/api/v3/get-role-authorized-resources", map[string]any{"code": "ops", "namespace": "app"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"totalCount": 1.0, "list": []any{map[string]any{
		"resourceCode": "ecs", "resourceType": "API", "apiIdentifier": "https://api.example.com/ecs", "actions": []any{"ecs:Start"},
	}}}, data(t, env.Data))
	requireFail(t, s.get("/api/v3/get-role-authorized-resources", map[string]any{"code": "ops"}), 404) // ops is a role of app only

	env = s.get("/api/v3/get-group-authorized-resources", map[string]any{"code": "devs", "namespace": "app"})
	requireOK(t, env)
	require.Equal(t, []any{map[string]any{"resourceCode": "books", "resourceType": "MENU", "apiIdentifier": "", "actions": []any{"read"}, "effect": "ALLOW"}}, data(t, env.Data))
	requireFail(t, s.get("/api/v3/get-group-authorized-resources", map[string]any{"code": "nope"}), 404)

	// Deleting the group takes its grant away at once.
	requireOK(t, s.post("/api/v3/delete-groups-batch", map[string]any{"codeList": []string{"devs"}}))
	require.False(t, allowed("books", "read"))
}

func TestAuthingDataPolicies(t *testing.T) {
	s := newTestServer(t)
	user := permissionFixture(t, s)
	env := s.post("/api/v3/create-data-policy", map[string]any{"policyName": "pm", "description": "product managers", "statementList": []map[string]any{
		{"effect": "ALLOW", "permissions": []string{"app/org/product/pm/get", "app/path/get", "app/cards/*"}},
	}})
	requireOK(t, env)
	created := data(t, env.Data).(map[string]any)
	policyID := created["policyId"].(string)
	require.Equal(t, "pm", created["policyName"])
	require.Equal(t, "2026-12-01T12:00:00Z", created["createdAt"])
	requireFail(t, s.post("/api/v3/create-data-policy", map[string]any{"policyName": "pm", "statementList": []map[string]any{{"effect": "ALLOW", "permissions": []string{"app/path/get"}}}}), 409)
	requireFail(t, s.post("/api/v3/create-data-policy", map[string]any{"policyName": "x", "statementList": []map[string]any{{"effect": "ALLOW", "permissions": []string{"app/nope/get"}}}}), 404)
	requireFail(t, s.post("/api/v3/create-data-policy", map[string]any{"policyName": "y"}), 400)

	env = s.get("/api/v3/get-data-policy", map[string]any{"policyId": policyID})
	requireOK(t, env)
	require.Equal(t, "product managers", data(t, env.Data).(map[string]any)["description"])
	requireFail(t, s.get("/api/v3/get-data-policy", map[string]any{"policyId": "nope"}), 404)

	env = s.get("/api/v3/check-data-policy-exists", map[string]any{"policyName": "pm"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"isValid": false, "message": "数据策略名称已经存在"}, data(t, env.Data))
	env = s.get("/api/v3/check-data-policy-exists", map[string]any{"policyName": "free"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"isValid": true}, data(t, env.Data))
	requireFail(t, s.get("/api/v3/check-data-policy-exists", nil), 400)

	env = s.post("/api/v3/authorize-data-policies", map[string]any{"policyIds": []string{policyID}, "targetList": []map[string]any{
		{"id": user, "type": "USER", "name": "Alice"}, {"id": "ops@app", "type": "ROLE", "name": "Ops"}, {"id": "sales", "type": "ORG", "name": "Sales"},
	}})
	requireOK(t, env)
	require.NotContains(t, env.raw, "data")
	requireFail(t, s.post("/api/v3/authorize-data-policies", map[string]any{"policyIds": []string{"nope"}, "targetList": []map[string]any{{"id": user, "type": "USER"}}}), 404)

	env = s.get("/api/v3/list-data-policy-targets", map[string]any{"policyId": policyID, "page": 1, "limit": 2})
	requireOK(t, env)
	targets := data(t, env.Data).(map[string]any)
	require.Equal(t, 3.0, targets["totalCount"])
	require.Equal(t, map[string]any{"targetIdentifier": "sales", "targetType": "ORG", "targetName": "Sales", "authorizationTime": "2026-12-01T12:00:00Z"},
		targets["list"].([]any)[0], "DEPARTMENT first in type order, spelled ORG")
	env = s.get("/api/v3/list-data-policy-targets", map[string]any{"policyId": policyID, "targetType": "ROLE"})
	requireOK(t, env)
	require.Equal(t, 1.0, data(t, env.Data).(map[string]any)["totalCount"])
	env = s.get("/api/v3/list-data-policy-targets", map[string]any{"policyId": policyID, "query": "ALI"})
	requireOK(t, env)
	require.Equal(t, 1.0, data(t, env.Data).(map[string]any)["totalCount"])
	requireFail(t, s.get("/api/v3/list-data-policy-targets", map[string]any{"policyId": "nope"}), 404)

	env = s.post("/api/v3/check-permission", map[string]any{"userId": user, "namespaceCode": "app", "action": "get",
		"resources": []string{"org/product/pm", "org/rd", "path"}})
	requireOK(t, env)
	require.Equal(t, map[string]any{"checkResultList": []any{
		map[string]any{"namespaceCode": "app", "resource": "org/product/pm", "action": "get", "enabled": true},
		map[string]any{"namespaceCode": "app", "resource": "org/rd", "action": "get", "enabled": false},
		map[string]any{"namespaceCode": "app", "resource": "path", "action": "get", "enabled": true},
	}}, data(t, env.Data))
	requireFail(t, s.post("/api/v3/check-permission", map[string]any{"userId": "ghost", "namespaceCode": "app", "action": "get", "resources": []string{"path"}}), 404)
	requireFail(t, s.post("/api/v3/check-permission", map[string]any{"userId": user, "namespaceCode": "app", "action": "get", "resources": []string{}}), 400)

	env = s.post("/api/v3/get-user-resource-struct", map[string]any{"userId": user, "namespaceCode": "app", "resourceCode": "org"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"namespaceCode": "app", "resourceCode": "org", "resourceType": "TREE", "treeResourceAuthAction": map[string]any{
		"nodeAuthActionList": []any{map[string]any{"code": "product", "name": "Product", "value": "p", "actions": []any{}, "children": []any{
			map[string]any{"code": "pm", "name": "PM", "value": "pm", "actions": []any{"get"}},
		}}},
	}}, data(t, env.Data))
	env = s.post("/api/v3/get-user-resource-struct", map[string]any{"userId": user, "namespaceCode": "app", "resourceCode": "path"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"namespaceCode": "app", "resourceCode": "path", "resourceType": "STRING",
		"strResourceAuthAction": map[string]any{"value": "/api/v1", "actions": []any{"get"}}}, data(t, env.Data))
	env = s.post("/api/v3/get-user-resource-struct", map[string]any{"userId": user, "namespaceCode": "app", "resourceCode": "cards"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"namespaceCode": "app", "resourceCode": "cards", "resourceType": "ARRAY",
		"arrResourceAuthAction": map[string]any{"values": []any{"c1", "c2"}, "actions": []any{"open"}}}, data(t, env.Data))
	requireFail(t, s.post("/api/v3/get-user-resource-struct", map[string]any{"userId": user, "namespaceCode": "app", "resourceCode": "nope"}), 404)
	requireFail(t, s.post("/api/v3/get-user-resource-struct", map[string]any{"userId": "ghost", "namespaceCode": "app", "resourceCode": "org"}), 404)

	env = s.get("/api/v3/list-data-policies", map[string]any{"page": 1, "limit": 10, "query": "product"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"totalCount": 1.0, "list": []any{map[string]any{
		"policyId": policyID, "policyName": "pm", "description": "product managers", "updatedAt": "2026-12-01T12:00:00Z",
		"resourceList": []any{
			map[string]any{"resourceId": "app/org", "resourceName": "Org"}, map[string]any{"resourceId": "app/path", "resourceName": "Path"},
			map[string]any{"resourceId": "app/cards", "resourceName": "Cards"},
		},
		"targetList": []any{
			map[string]any{"id": "sales", "type": "ORG", "name": "Sales"}, map[string]any{"id": "ops@app", "type": "ROLE", "name": "Ops"},
			map[string]any{"id": user, "type": "USER", "name": "Alice"},
		},
	}}}, data(t, env.Data))
	env = s.get("/api/v3/list-simple-data-policies", map[string]any{"page": 1, "limit": 10})
	requireOK(t, env)
	require.Equal(t, map[string]any{"totalCount": 1.0, "list": []any{map[string]any{"policyId": policyID, "policyName": "pm", "description": "product managers"}}}, data(t, env.Data))
	requireFail(t, s.get("/api/v3/list-simple-data-policies", map[string]any{"limit": 51}), 400)

	env = s.post("/api/v3/update-data-policy", map[string]any{"policyId": policyID, "policyName": "pm2", "statementList": []map[string]any{
		{"effect": "ALLOW", "permissions": []string{"app/org/rd/get"}},
	}})
	requireOK(t, env)
	require.Equal(t, "pm2", data(t, env.Data).(map[string]any)["policyName"])
	requireFail(t, s.post("/api/v3/update-data-policy", map[string]any{"policyId": "nope", "policyName": "z"}), 404)
	env = s.post("/api/v3/check-permission", map[string]any{"userId": user, "namespaceCode": "app", "action": "get", "resources": []string{"org/product/pm", "org/rd"}})
	requireOK(t, env)
	list := data(t, env.Data).(map[string]any)["checkResultList"].([]any)
	require.Equal(t, false, list[0].(map[string]any)["enabled"], "the update replaced the statements")
	require.Equal(t, true, list[1].(map[string]any)["enabled"])

	env = s.post("/api/v3/revoke-data-policy", map[string]any{"policyId": policyID, "targetType": "USER", "targetIdentifier": user})
	requireOK(t, env)
	require.NotContains(t, env.raw, "data")
	requireFail(t, s.post("/api/v3/revoke-data-policy", map[string]any{"policyId": "nope", "targetType": "USER", "targetIdentifier": user}), 404)
	env = s.post("/api/v3/check-permission", map[string]any{"userId": user, "namespaceCode": "app", "action": "get", "resources": []string{"org/rd"}})
	requireOK(t, env)
	require.Equal(t, true, data(t, env.Data).(map[string]any)["checkResultList"].([]any)[0].(map[string]any)["enabled"], "still allowed through role ops")

	requireOK(t, s.post("/api/v3/delete-data-policy", map[string]any{"policyId": policyID}))
	requireFail(t, s.post("/api/v3/delete-data-policy", map[string]any{"policyId": policyID}), 404)
	requireFail(t, s.get("/api/v3/get-data-policy", map[string]any{"policyId": policyID}), 404)
}

// is-action-allowed reads its four strings from the split the signature
// check made when the body is plain, and decodes the body otherwise: every
// shape of body answers as encoding/json reads it.
func TestIsActionAllowedBodyShapes(t *testing.T) {
	s := newTestServer(t)
	user := permissionFixture(t, s)
	requireOK(t, s.post("/api/v3/authorize-resources", map[string]any{"namespace": "app", "list": []map[string]any{
		{"targetType": "USER", "targetIdentifiers": []string{user}, "resources": []map[string]any{{"code": "ecs", "actions": []string{"ecs:Start"}}}},
	}}))
	u := `"` + user + `"`
	for _, tc := range []struct {
		name, body string
		statusCode int
		allowed    bool
	}{
		{"plain", `{"userId":` + u + `,"namespace":"app","resource":"ecs","action":"ecs:Start"}`, 200, true},
		{"plain, denied", `{"userId":` + u + `,"namespace":"app","resource":"ecs","action":"ecs:Stop"}`, 200, false},
		{"spaced and reordered", ` { "action" : "ecs:Start" , "resource":"ecs",` + "\n" + `"namespace":"app", "userId":` + u + ` } `, 200, true},
		{"an escape", `{"userId":` + u + `,"namespace":"app","resource":"ecs","action":"ecs\u003aStart"}`, 200, true},
		{"a key in another case", `{"UserID":` + u + `,"namespace":"app","resource":"ecs","action":"ecs:Start"}`, 200, true},
		{"an extra key", `{"userId":` + u + `,"namespace":"app","resource":"ecs","action":"ecs:Start","extra":[1]}`, 200, true},
		{"a null namespace is the default one, without ecs", `{"userId":` + u + `,"namespace":null,"resource":"ecs","action":"ecs:Start"}`, 200, false},
		{"a number for a string", `{"userId":` + u + `,"namespace":"app","resource":"ecs","action":7}`, 400, false},
		{"data after the object", `{"userId":` + u + `,"namespace":"app","resource":"ecs","action":"ecs:Start"} x`, 400, false},
		{"no action", `{"userId":` + u + `,"namespace":"app","resource":"ecs"}`, 400, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(tc.body)
			r := httptest.NewRequest(http.MethodPost, "/api/v3/is-action-allowed", bytes.NewReader(b))
			require.NoError(t, httpapi.SignAuthing(r, b, testKeyID, testSecret, testNow, ""))
			env := decodeAuthing(t, s.do(r))
			require.Equal(t, tc.statusCode, env.StatusCode, env.Message)
			if tc.statusCode == 200 {
				require.Equal(t, map[string]any{"allowed": tc.allowed}, data(t, env.Data))
			}
		})
	}
	t.Run("without signatures", func(t *testing.T) {
		h := httpapi.NewHandler(s.reg, httpapi.WithInsecureNoAuth(), quiet)
		for range 2 { // the second request reuses the first's buffers
			b := []byte(`{"userId":` + u + `,"namespace":"app","resource":"ecs","action":"ecs:Start"}`)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v3/is-action-allowed", bytes.NewReader(b)))
			env := decodeAuthing(t, rec)
			requireOK(t, env)
			require.Equal(t, map[string]any{"allowed": true}, data(t, env.Data))
		}
	})
}
