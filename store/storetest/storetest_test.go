package storetest_test

import (
	"testing"

	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

// TestNaiveStore runs the suite against a store that keeps the contract, so
// a test that fails here is wrong, not the store.
func TestNaiveStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return newNaive() })
}
