package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/httpapi"
	"github.com/resreg/resreg/memstore"
)

const (
	testKeyID  = "load-key"
	testSecret = "load-secret"
)

func newServer(t *testing.T) (*httptest.Server, *url.URL) {
	t.Helper()
	h := httpapi.NewHandler(resreg.New(memstore.New()), httpapi.WithAccessKey(testKeyID, testSecret),
		httpapi.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	return srv, u
}

// The signer's bytes are the request httpapi.SignAuthing (the SDK's
// signing) makes for the same date and nonce, header for header.
func TestSignerSignsAsSignAuthing(t *testing.T) {
	now := time.Date(2026, 12, 1, 19, 25, 35, 0, time.UTC)
	for _, tc := range []struct {
		method, target string
		body           string
	}{
		{http.MethodGet, "/api/v3/get-namespace?code=default", ""},
		{http.MethodGet, "/api/v3/get-resources-batch?codeList%5B%5D=a&codeList%5B%5D=b&namespace=ns1", ""},
		{http.MethodPost, "/api/v3/is-action-allowed", `{"userId":"u1","namespace":"default","resource":"r<&>","action":"read"}`},
		{http.MethodPost, "/api/v3/create-resource", `{"type":"API","code":"c","name":"名","actions":[{"name":"read","description":"read"}]}`},
		{http.MethodPost, "/api/v3/p", `{}`},
	} {
		t.Run(tc.target, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			r, err := newRequest(tc.method, tc.target, body)
			require.NoError(t, err)
			s := newSigner(testKeyID, testSecret, "127.0.0.1:1")
			for range 3 { // a fresh nonce every time, the same date within the second
				wire := s.appendRequest(nil, &r, now)
				got, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(wire)))
				require.NoError(t, err)
				gotBody, err := io.ReadAll(got.Body)
				require.NoError(t, err)
				require.Equal(t, body, nilIfEmpty(gotBody))
				require.Equal(t, tc.target, got.RequestURI)

				want := httptest.NewRequest(tc.method, tc.target, bytes.NewReader(body))
				require.NoError(t, httpapi.SignAuthing(want, body, testKeyID, testSecret, now, got.Header.Get("X-Authing-Signature-Nonce")))
				for _, h := range []string{"Authorization", "Date", "X-Authing-Signature-Nonce", "X-Authing-Signature-Method",
					"X-Authing-Signature-Version", "X-Authing-Lang", "Content-Type"} {
					require.Equal(t, want.Header.Get(h), got.Header.Get(h), h)
				}
				require.Len(t, got.Header.Get("X-Authing-Signature-Nonce"), 32)
			}
		})
	}
}

func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// Every scenario runs against the real handler without a failure, each
// request verified by the server (a replayed nonce or a wrong signature
// would fail it).
func TestScenariosAgainstTheHandler(t *testing.T) {
	_, u := newServer(t)
	for _, name := range []string{"healthz", "get-namespace", "is-action-allowed", "create-resource"} {
		t.Run(name, func(t *testing.T) {
			sc, err := newScenario(name, u, testKeyID, testSecret, "t"+strings.ReplaceAll(name, "-", ""))
			require.NoError(t, err)
			res, err := load(context.Background(), loadConfig{addr: u.Host, host: u.Host, keyID: testKeyID, secret: testSecret,
				sc: sc, conc: 4, n: 200, dur: time.Minute})
			require.NoError(t, err)
			require.NoError(t, res.firstErr)
			require.Len(t, res.lat, 200)
			require.Zero(t, res.failed)
		})
	}
}

// The sleep scenario sends nothing and measures how late 1 ms sleeps
// wake.
func TestSleepScenario(t *testing.T) {
	sc, err := newScenario("sleep", &url.URL{Scheme: "http", Host: "127.0.0.1:1"}, testKeyID, testSecret, "x")
	require.NoError(t, err)
	res, err := load(context.Background(), loadConfig{addr: "127.0.0.1:1", host: "127.0.0.1:1", keyID: testKeyID, secret: testSecret,
		sc: sc, conc: 1, n: 50, dur: time.Minute})
	require.NoError(t, err)
	require.NoError(t, res.firstErr)
	require.Len(t, res.lat, 50)
	require.GreaterOrEqual(t, res.elapsed, 50*time.Millisecond)
	require.GreaterOrEqual(t, res.lat[0], time.Duration(0), "never early")
}

// A refusal is counted as a failure with the server's answer.
func TestWrongSecretFails(t *testing.T) {
	_, u := newServer(t)
	sc, err := newScenario("get-namespace", u, testKeyID, testSecret, "x")
	require.NoError(t, err)
	res, err := load(context.Background(), loadConfig{addr: u.Host, host: u.Host, keyID: testKeyID, secret: "wrong",
		sc: sc, conc: 2, n: 10, dur: time.Minute})
	require.NoError(t, err)
	require.EqualValues(t, 10, res.failed)
	require.ErrorContains(t, res.firstErr, `"statusCode":401`)
}

// With --rate the requests are spread over time: 40 at 400/s take about
// 100 ms however fast the server answers.
func TestRateSpreadsRequests(t *testing.T) {
	_, u := newServer(t)
	sc, err := newScenario("healthz", u, testKeyID, testSecret, "x")
	require.NoError(t, err)
	res, err := load(context.Background(), loadConfig{addr: u.Host, host: u.Host, keyID: testKeyID, secret: testSecret,
		sc: sc, conc: 4, n: 40, dur: time.Minute, rate: 400})
	require.NoError(t, err)
	require.Len(t, res.lat, 40)
	require.GreaterOrEqual(t, res.elapsed, 95*time.Millisecond)
}

// The duration bounds the run whatever -n says.
func TestDurationBoundsTheRun(t *testing.T) {
	_, u := newServer(t)
	sc, err := newScenario("healthz", u, testKeyID, testSecret, "x")
	require.NoError(t, err)
	res, err := load(context.Background(), loadConfig{addr: u.Host, host: u.Host, keyID: testKeyID, secret: testSecret,
		sc: sc, conc: 2, n: maxRequests, dur: 200 * time.Millisecond})
	require.NoError(t, err)
	require.Less(t, res.elapsed, 5*time.Second)
	require.Less(t, len(res.lat), maxRequests)
}

// A response the reader cannot frame is an error, not a misread.
func TestConnRefusesChunkedResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "part")
		w.(http.Flusher).Flush()
		_, _ = io.WriteString(w, "rest")
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	c := &conn{addr: u.Host}
	defer c.close()
	_, _, err := c.do([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), time.Now().Add(time.Minute))
	require.ErrorIs(t, err, errChunked)
	require.Nil(t, c.nc, "closed after an error")
}

func TestRequireLoopback(t *testing.T) {
	for _, h := range []string{"127.0.0.1", "::1", "localhost", "127.1.2.3"} {
		require.NoError(t, requireLoopback(h), h)
	}
	for _, h := range []string{"10.0.0.1", "example.com", "0.0.0.0"} {
		require.Error(t, requireLoopback(h), h)
	}
}
