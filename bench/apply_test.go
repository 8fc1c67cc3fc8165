package bench

import (
	"context"
	"strconv"
	"testing"

	"github.com/resreg/resreg"
)

// applyManifest declares n resources of what RegisterResources writes (a
// code, one type, a name), so that an apply and RegisterResources write the
// same records.
func applyManifest(n int) resreg.Manifest {
	rs := make([]resreg.ManifestResource, n)
	for i := range rs {
		rs[i] = resreg.ManifestResource{Code: "res-" + strconv.Itoa(i), Type: "API", Name: resreg.Name("Resource " + strconv.Itoa(i))}
	}
	return resreg.Manifest{Namespaces: []resreg.ManifestNamespace{{Code: resreg.DefaultNamespace, Name: resreg.DefaultNamespace, Resources: rs}}}
}

// BenchmarkApply: Registry.Apply of a 100,000-resource manifest (10,000
// without RESREG_BENCH_LARGE=1) into an empty SQLite registry, one
// transaction, against the baseline in the same run: the same resources
// written with RegisterResources batches of 1000 (100 transactions).
// "plan+apply" adds the plan, which "apply" leaves out of the timer. Each
// iteration starts from a new database file, made with the timer stopped.
// Target: apply <= 2x the baseline.
func BenchmarkApply(b *testing.B) {
	ctx := context.Background()
	n := planResources()
	m := applyManifest(n)
	items := make([]resreg.RegisterItem, n)
	for i, mr := range m.Namespaces[0].Resources {
		items[i] = resreg.RegisterItem{Code: mr.Code, Name: mr.Name}
	}
	check := func(b *testing.B, r *resreg.Registry) {
		page, err := r.ListResources(ctx, resreg.ResourceFilter{}, resreg.ListOptions{PageSize: 1, IncludeTotal: true})
		if err != nil || page.TotalCount != n {
			b.Fatalf("registry holds %d resources (%v), want %d", page.TotalCount, err, n)
		}
	}

	b.Run("sqlite/baseline-register-batches", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			r := planRegistry(b)
			b.StartTimer()
			for lo := 0; lo < n; lo += 1000 {
				if _, err := r.RegisterResources(ctx, resreg.RegisterInput{Type: "API", Resources: items[lo:min(lo+1000, n)]}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			check(b, r)
			b.StartTimer()
		}
	})
	b.Run("sqlite/apply", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			r := planRegistry(b)
			p, err := r.Plan(ctx, m, resreg.PlanOptions{})
			if err != nil || len(p.Changes) != n {
				b.Fatalf("plan: %v, %d changes", err, len(p.Changes))
			}
			b.StartTimer()
			if _, err := r.Apply(ctx, p); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			check(b, r)
			b.StartTimer()
		}
	})
	b.Run("sqlite/plan+apply", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			r := planRegistry(b)
			b.StartTimer()
			p, err := r.Plan(ctx, m, resreg.PlanOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := r.Apply(ctx, p); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			check(b, r)
			b.StartTimer()
		}
	})
}
