package httpapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/httpapi"
)

// sdkHeaders are the headers of the vectors below, computed with
// authing-node-sdk 4.0.1's buildStringToSign and buildSignature.
func sdkHeaders(r *http.Request) {
	r.Header.Set("x-authing-signature-nonce", "n1")
	r.Header.Set("x-authing-signature-method", "HMAC-SHA1")
	r.Header.Set("x-authing-signature-version", "1.0")
	r.Header.Set("x-authing-sdk-version", "authing-node-sdk:4.0.1")
	r.Header.Set("x-authing-lang", "zh-CN")
	r.Header.Set("date", "Tue, 01 Dec 2026 19:25:35 GMT")
	r.Header.Set("accept", "application/json")
	r.Header.Set("user-agent", "not signed")
}

func TestStringToSignMatchesTheSDK(t *testing.T) {
	const head = "date:Tue, 01 Dec 2026 19:25:35 GMT\nx-authing-lang:zh-CN\nx-authing-sdk-version:authing-node-sdk:4.0.1\nx-authing-signature-method:HMAC-SHA1\nx-authing-signature-nonce:n1\nx-authing-signature-version:1.0\n"
	tests := []struct {
		name       string
		method     string
		target     string
		body       string
		wantString []string
		wantSig    string // from the SDK; empty when only the string is checked
	}{
		{
			name: "GET array signed as JSON, <&> and U+2028 unescaped", method: "GET",
			// axios: params {namespace:"ns1", codeList:["a","b<&>\u2028"]}
			target:     "/api/v3/get-resources-batch?codeList%5B%5D=a&codeList%5B%5D=b%3C%26%3E%E2%80%A8&namespace=ns1",
			wantString: []string{"GET\n" + head + "/api/v3/get-resources-batch?codeList=[\"a\",\"b<&>\u2028\"]&namespace=ns1"},
			wantSig:    "pO32v1obtCREh91dYjUCg4m1Kgg=",
		},
		{
			name: "POST top-level keys: strings raw, the rest as JSON", method: "POST", target: "/api/v3/create-resource",
			body:       `{"code":"c1","type":"API","name":"Name é","actions":[{"name":"read","description":"读"}],"n":null,"k":1.5,"b":true}`,
			wantString: []string{"POST\n" + head + `/api/v3/create-resource?actions=[{"name":"read","description":"读"}]&b=true&code=c1&k=1.5&n=null&name=Name é&type=API`},
			wantSig:    "DBjVw3mAJ+8sJwqAJpBQfBYAQtE=",
		},
		{
			name: "no parameters: path and path? both verify", method: "POST", target: "/api/v3/p", body: `{}`,
			wantString: []string{"POST\n" + head + "/api/v3/p", "POST\n" + head + "/api/v3/p?"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			sdkHeaders(r)
			got, err := httpapi.StringToSign(r, []byte(tt.body))
			require.NoError(t, err)
			require.Equal(t, tt.wantString, got)
			if tt.wantSig != "" {
				require.Equal(t, "authing ak:"+tt.wantSig, httpapi.Sign("ak", "secret", got[0]))
			}
		})
	}
}

func TestStringToSignRefusesAmbiguity(t *testing.T) {
	for name, tc := range map[string]struct{ method, target, body string }{
		"repeated query key":     {"GET", "/api/v3/x?a=1&a=2", ""},
		"value and array":        {"GET", "/api/v3/x?a=1&a%5B%5D=2", ""},
		"repeated body key":      {"POST", "/api/v3/x", `{"a":1,"a":2}`},
		"body not an object":     {"POST", "/api/v3/x", `[1]`},
		"two values in the body": {"POST", "/api/v3/x", `{} {}`},
		"malformed body":         {"POST", "/api/v3/x", `{"a":`},
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			_, err := httpapi.StringToSign(r, []byte(tc.body))
			require.Error(t, err)
		})
	}
}

func TestAuthingAuthentication(t *testing.T) {
	body := []byte(`{"code":"ns1","name":"N"}`)
	signed := func(mutate func(r *http.Request)) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/api/v3/create-namespace", bytes.NewReader(body))
		require.NoError(t, httpapi.SignAuthing(r, body, testKeyID, testSecret, testNow, ""))
		if mutate != nil {
			mutate(r)
		}
		return r
	}
	tests := []struct {
		name   string
		req    func() *http.Request
		reason string
	}{
		{"missing authorization", func() *http.Request { return signed(func(r *http.Request) { r.Header.Del("Authorization") }) }, "authorization must be"},
		{"other scheme", func() *http.Request {
			return signed(func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") })
		}, "authorization must be"},
		{"wrong secret", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/api/v3/create-namespace", bytes.NewReader(body))
			require.NoError(t, httpapi.SignAuthing(r, body, testKeyID, "wrong", testNow, ""))
			return r
		}, "signature does not match"},
		{"unknown key", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/api/v3/create-namespace", bytes.NewReader(body))
			require.NoError(t, httpapi.SignAuthing(r, body, "other", testSecret, testNow, ""))
			return r
		}, "signature does not match"},
		{"tampered body", func() *http.Request {
			r := signed(nil)
			r.Body = http.NoBody
			tampered := []byte(`{"code":"ns2","name":"N"}`)
			r2 := httptest.NewRequest(http.MethodPost, "/api/v3/create-namespace", bytes.NewReader(tampered))
			r2.Header = r.Header
			return r2
		}, "signature does not match"},
		{"tampered signed header", func() *http.Request {
			return signed(func(r *http.Request) { r.Header.Set("X-Authing-Lang", "en-US") })
		}, "signature does not match"},
		{"date 16 minutes old", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/api/v3/create-namespace", bytes.NewReader(body))
			require.NoError(t, httpapi.SignAuthing(r, body, testKeyID, testSecret, testNow.Add(-16*time.Minute), ""))
			return r
		}, "date is more than 15m0s"},
		{"date 16 minutes ahead", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/api/v3/create-namespace", bytes.NewReader(body))
			require.NoError(t, httpapi.SignAuthing(r, body, testKeyID, testSecret, testNow.Add(16*time.Minute), ""))
			return r
		}, "date is more than 15m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t)
			env := decodeAuthing(t, s.do(tt.req()))
			require.Equal(t, http.StatusUnauthorized, env.httpStatus)
			require.Equal(t, 401, env.StatusCode)
			require.Contains(t, env.Message, tt.reason)
			_, err := s.reg.GetNamespace(t.Context(), "ns1")
			require.Error(t, err, "nothing is written")
			require.NotContains(t, s.logs.String(), testSecret, "no secret is logged")
		})
	}

	t.Run("date 14 minutes old is accepted", func(t *testing.T) {
		s := newTestServer(t)
		r := httptest.NewRequest(http.MethodPost, "/api/v3/create-namespace", bytes.NewReader(body))
		require.NoError(t, httpapi.SignAuthing(r, body, testKeyID, testSecret, testNow.Add(-14*time.Minute), ""))
		requireOK(t, decodeAuthing(t, s.do(r)))
	})

	t.Run("replayed nonce is refused", func(t *testing.T) {
		s := newTestServer(t)
		first := signed(nil)
		again := httptest.NewRequest(http.MethodPost, "/api/v3/create-namespace", bytes.NewReader(body))
		again.Header = first.Header.Clone()
		requireOK(t, decodeAuthing(t, s.do(first)))
		env := decodeAuthing(t, s.do(again))
		require.Equal(t, 401, env.StatusCode)
		require.Contains(t, env.Message, "nonce was already used")
	})

	t.Run("nonce cache is bounded", func(t *testing.T) {
		s := newTestServer(t, httpapi.WithNonceCacheSize(1))
		for i := range 3 {
			b := []byte(`{"code":"n` + string(rune('a'+i)) + `"}`)
			r := httptest.NewRequest(http.MethodPost, "/api/v3/create-namespace", bytes.NewReader(b))
			require.NoError(t, httpapi.SignAuthing(r, b, testKeyID, testSecret, testNow, ""))
			requireOK(t, decodeAuthing(t, s.do(r)))
		}
	})

	t.Run("no access key configured refuses", func(t *testing.T) {
		s := newTestServer(t)
		s.h = httpapi.NewHandler(s.reg, httpapi.WithEnOSToken(testToken), quiet)
		env := decodeAuthing(t, s.do(signed(nil)))
		require.Equal(t, 401, env.StatusCode)
	})

	t.Run("insecure mode without keys serves unsigned requests", func(t *testing.T) {
		s := newTestServer(t)
		s.h = httpapi.NewHandler(s.reg, httpapi.WithInsecureNoAuth(), quiet)
		r := httptest.NewRequest(http.MethodPost, "/api/v3/create-namespace", bytes.NewReader(body))
		requireOK(t, decodeAuthing(t, s.do(r)))
	})
}

func TestEnOSAuthentication(t *testing.T) {
	s := newTestServer(t)
	for _, token := range []string{"", "wrong"} {
		env := s.enosWithToken("resource/list", "default", map[string]any{}, token)
		require.Equal(t, http.StatusUnauthorized, env.httpStatus)
		require.Equal(t, 31401, env.Code)
	}
	env := s.enos("resource/list", "default", map[string]any{})
	require.Equal(t, 0, env.Code)
}
