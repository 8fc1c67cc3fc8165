package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
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
