package bench

import (
	"runtime"
	"testing"
	"time"
)

// pair is a benchmark of the registry (subject) against a baseline doing
// the same work on the bare storage.
type pair struct {
	// base names the baseline in its metrics: base+"-ns/op", and so on.
	base string
	// prep, if set, runs untimed before each chunk with the range of
	// iterations the chunk will run.
	prep func(from, to int)
	// subject and baseline run iteration i.
	subject, baseline func(i int)
}

// chunks is how many alternating slices b.N is cut into: enough that a
// burst of load from elsewhere on the machine lands on both sides, few
// enough that reading the allocation counters between chunks costs nothing
// that matters.
const chunks = 64

// run times p.subject and p.baseline b.N times each, in alternating chunks
// (which one goes first alternates too), and reports:
//
//	ns/op, B/op, allocs/op              the subject's
//	<base>-ns/op, <base>-allocs/op     the baseline's
//	ratio                               subject ns/op / baseline ns/op
//
// Interleaving the two in 64 chunks spreads a burst of load from elsewhere
// on the machine over both sides. With b.N < 64 every chunk is a single
// iteration.
func (p pair) run(b *testing.B) {
	b.Helper()
	b.ReportAllocs()
	var subj, base side
	n := b.N
	step := max(1, (n+chunks-1)/chunks)
	b.ResetTimer()
	for from, k := 0, 0; from < n; from, k = from+step, k+1 {
		to := min(n, from+step)
		if p.prep != nil {
			b.StopTimer()
			p.prep(from, to)
			b.StartTimer()
		}
		if k%2 == 0 {
			subj.measure(from, to, p.subject)
			base.measure(from, to, p.baseline)
		} else {
			base.measure(from, to, p.baseline)
			subj.measure(from, to, p.subject)
		}
	}
	b.StopTimer()
	N := float64(n)
	b.ReportMetric(float64(subj.ns)/N, "ns/op")
	b.ReportMetric(float64(subj.bytes)/N, "B/op")
	b.ReportMetric(float64(subj.allocs)/N, "allocs/op")
	b.ReportMetric(float64(base.ns)/N, p.base+"-ns/op")
	b.ReportMetric(float64(base.allocs)/N, p.base+"-allocs/op")
	b.ReportMetric(float64(subj.ns)/float64(max(base.ns, 1)), "ratio")
}

// side accumulates the cost of one side of a pair.
type side struct {
	ns, allocs, bytes uint64
}

// measure runs fn over [from, to) and adds up its cost.
func (s *side) measure(from, to int, fn func(i int)) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i := from; i < to; i++ {
		fn(i)
	}
	ns := uint64(time.Since(start))
	runtime.ReadMemStats(&after)
	s.ns += ns
	s.allocs += after.Mallocs - before.Mallocs
	s.bytes += after.TotalAlloc - before.TotalAlloc
}
