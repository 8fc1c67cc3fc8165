package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/httpapi"
	"github.com/resreg/resreg/memstore"
)

// FuzzSignatureVerifier: whatever the body and query, a request signed
// with the right secret verifies exactly once, the same request with one
// signature byte changed never does, and nothing panics.
func FuzzSignatureVerifier(f *testing.F) {
	f.Add("POST", "", []byte(`{"code":"a","name":"N","actions":[{"name":"x","description":"<&>"}]}`))
	f.Add("GET", "codeList%5B%5D=a&codeList%5B%5D=b&namespace=n", []byte(nil))
	f.Add("POST", "", []byte(`{"k":1e3,"n":null,"s":"\u2028"}`))
	f.Add("POST", "", []byte(`{}`))
	reg := resreg.New(memstore.New())
	h := httpapi.NewHandler(reg, httpapi.WithAccessKey(testKeyID, testSecret), quiet)
	f.Fuzz(func(t *testing.T, method, rawQuery string, body []byte) {
		if method != "GET" {
			method = "POST"
		}
		target := "/api/v3/check-permission-namespace-exists"
		if method == "GET" {
			target = "/api/v3/get-namespace"
		}
		r := httptest.NewRequest(method, target, bytes.NewReader(body))
		r.URL.RawQuery = rawQuery
		if err := httpapi.SignAuthing(r, body, testKeyID, testSecret, nowUTC(), ""); err != nil {
			return // a request the canonical form refuses is refused by the server too
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var env struct {
			StatusCode int `json:"statusCode"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &env), "always an envelope")
		require.NotEqual(t, 401, env.StatusCode, "a correct signature verifies: %s", rec.Body.String())
		require.NotEqual(t, 500, env.StatusCode, "no input is an internal error: %s", rec.Body.String())

		bad := httptest.NewRequest(method, target, bytes.NewReader(body))
		bad.URL.RawQuery = rawQuery
		bad.Header = r.Header.Clone()
		auth := []byte(bad.Header.Get("Authorization"))
		auth[len(auth)-2] ^= 1
		bad.Header.Set("Authorization", string(auth))
		bad.Header.Set("X-Authing-Signature-Nonce", "other-nonce-"+bad.Header.Get("X-Authing-Signature-Nonce"))
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, bad)
		require.Equal(t, http.StatusUnauthorized, rec.Code)
	})
}

// FuzzRequestDecoders sends arbitrary bodies to every POST endpoint of
// both wires: the answer is always an envelope, never an internal error.
func FuzzRequestDecoders(f *testing.F) {
	paths := []string{
		"/api/v3/create-resource", "/api/v3/create-resources-batch", "/api/v3/update-resource", "/api/v3/delete-resources-batch",
		"/api/v3/create-namespace", "/api/v3/create-namespaces-batch", "/api/v3/update-namespace", "/api/v3/delete-namespaces-batch",
		"/api/v3/create-data-resource", "/api/v3/create-tree-data-resource", "/api/v3/update-data-resource", "/api/v3/delete-data-resource",
		"/api/v3/check-permission-namespace-exists",
		"/app-portal-service/v2.3/resource/create?orgId=default", "/app-portal-service/v2.3/resource/update?orgId=default",
		"/app-portal-service/v2.3/resource/delete?orgId=default", "/app-portal-service/v2.3/resource/list?orgId=default",
		"/api/v3/authorize-resources", "/api/v3/is-action-allowed", "/api/v3/check-permission", "/api/v3/get-user-resource-struct",
		"/api/v3/create-data-policy", "/api/v3/update-data-policy", "/api/v3/authorize-data-policies", "/api/v3/revoke-data-policy",
		"/api/v3/create-user", "/api/v3/create-role", "/api/v3/assign-role", "/api/v3/create-group", "/api/v3/add-group-members",
		"/api/v3/delete-users-batch", "/api/v3/delete-roles-batch", "/api/v3/delete-groups-batch",
	}
	f.Add(uint8(0), []byte(`{"type":"API","code":"a","name":"A"}`))
	f.Add(uint8(8), []byte(`{"namespaceCode":"default","resourceCode":"t","resourceName":"T","type":"TREE","struct":[{"code":"a","name":"A","children":[{"code":"b","name":"B"}]}],"actions":["x"]}`))
	f.Add(uint8(13), []byte(`{"type":"menu","resources":[{"code":"c","name":{"defaultValue":"C"}}]}`))
	f.Add(uint8(16), []byte(`{"codes":["a"],"pagination":{"pageNo":0,"pageSize":5}}`))
	f.Add(uint8(1), []byte(`{"list":[{"type":"API","code":"a"},{"type":"API","code":"a"}]}`))
	f.Add(uint8(17), []byte(`{"namespace":"default","list":[{"targetType":"ROLE","targetIdentifiers":["r"],"resources":[{"code":"a","actions":["x"]}]}]}`))
	f.Add(uint8(21), []byte(`{"policyName":"p","statementList":[{"effect":"ALLOW","permissions":["default/t/a/x"]}]}`))
	f.Add(uint8(27), []byte(`{"code":"r","namespace":"default","targets":[{"targetType":"USER","targetIdentifier":"u"}]}`))
	f.Add(uint8(18), []byte(`{"userId":"u","resource":"a","action":"x"}`))
	reg := resreg.New(memstore.New())
	h := httpapi.NewHandler(reg, httpapi.WithInsecureNoAuth(), quiet)
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := paths[int(which)%len(paths)]
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var env map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &env), "always an envelope: %s", rec.Body.String())
		require.NotEqual(t, 500.0, env["statusCode"], rec.Body.String())
		require.NotEqual(t, 31500.0, env["code"], rec.Body.String())
		require.NotEqual(t, http.StatusInternalServerError, rec.Code)
	})
}
