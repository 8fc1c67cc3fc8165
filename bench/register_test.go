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
//     the same rows into a second file made by sqlitestore.Open (same
//     schema, same DSN pragmas), in one transaction with one prepared
//     statement. Target: ratio <= 1.5.
//   - memstore: into a new memstore, vs deep copies of the resulting
//     records inserted into a new map. Target: ratio <= 3.
func BenchmarkRegisterResources(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		ctx := context.Background()
		regStore := openSQLite(b, unique("register-reg"))
		rawStore := openSQLite(b, unique("register-raw"))
		reg := resreg.New(regStore)
		db := rawStore.DB()
		var inputs []resreg.RegisterInput
		first := 0
		pair{
			base: "raw",
			prep: func(from, to int) {
				first = from
				inputs = inputs[:0]
				for i := from; i < to; i++ {
					inputs = append(inputs, registerInput("r", i*batchSize, batchSize))
				}
			},
			subject: func(i int) {
				if _, err := reg.RegisterResources(ctx, inputs[i-first]); err != nil {
					b.Fatal(err)
				}
			},
			baseline: func(i int) {
				if err := rawRegister(ctx, db, &inputs[i-first]); err != nil {
					b.Fatal(err)
				}
			},
		}.run(b)

		// The rows must be the same: read one back through the store from
		// each file (timestamps aside, which differ by when they ran).
		want, err := regStore.GetResource(ctx, store.DefaultNamespace, code("r", 0))
		if err != nil {
			b.Fatal(err)
		}
		got, err := rawStore.GetResource(ctx, store.DefaultNamespace, code("r", 0))
		if err != nil {
			b.Fatal(err)
		}
		got.CreatedAt, got.UpdatedAt = want.CreatedAt, want.UpdatedAt
		mustEqual(b, "registered row", want, got)
	})

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
