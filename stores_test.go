package resreg_test

import (
	"testing"

	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// storeFactory makes a fresh, empty store for one test.
type storeFactory struct {
	name string
	open func(t *testing.T) store.Store
}

// allStores lists every store the Registry-level tests run against.
var allStores = []storeFactory{
	{"memstore", func(*testing.T) store.Store { return memstore.New() }},
}

// forEachStore runs fn as a subtest per store.
func forEachStore(t *testing.T, fn func(t *testing.T, s store.Store)) {
	for _, f := range allStores {
		t.Run(f.name, func(t *testing.T) { fn(t, f.open(t)) })
	}
}
