package bench

import (
	"runtime"
	"slices"
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
//	ns/op, B/op, allocs/op              the subject's (means over b.N)
//	<base>-ns/op, <base>-allocs/op     the baseline's (means over b.N)
//	ratio                               the median over chunks of
//	                                    subject time / baseline time
//
// The ratio is a median of paired chunks, not a ratio of the means, so that
// a stall from elsewhere on the machine (a disk flush by another process, a
// burst of CPU load), which lands on one side of one chunk, does not decide
// it. With few iterations (b.N < 64) every chunk is a single iteration.
func (p pair) run(b *testing.B) {
	b.Helper()
	b.ReportAllocs()
	var subj, base side
	var ratios []float64
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
		var s, t uint64
		if k%2 == 0 {
			s = subj.measure(from, to, p.subject)
			t = base.measure(from, to, p.baseline)
		} else {
			t = base.measure(from, to, p.baseline)
			s = subj.measure(from, to, p.subject)
		}
		ratios = append(ratios, float64(s)/float64(max(t, 1)))
	}
	b.StopTimer()
	N := float64(n)
	b.ReportMetric(float64(subj.ns)/N, "ns/op")
	b.ReportMetric(float64(subj.bytes)/N, "B/op")
	b.ReportMetric(float64(subj.allocs)/N, "allocs/op")
	b.ReportMetric(float64(base.ns)/N, p.base+"-ns/op")
	b.ReportMetric(float64(base.allocs)/N, p.base+"-allocs/op")
	b.ReportMetric(median(ratios), "ratio")
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}

// side accumulates the cost of one side of a pair.
type side struct {
	ns, allocs, bytes uint64
}

// measure runs fn over [from, to) and returns the time it took.
func (s *side) measure(from, to int, fn func(i int)) uint64 {
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
	return ns
}
