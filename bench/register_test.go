package bench

import (
	"context"
	"testing"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// BenchmarkRegisterResources: EnOS RegisterResources of 1000 resources with
// two locales each (IDs = codes).
//
//   - sqlite: into a growing sqlitestore file, vs the raw program inserting
//     the same kind of rows (interleaved codes) into the same file through
//     the store's own *sql.DB (same schema, same DSN pragmas, same page
//     cache), in one transaction with one prepared statement. Target:
//     ratio <= 1.5.
//   - memstore: into a new memstore, vs deep copies of the resulting
//     records inserted into a new map. Target: ratio <= 3.
func BenchmarkRegisterResources(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		ctx := context.Background()
		st := openSQLite(b, unique("register"))
		reg := resreg.New(st)
		db := st.DB()
		var regIn, rawIn []resreg.RegisterInput
		first := 0
		pair{
			base: "raw",
			prep: func(from, to int) {
				first = from
				regIn, rawIn = regIn[:0], rawIn[:0]
				for i := from; i < to; i++ {
					regIn = append(regIn, evenOdd(i, 0))
					rawIn = append(rawIn, evenOdd(i, 1))
				}
			},
			subject: func(i int) {
				if _, err := reg.RegisterResources(ctx, regIn[i-first]); err != nil {
					b.Fatal(err)
				}
			},
			baseline: func(i int) {
				if err := rawRegister(ctx, db, &rawIn[i-first]); err != nil {
					b.Fatal(err)
				}
			},
		}.run(b)

		// The rows must be the same: the store reads a raw row back as the
		// record the registry makes of the same item.
		got, err := st.GetResource(ctx, store.DefaultNamespace, code("r", 1))
		if err != nil {
			b.Fatal(err)
		}
		want := got
		want.ID, want.Type, want.Name = want.Code, "menu", i18n(1)
		mustEqual(b, "raw row", got, want)
	})

	b.Run("pgstore", pgRegister)

	b.Run("memstore", func(b *testing.B) {
		ctx := context.Background()
		in := registerInput("r", 0, batchSize)
		res, err := resreg.New(memstore.New()).RegisterResources(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		records := res.Resources
		pair{
			base: "map",
			subject: func(int) {
				if _, err := resreg.New(memstore.New()).RegisterResources(ctx, in); err != nil {
					b.Fatal(err)
				}
			},
			baseline: func(int) {
				m := make(map[string]store.Resource)
				for i := range records {
					m[records[i].Code] = records[i].Clone()
				}
				sinkMap = m
			},
		}.run(b)
	})
}

var sinkMap map[string]store.Resource

// evenOdd is batch i of one side of the SQLite register benchmark. Both
// sides write to the same database, through the same pool and page cache,
// and take turns at the right edge of the same index: the registry gets the
// even numbers (parity 0), the raw program the odd ones. With two database
// files in one process, one side would read its pages back from the file
// far more often than the other, and which one varied from run to run.
func evenOdd(i, parity int) resreg.RegisterInput {
	in := resreg.RegisterInput{Type: "menu", AssignCodeToID: true, Resources: make([]resreg.RegisterItem, batchSize)}
	for j := range in.Resources {
		n := 2*(i*batchSize+j) + parity
		in.Resources[j] = resreg.RegisterItem{Code: code("r", n), Name: i18n(n)}
	}
	return in
}
