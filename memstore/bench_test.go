package memstore_test

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// benchSizes are the numbers of resources held while point lookups run:
// a small registry, and one big enough that lookups miss the CPU caches.
var benchSizes = []int{1_000, 100_000}

func benchCodes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "res-" + strconv.Itoa(i)
	}
	return out
}

func BenchmarkGetResource(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			ctx := b.Context()
			s := memstore.New()
			codes := benchCodes(n)
			batch := make([]store.Resource, 0, store.MaxPageSize)
			for i, code := range codes {
				batch = append(batch, sampleResource(store.DefaultNamespace, code))
				if len(batch) == cap(batch) || i == len(codes)-1 {
					if err := s.CreateResources(ctx, batch, store.WriteOptions{}); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := s.GetResource(ctx, store.DefaultNamespace, codes[i%len(codes)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkGetResourceMap is the yardstick for BenchmarkGetResource: a plain
// map lookup returning a deep copy.
func BenchmarkGetResourceMap(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			codes := benchCodes(n)
			m := make(map[string]store.Resource, len(codes))
			for _, code := range codes {
				m[code] = sampleResource(store.DefaultNamespace, code)
			}
			b.ReportAllocs()
			i := 0
			var sink store.Resource
			for b.Loop() {
				r, ok := m[codes[i%len(codes)]]
				if !ok {
					b.Fatal("missing")
				}
				sink = r.Clone()
				i++
			}
			_ = sink
		})
	}
}

func benchBatch() []store.Resource {
	batch := make([]store.Resource, 0, store.MaxPageSize)
	for _, code := range benchCodes(store.MaxPageSize) {
		batch = append(batch, sampleResource(store.DefaultNamespace, code))
	}
	return batch
}

func BenchmarkCreateResources1000(b *testing.B) {
	ctx := b.Context()
	batch := benchBatch()
	b.ReportAllocs()
	for b.Loop() {
		if err := memstore.New().CreateResources(ctx, batch, store.WriteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateResourcesMap is the yardstick for
// BenchmarkCreateResources1000: deep copies inserted into a plain map.
func BenchmarkCreateResourcesMap(b *testing.B) {
	batch := benchBatch()
	b.ReportAllocs()
	for b.Loop() {
		m := make(map[string]store.Resource)
		for i := range batch {
			m[batch[i].Code] = batch[i].Clone()
		}
	}
}

// BenchmarkHeapPerResource loads a million resources and reports the heap
// they take per resource, inputs excluded.
func BenchmarkHeapPerResource(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		ctx := b.Context()
		codes := benchCodes(n)
		before := heapInUse()
		s := memstore.New()
		batch := make([]store.Resource, 0, store.MaxPageSize)
		for i, code := range codes {
			// Each resource gets strings of its own, as if decoded from a
			// request, so that nothing is shared with the inputs but codes.
			batch = append(batch, sampleResource(store.DefaultNamespace, code))
			if len(batch) == cap(batch) || i == n-1 {
				if err := s.CreateResources(ctx, batch, store.WriteOptions{}); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		batch = nil
		after := heapInUse()
		b.ReportMetric(float64(after-before)/n, "B/resource")
		runtime.KeepAlive(s)
		runtime.KeepAlive(codes)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
