package bench

import (
	"context"
	"sync"
	"testing"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// key returns the code looked up by iteration i: a fixed walk over all n
// codes in scattered order, the same for the registry and the baseline.
func key(codes []string, i int) string {
	return codes[(i*7919+13)%len(codes)]
}

var datasetCodes = sync.OnceValue(func() []string {
	out := make([]string, scale())
	for i := range out {
		out[i] = code("r", i)
	}
	return out
})

// BenchmarkGetResource: GetResource on a namespace of scale() resources,
// each with two actions and two locales.
//
//   - sqlite: vs one prepared point select on the same database whose row
//     is decoded into the same record. Target: ratio <= 1.5.
//   - sqlite-cancelable: the same with a cancellable context on both sides
//     (the driver then watches the context during each statement).
//   - memstore: vs a map lookup returning a deep copy (store.Resource.Clone)
//     of the same record. Targets: ratio <= 2, <= 500 ns/op, <= 3 allocs/op.
//   - memstore-10k: the same on 10,000 resources, which fit in the caches.
func BenchmarkGetResource(b *testing.B) {
	sqlite := func(cancelable bool) func(b *testing.B) {
		return func(b *testing.B) {
			ctx := context.Background()
			if cancelable {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				defer cancel()
			}
			reg, st := sqlDataset(b)
			raw, err := newRawReader(ctx, st.DB())
			if err != nil {
				b.Fatal(err)
			}
			defer raw.close()
			codes := datasetCodes()
			checkGet(b, reg, codes[len(codes)/2], func(c string) (store.Resource, error) {
				return raw.get(ctx, store.DefaultNamespace, c)
			})
			pair{
				base: "raw",
				subject: func(i int) {
					if _, err := reg.GetResource(ctx, store.DefaultNamespace, key(codes, i)); err != nil {
						b.Fatal(err)
					}
				},
				baseline: func(i int) {
					if _, err := raw.get(ctx, store.DefaultNamespace, key(codes, i)); err != nil {
						b.Fatal(err)
					}
				},
			}.run(b)
		}
	}
	b.Run("sqlite", sqlite(false))
	b.Run("sqlite-cancelable", sqlite(true))
	b.Run("pgstore", pgGet)

	memstoreGet := func(b *testing.B, reg *resreg.Registry, m map[string]store.Resource, codes []string) {
		ctx := context.Background()
		checkGet(b, reg, codes[len(codes)/2], func(c string) (store.Resource, error) {
			return m[c].Clone(), nil
		})
		var sink store.Resource
		pair{
			base: "map",
			subject: func(i int) {
				r, err := reg.GetResource(ctx, store.DefaultNamespace, key(codes, i))
				if err != nil {
					b.Fatal(err)
				}
				sink = r
			},
			baseline: func(i int) {
				r, ok := m[key(codes, i)]
				if !ok {
					b.Fatal("missing record")
				}
				sink = r.Clone()
			},
		}.run(b)
		_ = sink
	}
	b.Run("memstore", func(b *testing.B) {
		reg := memDataset(b)
		memstoreGet(b, reg, recordMap(b, reg), datasetCodes())
	})
	// The same on a registry of 10,000 resources, whose records stay in
	// the CPU caches: the cost of the code path itself.
	b.Run("memstore-10k", func(b *testing.B) {
		const n = 10_000
		reg := resreg.New(memstore.New())
		load(context.Background(), b, reg, n)
		m := make(map[string]store.Resource, n)
		fillMap(context.Background(), b, reg, m)
		codes := make([]string, n)
		for i := range codes {
			codes[i] = code("r", i)
		}
		memstoreGet(b, reg, m, codes)
	})
}

// checkGet fails unless the registry and the baseline return the same
// record for code.
func checkGet(b *testing.B, reg *resreg.Registry, code string, baseline func(string) (store.Resource, error)) {
	b.Helper()
	want, err := reg.GetResource(context.Background(), store.DefaultNamespace, code)
	if err != nil {
		b.Fatal(err)
	}
	got, err := baseline(code)
	if err != nil {
		b.Fatal(err)
	}
	if len(want.Actions) != 2 || len(want.Name.I18nValue) != 2 {
		b.Fatalf("record %s has %d actions and %d locales, want 2 and 2", code, len(want.Actions), len(want.Name.I18nValue))
	}
	mustEqual(b, "record "+code, want, got)
}

// recordMap is the memstore baseline: the dataset's records in a plain map
// keyed by code, built once per process from the registry's own listing.
var recordMapOnce struct {
	sync.Once
	m map[string]store.Resource
}

func recordMap(b *testing.B, reg *resreg.Registry) map[string]store.Resource {
	recordMapOnce.Do(func() {
		m := make(map[string]store.Resource, scale())
		opts := resreg.ListOptions{PageSize: store.MaxPageSize}
		for {
			page, err := reg.ListResources(context.Background(), resreg.ResourceFilter{}, opts)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range page.Items {
				m[r.Code] = r
			}
			if page.NextPageToken == "" {
				break
			}
			opts.PageToken = page.NextPageToken
		}
		recordMapOnce.m = m
	})
	return recordMapOnce.m
}
