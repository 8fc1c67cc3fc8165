package memstore

import (
	"strconv"
	"testing"

	"github.com/google/btree"
	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// TestPageReadsOnlyFromCursor checks that a page starts reading at the
// cursor and stops one matching record past the page, whatever the size of
// the index.
func TestPageReadsOnlyFromCursor(t *testing.T) {
	tree := btree.NewG(btreeDegree, func(a, b string) bool { return a < b })
	for i := range 10_000 {
		tree.ReplaceOrInsert("k" + strconv.Itoa(100_000+i))
	}
	id := func(k string) string { return k }
	src := treeSource(tree, "k105000", id, id)

	var read []string
	from := src.from
	src.from = func(yield func(string) bool) {
		for k := range from {
			read = append(read, k)
			if !yield(k) {
				return
			}
		}
	}
	p := page(src, listing[string, string]{
		key:    id,
		match:  func(k string) bool { return k != "k105002" },
		out:    id,
		cursor: store.Cursor{Limit: 3, After: "k105000"},
	})
	require.Equal(t, []string{"k105001", "k105003", "k105004"}, p.Items)
	require.Equal(t, store.EncodePageTokenFor("", "", "k105004"), p.NextPageToken)
	require.Equal(t, []string{"k105001", "k105002", "k105003", "k105004", "k105005"}, read,
		"reads nothing before the cursor and one match past the page")
}

// TestPageLastPageHasNoToken checks that a page ending exactly at the last
// match has no NextPageToken.
func TestPageLastPageHasNoToken(t *testing.T) {
	items := []string{"a", "b", "c", "d"}
	id := func(k string) string { return k }
	p := page(sliceSource(items, "b", id), listing[string, string]{
		key:    id,
		out:    id,
		cursor: store.Cursor{Limit: 2, After: "b"},
		total:  true,
	})
	require.Equal(t, []string{"c", "d"}, p.Items)
	require.Empty(t, p.NextPageToken)
	require.Equal(t, 4, p.TotalCount)
}
