package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// closed checks Close: every method of a closed store returns an *Error
// matching ErrClosed, and closing twice is nil.
func (h harness) closed(t *testing.T) {
	h.run(t, "every method after Close", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		require.NoError(t, s.CreateResources(ctx, []store.Resource{NewResource(store.DefaultNamespace, "a")}, store.WriteOptions{}))
		require.NoError(t, s.Close())
		require.NoError(t, s.Close(), "closing twice is nil")

		calls := map[string]func(ctx context.Context) error{
			"CreateNamespace": func(ctx context.Context) error { return s.CreateNamespace(ctx, newNamespace("n")) },
			"GetNamespace": func(ctx context.Context) error {
				_, err := s.GetNamespace(ctx, store.DefaultNamespace)
				return err
			},
			"ListNamespaces": func(ctx context.Context) error {
				_, err := s.ListNamespaces(ctx, store.ListOptions{})
				return err
			},
			"UpdateNamespace": func(ctx context.Context) error {
				_, err := s.UpdateNamespace(ctx, store.DefaultNamespace, func(*store.Namespace) error { return nil })
				return err
			},
			"DeleteNamespace": func(ctx context.Context) error { return s.DeleteNamespace(ctx, "n") },
			"CreateResources": func(ctx context.Context) error {
				return s.CreateResources(ctx, []store.Resource{NewResource(store.DefaultNamespace, "b")}, store.WriteOptions{})
			},
			"GetResource": func(ctx context.Context) error {
				_, err := s.GetResource(ctx, store.DefaultNamespace, "a")
				return err
			},
			"GetResourceByID": func(ctx context.Context) error {
				_, err := s.GetResourceByID(ctx, store.DefaultNamespace, "id-a")
				return err
			},
			"ListResources": func(ctx context.Context) error {
				_, err := s.ListResources(ctx, store.ResourceFilter{Namespace: store.DefaultNamespace}, store.ListOptions{})
				return err
			},
			"UpdateResource": func(ctx context.Context) error {
				_, err := s.UpdateResource(ctx, store.DefaultNamespace, "a", func(*store.Resource) error { return nil })
				return err
			},
			"DeleteResources": func(ctx context.Context) error {
				return s.DeleteResources(ctx, store.DefaultNamespace, []string{"a"})
			},
			"CreateDataResource": func(ctx context.Context) error {
				return s.CreateDataResource(ctx, newStringData(store.DefaultNamespace, "d", "D"))
			},
			"GetDataResource": func(ctx context.Context) error {
				_, err := s.GetDataResource(ctx, store.DefaultNamespace, "d")
				return err
			},
			"GetDataResourceByName": func(ctx context.Context) error {
				_, err := s.GetDataResourceByName(ctx, store.DefaultNamespace, "D")
				return err
			},
			"GetDataTreeNode": func(ctx context.Context) error {
				_, err := s.GetDataTreeNode(ctx, store.DefaultNamespace, "d", "x")
				return err
			},
			"ListDataResources": func(ctx context.Context) error {
				_, err := s.ListDataResources(ctx, store.DataResourceFilter{Namespace: store.DefaultNamespace}, store.ListOptions{})
				return err
			},
			"UpdateDataResource": func(ctx context.Context) error {
				_, err := s.UpdateDataResource(ctx, store.DefaultNamespace, "d", func(*store.DataResource) error { return nil })
				return err
			},
			"DeleteDataResource": func(ctx context.Context) error {
				return s.DeleteDataResource(ctx, store.DefaultNamespace, "d")
			},
		}
		done, cancel := context.WithCancel(ctx)
		cancel()
		for name, call := range calls {
			err := call(ctx)
			require.ErrorIs(t, err, store.ErrClosed, name)
			var se *store.Error
			require.True(t, errors.As(err, &se), "%s: %T is not an *Error", name, err)
			require.ErrorIs(t, call(done), context.Canceled, "%s: a done context still wins", name)
		}
	})
}
