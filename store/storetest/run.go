package storetest

import (
	"testing"

	"github.com/resreg/resreg/store"
)

// Run checks that the stores made by newStore keep the [store.Store]
// contract. Each subtest gets a store of its own from newStore.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	h := harness{newStore: newStore}
	t.Run("namespaces", h.namespaces)
	t.Run("rename", h.rename)
	t.Run("resources", h.resources)
	t.Run("resource filters", h.resourceFilters)
	t.Run("quota", h.quota)
	t.Run("data resources", h.dataResources)
	t.Run("data trees", h.dataTrees)
	t.Run("grants", h.grants)
	t.Run("grant scan", h.grantScan)
	t.Run("memberships", h.memberships)
	t.Run("data policies", h.dataPolicies)
	t.Run("directory", h.directory)
	t.Run("permission pagination", h.permissionPagination)
	t.Run("pagination", h.pagination)
	t.Run("copy safety", h.copySafety)
	t.Run("permission copy safety", h.permissionCopySafety)
	t.Run("done context", h.doneContext)
	t.Run("concurrency", h.concurrency)
	t.Run("permission concurrency", h.permissionConcurrency)
	t.Run("changes", h.changes)
	t.Run("permission changes", h.permissionChanges)
	t.Run("closed", h.closed)
	t.Run("times", h.times)
	t.Run("error details", h.errorDetails)
	t.Run("batch", h.batch)
}

// harness hands each subtest a fresh store.
type harness struct {
	newStore func(t *testing.T) store.Store
}

// run starts subtest name in parallel with its siblings and gives it a store
// of its own, so no subtest can see another's writes.
func (h harness) run(t *testing.T, name string, fn func(t *testing.T, s store.Store)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		t.Parallel()
		s := h.newStore(t)
		if s == nil {
			t.Fatal("newStore returned nil")
		}
		fn(t, s)
	})
}
