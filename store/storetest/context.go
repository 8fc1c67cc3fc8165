package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// call is one Store method invoked with arguments that would succeed on the
// store doneContext seeds. fnCalled is set if an update function ran.
type call struct {
	name string
	do   func(ctx context.Context, s store.Store, fnCalled *bool) error
}

func storeCalls() []call {
	list := store.ListOptions{IncludeTotal: true}
	calls := []call{
		{"CreateNamespace", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.CreateNamespace(ctx, newNamespace("fresh"))
		}},
		{"GetNamespace", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.GetNamespace(ctx, ns2)
			return err
		}},
		{"ListNamespaces", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.ListNamespaces(ctx, list)
			return err
		}},
		{"UpdateNamespace", func(ctx context.Context, s store.Store, called *bool) error {
			_, err := s.UpdateNamespace(ctx, ns2, func(ns *store.Namespace) error { *called = true; ns.Name = "x"; return nil })
			return err
		}},
		{"DeleteNamespace", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.DeleteNamespace(ctx, "empty")
		}},
		{"CreateResources", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.CreateResources(ctx, resourcesIn(ns2, "fresh"), store.WriteOptions{})
		}},
		{"GetResource", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.GetResource(ctx, ns2, "server")
			return err
		}},
		{"GetResourceByID", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.GetResourceByID(ctx, ns2, "id-server")
			return err
		}},
		{"ListResources", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.ListResources(ctx, store.ResourceFilter{Namespace: ns2}, list)
			return err
		}},
		{"UpdateResource", func(ctx context.Context, s store.Store, called *bool) error {
			_, err := s.UpdateResource(ctx, ns2, "server", func(r *store.Resource) error { *called = true; r.Description = "x"; return nil })
			return err
		}},
		{"DeleteResources", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.DeleteResources(ctx, ns2, []string{"server"})
		}},
		{"CreateDataResource", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.CreateDataResource(ctx, newStringData(ns2, "fresh", "Fresh"))
		}},
		{"GetDataResource", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.GetDataResource(ctx, ns2, "org")
			return err
		}},
		{"GetDataResourceByName", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.GetDataResourceByName(ctx, ns2, "Org")
			return err
		}},
		{"GetDataTreeNode", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.GetDataTreeNode(ctx, ns2, "org", "product/productManager")
			return err
		}},
		{"ListDataResources", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.ListDataResources(ctx, store.DataResourceFilter{Namespace: ns2}, list)
			return err
		}},
		{"UpdateDataResource", func(ctx context.Context, s store.Store, called *bool) error {
			_, err := s.UpdateDataResource(ctx, ns2, "org", func(d *store.DataResource) error { *called = true; d.Description = "x"; return nil })
			return err
		}},
		{"DeleteDataResource", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.DeleteDataResource(ctx, ns2, "org")
		}},
		{"Changes", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.Changes(ctx, 0, 10)
			return err
		}},
		{"LastSeq", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.LastSeq(ctx)
			return err
		}},
		{"PruneChanges", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.PruneChanges(ctx, 2)
		}},
		{"PruneChangesOlderThan", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.PruneChangesOlderThan(ctx, time.Now().Add(time.Hour))
		}},
	}
	return append(calls, permissionCalls()...)
}

// seedPermissions adds what permissionCalls read and change: a grant on
// server, a membership, and policy "p" naming ns2 (not org, which
// DeleteDataResource removes) with one target.
func seedPermissions(t *testing.T, s store.Store) {
	t.Helper()
	addGrants(t, s, grant(ns2, alice, "server", "server:read"))
	addMembers(t, s, team, alice)
	createPolicy(t, s, newPolicy("p", "p"), store.PolicyRef{Namespace: ns2})
	require.NoError(t, s.AttachDataPolicies(t.Context(), []store.PolicyTarget{target("p", team)}))
}

func permissionCalls() []call {
	list := store.ListOptions{IncludeTotal: true}
	g := []store.Grant{grant(ns2, bob, "server", "server:write")}
	return []call{
		{"AddGrants", func(ctx context.Context, s store.Store, _ *bool) error { return s.AddGrants(ctx, g) }},
		{"RevokeGrants", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.RevokeGrants(ctx, []store.Grant{grant(ns2, alice, "server", "server:read")})
		}},
		{"ListGrants", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.ListGrants(ctx, store.GrantFilter{Namespace: ns2}, list)
			return err
		}},
		{"AddMembers", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.AddMembers(ctx, team, []store.Subject{bob}, store.MembershipOptions{MaxDepth: 8})
		}},
		{"RemoveMembers", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.RemoveMembers(ctx, team, []store.Subject{alice})
		}},
		{"ListMembers", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.ListMembers(ctx, team, list)
			return err
		}},
		{"ListMemberships", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.ListMemberships(ctx, alice, list)
			return err
		}},
		{"ListAllMemberships", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.ListAllMemberships(ctx, list)
			return err
		}},
		{"CreateDataPolicy", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.CreateDataPolicy(ctx, newPolicy("q", "q"), []store.PolicyRef{exactRef(ns2, "org", "product", "read")})
		}},
		{"GetDataPolicy", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.GetDataPolicy(ctx, "p")
			return err
		}},
		{"GetDataPolicyByName", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.GetDataPolicyByName(ctx, "p")
			return err
		}},
		{"ListDataPolicies", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.ListDataPolicies(ctx, store.DataPolicyFilter{Keyword: "p"}, list)
			return err
		}},
		{"UpdateDataPolicy", func(ctx context.Context, s store.Store, called *bool) error {
			_, err := s.UpdateDataPolicy(ctx, "p", func(p *store.DataPolicy) ([]store.PolicyRef, error) {
				*called = true
				p.Description = "x"
				return []store.PolicyRef{{Namespace: ns2}}, nil
			})
			return err
		}},
		{"DeleteDataPolicy", func(ctx context.Context, s store.Store, _ *bool) error { return s.DeleteDataPolicy(ctx, "p") }},
		{"AttachDataPolicies", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.AttachDataPolicies(ctx, []store.PolicyTarget{target("p", bob)})
		}},
		{"DetachDataPolicies", func(ctx context.Context, s store.Store, _ *bool) error {
			return s.DetachDataPolicies(ctx, []store.PolicyTarget{target("p", team)})
		}},
		{"ListDataPolicyTargets", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.ListDataPolicyTargets(ctx, "p", list)
			return err
		}},
		{"ListAllPolicyTargets", func(ctx context.Context, s store.Store, _ *bool) error {
			_, err := s.ListAllPolicyTargets(ctx, list)
			return err
		}},
	}
}

func (h harness) doneContext(t *testing.T) {
	dones := []struct {
		name string
		ctx  func(t *testing.T) context.Context
		want error
	}{
		{"cancelled", func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx
		}, context.Canceled},
		{"deadline passed", func(t *testing.T) context.Context {
			ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
			t.Cleanup(cancel)
			return ctx
		}, context.DeadlineExceeded},
	}
	for _, done := range dones {
		t.Run(done.name, func(t *testing.T) {
			for _, c := range storeCalls() {
				h.run(t, c.name+" returns the context error and writes nothing", func(t *testing.T, s store.Store) {
					createNamespaces(t, s, ns2, "empty")
					createResources(t, s, NewResource(ns2, "server"))
					createData(t, s, newTreeData(ns2, "org", "Org"))
					seedPermissions(t, s)
					before := TakeSnapshot(t, s)

					// The same call succeeds with a live context, so the
					// failure below comes from the done one.
					called := false
					err := c.do(done.ctx(t), s, &called)
					require.ErrorIs(t, err, done.want)
					require.False(t, called, "update function ran under a done context")
					requireUnchanged(t, s, before)
					require.NoError(t, c.do(t.Context(), s, &called))
				})
			}
		})
	}
}
