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
