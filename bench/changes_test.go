package bench

import (
	"context"
	"database/sql"
	"testing"

	"github.com/resreg/resreg"
)

// BenchmarkChanges: reading a page of 1000 changes deep in a long log,
// against reading the first 1000 of the same log. The shared datasets were
// loaded through the registry, so their logs hold one change per resource:
// scale() changes (1,000,000 with RESREG_BENCH_LARGE=1). The subject reads
// the last 1000, after scale()-1000 earlier ones. Target: ratio <= 1.5,
// that is, the cost does not grow with the log.
func BenchmarkChanges(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, reg *resreg.Registry) {
		last, err := reg.LastSeq(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if last < int64(scale()) {
			b.Fatalf("the dataset's log holds %d changes, want %d", last, scale())
		}
		read := func(since int64) {
			page, err := reg.Changes(ctx, resreg.ChangesOptions{Since: since, Limit: 1000})
			if err != nil {
				b.Fatal(err)
			}
			if len(page) != 1000 || page[0].Seq != since+1 {
				b.Fatalf("read %d changes from %d", len(page), since)
			}
		}
		pair{
			base:     "first1000",
			subject:  func(int) { read(last - 1000) },
			baseline: func(int) { read(0) },
		}.run(b)
	}
	b.Run("sqlite", func(b *testing.B) {
		reg, _ := sqlDataset(b)
		run(b, reg)
	})
	b.Run("memstore", func(b *testing.B) {
		run(b, memDataset(b))
	})
}

// BenchmarkChangeLogSize: disk bytes per change. Two files get the same
// 10 batches of 1000 resources through the registry; in one of them the
// change rows are then deleted and the file vacuumed. The difference of
// their sizes after a checkpoint, per change, is the log's cost on disk
// (file-B/change); table-B/change is the change table's own pages per
// change, from SQLite's dbstat; resource-B is the resource table and its ID
// index per resource, for scale.
func BenchmarkChangeLogSize(b *testing.B) {
	const batches = 10
	ctx := context.Background()
	var perChange, tableBytes, resourceBytes float64
	for range b.N {
		with := openSQLite(b, unique("log-size"))
		without := openSQLite(b, unique("log-size"))
		regWith, regWithout := resreg.New(with), resreg.New(without)
		for i := range batches {
			in := registerInput("r", i*batchSize, batchSize)
			if _, err := regWith.RegisterResources(ctx, in); err != nil {
				b.Fatal(err)
			}
			if _, err := regWithout.RegisterResources(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := without.DB().ExecContext(ctx, "DELETE FROM resreg_changes"); err != nil {
			b.Fatal(err)
		}
		if _, err := without.DB().ExecContext(ctx, "VACUUM"); err != nil {
			b.Fatal(err)
		}
		perChange += float64(fileSize(b, with.DB())-fileSize(b, without.DB())) / (batches * batchSize)
		tableBytes += float64(tablePages(b, with.DB(), "resreg_changes")) / (batches * batchSize)
		resourceBytes += float64(tablePages(b, with.DB(), "resreg_resources")+tablePages(b, with.DB(), "resreg_resources_id")) / (batches * batchSize)
	}
	n := float64(b.N)
	b.ReportMetric(perChange/n, "file-B/change")
	b.ReportMetric(tableBytes/n, "table-B/change")
	b.ReportMetric(resourceBytes/n, "resource-B/resource")
}

// tablePages is the bytes of the pages of one table or index.
func tablePages(b *testing.B, db *sql.DB, name string) int64 {
	b.Helper()
	var n int64
	if err := db.QueryRowContext(context.Background(), "SELECT sum(pgsize) FROM dbstat WHERE name = ?", name).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// fileSize is the database file's size after a checkpoint.
func fileSize(b *testing.B, db *sql.DB) int64 {
	b.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	var pages, size int64
	if err := db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		b.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
		b.Fatal(err)
	}
	return pages * size
}
