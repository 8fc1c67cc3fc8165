package bench

import (
	"context"
	"testing"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// BenchmarkCreateDataResourceTree: CreateDataResource of a TREE of 10,000
// nodes (validation, flattening and storage), each call with a new code and
// name. Baselines, for scale rather than a target: the raw SQLite program
// inserting the data resource row and one row per node (path, position,
// depth) in one transaction with one prepared statement, into the same
// database through the store's *sql.DB; and a deep copy of the record into
// a map.
func BenchmarkCreateDataResourceTree(b *testing.B) {
	t := tree(roots10k, treeFan, treeDepth)
	if n := t.Len(); n != 10_000 {
		b.Fatalf("tree has %d nodes, want 10000", n)
	}
	input := func(i int) resreg.CreateDataResourceInput {
		return resreg.CreateDataResourceInput{
			NamespaceCode: store.DefaultNamespace,
			ResourceName:  "Tree " + code("", i),
			ResourceCode:  code("t", i),
			Type:          resreg.DataTree,
			Struct:        resreg.Struct{Tree: t},
			Actions:       []string{"read", "write"},
		}
	}
	record := func(i int) store.DataResource {
		in := input(i)
		return store.DataResource{NamespaceCode: in.NamespaceCode, ResourceCode: in.ResourceCode, ResourceName: in.ResourceName,
			Type: in.Type, Struct: in.Struct, Actions: in.Actions}
	}

	b.Run("sqlite", func(b *testing.B) {
		ctx := context.Background()
		// One database for both sides, as in BenchmarkRegisterResources:
		// the registry writes the even codes, the raw program the odd ones.
		st := openSQLite(b, unique("tree"))
		reg := resreg.New(st)
		db := st.DB()
		pair{
			base: "raw",
			subject: func(i int) {
				if _, err := reg.CreateDataResource(ctx, input(2*i)); err != nil {
					b.Fatal(err)
				}
			},
			baseline: func(i int) {
				d := record(2*i + 1)
				if err := rawCreateTree(ctx, db, &d); err != nil {
					b.Fatal(err)
				}
			},
		}.run(b)
	})

	b.Run("memstore", func(b *testing.B) {
		ctx := context.Background()
		var reg *resreg.Registry
		var m map[string]store.DataResource
		pair{
			base: "map",
			// A new store and map for each chunk bound the memory held.
			prep: func(int, int) {
				reg = resreg.New(memstore.New())
				m = make(map[string]store.DataResource)
			},
			subject: func(i int) {
				if _, err := reg.CreateDataResource(ctx, input(i)); err != nil {
					b.Fatal(err)
				}
			},
			baseline: func(i int) {
				d := record(i)
				m[d.ResourceCode] = d.Clone()
			},
		}.run(b)
	})
}

// BenchmarkTreeFlatten: Tree.Flatten of 100,000 nodes (subject) vs 10,000
// nodes (baseline), both trees four levels deep with the same fan-out.
// Target: ratio <= 12, i.e. linear within 20%.
func BenchmarkTreeFlatten(b *testing.B) {
	small, big := tree(roots10k, treeFan, treeDepth), tree(roots100k, treeFan, treeDepth)
	var sink []resreg.TreePath
	pair{
		base:     "n10k",
		subject:  func(int) { sink = big.Flatten() },
		baseline: func(int) { sink = small.Flatten() },
	}.run(b)
	if len(sink) == 0 {
		b.Fatal("empty flatten")
	}
}
