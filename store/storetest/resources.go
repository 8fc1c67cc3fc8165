package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

const ns2 = "shop" // a second namespace next to store.DefaultNamespace

func (h harness) resources(t *testing.T) {
	t.Run("create", h.createResources)
	t.Run("get", h.getResources)
	t.Run("update", h.updateResources)
	t.Run("delete", h.deleteResources)
}

func (h harness) createResources(t *testing.T) {
	h.run(t, "batch across namespaces reads back equal", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		a, b, c := NewResource(store.DefaultNamespace, "a"), NewResource(ns2, "b"), NewResource(store.DefaultNamespace, "c")
		c.Type, c.Name.I18nValue, c.Actions, c.LinkedToTenant = "enos:device", nil, nil, false
		createResources(t, s, c, b, a)
		for _, want := range []store.Resource{a, b, c} {
			got, err := s.GetResource(t.Context(), want.Namespace, want.Code)
			require.NoError(t, err)
			require.Equal(t, want, got)
		}
		require.Equal(t, []store.Resource{a, c}, allResources(t, s, store.DefaultNamespace))
		require.Equal(t, []store.Resource{b}, allResources(t, s, ns2))
	})

	h.run(t, "times in another zone come back in UTC", func(t *testing.T, s store.Store) {
		zone := time.FixedZone("UTC-5", -5*3600)
		r := NewResource(store.DefaultNamespace, "a")
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.In(zone), r.UpdatedAt.In(zone)
		d := newTreeData(store.DefaultNamespace, "org", "Org")
		d.CreatedAt, d.UpdatedAt = d.CreatedAt.In(zone), d.UpdatedAt.In(zone)
		createResources(t, s, r)
		createData(t, s, d)
		gotR, err := s.GetResource(t.Context(), store.DefaultNamespace, "a")
		require.NoError(t, err)
		require.Equal(t, NewResource(store.DefaultNamespace, "a"), gotR)
		gotD, err := s.GetDataResource(t.Context(), store.DefaultNamespace, "org")
		require.NoError(t, err)
		require.Equal(t, newTreeData(store.DefaultNamespace, "org", "Org"), gotD)
	})

	h.run(t, "same code and ID in two namespaces", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		a, b := NewResource(store.DefaultNamespace, "server"), NewResource(ns2, "server")
		b.Description = "the shop's"
		createResources(t, s, a, b)
		got, err := s.GetResource(t.Context(), ns2, "server")
		require.NoError(t, err)
		require.Equal(t, b, got)
		got, err = s.GetResourceByID(t.Context(), store.DefaultNamespace, a.ID)
		require.NoError(t, err)
		require.Equal(t, a, got)
	})

	h.run(t, "codes taken by existing resources are a conflict naming each", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(store.DefaultNamespace, "a"), NewResource(store.DefaultNamespace, "b"))
		before := TakeSnapshot(t, s)
		a, b := NewResource(store.DefaultNamespace, "a"), NewResource(store.DefaultNamespace, "b")
		a.ID, b.ID = "new-a", "new-b" // only the codes collide
		err := s.CreateResources(t.Context(), []store.Resource{
			NewResource(store.DefaultNamespace, "c"), a, NewResource(store.DefaultNamespace, "d"), b,
		}, store.WriteOptions{})
		requireCodes(t, []string{"a", "b"}, requireDetail(t, err, store.ErrConflict).Codes)
		requireUnchanged(t, s, before)
	})

	h.run(t, "duplicate code in batch is a conflict", func(t *testing.T, s store.Store) {
		before := TakeSnapshot(t, s)
		x2 := NewResource(store.DefaultNamespace, "x")
		x2.ID = "other-x"
		err := s.CreateResources(t.Context(), []store.Resource{
			NewResource(store.DefaultNamespace, "x"), NewResource(store.DefaultNamespace, "y"), x2,
		}, store.WriteOptions{})
		requireCodes(t, []string{"x"}, requireDetail(t, err, store.ErrConflict).Codes)
		requireUnchanged(t, s, before)
	})

	h.run(t, "existing and in-batch duplicates are named together", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		createResources(t, s, NewResource(store.DefaultNamespace, "a"), NewResource(ns2, "s"))
		before := TakeSnapshot(t, s)
		a, n2, s2 := NewResource(store.DefaultNamespace, "a"), NewResource(ns2, "n"), NewResource(ns2, "s")
		a.ID, n2.ID, s2.ID = "a2", "n2", "s2"
		err := s.CreateResources(t.Context(), []store.Resource{
			a, NewResource(ns2, "n"), NewResource(store.DefaultNamespace, "ok"), n2, s2,
		}, store.WriteOptions{})
		requireCodes(t, []string{"a", "n", "s"}, requireDetail(t, err, store.ErrConflict).Codes)
		requireUnchanged(t, s, before)
	})

	h.run(t, "ID taken by an existing resource is a conflict", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(store.DefaultNamespace, "a"))
		before := TakeSnapshot(t, s)
		b := NewResource(store.DefaultNamespace, "b")
		b.ID = "id-a"
		err := s.CreateResources(t.Context(), []store.Resource{NewResource(store.DefaultNamespace, "c"), b}, store.WriteOptions{})
		require.NotEmpty(t, requireDetail(t, err, store.ErrConflict).Codes)
		requireUnchanged(t, s, before)
	})

	h.run(t, "duplicate ID in batch is a conflict", func(t *testing.T, s store.Store) {
		before := TakeSnapshot(t, s)
		b, c := NewResource(store.DefaultNamespace, "b"), NewResource(store.DefaultNamespace, "c")
		b.ID, c.ID = "shared", "shared"
		err := s.CreateResources(t.Context(), []store.Resource{NewResource(store.DefaultNamespace, "a"), b, c}, store.WriteOptions{})
		require.NotEmpty(t, requireDetail(t, err, store.ErrConflict).Codes)
		requireUnchanged(t, s, before)
	})

	h.run(t, "same ID in different namespaces of one batch", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		a, b := NewResource(store.DefaultNamespace, "a"), NewResource(ns2, "b")
		a.ID, b.ID = "shared", "shared"
		createResources(t, s, a, b)
		got, err := s.GetResourceByID(t.Context(), ns2, "shared")
		require.NoError(t, err)
		require.Equal(t, b, got)
	})

	h.run(t, "missing namespace fails the whole batch", func(t *testing.T, s store.Store) {
		before := TakeSnapshot(t, s)
		err := s.CreateResources(t.Context(), []store.Resource{
			NewResource(store.DefaultNamespace, "a"), NewResource("missing", "b"),
		}, store.WriteOptions{})
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		require.ErrorIs(t, err, store.ErrNotFound)
		requireUnchanged(t, s, before)
	})

	h.run(t, "missing namespace is reported before a conflict", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(store.DefaultNamespace, "a"))
		before := TakeSnapshot(t, s)
		err := s.CreateResources(t.Context(), []store.Resource{
			NewResource(store.DefaultNamespace, "a"), NewResource("missing", "b"),
		}, store.WriteOptions{})
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		require.NotErrorIs(t, err, store.ErrConflict)
		requireUnchanged(t, s, before)
	})

	h.run(t, "conflict is reported before the quota", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(store.DefaultNamespace, "a"))
		before := TakeSnapshot(t, s)
		a := NewResource(store.DefaultNamespace, "a")
		a.ID = "a2"
		err := s.CreateResources(t.Context(), []store.Resource{a, NewResource(store.DefaultNamespace, "b")},
			store.WriteOptions{MaxResourcesPerNamespace: 1})
		require.ErrorIs(t, err, store.ErrConflict)
		require.NotErrorIs(t, err, store.ErrLimitExceeded)
		requireUnchanged(t, s, before)
	})
}

func (h harness) getResources(t *testing.T) {
	h.run(t, "get by code and by ID", func(t *testing.T, s store.Store) {
		want := NewResource(store.DefaultNamespace, "server")
		createResources(t, s, want, NewResource(store.DefaultNamespace, "disk"))
		got, err := s.GetResource(t.Context(), store.DefaultNamespace, "server")
		require.NoError(t, err)
		require.Equal(t, want, got)
		got, err = s.GetResourceByID(t.Context(), store.DefaultNamespace, want.ID)
		require.NoError(t, err)
		require.Equal(t, want, got)
	})

	h.run(t, "missing code is not found", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		createResources(t, s, NewResource(ns2, "server"))
		_, err := s.GetResource(t.Context(), store.DefaultNamespace, "server")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.NotErrorIs(t, err, store.ErrNamespaceNotFound, "the namespace exists")
	})

	h.run(t, "missing ID is not found", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		createResources(t, s, NewResource(ns2, "server"))
		_, err := s.GetResourceByID(t.Context(), store.DefaultNamespace, "id-server")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.NotErrorIs(t, err, store.ErrNamespaceNotFound, "the namespace exists")
		_, err = s.GetResourceByID(t.Context(), ns2, "server") // a code is not an ID
		require.ErrorIs(t, err, store.ErrNotFound)
	})

	h.run(t, "missing namespace is namespace not found", func(t *testing.T, s store.Store) {
		_, err := s.GetResource(t.Context(), "missing", "server")
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		_, err = s.GetResourceByID(t.Context(), "missing", "id-server")
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		_, err = s.ListResources(t.Context(), store.ResourceFilter{Namespace: "missing"}, store.ListOptions{})
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
	})
}

func (h harness) updateResources(t *testing.T) {
	h.run(t, "fn edits the stored record and the result is kept", func(t *testing.T, s store.Store) {
		orig := NewResource(store.DefaultNamespace, "server")
		createResources(t, s, orig, NewResource(store.DefaultNamespace, "other"))
		want := orig
		want.Type = store.TypeMenu
		want.Name = store.I18nName{DefaultValue: "Server", I18nValue: map[string]string{"de": "Rechner"}}
		want.Description = ""
		want.Actions = []store.Action{{Name: "server:start", Description: "Start"}}
		want.APIIdentifier = ""
		want.LinkedToTenant = false
		want.UpdatedAt = at(40)
		var seen store.Resource
		got, err := s.UpdateResource(t.Context(), store.DefaultNamespace, "server", func(r *store.Resource) error {
			seen = r.Clone()
			r.Type, r.Name, r.Description = want.Type, want.Name.Clone(), want.Description
			r.Actions, r.APIIdentifier, r.LinkedToTenant, r.UpdatedAt = slices.Clone(want.Actions), want.APIIdentifier, want.LinkedToTenant, want.UpdatedAt
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, orig, seen, "fn must see the stored record")
		require.Equal(t, want, got)
		stored, err := s.GetResource(t.Context(), store.DefaultNamespace, "server")
		require.NoError(t, err)
		require.Equal(t, want, stored)
		require.Equal(t, []store.Resource{NewResource(store.DefaultNamespace, "other"), want}, allResources(t, s, store.DefaultNamespace))
	})

	h.run(t, "changes to namespace, code, ID and createdAt are ignored", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		orig := NewResource(store.DefaultNamespace, "server")
		createResources(t, s, orig)
		got, err := s.UpdateResource(t.Context(), store.DefaultNamespace, "server", func(r *store.Resource) error {
			r.Namespace, r.Code, r.ID, r.CreatedAt = ns2, "moved", "moved-id", at(90)
			r.Description = "edited"
			return nil
		})
		require.NoError(t, err)
		want := orig
		want.Description = "edited"
		require.Equal(t, want, got)
		stored, err := s.GetResourceByID(t.Context(), store.DefaultNamespace, orig.ID)
		require.NoError(t, err)
		require.Equal(t, want, stored)
		_, err = s.GetResourceByID(t.Context(), store.DefaultNamespace, "moved-id")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.Equal(t, []store.Resource{want}, allResources(t, s, store.DefaultNamespace))
		require.Empty(t, allResources(t, s, ns2))
	})

	h.run(t, "fn error is returned as is and nothing is written", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(store.DefaultNamespace, "server"))
		before := TakeSnapshot(t, s)
		_, err := s.UpdateResource(t.Context(), store.DefaultNamespace, "server", func(r *store.Resource) error {
			// Edits in place reach the stored record if fn was not given a
			// deep copy.
			r.Name.I18nValue["zh_CN"] = "changed"
			r.Actions[0].Name = "changed"
			r.Description = "changed"
			return errFromFn
		})
		require.ErrorIs(t, err, errFromFn)
		require.Same(t, errFromFn, err, "the fn error must be returned unwrapped")
		requireUnchanged(t, s, before)
	})

	h.run(t, "missing resource is not found and fn is not called", func(t *testing.T, s store.Store) {
		called := false
		fn := func(*store.Resource) error { called = true; return nil }
		_, err := s.UpdateResource(t.Context(), store.DefaultNamespace, "missing", fn)
		require.ErrorIs(t, err, store.ErrNotFound)
		require.NotErrorIs(t, err, store.ErrNamespaceNotFound)
		_, err = s.UpdateResource(t.Context(), "missing", "server", fn)
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		require.False(t, called)
	})
}

func (h harness) deleteResources(t *testing.T) {
	h.run(t, "delete removes every listed resource and frees code and ID", func(t *testing.T, s store.Store) {
		a, b, c := NewResource(store.DefaultNamespace, "a"), NewResource(store.DefaultNamespace, "b"), NewResource(store.DefaultNamespace, "c")
		createResources(t, s, a, b, c)
		require.NoError(t, s.DeleteResources(t.Context(), store.DefaultNamespace, []string{"c", "a"}))
		require.Equal(t, []store.Resource{b}, allResources(t, s, store.DefaultNamespace))
		_, err := s.GetResource(t.Context(), store.DefaultNamespace, "a")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.GetResourceByID(t.Context(), store.DefaultNamespace, c.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
		// The freed code and ID can be taken again.
		createResources(t, s, a, c)
	})

	h.run(t, "a missing code deletes nothing and is named", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(store.DefaultNamespace, "a"), NewResource(store.DefaultNamespace, "c"))
		before := TakeSnapshot(t, s)
		err := s.DeleteResources(t.Context(), store.DefaultNamespace, []string{"a", "zz", "c", "yy"})
		se := requireDetail(t, err, store.ErrNotFound)
		require.NotErrorIs(t, err, store.ErrNamespaceNotFound)
		requireCodes(t, []string{"zz", "yy"}, se.Codes)
		requireUnchanged(t, s, before)
	})

	h.run(t, "delete acts on its namespace only", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		a := NewResource(store.DefaultNamespace, "server")
		createResources(t, s, a, NewResource(ns2, "server"))
		require.NoError(t, s.DeleteResources(t.Context(), ns2, []string{"server"}))
		require.Empty(t, allResources(t, s, ns2))
		require.Equal(t, []store.Resource{a}, allResources(t, s, store.DefaultNamespace))
		// A code that exists only in another namespace is missing here.
		err := s.DeleteResources(t.Context(), ns2, []string{"server"})
		requireCodes(t, []string{"server"}, requireDetail(t, err, store.ErrNotFound).Codes)
	})

	h.run(t, "missing namespace is namespace not found", func(t *testing.T, s store.Store) {
		require.ErrorIs(t, s.DeleteResources(t.Context(), "missing", []string{"a"}), store.ErrNamespaceNotFound)
	})
}
