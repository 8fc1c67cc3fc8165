package bench

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// workers is the number of goroutines of BenchmarkConcurrentMix.
const workers = 8

// mixPreload is the number of resources present before the mix starts.
const mixPreload = 10_000

// BenchmarkConcurrentMix: 8 goroutines share one registry; operation j is a
// CreateResource (two actions, two locales) when j%4 == 0 and a GetResource
// of a preloaded resource otherwise. Reports throughput (ops/s) and the
// number of ErrBusy errors returned (target: 0); any other error fails.
func BenchmarkConcurrentMix(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		mix(b, resreg.New(openSQLite(b, unique("mix"))))
	})
	b.Run("memstore", func(b *testing.B) {
		mix(b, resreg.New(memstore.New()))
	})
}

func mix(b *testing.B, reg *resreg.Registry) {
	ctx := context.Background()
	load(ctx, b, reg, mixPreload)
	var next, busy, creates atomic.Int64
	var failure error
	var failOnce sync.Once
	n := int64(b.N)
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				j := next.Add(1) - 1
				if j >= n {
					return
				}
				var err error
				if j%4 == 0 {
					creates.Add(1)
					_, err = reg.CreateResource(ctx, createInput("w", int(j)))
				} else {
					_, err = reg.GetResource(ctx, store.DefaultNamespace, code("r", int(j*7919%mixPreload)))
				}
				switch {
				case err == nil:
				case errors.Is(err, resreg.ErrBusy):
					busy.Add(1)
				default:
					failOnce.Do(func() { failure = err })
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failure != nil {
		b.Fatal(failure)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(creates.Load())/elapsed.Seconds(), "creates/s")
	b.ReportMetric(float64(busy.Load()), "busy-errors")
	if busy.Load() > 0 {
		b.Errorf("%d of %d operations returned ErrBusy", busy.Load(), n)
	}
}
