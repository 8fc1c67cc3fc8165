package bench

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// BenchmarkMemory: what scale() resources (two actions, two locales each)
// cost to hold.
//
//   - memstore: live heap per resource after loading them through the
//     registry in batches of 1000 (inputs dropped, so what remains is what
//     the store keeps), next to the same records held in a plain
//     map[string]store.Resource. Target: <= 1024 B/resource.
//   - sqlite: size of the shared dataset's database file (after a WAL
//     checkpoint) per resource.
func BenchmarkMemory(b *testing.B) {
	b.Run("memstore", func(b *testing.B) {
		ctx := context.Background()
		n := scale()
		var perRes, perMap, load float64
		for range b.N {
			before := heapAlloc()
			start := time.Now()
			st := memstore.New()
			reg := resreg.New(st)
			loadResources(ctx, b, reg, n)
			load += float64(time.Since(start).Nanoseconds()) / float64(n)
			after := heapAlloc()
			perRes += float64(after-before) / float64(n)

			// The baseline: the same records in a map, the registry's
			// copies released first.
			m := make(map[string]store.Resource, n)
			fillMap(ctx, b, reg, m)
			reg, st = nil, nil
			runtime.KeepAlive(st)
			base := heapAlloc()
			runtime.KeepAlive(m)
			m = nil
			empty := heapAlloc()
			perMap += float64(base-empty) / float64(n)
		}
		b.ReportMetric(perRes/float64(b.N), "B/resource")
		b.ReportMetric(perMap/float64(b.N), "map-B/resource")
		b.ReportMetric(load/float64(b.N), "load-ns/resource")
	})

	b.Run("sqlite", func(b *testing.B) {
		ctx := context.Background()
		_, st := sqlDataset(b)
		var size int64
		for b.Loop() {
			if _, err := st.DB().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				b.Fatal(err)
			}
			size = 0
			for _, p := range []string{sqlData.path, sqlData.path + "-wal"} {
				if fi, err := os.Stat(p); err == nil {
					size += fi.Size()
				}
			}
		}
		b.ReportMetric(float64(size)/float64(scale()), "file-B/resource")
	})
}

// loadResources is load, kept apart so the heap measured around it holds
// only what the store keeps.
func loadResources(ctx context.Context, tb testing.TB, reg *resreg.Registry, n int) {
	tb.Helper()
	load(ctx, tb, reg, n)
}

// fillMap copies every resource of the default namespace into m.
func fillMap(ctx context.Context, tb testing.TB, reg *resreg.Registry, m map[string]store.Resource) {
	opts := resreg.ListOptions{PageSize: store.MaxPageSize}
	for {
		page, err := reg.ListResources(ctx, resreg.ResourceFilter{}, opts)
		if err != nil {
			tb.Fatal(err)
		}
		for _, r := range page.Items {
			m[r.Code] = r
		}
		if page.NextPageToken == "" {
			return
		}
		opts.PageToken = page.NextPageToken
	}
}

// heapAlloc returns the live heap after two collections.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
