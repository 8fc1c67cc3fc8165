package permindex_test

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"

	"github.com/resreg/resreg/internal/permdata"
	"github.com/resreg/resreg/permindex"
)

// benchScales are the grant counts benchmarked: 10,000 (the baseline of the
// flatness target) and 100,000 by default; 1,000,000 with RESREG_BENCH_LARGE=1.
func benchScales() []int {
	if os.Getenv("RESREG_BENCH_LARGE") != "" {
		return []int{10_000, 1_000_000}
	}
	return []int{10_000, 100_000}
}

type loaded struct {
	d  *permdata.Dataset
	ix *permindex.Index
}

var (
	loadedMu sync.Mutex
	loadedBy = map[int]*loaded{}
)

func loadScale(n int) *loaded {
	loadedMu.Lock()
	defer loadedMu.Unlock()
	if l := loadedBy[n]; l != nil {
		return l
	}
	d := permdata.Build(n)
	ix := permindex.New()
	d.Load(ix)
	l := &loaded{d, ix}
	loadedBy[n] = l
	return l
}

func scaleName(n int) string { return fmt.Sprintf("grants=%d", n) }

func BenchmarkIsActionAllowed(b *testing.B) {
	for _, n := range benchScales() {
		b.Run(scaleName(n), func(b *testing.B) {
			l := loadScale(n)
			if !l.ix.IsActionAllowed(l.d.Principal, permdata.Namespace, l.d.Resource, l.d.Action) {
				b.Fatal("the benchmark check must be allowed")
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				l.ix.IsActionAllowed(l.d.Principal, permdata.Namespace, l.d.Resource, l.d.Action)
			}
		})
	}
}

func BenchmarkCheckPermissionDeepNode(b *testing.B) {
	for _, n := range benchScales() {
		b.Run(scaleName(n), func(b *testing.B) {
			l := loadScale(n)
			reqs := []string{l.d.DeepNode}
			out := make([]bool, 0, 1)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				out = l.ix.CheckPermission(l.d.Principal, permdata.Namespace, "get", reqs, out[:0])
			}
		})
	}
}

func BenchmarkCheckPermission100(b *testing.B) {
	for _, n := range benchScales() {
		b.Run(scaleName(n), func(b *testing.B) {
			l := loadScale(n)
			out := make([]bool, 0, len(l.d.Batch))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				out = l.ix.CheckPermission(l.d.Principal, permdata.Namespace, "get", l.d.Batch, out[:0])
			}
		})
	}
}

// BenchmarkColdLoad loads a whole dataset into a fresh index (one Update)
// and reports the heap the index holds per grant (runtime.MemStats after a
// GC, before and after the load, the input records alive throughout).
func BenchmarkColdLoad(b *testing.B) {
	for _, n := range benchScales() {
		b.Run(scaleName(n), func(b *testing.B) {
			d := permdata.Build(n)
			var perGrant float64
			for b.Loop() {
				var before, after runtime.MemStats
				b.StopTimer() // the GCs measure memory; only the load is timed
				runtime.GC()
				runtime.ReadMemStats(&before)
				b.StartTimer()
				ix := permindex.New()
				d.Load(ix)
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.StartTimer()
				perGrant = float64(after.HeapAlloc-before.HeapAlloc) / float64(ix.Stats().Grants)
				runtime.KeepAlive(ix)
			}
			runtime.KeepAlive(d)
			b.ReportMetric(perGrant, "B/grant")
			b.ReportMetric(float64(len(d.Grants)), "grants")
		})
	}
}
