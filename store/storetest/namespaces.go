package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// errFromFn is returned by update functions; the store must hand back this
// very value.
var errFromFn = errors.New("storetest: error from update function")

func (h harness) namespaces(t *testing.T) {
	h.run(t, "default namespace exists on a fresh store", func(t *testing.T, s store.Store) {
		ns, err := s.GetNamespace(t.Context(), store.DefaultNamespace)
		require.NoError(t, err)
		require.Equal(t, store.DefaultNamespace, ns.Code)
		all := listAll(t, namespaceLister(s))
		require.Equal(t, []string{store.DefaultNamespace}, namespaceCodes(all))
		require.Equal(t, ns, all[0])
	})

	h.run(t, "create then get returns the same record", func(t *testing.T, s store.Store) {
		want := newNamespace("shop")
		require.NoError(t, s.CreateNamespace(t.Context(), want))
		got, err := s.GetNamespace(t.Context(), "shop")
		require.NoError(t, err)
		require.Equal(t, want, got)
	})

	h.run(t, "times come back in UTC with nanoseconds", func(t *testing.T, s store.Store) {
		zone := time.FixedZone("UTC+8", 8*3600)
		ns := newNamespace("zoned")
		ns.CreatedAt = time.Date(2026, 5, 6, 7, 8, 9, 987654321, zone)
		ns.UpdatedAt = ns.CreatedAt.Add(time.Nanosecond)
		require.NoError(t, s.CreateNamespace(t.Context(), ns))
		got, err := s.GetNamespace(t.Context(), "zoned")
		require.NoError(t, err)
		want := ns
		want.CreatedAt, want.UpdatedAt = ns.CreatedAt.UTC(), ns.UpdatedAt.UTC()
		require.Equal(t, want, got)
		require.Equal(t, time.UTC, got.CreatedAt.Location())
	})

	h.run(t, "list returns every namespace in code order", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, "zeta", "alpha", "mid")
		all := listAll(t, namespaceLister(s))
		require.Equal(t, []string{"alpha", store.DefaultNamespace, "mid", "zeta"}, namespaceCodes(all))
		require.Equal(t, newNamespace("alpha"), all[0])
		require.Equal(t, newNamespace("zeta"), all[3])
	})

	h.run(t, "duplicate create is a conflict and keeps the first", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, "shop")
		again := newNamespace("shop")
		again.Name = "Other"
		require.ErrorIs(t, s.CreateNamespace(t.Context(), again), store.ErrConflict)
		got, err := s.GetNamespace(t.Context(), "shop")
		require.NoError(t, err)
		require.Equal(t, newNamespace("shop"), got)
	})

	h.run(t, "creating the default namespace again is a conflict", func(t *testing.T, s store.Store) {
		before := TakeSnapshot(t, s)
		require.ErrorIs(t, s.CreateNamespace(t.Context(), newNamespace(store.DefaultNamespace)), store.ErrConflict)
		requireUnchanged(t, s, before)
	})

	h.run(t, "get missing is namespace not found", func(t *testing.T, s store.Store) {
		_, err := s.GetNamespace(t.Context(), "missing")
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		require.ErrorIs(t, err, store.ErrNotFound)
	})

	h.run(t, "update applies fn to the stored record and returns the result", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, "shop")
		want := newNamespace("shop")
		want.Name, want.Description, want.UpdatedAt = "Shop", "renamed", at(50)
		var seen store.Namespace
		got, err := s.UpdateNamespace(t.Context(), "shop", func(ns *store.Namespace) error {
			seen = *ns
			ns.Name, ns.Description, ns.UpdatedAt = want.Name, want.Description, want.UpdatedAt
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, newNamespace("shop"), seen, "fn must see the stored record")
		require.Equal(t, want, got)
		stored, err := s.GetNamespace(t.Context(), "shop")
		require.NoError(t, err)
		require.Equal(t, want, stored)
	})

	h.run(t, "update ignores changes to code and createdAt", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, "shop")
		got, err := s.UpdateNamespace(t.Context(), "shop", func(ns *store.Namespace) error {
			ns.Code, ns.CreatedAt, ns.Name = "moved", at(77), "Shop"
			return nil
		})
		require.NoError(t, err)
		want := newNamespace("shop")
		want.Name = "Shop"
		require.Equal(t, want, got)
		stored, err := s.GetNamespace(t.Context(), "shop")
		require.NoError(t, err)
		require.Equal(t, want, stored)
		_, err = s.GetNamespace(t.Context(), "moved")
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
	})

	h.run(t, "update returns the fn error as is and writes nothing", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, "shop")
		before := TakeSnapshot(t, s)
		_, err := s.UpdateNamespace(t.Context(), "shop", func(ns *store.Namespace) error {
			ns.Name = "changed"
			return errFromFn
		})
		require.ErrorIs(t, err, errFromFn)
		require.Same(t, errFromFn, err, "the fn error must be returned unwrapped")
		requireUnchanged(t, s, before)
	})

	h.run(t, "update missing is namespace not found", func(t *testing.T, s store.Store) {
		called := false
		_, err := s.UpdateNamespace(t.Context(), "missing", func(*store.Namespace) error { called = true; return nil })
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		require.False(t, called, "fn called for a missing namespace")
	})

	h.run(t, "delete removes an empty namespace and frees its code", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, "shop", "other")
		require.NoError(t, s.DeleteNamespace(t.Context(), "shop"))
		_, err := s.GetNamespace(t.Context(), "shop")
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		require.Equal(t, []string{store.DefaultNamespace, "other"}, namespaceCodes(listAll(t, namespaceLister(s))))
		createNamespaces(t, s, "shop")
	})

	h.run(t, "delete missing is namespace not found", func(t *testing.T, s store.Store) {
		require.ErrorIs(t, s.DeleteNamespace(t.Context(), "missing"), store.ErrNamespaceNotFound)
	})

	h.run(t, "deleting the default namespace is invalid", func(t *testing.T, s store.Store) {
		before := TakeSnapshot(t, s)
		require.ErrorIs(t, s.DeleteNamespace(t.Context(), store.DefaultNamespace), store.ErrInvalid)
		requireUnchanged(t, s, before)
	})

	h.run(t, "deleting a namespace holding a resource is a conflict", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, "shop")
		createResources(t, s, NewResource("shop", "server"))
		before := TakeSnapshot(t, s)
		require.ErrorIs(t, s.DeleteNamespace(t.Context(), "shop"), store.ErrConflict)
		requireUnchanged(t, s, before)
	})

	h.run(t, "deleting a namespace holding a data resource is a conflict", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, "shop")
		createData(t, s, newStringData("shop", "path", "Path"))
		before := TakeSnapshot(t, s)
		require.ErrorIs(t, s.DeleteNamespace(t.Context(), "shop"), store.ErrConflict)
		requireUnchanged(t, s, before)
	})

	h.run(t, "delete succeeds once the namespace is emptied", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, "shop")
		createResources(t, s, NewResource("shop", "server"))
		createData(t, s, newStringData("shop", "path", "Path"))
		require.NoError(t, s.DeleteResources(t.Context(), "shop", []string{"server"}))
		require.NoError(t, s.DeleteDataResource(t.Context(), "shop", "path"))
		require.NoError(t, s.DeleteNamespace(t.Context(), "shop"))
		_, err := s.GetNamespace(t.Context(), "shop")
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		// A namespace made again under the same code starts empty.
		createNamespaces(t, s, "shop")
		require.Empty(t, allResources(t, s, "shop"))
		require.Empty(t, allData(t, s, "shop"))
	})
}
