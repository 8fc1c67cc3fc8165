package httpapi_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// update-namespace and update-permission-namespace with a newCode rename the
// namespace and everything in it: its resources, data resources, grants
// and roles, and the data policies' permissions that name it.
func TestAuthingRenameNamespace(t *testing.T) {
	for _, infix := range []string{"namespace", "permission-namespace"} {
		t.Run(infix, func(t *testing.T) {
			s := newTestServer(t)
			user := permissionFixture(t, s)
			requireOK(t, s.post("/api/v3/create-namespace", map[string]any{"code": "other", "name": "Other"}))
			requireOK(t, s.post("/api/v3/authorize-resources", map[string]any{"namespace": "app", "list": []map[string]any{
				{"targetType": "ROLE", "targetIdentifiers": []string{"ops"}, "resources": []map[string]any{{"code": "ecs", "actions": []string{"ecs:Start"}, "resourceType": "API"}}},
			}}))
			env := s.post("/api/v3/create-data-policy", map[string]any{"policyName": "pm", "statementList": []map[string]any{
				{"effect": "ALLOW", "permissions": []string{"app/org/product/pm/get", "app/path/get"}},
			}})
			requireOK(t, env)
			policyID := data(t, env.Data).(map[string]any)["policyId"].(string)
			requireOK(t, s.post("/api/v3/authorize-data-policies", map[string]any{"policyIds": []string{policyID}, "targetList": []map[string]any{
				{"id": user, "type": "USER", "name": "Alice"},
			}}))

			path := "/api/v3/update-" + infix
			requireFail(t, s.post(path, map[string]any{"code": "app", "newCode": "other"}), 409)
			requireFail(t, s.post(path, map[string]any{"code": "app", "newCode": "default"}), 400)
			requireFail(t, s.post(path, map[string]any{"code": "default", "newCode": "x"}), 400)
			requireFail(t, s.post(path, map[string]any{"code": "app", "newCode": "bad code"}), 400)
			requireFail(t, s.post(path, map[string]any{"code": "nope", "newCode": "x"}), 404)
			requireOK(t, s.get("/api/v3/get-"+infix, map[string]any{"code": "app"}))

			env = s.post(path, map[string]any{"code": "app", "newCode": "shop", "name": "Shop"})
			requireOK(t, env)
			require.Equal(t, map[string]any{"code": "shop", "name": "Shop"}, data(t, env.Data), "data is the namespace under its new code")
			requireFail(t, s.get("/api/v3/get-"+infix, map[string]any{"code": "app"}), 404)
			env = s.get("/api/v3/get-"+infix, map[string]any{"code": "shop"})
			requireOK(t, env)
			require.Equal(t, map[string]any{"code": "shop", "name": "Shop"}, data(t, env.Data))

			env = s.get("/api/v3/get-resource", map[string]any{"code": "ecs", "namespace": "shop"})
			requireOK(t, env)
			require.Equal(t, "shop", data(t, env.Data).(map[string]any)["namespace"])
			requireFail(t, s.get("/api/v3/get-resource", map[string]any{"code": "ecs", "namespace": "app"}), 404)
			env = s.get("/api/v3/get-data-resource", map[string]any{"namespaceCode": "shop", "resourceCode": "org"})
			requireOK(t, env)
			require.Equal(t, "shop", data(t, env.Data).(map[string]any)["namespaceCode"])

			allowed := func(ns string) bool {
				t.Helper()
				env := s.post("/api/v3/is-action-allowed", map[string]any{"userId": user, "namespace": ns, "resource": "ecs", "action": "ecs:Start"})
				requireOK(t, env)
				var out map[string]bool
				require.NoError(t, json.Unmarshal(env.Data, &out))
				return out["allowed"]
			}
			require.True(t, allowed("shop"), "through the role ops, which moved with its namespace")
			requireFail(t, s.post("/api/v3/is-action-allowed", map[string]any{"userId": user, "namespace": "app", "resource": "ecs", "action": "ecs:Start"}), 404)
			env = s.get("/api/v3/get-role-authorized-resources", map[string]any{"code": "ops", "namespace": "shop"})
			requireOK(t, env)
			require.Equal(t, 1.0, data(t, env.Data).(map[string]any)["totalCount"], "the role is found under the new code")

			env = s.post("/api/v3/check-permission", map[string]any{"userId": user, "namespaceCode": "shop", "action": "get", "resources": []string{"org/product/pm", "org/rd", "path"}})
			requireOK(t, env)
			require.Equal(t, map[string]any{"checkResultList": []any{
				map[string]any{"namespaceCode": "shop", "resource": "org/product/pm", "action": "get", "enabled": true},
				map[string]any{"namespaceCode": "shop", "resource": "org/rd", "action": "get", "enabled": false},
				map[string]any{"namespaceCode": "shop", "resource": "path", "action": "get", "enabled": true},
			}}, data(t, env.Data))
			env = s.get("/api/v3/get-data-policy", map[string]any{"policyId": policyID})
			requireOK(t, env)
			require.Equal(t, []any{map[string]any{"effect": "ALLOW", "permissions": []any{"shop/org/product/pm/get", "shop/path/get"}}},
				data(t, env.Data).(map[string]any)["statementList"])

			// The role is assigned and revoked under the new code.
			requireOK(t, s.post("/api/v3/revoke-role", map[string]any{"code": "ops", "namespace": "shop", "targets": []map[string]any{{"targetType": "USER", "targetIdentifier": user}}}))
			require.False(t, allowed("shop"))
		})
	}
}
