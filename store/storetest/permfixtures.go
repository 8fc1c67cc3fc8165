package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// Subjects of the permission tests.
var (
	alice   = store.Subject{Type: store.SubjectUser, ID: "alice@example.com"}
	bob     = store.Subject{Type: store.SubjectUser, ID: "bob"}
	admins  = store.Subject{Type: store.SubjectRole, ID: "admins"}
	editors = store.Subject{Type: store.SubjectRole, ID: "editors"}
	team    = store.Subject{Type: store.SubjectGroup, ID: "team"}
	sales   = store.Subject{Type: store.SubjectDepartment, ID: "sales"}
)

// grant returns an ALLOW grant created at(7).
func grant(ns string, who store.Subject, code, action string) store.Grant {
	return store.Grant{Namespace: ns, Subject: who, ResourceCode: code, Action: action, Effect: store.EffectAllow, CreatedAt: at(7)}
}

func deny(g store.Grant) store.Grant {
	g.Effect = store.EffectDeny
	return g
}

func addGrants(t *testing.T, s store.Store, gs ...store.Grant) {
	t.Helper()
	require.NoError(t, s.AddGrants(t.Context(), gs))
}

func grantLister(s store.Store, f store.GrantFilter) lister[store.Grant] {
	return func(ctx context.Context, o store.ListOptions) (store.Page[store.Grant], error) {
		return s.ListGrants(ctx, f, o)
	}
}

func allGrants(t *testing.T, s store.Store, f store.GrantFilter) []store.Grant {
	t.Helper()
	return listAll(t, grantLister(s, f))
}

func memberLister(s store.Store, parent store.Subject) lister[store.Subject] {
	return func(ctx context.Context, o store.ListOptions) (store.Page[store.Subject], error) {
		return s.ListMembers(ctx, parent, o)
	}
}

func membershipLister(s store.Store, member store.Subject) lister[store.Subject] {
	return func(ctx context.Context, o store.ListOptions) (store.Page[store.Subject], error) {
		return s.ListMemberships(ctx, member, o)
	}
}

func addMembers(t *testing.T, s store.Store, parent store.Subject, members ...store.Subject) {
	t.Helper()
	require.NoError(t, s.AddMembers(t.Context(), parent, members, store.MembershipOptions{}))
}

// edges returns the memberships of the store as parent/member pairs,
// without their times (which the store sets).
func edges(t *testing.T, s store.Store) [][2]store.Subject {
	t.Helper()
	var out [][2]store.Subject
	for _, m := range listAll(t, s.ListAllMemberships) {
		out = append(out, [2]store.Subject{m.Parent, m.Member})
	}
	return out
}

func policyLister(s store.Store, f store.DataPolicyFilter) lister[store.DataPolicy] {
	return func(ctx context.Context, o store.ListOptions) (store.Page[store.DataPolicy], error) {
		return s.ListDataPolicies(ctx, f, o)
	}
}

func allPolicies(t *testing.T, s store.Store) []store.DataPolicy {
	t.Helper()
	return listAll(t, policyLister(s, store.DataPolicyFilter{}))
}

func targetLister(s store.Store, policyID string) lister[store.PolicyTarget] {
	return func(ctx context.Context, o store.ListOptions) (store.Page[store.PolicyTarget], error) {
		return s.ListDataPolicyTargets(ctx, policyID, o)
	}
}

// newPolicy returns a policy with two statements, times with nanoseconds.
func newPolicy(id, name string) store.DataPolicy {
	return store.DataPolicy{
		ID:          id,
		Name:        name,
		Description: "describes " + name,
		Statements: []store.Statement{
			{Effect: store.EffectAllow, Permissions: []string{"default/org/product/read", "default/org/*/write"}},
			{Effect: store.EffectDeny, Permissions: []string{"default/api/read"}},
		},
		CreatedAt: at(8),
		UpdatedAt: at(9),
	}
}

// exactRef is an exact ref at statement 0, permission 0.
func exactRef(ns, code, nodePath, action string) store.PolicyRef {
	return store.PolicyRef{Namespace: ns, ResourceCode: code, NodePath: nodePath, Action: action, Exact: true}
}

// patternRef is a ref whose node segments hold a wildcard: it names the
// data resource and the action but pins nothing.
func patternRef(ns, code, action string) store.PolicyRef {
	return store.PolicyRef{Namespace: ns, ResourceCode: code, Action: action}
}

func createPolicy(t *testing.T, s store.Store, p store.DataPolicy, refs ...store.PolicyRef) {
	t.Helper()
	require.NoError(t, s.CreateDataPolicy(t.Context(), p, refs), "create policy %q", p.ID)
}

func target(policyID string, who store.Subject) store.PolicyTarget {
	return store.PolicyTarget{PolicyID: policyID, Subject: who, Name: "name of " + who.ID, CreatedAt: at(10)}
}
