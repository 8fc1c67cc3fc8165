package memstore

import (
	"strings"

	"github.com/google/btree"

	"github.com/resreg/resreg/store"
)

// keySep joins the parts of a compound key. Codes, subject types and IDs
// never hold control characters (the Registry's rules), and it is the
// smallest byte, so joined keys sort exactly as their parts compared one
// after another.
const keySep = "\x00"

// keyed is a record stored in a B-tree under a precomputed string key, so
// that compound orders (subject, then resource, then action...) cost one
// string comparison and page tokens are the key itself.
type keyed[T any] struct {
	key string
	val T
}

func lessKeyed[T any](a, b *keyed[T]) bool { return a.key < b.key }

func newKeyedTree[T any]() *btree.BTreeG[*keyed[T]] {
	return btree.NewG(btreeDegree, lessKeyed[T])
}

// subjectKey is the key part of a subject: type, then ID.
func subjectKey(s store.Subject) string { return s.Type + keySep + s.ID }

// rangeSource reads the records of tree whose key starts with prefix, from
// the first one whose key after the prefix is greater than after ("" for
// the first page). Page tokens hold the key without the prefix, so a token
// of one range cannot reach into another.
func rangeSource[T any](tree *btree.BTreeG[*keyed[T]], prefix, after string) source[*keyed[T]] {
	scan := func(start string, skip string, yield func(*keyed[T]) bool) {
		tree.AscendGreaterOrEqual(&keyed[T]{key: start}, func(item *keyed[T]) bool {
			if !strings.HasPrefix(item.key, prefix) {
				return false
			}
			if skip != "" && item.key == skip {
				return true
			}
			return yield(item)
		})
	}
	from := func(yield func(*keyed[T]) bool) {
		if after == "" {
			scan(prefix, "", yield)
			return
		}
		scan(prefix+after, prefix+after, yield)
	}
	all := func(yield func(*keyed[T]) bool) { scan(prefix, "", yield) }
	size := -1
	if prefix == "" {
		size = tree.Len()
	}
	return source[*keyed[T]]{from: from, all: all, size: size}
}

// rangeItems collects the records of tree whose key starts with prefix.
func rangeItems[T any](tree *btree.BTreeG[*keyed[T]], prefix string) []*keyed[T] {
	var out []*keyed[T]
	for item := range rangeSource(tree, prefix, "").all {
		out = append(out, item)
	}
	return out
}

// keyWithin returns the part of an item's key after prefix, its page token.
func keyWithin[T any](prefix string) func(*keyed[T]) string {
	return func(item *keyed[T]) string { return item.key[len(prefix):] }
}
