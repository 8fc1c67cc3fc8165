package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/httpapi"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

func register(codes ...string) map[string]any {
	items := []map[string]any{}
	for _, c := range codes {
		items = append(items, map[string]any{"code": c, "name": map[string]any{"defaultValue": "Name " + c, "i18nValue": map[string]any{"zh_CN": "名 " + c}}})
	}
	return map[string]any{"type": "menu", "assignCodeToId": true, "resources": items}
}

func TestEnOSResources(t *testing.T) {
	s := newTestServer(t)
	requireOK(t, s.post("/api/v3/create-namespace", map[string]any{"code": "o1"}))

	body := register("r1", "r2")
	body["orgId"] = "default" // ignored: orgId comes from the query only
	env := s.enos("resource/create", "o1", body)
	require.Equal(t, 0, env.Code, env.Message)
	require.Equal(t, map[string]any{"success": true, "resources": []any{
		map[string]any{"id": "r1", "code": "r1", "type": "menu", "name": map[string]any{"defaultValue": "Name r1", "i18nValue": map[string]any{"zh_CN": "名 r1"}}},
		map[string]any{"id": "r2", "code": "r2", "type": "menu", "name": map[string]any{"defaultValue": "Name r2", "i18nValue": map[string]any{"zh_CN": "名 r2"}}},
	}}, data(t, env.Data), "only id, code, name, type")
	_, err := s.reg.GetResource(t.Context(), "default", "r1")
	require.ErrorIs(t, err, resreg.ErrNotFound, "the body's orgId is not used")

	for _, tc := range []struct {
		name  string
		orgID string
		body  map[string]any
		code  int
	}{
		{"conflict", "o1", register("r1"), 31408},
		{"missing org", "nope", register("r9"), 31404},
		{"no orgId", "", register("r9"), 31400},
		{"no name", "o1", map[string]any{"type": "menu", "resources": []map[string]any{{"code": "r9"}}}, 31400},
		{"no resources", "o1", map[string]any{"type": "menu"}, 31400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := s.enos("resource/create", tc.orgID, tc.body)
			require.Equal(t, tc.code, env.Code, env.Message)
			require.Equal(t, http.StatusOK, env.httpStatus)
			require.Equal(t, "null", string(env.Data))
		})
	}

	env = s.enos("resource/update", "o1", map[string]any{"id": "r1", "name": map[string]any{"defaultValue": "New"}})
	require.Equal(t, 0, env.Code, env.Message)
	require.Equal(t, map[string]any{"id": "r1", "code": "r1", "type": "menu", "name": map[string]any{"defaultValue": "New"}}, data(t, env.Data), "the name replaces the whole i18n object")
	require.Equal(t, 31404, s.enos("resource/update", "o1", map[string]any{"id": "zz", "name": map[string]any{"defaultValue": "x"}}).Code)
	require.Equal(t, 31400, s.enos("resource/update", "o1", map[string]any{"id": "r1"}).Code)
	require.Equal(t, 31400, s.enos("resource/update", "o1", map[string]any{"id": "r1", "name": map[string]any{"i18nValue": map[string]any{"fr": "x"}}}).Code)

	require.Equal(t, 0, s.enos("resource/create", "o1", register("r3", "r4")).Code)
	env = s.enos("resource/list", "o1", map[string]any{"pagination": map[string]any{"pageNo": 1, "pageSize": 2}})
	require.Equal(t, 0, env.Code, env.Message)
	var list struct {
		Resources []struct {
			ID string `json:"id"`
		} `json:"resources"`
		Pagination map[string]int `json:"pagination"`
	}
	require.NoError(t, json.Unmarshal(env.Data, &list))
	require.Equal(t, map[string]int{"pageNo": 1, "pageSize": 2, "totalElements": 4}, list.Pagination)
	require.Len(t, list.Resources, 2)
	require.Equal(t, "r3", list.Resources[0].ID)
	env = s.enos("resource/list", "o1", map[string]any{"ids": []string{"r2", "r4"}, "codes": []string{"r4"}})
	require.NoError(t, json.Unmarshal(env.Data, &list))
	require.Equal(t, 1, list.Pagination["totalElements"])
	require.Equal(t, 1000, list.Pagination["pageSize"], "default page size")
	require.Equal(t, 31400, s.enos("resource/list", "o1", map[string]any{"pagination": map[string]any{"pageSize": 1001}}).Code)
	require.Equal(t, 31404, s.enos("resource/list", "nope", map[string]any{}).Code)

	require.Equal(t, 31404, s.enos("resource/delete", "o1", map[string]any{"ids": []string{"r1", "zz"}}).Code)
	_, err = s.reg.GetResource(t.Context(), "o1", "r1")
	require.NoError(t, err, "a failed delete removes nothing")
	require.Equal(t, 0, s.enos("resource/delete", "o1", map[string]any{"ids": []string{"r1"}, "codes": []string{"r2"}}).Code)
	for _, code := range []string{"r1", "r2"} {
		_, err = s.reg.GetResource(t.Context(), "o1", code)
		require.ErrorIs(t, err, resreg.ErrNotFound)
	}
	require.Equal(t, 31400, s.enos("resource/delete", "o1", map[string]any{}).Code)
	require.Equal(t, 31404, s.enos("resource/nothing", "o1", map[string]any{}).Code)
}

// quotaOf wraps a Registry with a resource quota for the 31415 path.
func TestEnOSQuota(t *testing.T) {
	reg := resreg.New(memstore.New(), resreg.WithLimits(resreg.Limits{MaxResourcesPerNamespace: 1}))
	s := newTestServer(t)
	s.h = httpapi.NewHandler(reg, httpapi.WithEnOSToken(testToken), quiet)
	require.Equal(t, 31415, s.enos("resource/create", "default", register("a", "b")).Code)
}

// panicStore panics on every namespace read.
type panicStore struct{ store.Store }

func (panicStore) GetNamespace(context.Context, string) (store.Namespace, error) { panic("boom") }

func TestPanicBecomesA500Envelope(t *testing.T) {
	s := newTestServer(t)
	s.h = httpapi.NewHandler(resreg.New(panicStore{memstore.New()}), httpapi.WithInsecureNoAuth(), quiet)
	r := httptest.NewRequest(http.MethodGet, "/api/v3/get-namespace?code=x", nil)
	rec := s.do(r)
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	env := decodeAuthing(t, rec)
	require.Equal(t, 500, env.StatusCode)
	require.Equal(t, "internal error", env.Message)

	r = httptest.NewRequest(http.MethodGet, "/healthz", nil)
	require.Equal(t, http.StatusInternalServerError, s.do(r).Code)

	r = httptest.NewRequest(http.MethodPost, "/app-portal-service/v2.3/resource/create?orgId=x", strings.NewReader(`{}`))
	rec = s.do(r)
	require.Equal(t, http.StatusOK, rec.Code, "validation fails before the store is read")
}
