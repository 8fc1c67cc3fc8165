package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

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
			"AddGrants": func(ctx context.Context) error {
				return s.AddGrants(ctx, []store.Grant{grant(store.DefaultNamespace, team, "a", "a:read")})
			},
			"RevokeGrants": func(ctx context.Context) error {
				return s.RevokeGrants(ctx, []store.Grant{grant(store.DefaultNamespace, team, "a", "a:read")})
			},
			"ListGrants": func(ctx context.Context) error {
				_, err := s.ListGrants(ctx, store.GrantFilter{Namespace: store.DefaultNamespace}, store.ListOptions{})
				return err
			},
			"AddMembers": func(ctx context.Context) error {
				return s.AddMembers(ctx, team, []store.Subject{alice}, store.MembershipOptions{})
			},
			"RemoveMembers": func(ctx context.Context) error { return s.RemoveMembers(ctx, team, []store.Subject{alice}) },
			"ListMembers": func(ctx context.Context) error {
				_, err := s.ListMembers(ctx, team, store.ListOptions{})
				return err
			},
			"ListMemberships": func(ctx context.Context) error {
				_, err := s.ListMemberships(ctx, alice, store.ListOptions{})
				return err
			},
			"ListAllMemberships": func(ctx context.Context) error {
				_, err := s.ListAllMemberships(ctx, store.ListOptions{})
				return err
			},
			"CreateDataPolicy": func(ctx context.Context) error { return s.CreateDataPolicy(ctx, newPolicy("p", "P"), nil) },
			"GetDataPolicy": func(ctx context.Context) error {
				_, err := s.GetDataPolicy(ctx, "p")
				return err
			},
			"GetDataPolicyByName": func(ctx context.Context) error {
				_, err := s.GetDataPolicyByName(ctx, "P")
				return err
			},
			"ListDataPolicies": func(ctx context.Context) error {
				_, err := s.ListDataPolicies(ctx, store.DataPolicyFilter{}, store.ListOptions{})
				return err
			},
			"UpdateDataPolicy": func(ctx context.Context) error {
				_, err := s.UpdateDataPolicy(ctx, "p", func(*store.DataPolicy) ([]store.PolicyRef, error) { return nil, nil })
				return err
			},
			"DeleteDataPolicy": func(ctx context.Context) error { return s.DeleteDataPolicy(ctx, "p") },
			"AttachDataPolicies": func(ctx context.Context) error {
				return s.AttachDataPolicies(ctx, []store.PolicyTarget{target("p", team)})
			},
			"DetachDataPolicies": func(ctx context.Context) error {
				return s.DetachDataPolicies(ctx, []store.PolicyTarget{target("p", team)})
			},
			"ListDataPolicyTargets": func(ctx context.Context) error {
				_, err := s.ListDataPolicyTargets(ctx, "p", store.ListOptions{})
				return err
			},
			"ListAllPolicyTargets": func(ctx context.Context) error {
				_, err := s.ListAllPolicyTargets(ctx, store.ListOptions{})
				return err
			},
			"Changes": func(ctx context.Context) error {
				_, err := s.Changes(ctx, 0, 10)
				return err
			},
			"LastSeq": func(ctx context.Context) error {
				_, err := s.LastSeq(ctx)
				return err
			},
			"PruneChanges":          func(ctx context.Context) error { return s.PruneChanges(ctx, 1) },
			"PruneChangesOlderThan": func(ctx context.Context) error { return s.PruneChangesOlderThan(ctx, time.Now()) },
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
