package resreg_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/pgstore/pgtest"
	"github.com/resreg/resreg/sqlitestore"
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
	{"sqlitestore", func(t *testing.T) store.Store {
		s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "registry.db"))
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		return s
	}},
}

// PostgreSQL joins the list when RESREG_POSTGRES_DSN names a database.
func init() {
	if pgtest.Enabled() {
		allStores = append(allStores, storeFactory{"pgstore", func(t *testing.T) store.Store { return pgtest.Open(t) }})
	}
}

// forEachStore runs fn as a subtest per store.
func forEachStore(t *testing.T, fn func(t *testing.T, s store.Store)) {
	for _, f := range allStores {
		t.Run(f.name, func(t *testing.T) { fn(t, f.open(t)) })
	}
}
