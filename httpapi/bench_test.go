package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/httpapi"
	"github.com/resreg/resreg/sqlitestore"
)

// BenchmarkCreateResource compares one create-resource through the
// handler (decode, signature check, envelope) with the same write through
// the Registry directly, both on SQLite, in one run: the ratio is the
// adapter's cost.
func BenchmarkCreateResource(b *testing.B) {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	reg := resreg.New(st)
	h := httpapi.NewHandler(reg, httpapi.WithAccessKey(testKeyID, testSecret), quiet)
	n := 0
	next := func() string { n++; return "bench-" + strconv.Itoa(n) }

	b.Run("registry", func(b *testing.B) {
		for b.Loop() {
			if _, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: next(), Name: resreg.Name("bench"),
				Actions: []resreg.Action{{Name: "read", Description: "read"}}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handler", func(b *testing.B) {
		for b.Loop() {
			body := []byte(`{"type":"API","code":"` + next() + `","name":"bench","actions":[{"name":"read","description":"read"}]}`)
			r := httptest.NewRequest(http.MethodPost, "/api/v3/create-resource", bytes.NewReader(body))
			if err := httpapi.SignAuthing(r, body, testKeyID, testSecret, time.Now(), ""); err != nil {
				b.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if !bytes.Contains(rec.Body.Bytes(), []byte(`"statusCode":200`)) {
				b.Fatal(rec.Body.String())
			}
		}
	})
}

// BenchmarkIsActionAllowed compares, on SQLite and in one run, the check
// through the Registry, a signed get-namespace through the handler (the
// adapter's baseline: signature, one point read, envelope) and a signed
// is-action-allowed through the handler (signature, the user's directory
// read, the check, envelope). The user is allowed through a group.
func BenchmarkIsActionAllowed(b *testing.B) {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	// As resreg serve runs it: checks probe the store at most once a second
	// (this Registry's own writes are seen at once).
	reg := resreg.New(st, resreg.WithCheckStaleness(time.Second))
	h := httpapi.NewHandler(reg, httpapi.WithAccessKey(testKeyID, testSecret), quiet)
	if _, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "ecs", Name: resreg.Name("ecs"),
		Actions: []resreg.Action{{Name: "read", Description: "read"}}}); err != nil {
		b.Fatal(err)
	}
	u, err := reg.CreateUser(ctx, resreg.UserInput{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := reg.CreateGroup(ctx, resreg.GroupInput{Code: "g"}); err != nil {
		b.Fatal(err)
	}
	if err := reg.AddGroupMembers(ctx, "g", u.Subject.ID); err != nil {
		b.Fatal(err)
	}
	if err := reg.AuthorizeResources(ctx, resreg.AuthorizeResourcesInput{List: []resreg.AuthorizeItem{{TargetType: "GROUP", TargetIdentifiers: []string{"g"},
		Resources: []resreg.ResourceActions{{Code: "ecs", Actions: []string{"read"}}}}}}); err != nil {
		b.Fatal(err)
	}
	in := resreg.IsActionAllowedInput{Principal: resreg.Principal{UserID: u.Subject.ID}, Resource: "ecs", Action: "read"}
	b.Run("registry", func(b *testing.B) {
		for b.Loop() {
			if ok, err := reg.IsActionAllowed(ctx, in); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
	serve := func(b *testing.B, method, target string, body []byte, want string) {
		for b.Loop() {
			r := httptest.NewRequest(method, target, nil)
			if body != nil {
				r = httptest.NewRequest(method, target, bytes.NewReader(body))
			}
			if err := httpapi.SignAuthing(r, body, testKeyID, testSecret, time.Now(), ""); err != nil {
				b.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if !bytes.Contains(rec.Body.Bytes(), []byte(want)) {
				b.Fatal(rec.Body.String())
			}
		}
	}
	b.Run("get-namespace handler", func(b *testing.B) {
		serve(b, http.MethodGet, "/api/v3/get-namespace?code=default", nil, `"statusCode":200`)
	})
	b.Run("is-action-allowed handler", func(b *testing.B) {
		body := []byte(`{"userId":"` + u.Subject.ID + `","namespace":"default","resource":"ecs","action":"read"}`)
		serve(b, http.MethodPost, "/api/v3/is-action-allowed", body, `"allowed":true`)
	})
}

// benchWriter is a ResponseWriter that keeps the last body, so that the
// server benchmarks measure the handler rather than a recorder.
type benchWriter struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) WriteHeader(code int)        { w.code = code }
func (w *benchWriter) Write(b []byte) (int, error) { return w.body.Write(b) }

// processCPU is the process's user and system time: on a machine shared
// with other jobs it moves less than the wall clock that ns/op measures.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkServeSigned is the server's side alone of a signed request, as
// resreg serve runs it (SQLite, check staleness 1s, the JSON access log
// written, here to io.Discard): the requests are signed before the timer
// starts, each with its own date and nonce.
func BenchmarkServeSigned(b *testing.B) {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	reg := resreg.New(st, resreg.WithCheckStaleness(time.Second))
	h := httpapi.NewHandler(reg, httpapi.WithAccessKey(testKeyID, testSecret),
		httpapi.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil))), httpapi.WithNonceCacheSize(10_000_000))
	if _, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "ecs", Name: resreg.Name("ecs"),
		Actions: []resreg.Action{{Name: "read", Description: "read"}}}); err != nil {
		b.Fatal(err)
	}
	u, err := reg.CreateUser(ctx, resreg.UserInput{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := reg.CreateGroup(ctx, resreg.GroupInput{Code: "g"}); err != nil {
		b.Fatal(err)
	}
	if err := reg.AddGroupMembers(ctx, "g", u.Subject.ID); err != nil {
		b.Fatal(err)
	}
	if err := reg.AuthorizeResources(ctx, resreg.AuthorizeResourcesInput{List: []resreg.AuthorizeItem{{TargetType: "GROUP", TargetIdentifiers: []string{"g"},
		Resources: []resreg.ResourceActions{{Code: "ecs", Actions: []string{"read"}}}}}}); err != nil {
		b.Fatal(err)
	}
	serve := func(b *testing.B, method, target string, body []byte, want string) {
		reqs := make([]*http.Request, b.N)
		for i := range reqs {
			r := httptest.NewRequest(method, target, bytes.NewReader(body))
			if err := httpapi.SignAuthing(r, body, testKeyID, testSecret, time.Now(), ""); err != nil {
				b.Fatal(err)
			}
			reqs[i] = r
		}
		w := &benchWriter{h: http.Header{}}
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := processCPU()
		for _, r := range reqs {
			clear(w.h)
			w.body.Reset()
			h.ServeHTTP(w, r)
		}
		b.StopTimer()
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		if !bytes.Contains(w.body.Bytes(), []byte(want)) {
			b.Fatal(w.body.String())
		}
	}
	b.Run("is-action-allowed", func(b *testing.B) {
		body := []byte(`{"userId":"` + u.Subject.ID + `","namespace":"default","resource":"ecs","action":"read"}`)
		serve(b, http.MethodPost, "/api/v3/is-action-allowed", body, `"allowed":true`)
	})
	b.Run("get-namespace", func(b *testing.B) {
		serve(b, http.MethodGet, "/api/v3/get-namespace?code=default", nil, `"statusCode":200`)
	})
}
