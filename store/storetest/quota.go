package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

func quotaOf(n int) store.WriteOptions { return store.WriteOptions{MaxResourcesPerNamespace: n} }

// resourcesIn returns resources for the given codes in namespace ns.
func resourcesIn(ns string, codes ...string) []store.Resource {
	out := make([]store.Resource, len(codes))
	for i, c := range codes {
		out[i] = NewResource(ns, c)
	}
	return out
}

func (h harness) quota(t *testing.T) {
	h.run(t, "reaching the quota exactly succeeds", func(t *testing.T, s store.Store) {
		require.NoError(t, s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "a"), quotaOf(3)))
		require.NoError(t, s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "b", "c"), quotaOf(3)))
		require.Len(t, allResources(t, s, store.DefaultNamespace), 3)
	})

	h.run(t, "exceeding the quota writes nothing", func(t *testing.T, s store.Store) {
		createResources(t, s, resourcesIn(store.DefaultNamespace, "a", "b")...)
		before := TakeSnapshot(t, s)
		err := s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "c", "d"), quotaOf(3))
		require.ErrorIs(t, err, store.ErrLimitExceeded)
		requireUnchanged(t, s, before)
	})

	h.run(t, "a batch larger than the quota is refused", func(t *testing.T, s store.Store) {
		before := TakeSnapshot(t, s)
		err := s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "a", "b", "c"), quotaOf(2))
		require.ErrorIs(t, err, store.ErrLimitExceeded)
		requireUnchanged(t, s, before)
	})

	h.run(t, "quota counts each namespace on its own", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		require.NoError(t, s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "a", "b"), quotaOf(2)))
		// The default namespace is full; the other one still has room.
		require.NoError(t, s.CreateResources(t.Context(), resourcesIn(ns2, "a", "b"), quotaOf(2)))
		require.Len(t, allResources(t, s, ns2), 2)
	})

	h.run(t, "one namespace over quota fails the whole batch", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		before := TakeSnapshot(t, s)
		batch := append(resourcesIn(ns2, "a"), resourcesIn(store.DefaultNamespace, "x", "y", "z")...)
		require.ErrorIs(t, s.CreateResources(t.Context(), batch, quotaOf(2)), store.ErrLimitExceeded)
		requireUnchanged(t, s, before)
	})

	h.run(t, "data resources do not count", func(t *testing.T, s store.Store) {
		createData(t, s,
			newStringData(store.DefaultNamespace, "d1", "D1"),
			newArrayData(store.DefaultNamespace, "d2", "D2"),
			newTreeData(store.DefaultNamespace, "d3", "D3"))
		require.NoError(t, s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "a", "b"), quotaOf(2)))
		require.Len(t, allResources(t, s, store.DefaultNamespace), 2)
	})

	h.run(t, "zero means no cap", func(t *testing.T, s store.Store) {
		require.NoError(t, s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, codes("r-", 30)...), quotaOf(0)))
		require.NoError(t, s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "one-more"), quotaOf(0)))
		require.Len(t, allResources(t, s, store.DefaultNamespace), 31)
	})

	h.run(t, "deleting frees quota", func(t *testing.T, s store.Store) {
		require.NoError(t, s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "a", "b"), quotaOf(2)))
		require.ErrorIs(t, s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "c"), quotaOf(2)), store.ErrLimitExceeded)
		require.NoError(t, s.DeleteResources(t.Context(), store.DefaultNamespace, []string{"a"}))
		require.NoError(t, s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "c"), quotaOf(2)))
	})

	h.run(t, "a namespace already over a lowered quota takes no more", func(t *testing.T, s store.Store) {
		createResources(t, s, resourcesIn(store.DefaultNamespace, "a", "b", "c")...)
		before := TakeSnapshot(t, s)
		require.ErrorIs(t, s.CreateResources(t.Context(), resourcesIn(store.DefaultNamespace, "d"), quotaOf(2)), store.ErrLimitExceeded)
		requireUnchanged(t, s, before)
	})
}
