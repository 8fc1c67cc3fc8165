package httpapi_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// createUser creates a user and returns its userId.
func (s *testServer) createUser(body map[string]any) string {
	s.t.Helper()
	env := s.post("/api/v3/create-user", body)
	requireOK(s.t, env)
	var u struct {
		UserID string `json:"userId"`
	}
	require.NoError(s.t, json.Unmarshal(env.Data, &u))
	require.NotEmpty(s.t, u.UserID)
	return u.UserID
}

func TestAuthingUsers(t *testing.T) {
	s := newTestServer(t)
	env := s.post("/api/v3/create-user", map[string]any{"email": "a@example.com", "name": "Alice", "password": "not kept"})
	requireOK(t, env)
	want := map[string]any{
		"userId": "id1", "email": "a@example.com", "name": "Alice", "status": "Activated", "workStatus": "Active", "gender": "U",
		"emailVerified": false, "phoneVerified": false, "userSourceType": "adminCreated",
		"createdAt": "2026-12-01T12:00:00Z", "updatedAt": "2026-12-01T12:00:00Z",
	}
	require.Equal(t, want, data(t, env.Data))
	env = s.get("/api/v3/get-user", map[string]any{"userId": "id1", "userIdType": "user_id"})
	requireOK(t, env)
	require.Equal(t, want, data(t, env.Data), "the password is not kept")

	requireFail(t, s.get("/api/v3/get-user", map[string]any{"userId": "nobody"}), 404)
	requireFail(t, s.get("/api/v3/get-user", map[string]any{"userId": "id1", "userIdType": "phone"}), 400)
	requireFail(t, s.get("/api/v3/get-user", nil), 400)
	requireFail(t, s.post("/api/v3/create-user", map[string]any{"name": 5}), 400)

	requireFail(t, s.post("/api/v3/delete-users-batch", map[string]any{"userIds": []string{"id1", "nobody"}}), 404)
	requireOK(t, s.get("/api/v3/get-user", map[string]any{"userId": "id1"}))
	env = s.post("/api/v3/delete-users-batch", map[string]any{"userIds": []string{"id1"}})
	requireOK(t, env)
	require.Equal(t, map[string]any{"success": true}, data(t, env.Data))
	requireFail(t, s.get("/api/v3/get-user", map[string]any{"userId": "id1"}), 404)
	requireFail(t, s.post("/api/v3/delete-users-batch", map[string]any{"userIds": []string{}}), 400)
}

func TestAuthingRoles(t *testing.T) {
	s := newTestServer(t)
	requireOK(t, s.post("/api/v3/create-namespace", map[string]any{"code": "app", "name": "App"}))
	env := s.post("/api/v3/create-role", map[string]any{"code": "admin", "namespace": "app", "name": "Admins", "description": "all"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"id": "admin@app", "code": "admin", "name": "Admins", "description": "all",
		"namespace": "app", "namespaceName": "App", "status": "ENABLE"}, data(t, env.Data))
	env = s.post("/api/v3/create-role", map[string]any{"code": "admin"})
	requireOK(t, env)
	require.Equal(t, "admin@default", data(t, env.Data).(map[string]any)["id"], "the same code in another namespace is another role")
	requireFail(t, s.post("/api/v3/create-role", map[string]any{"code": "admin", "namespace": "app"}), 409)
	requireFail(t, s.post("/api/v3/create-role", map[string]any{"code": "x", "namespace": "nope"}), 404)
	requireFail(t, s.post("/api/v3/create-role", map[string]any{"code": ""}), 400)

	alice := s.createUser(map[string]any{"name": "Alice"})
	targets := []map[string]any{{"targetType": "USER", "targetIdentifier": alice}, {"targetType": "DEPARTMENT", "targetIdentifier": "sales"}}
	env = s.post("/api/v3/assign-role", map[string]any{"code": "admin", "namespace": "app", "targets": targets})
	requireOK(t, env)
	require.Equal(t, map[string]any{"success": true}, data(t, env.Data))
	requireFail(t, s.post("/api/v3/assign-role", map[string]any{"code": "admin", "namespace": "app",
		"targets": []map[string]any{{"targetType": "USER", "targetIdentifier": "ghost"}}}), 404)
	requireFail(t, s.post("/api/v3/assign-role", map[string]any{"code": "nope", "namespace": "app", "targets": targets}), 404)
	requireFail(t, s.post("/api/v3/assign-role", map[string]any{"code": "admin", "namespace": "app",
		"targets": []map[string]any{{"targetType": "GROUP", "targetIdentifier": "g"}}}), 400)
	requireFail(t, s.post("/api/v3/assign-role", map[string]any{"code": "admin", "namespace": "app"}), 400)

	ctx := t.Context()
	members, err := s.reg.ListMembers(ctx, roleSubject("admin@app"), listAllOpts)
	require.NoError(t, err)
	require.Len(t, members.Items, 2)
	requireOK(t, s.post("/api/v3/revoke-role", map[string]any{"code": "admin", "namespace": "app", "targets": targets[1:]}))
	members, err = s.reg.ListMembers(ctx, roleSubject("admin@app"), listAllOpts)
	require.NoError(t, err)
	require.Len(t, members.Items, 1)
	requireFail(t, s.post("/api/v3/revoke-role", map[string]any{"code": "nope", "targets": targets}), 404)

	requireFail(t, s.post("/api/v3/delete-roles-batch", map[string]any{"codeList": []string{"admin", "nope"}, "namespace": "app"}), 404)
	env = s.post("/api/v3/delete-roles-batch", map[string]any{"codeList": []string{"admin"}, "namespace": "app"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"success": true}, data(t, env.Data))
	parents, err := s.reg.ListMemberships(ctx, userSubject(alice), listAllOpts)
	require.NoError(t, err)
	require.Empty(t, parents.Items, "deleting a role removes its assignments")
	requireFail(t, s.post("/api/v3/assign-role", map[string]any{"code": "admin", "namespace": "app", "targets": targets}), 404)
	requireOK(t, s.post("/api/v3/assign-role", map[string]any{"code": "admin", "targets": targets})) // the default namespace's admin remains
}

func TestAuthingGroups(t *testing.T) {
	s := newTestServer(t)
	env := s.post("/api/v3/create-group", map[string]any{"code": "devs", "name": "Developers", "description": "builders", "type": "static"})
	requireOK(t, env)
	require.Equal(t, map[string]any{"id": "devs", "code": "devs", "name": "Developers", "description": "builders", "type": "static",
		"metadataSource": []any{}, "members": []any{}}, data(t, env.Data))
	requireFail(t, s.post("/api/v3/create-group", map[string]any{"code": "devs", "name": "again"}), 409)
	requireFail(t, s.post("/api/v3/create-group", map[string]any{"code": "bad code"}), 400)

	bob := s.createUser(map[string]any{"username": "bob"})
	requireOK(t, s.post("/api/v3/add-group-members", map[string]any{"code": "devs", "userIds": []string{bob}}))
	requireFail(t, s.post("/api/v3/add-group-members", map[string]any{"code": "devs", "userIds": []string{"ghost"}}), 404)
	requireFail(t, s.post("/api/v3/add-group-members", map[string]any{"code": "nope", "userIds": []string{bob}}), 404)
	requireFail(t, s.post("/api/v3/add-group-members", map[string]any{"code": "devs"}), 400)
	parents, err := s.reg.ListMemberships(t.Context(), userSubject(bob), listAllOpts)
	require.NoError(t, err)
	require.Equal(t, "devs", parents.Items[0].ID)

	env = s.post("/api/v3/remove-group-members", map[string]any{"code": "devs", "userIds": []string{bob}})
	requireOK(t, env)
	require.Equal(t, map[string]any{"success": true}, data(t, env.Data))
	parents, err = s.reg.ListMemberships(t.Context(), userSubject(bob), listAllOpts)
	require.NoError(t, err)
	require.Empty(t, parents.Items)
	requireFail(t, s.post("/api/v3/remove-group-members", map[string]any{"code": "nope", "userIds": []string{bob}}), 404)

	requireFail(t, s.post("/api/v3/delete-groups-batch", map[string]any{"codeList": []string{"devs", "nope"}}), 404)
	requireOK(t, s.post("/api/v3/delete-groups-batch", map[string]any{"codeList": []string{"devs"}}))
	requireFail(t, s.post("/api/v3/add-group-members", map[string]any{"code": "devs", "userIds": []string{bob}}), 404)
	requireFail(t, s.post("/api/v3/delete-groups-batch", map[string]any{}), 400)
}
