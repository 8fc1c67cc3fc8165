package bench

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// largeNamespace is how many resources the namespace holds before the
// measured batches.
const largeNamespace = 100_000

// largeRounds is the number of paired rounds; the reported ratio is their
// median.
const largeRounds = 25

// BenchmarkRegisterIntoLargeNamespace: EnOS RegisterResources of 1000
// resources (generated IDs, two locales each) on memstore into a namespace
// that already holds 100,000, vs inserting deep copies of the same records
// into a plain map (pre-filled with as many records) under a mutex. Each
// round times one batch on each side, in alternating order, on fresh codes;
// the reported ratio is the median of the rounds' ratios. Target: <= 3.
//
//	go test ./bench -run XXX -bench RegisterIntoLargeNamespace -benchtime 1x
func BenchmarkRegisterIntoLargeNamespace(b *testing.B) {
	ctx := context.Background()
	reg := resreg.New(memstore.New())
	var mu sync.Mutex
	baseline := make(map[string]store.Resource, largeNamespace)
	for from := 0; from < largeNamespace; from += batchSize {
		in := registerInput("r", from, batchSize)
		in.AssignCodeToID = false
		res, err := reg.RegisterResources(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res.Resources {
			baseline[r.Code] = r.Clone()
		}
	}

	rounds := max(largeRounds, b.N)
	ratios := make([]float64, 0, rounds)
	subjects := make([]time.Duration, 0, rounds)
	b.ResetTimer()
	for round := range rounds {
		from := largeNamespace + round*batchSize
		in := registerInput("r", from, batchSize)
		in.AssignCodeToID = false
		// The baseline inserts the records the registry makes of the same
		// items: same strings, same maps, same IDs.
		var records []store.Resource
		subject := func() time.Duration {
			start := time.Now()
			res, err := reg.RegisterResources(ctx, in)
			took := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			records = res.Resources
			return took
		}
		base := func() time.Duration {
			start := time.Now()
			mu.Lock()
			for i := range records {
				baseline[records[i].Code] = records[i].Clone()
			}
			mu.Unlock()
			return time.Since(start)
		}
		var s, m time.Duration
		if round%2 == 0 {
			s = subject()
			m = base()
		} else {
			// The baseline needs the records; make them on codes the
			// subject does not use, then time the map first.
			warm := registerInput("w", from, batchSize)
			warm.AssignCodeToID = false
			res, err := resreg.New(memstore.New()).RegisterResources(ctx, warm)
			if err != nil {
				b.Fatal(err)
			}
			records = res.Resources
			m = base()
			s = subject()
		}
		ratios = append(ratios, float64(s)/float64(max(m, 1)))
		subjects = append(subjects, s)
	}
	b.StopTimer()
	slices.Sort(ratios)
	slices.Sort(subjects)
	b.ReportMetric(ratios[len(ratios)/2], "median-ratio")
	b.ReportMetric(float64(subjects[len(subjects)/2]), "median-ns/batch")
	b.ReportMetric(0, "ns/op")
}
