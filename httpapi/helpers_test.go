package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/httpapi"
	"github.com/resreg/resreg/memstore"
)

const (
	testKeyID  = "ak-test"
	testSecret = "sk-test-secret"
	testToken  = "enos-token"
)

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

type testServer struct {
	t    *testing.T
	h    http.Handler
	reg  *resreg.Registry
	logs *bytes.Buffer
}

func newTestServer(t *testing.T, opts ...httpapi.Option) *testServer {
	t.Helper()
	var n atomic.Int64
	reg := resreg.New(memstore.New(),
		resreg.WithClock(func() time.Time { return testNow }),
		resreg.WithIDGenerator(func() string { return "id" + strconv.FormatInt(n.Add(1), 10) }))
	logs := &bytes.Buffer{}
	base := []httpapi.Option{
		httpapi.WithAccessKey(testKeyID, testSecret),
		httpapi.WithEnOSToken(testToken),
		httpapi.WithClock(func() time.Time { return testNow }),
		httpapi.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))),
	}
	return &testServer{t: t, h: httpapi.NewHandler(reg, append(base, opts...)...), reg: reg, logs: logs}
}

// authingEnvelope is the Authing body with data kept raw.
type authingEnvelope struct {
	StatusCode int             `json:"statusCode"`
	Message    string          `json:"message"`
	APICode    int             `json:"apiCode"`
	RequestID  string          `json:"requestId"`
	Data       json.RawMessage `json:"data"`
	httpStatus int
	raw        map[string]any
}

func (s *testServer) do(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, r)
	return rec
}

func decodeAuthing(t *testing.T, rec *httptest.ResponseRecorder) authingEnvelope {
	t.Helper()
	var env authingEnvelope
	body := rec.Body.Bytes()
	require.NoError(t, json.Unmarshal(body, &env), "body: %s", body)
	require.NoError(t, json.Unmarshal(body, &env.raw))
	env.httpStatus = rec.Code
	require.NotEmpty(t, env.RequestID, "every response has a requestId")
	require.Equal(t, rec.Header().Get("X-Request-Id"), env.RequestID)
	if env.StatusCode == 200 {
		require.NotContains(t, env.raw, "apiCode", "apiCode only on failures")
	} else {
		require.NotZero(t, env.APICode, "apiCode on failures: %s", body)
	}
	return env
}

// post sends a signed Authing POST.
func (s *testServer) post(path string, body any) authingEnvelope {
	s.t.Helper()
	b, err := json.Marshal(body)
	require.NoError(s.t, err)
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
	require.NoError(s.t, httpapi.SignAuthing(r, b, testKeyID, testSecret, testNow, ""))
	return decodeAuthing(s.t, s.do(r))
}

// get sends a signed Authing GET; arrays go as key[]=v, as the SDK sends them.
func (s *testServer) get(path string, params map[string]any) authingEnvelope {
	s.t.Helper()
	q := url.Values{}
	for k, v := range params {
		switch v := v.(type) {
		case []string:
			for _, item := range v {
				q.Add(k+"[]", item)
			}
		case int:
			q.Set(k, strconv.Itoa(v))
		default:
			q.Set(k, v.(string))
		}
	}
	r := httptest.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil)
	require.NoError(s.t, httpapi.SignAuthing(r, nil, testKeyID, testSecret, testNow, ""))
	return decodeAuthing(s.t, s.do(r))
}

type enosEnvelope struct {
	Code       int             `json:"code"`
	Message    string          `json:"message"`
	RequestID  string          `json:"requestId"`
	Data       json.RawMessage `json:"data"`
	httpStatus int
}

func (s *testServer) enos(path, orgID string, body any) enosEnvelope {
	s.t.Helper()
	return s.enosWithToken(path, orgID, body, testToken)
}

func (s *testServer) enosWithToken(path, orgID string, body any, token string) enosEnvelope {
	s.t.Helper()
	b, err := json.Marshal(body)
	require.NoError(s.t, err)
	target := "/app-portal-service/v2.3/" + path
	if orgID != "" {
		target += "?orgId=" + url.QueryEscape(orgID)
	}
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(b))
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := s.do(r)
	var env enosEnvelope
	raw, _ := io.ReadAll(rec.Body)
	require.NoError(s.t, json.Unmarshal(raw, &env), "body: %s", raw)
	env.httpStatus = rec.Code
	require.NotEmpty(s.t, env.RequestID)
	if env.Code == 0 {
		require.Equal(s.t, "OK", env.Message)
	}
	return env
}

// data decodes an envelope's data into a generic value for comparison.
func data(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

func requireOK(t *testing.T, env authingEnvelope) {
	t.Helper()
	require.Equal(t, 200, env.StatusCode, "message: %s", env.Message)
	require.Equal(t, http.StatusOK, env.httpStatus)
	require.Equal(t, "success", env.Message)
}

func requireFail(t *testing.T, env authingEnvelope, statusCode int) {
	t.Helper()
	require.Equal(t, statusCode, env.StatusCode, "message: %s", env.Message)
	require.Equal(t, http.StatusOK, env.httpStatus, "business errors travel as HTTP 200")
	require.NotContains(t, env.raw, "data")
}

var quiet = httpapi.WithLogger(slog.New(slog.DiscardHandler))

func nowUTC() time.Time { return time.Now().UTC() }

var listAllOpts = resreg.ListOptions{PageSize: 100}

func roleSubject(id string) resreg.Subject { return resreg.Subject{Type: resreg.SubjectRole, ID: id} }

func userSubject(id string) resreg.Subject { return resreg.User(id) }
