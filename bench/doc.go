// Package bench measures what the registry costs over the storage it sits
// on. It holds no library code: everything is in its _test.go files, run
// with go test -bench.
//
// Every benchmark runs the registry and a baseline side by side in the same
// process and reports both, with ratio = registry / baseline. The two are
// timed in alternating chunks of the same benchmark function, so a change
// in machine load during the run falls on both. The baselines are the
// physical limits of each store:
//
//   - SQLite: a hand-written database/sql program that writes the same
//     columns, with the same encoding, into the same tables: inserts in one
//     transaction with one prepared statement, reads with one prepared
//     point select whose row is decoded into the same record. It runs on
//     the store's own *sql.DB, so the schema, the DSN pragmas, the pool and
//     the page cache are the same. (With two database files in one
//     process, one side of a write benchmark would read its pages back from
//     the file far more often than the other, and which one varied from run
//     to run; so the two sides share one database and write interleaved
//     codes.)
//   - memstore: a plain Go map of store.Resource, into which deep copies of
//     the same records are inserted, or from which a deep copy is returned.
//
// The benchmarks and their targets:
//
//	BenchmarkRegisterResources/sqlite     RegisterResources, 1000 items with two locales, vs raw insert   ratio <= 1.5
//	BenchmarkRegisterResources/memstore   the same vs deep copies into a map                              ratio <= 3
//	BenchmarkGetResource/sqlite           GetResource vs a raw prepared point select                      ratio <= 1.5
//	BenchmarkGetResource/memstore         GetResource vs a map lookup returning a deep copy               ratio <= 2, <= 500 ns/op, <= 3 allocs/op
//	BenchmarkGetResource/memstore-10k     the same on 10,000 resources (in cache)
//	BenchmarkListResources/*              page of 100 after 90% of the namespace vs the first page        ratio <= 1.5; sqlite <= 2 ms/page
//	BenchmarkCreateDataResourceTree/*     CreateDataResource, 10,000-node TREE (baseline: raw insert / map copy)
//	BenchmarkTreeFlatten                  Tree.Flatten of 100,000 nodes vs 10,000 nodes                   ratio <= 12
//	BenchmarkMemory/memstore              heap bytes per resource held (two actions, two locales)        <= 1024 B/resource
//	BenchmarkMemory/sqlite                database file bytes per resource
//	BenchmarkConcurrentMix/*              8 goroutines, 1 create per 4 operations, on one store           busy-errors = 0
//
// Metrics: ns/op, B/op and allocs/op are the registry's alone; the
// baseline's are prefixed with its name (raw-ns/op, map-ns/op, first-ns/op,
// n10k-ns/op); ratio is ns/op divided by the baseline's ns/op. The two
// sides run b.N iterations each, interleaved in 64 chunks whose order
// alternates, so that load from elsewhere on the machine lands on both.
//
// # Scale
//
// By default the datasets are small, so that CI's
//
//	go test -run XXX -bench . -benchtime 1x ./...
//
// stays quick. With RESREG_BENCH_LARGE=1 the listing, point-get and memory
// benchmarks run on a namespace of 1,000,000 resources (built once per
// process, in 1000-item batches through the registry; the SQLite file lives
// in a temporary directory for the run).
//
// # Running all of them
//
//	bench/run.sh
//
// runs every benchmark with the large datasets (about four minutes on two
// cores; the budget is ten) and writes the raw output, with the machine,
// Go version and date, to bench/results.txt; BENCHMARKS.md at the
// repository root is made from it. bench/before_after.sh OLD [NEW] runs the
// hot-path benchmarks on two commits in turn, for before/after figures.
package bench
