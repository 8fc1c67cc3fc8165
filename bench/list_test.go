package bench

import (
	"context"
	"testing"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// listPageSize is the page size of the listing benchmark.
const listPageSize = 100

// BenchmarkListResources: ListResources pages of 100 in a namespace of
// scale() resources (1,000,000 with RESREG_BENCH_LARGE=1). The subject is
// the page after 90% of the rows (900,000 at scale), the baseline the first
// page. Targets: ratio (deep / first) <= 1.5 for both stores; sqlite
// <= 2 ms per page.
func BenchmarkListResources(b *testing.B) {
	run := func(b *testing.B, reg *resreg.Registry) {
		ctx := context.Background()
		skip := scale() * 9 / 10
		deep := resreg.ListOptions{PageSize: listPageSize, PageToken: store.EncodePageTokenFor(store.KindResources, store.DefaultNamespace, code("r", skip-1))}
		first := resreg.ListOptions{PageSize: listPageSize}
		list := func(opts resreg.ListOptions, wantFirst int) {
			page, err := reg.ListResources(ctx, resreg.ResourceFilter{}, opts)
			if err != nil {
				b.Fatal(err)
			}
			if len(page.Items) != listPageSize || page.Items[0].Code != code("r", wantFirst) || page.NextPageToken == "" {
				b.Fatalf("page starts at %q with %d items, want %q and %d", page.Items[0].Code, len(page.Items), code("r", wantFirst), listPageSize)
			}
		}
		pair{
			base:     "first",
			subject:  func(int) { list(deep, skip) },
			baseline: func(int) { list(first, 0) },
		}.run(b)
	}
	b.Run("sqlite", func(b *testing.B) {
		reg, _ := sqlDataset(b)
		run(b, reg)
	})
	b.Run("pgstore", func(b *testing.B) {
		reg, _ := pgDataset(b)
		run(b, reg)
	})
	b.Run("memstore", func(b *testing.B) {
		run(b, memDataset(b))
	})
}
