package bench

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/sqlitestore"
)

// planResources is the size of the manifest BenchmarkPlan plans: 100,000
// with RESREG_BENCH_LARGE=1, 10,000 otherwise (CI's single run).
func planResources() int {
	if large {
		return 100_000
	}
	return 10_000
}

// planManifest declares n resources of two actions each in the default
// namespace.
func planManifest(n int) resreg.Manifest {
	rs := make([]resreg.ManifestResource, n)
	for i := range rs {
		rs[i] = resreg.ManifestResource{Code: "res-" + strconv.Itoa(i), Type: "API", Name: resreg.Name("Resource " + strconv.Itoa(i)),
			Actions: []resreg.Action{{Name: "read", Description: "Read"}, {Name: "write", Description: "Write"}}}
	}
	return resreg.Manifest{Namespaces: []resreg.ManifestNamespace{{Code: resreg.DefaultNamespace, Name: resreg.DefaultNamespace, Resources: rs}}}
}

// createManifest writes the resources of m through CreateResources
// batches of 1000, so that the registry matches m.
func createManifest(b *testing.B, r *resreg.Registry, m resreg.Manifest) {
	ctx := context.Background()
	rs := m.Namespaces[0].Resources
	for lo := 0; lo < len(rs); lo += 1000 {
		var in []resreg.CreateResourceInput
		for _, mr := range rs[lo:min(lo+1000, len(rs))] {
			in = append(in, resreg.CreateResourceInput{Type: mr.Type, Code: mr.Code, Name: mr.Name, Actions: mr.Actions})
		}
		if _, err := r.CreateResources(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func planRegistry(b *testing.B) *resreg.Registry {
	s, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "plan.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return resreg.New(s)
}

// BenchmarkPlan: Registry.Plan of a 100,000-resource manifest (see
// planResources) on SQLite,
// against a registry that already holds it (an empty plan: every record
// read and compared) and against an empty one (100,000 creates). The
// baseline, in the same run, is reading the same 100,000 resources with
// ListResources pages of 1000, which a plan cannot do without; decode is
// DecodeManifest of the manifest in YAML and in JSON, and decode+plan both
// in turn against the registry that holds it, what `resreg plan -f` waits
// for. Target: decode+plan <= 5 s. The decode benchmarks also report the
// process's CPU time per operation (cpu-ms/op), steadier than the wall
// time on a shared machine.
func BenchmarkPlan(b *testing.B) {
	ctx := context.Background()
	m := planManifest(planResources())
	full := planRegistry(b)
	createManifest(b, full, m)
	empty := planRegistry(b)

	b.Run("sqlite/unchanged", func(b *testing.B) {
		for b.Loop() {
			p, err := full.Plan(ctx, m, resreg.PlanOptions{Prune: true})
			if err != nil || !p.Empty() {
				b.Fatalf("plan: %v, %d changes", err, len(p.Changes))
			}
		}
	})
	b.Run("sqlite/into-empty", func(b *testing.B) {
		for b.Loop() {
			p, err := empty.Plan(ctx, m, resreg.PlanOptions{Prune: true})
			if err != nil || len(p.Changes) != planResources() {
				b.Fatalf("plan: %v, %d changes", err, len(p.Changes))
			}
		}
	})
	b.Run("sqlite/baseline-list-all", func(b *testing.B) {
		for b.Loop() {
			n := 0
			opts := resreg.ListOptions{PageSize: 1000}
			for {
				page, err := full.ListResources(ctx, resreg.ResourceFilter{}, opts)
				if err != nil {
					b.Fatal(err)
				}
				n += len(page.Items)
				if page.NextPageToken == "" {
					break
				}
				opts.PageToken = page.NextPageToken
			}
			if n != planResources() {
				b.Fatalf("listed %d", n)
			}
		}
	})
	for _, format := range []string{"yaml", "json"} {
		var buf bytes.Buffer
		if err := resreg.EncodeManifest(&buf, m, format); err != nil {
			b.Fatal(err)
		}
		b.Run("decode-"+format, func(b *testing.B) {
			b.SetBytes(int64(buf.Len()))
			cpu := startCPU()
			for b.Loop() {
				got, err := resreg.DecodeManifest(bytes.NewReader(buf.Bytes()))
				if err != nil || len(got.Namespaces[0].Resources) != planResources() {
					b.Fatal(err)
				}
			}
			cpu.report(b)
		})
		b.Run("decode+plan-"+format, func(b *testing.B) {
			cpu := startCPU()
			for b.Loop() {
				got, err := resreg.DecodeManifest(bytes.NewReader(buf.Bytes()))
				if err != nil {
					b.Fatal(err)
				}
				p, err := full.Plan(ctx, got, resreg.PlanOptions{Prune: true})
				if err != nil || !p.Empty() {
					b.Fatalf("plan: %v, %d changes", err, len(p.Changes))
				}
			}
			cpu.report(b)
		})
	}
}

// cpuClock measures the CPU time (user and system, every thread) the
// process spends in a benchmark loop.
type cpuClock time.Duration

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock(processCPU()) }

// report adds the CPU time per operation as cpu-ms/op.
func (c cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(processCPU()-time.Duration(c))/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
