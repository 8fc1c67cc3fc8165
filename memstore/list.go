package memstore

import (
	"iter"
	"slices"

	"github.com/google/btree"

	"github.com/resreg/resreg/store"
)

// source is what one listing reads: the records from the cursor on, in code
// order, and, only when a total is asked for, every record.
type source[T any] struct {
	from iter.Seq[T] // records with a key after the cursor, ascending
	all  iter.Seq[T] // every record, for TotalCount
	// size is the number of records in all, or -1 when unknown. A filter
	// that matches everything then needs no counting pass.
	size int
}

// treeSource reads tree from the record after key after ("" for the first
// page). pivot builds a probe record holding a key.
func treeSource[T any](tree *btree.BTreeG[T], after string, key func(T) string, pivot func(string) T) source[T] {
	from := func(yield func(T) bool) {
		if after == "" {
			tree.Ascend(btree.ItemIteratorG[T](yield))
			return
		}
		// AscendGreaterOrEqual seeks in O(log n); only the record at the
		// cursor itself, if it still exists, has to be skipped.
		tree.AscendGreaterOrEqual(pivot(after), func(item T) bool {
			if key(item) == after {
				return true
			}
			return yield(item)
		})
	}
	all := func(yield func(T) bool) { tree.Ascend(btree.ItemIteratorG[T](yield)) }
	return source[T]{from: from, all: all, size: tree.Len()}
}

// sliceSource reads items, which must be sorted by key without repeats,
// from the first key after after.
func sliceSource[T any](items []T, after string, key func(T) string) source[T] {
	start := 0
	if after != "" {
		start, _ = slices.BinarySearchFunc(items, after, func(item T, k string) int {
			switch ik := key(item); {
			case ik < k:
				return -1
			case ik > k:
				return 1
			}
			return 0
		})
		if start < len(items) && key(items[start]) == after {
			start++
		}
	}
	return source[T]{from: sliceSeq(items[start:]), all: sliceSeq(items), size: len(items)}
}

func sliceSeq[T any](items []T) iter.Seq[T] {
	return func(yield func(T) bool) {
		for _, item := range items {
			if !yield(item) {
				return
			}
		}
	}
}

// listing describes how to turn matching records into a page.
type listing[T, R any] struct {
	key    func(T) string
	match  func(T) bool // nil matches everything
	out    func(T) R    // copies a record for the caller
	cursor store.Cursor
	// kind and namespace bind the next page token to this listing.
	kind, namespace string
	total           bool
	matchAll        bool // match accepts every record, so TotalCount is the size
}

// page reads one page from src. It stops one matching record past the page,
// which is enough to know whether a next page exists, so the work is
// proportional to the records between the cursor and the end of the page
// (plus a full count when a total is asked for).
func page[T, R any](src source[T], l listing[T, R]) store.Page[R] {
	items := make([]R, 0, min(l.cursor.Limit, max(src.size, 0)))
	var last string
	more := false
	for item := range src.from {
		if l.match != nil && !l.match(item) {
			continue
		}
		if len(items) == l.cursor.Limit {
			more = true
			break
		}
		items = append(items, l.out(item))
		last = l.key(item)
	}
	p := store.Page[R]{Items: items}
	if more {
		p.NextPageToken = store.EncodePageTokenFor(l.kind, l.namespace, last)
	}
	if l.total {
		p.TotalCount = count(src, l.match, l.matchAll)
	}
	return p
}

func count[T any](src source[T], match func(T) bool, matchAll bool) int {
	if (match == nil || matchAll) && src.size >= 0 {
		return src.size
	}
	n := 0
	for item := range src.all {
		if match == nil || match(item) {
			n++
		}
	}
	return n
}
