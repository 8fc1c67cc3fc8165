package resreg_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// renamedCase is c asked under namespace shop, which namespace app became:
// the same decision, with every matched permission naming shop.
func renamedCase(c decisionCase) decisionCase {
	if c.namespace != "" {
		return c // about another namespace, which the rename leaves alone
	}
	c.namespace = "shop"
	matches := c.matches
	c.matches = func(ids map[string]string) []resreg.Match {
		ms := slices.Clone(matches(ids)) // the fixture's closures share their slices
		for i := range ms {
			ms[i].Permission = store.RenamePermission(ms[i].Permission, "app", "shop")
		}
		return ms
	}
	return c
}

// requireNothingAllowed checks that c, asked under namespace ns, allows
// nothing: either ns does not exist or the check denies.
func requireNothingAllowed(t *testing.T, reg *resreg.Registry, ns string, c decisionCase) {
	t.Helper()
	ctx := context.Background()
	var allowed bool
	var err error
	if c.data {
		var res resreg.CheckPermissionResult
		res, err = reg.CheckPermission(ctx, resreg.CheckPermissionInput{Principal: c.who, NamespaceCode: ns, Action: c.action, Resources: []string{c.resource}})
		if err == nil {
			allowed = res.CheckResultList[0].Enabled
		}
	} else {
		allowed, err = reg.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: c.who, Namespace: ns, Resource: c.resource, Action: c.action})
	}
	if err != nil {
		require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)
	}
	require.False(t, allowed, "%s under %s", c.name, ns)
}

// After a rename every check answers under the new code as it did under
// the old one, and the old code names nothing: for the Registry that
// renamed, for another Registry on the same store that learns of the
// rename through the change log, and for one that loads its index after
// it; with the index loaded namespace by namespace and all at once.
func TestRenameKeepsDecisions(t *testing.T) {
	cases := decisionCases()
	ctx := context.Background()
	for _, mode := range []struct {
		name string
		opts []resreg.Option
	}{{"lazy", nil}, {"eager", []resreg.Option{resreg.WithEagerIndex()}}} {
		t.Run(mode.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, s store.Store) {
				writer, reader := resreg.New(s, mode.opts...), resreg.New(s, mode.opts...)
				ids := decisionFixture(t, writer, func() {})
				for _, reg := range []*resreg.Registry{writer, reader} {
					for _, c := range cases {
						checkDecision(t, reg, ids, c)
					}
				}

				ns, err := writer.UpdateNamespace(ctx, "app", resreg.NamespaceUpdate{NewCode: ptr("shop")})
				require.NoError(t, err)
				require.Equal(t, "shop", ns.Code)
				_, err = writer.GetNamespace(ctx, "app")
				require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)

				cold := resreg.New(s, mode.opts...)
				for name, reg := range map[string]*resreg.Registry{"writer": writer, "reader": reader, "cold": cold} {
					t.Run(name, func(t *testing.T) {
						for _, c := range cases {
							checkDecision(t, reg, ids, renamedCase(c))
							requireNothingAllowed(t, reg, "app", c)
						}
					})
				}

				// A new namespace under the old code starts empty: nothing
				// of what the index held under it is left.
				_, err = writer.CreateNamespace(ctx, resreg.Namespace{Code: "app"})
				require.NoError(t, err)
				for name, reg := range map[string]*resreg.Registry{"writer": writer, "reader": reader, "cold": cold} {
					t.Run(name+" after app is created again", func(t *testing.T) {
						for _, c := range cases {
							if c.namespace == "" {
								requireNothingAllowed(t, reg, "app", c)
							}
						}
					})
				}
			})
		})
	}
}

func TestUpdateNamespaceRenameErrors(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		for _, code := range []string{"app", "other"} {
			_, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: code, Name: code})
			require.NoError(t, err)
		}
		for _, c := range []struct {
			name, code, newCode string
			want                error
			field               string
		}{
			{"bad new code", "app", "a b", resreg.ErrInvalid, "newCode"},
			{"empty new code", "app", "", resreg.ErrInvalid, "newCode"},
			{"from the default namespace", resreg.DefaultNamespace, "x", resreg.ErrInvalid, "code"},
			{"to the default namespace", "app", resreg.DefaultNamespace, resreg.ErrInvalid, "newCode"},
			{"taken", "app", "other", resreg.ErrConflict, "newCode"},
			{"missing", "nope", "x", resreg.ErrNamespaceNotFound, "namespace"},
		} {
			_, err := reg.UpdateNamespace(ctx, c.code, resreg.NamespaceUpdate{NewCode: ptr(c.newCode)})
			require.ErrorIs(t, err, c.want, c.name)
			var e *resreg.Error
			require.True(t, errors.As(err, &e), c.name)
			require.Equal(t, c.field, e.Field, c.name)
		}

		// A NewCode equal to the code is no rename: an ordinary update.
		since, err := reg.LastSeq(ctx)
		require.NoError(t, err)
		ns, err := reg.UpdateNamespace(ctx, "app", resreg.NamespaceUpdate{NewCode: ptr("app"), Name: ptr("App")})
		require.NoError(t, err)
		require.Equal(t, "App", ns.Name)
		changes, err := reg.Changes(ctx, resreg.ChangesOptions{Since: since})
		require.NoError(t, err)
		require.Len(t, changes, 1)
		require.Equal(t, resreg.OpUpdate, changes[0].Op)

		// A rename with a new name: one change, found by either code.
		ns, err = reg.UpdateNamespace(ctx, "app", resreg.NamespaceUpdate{NewCode: ptr("shop"), Description: ptr("moved")})
		require.NoError(t, err)
		require.Equal(t, resreg.Namespace{Code: "shop", Name: "App", Description: "moved", CreatedAt: ns.CreatedAt, UpdatedAt: ns.UpdatedAt}, ns)
		for _, code := range []string{"app", "shop"} {
			changes, err := reg.Changes(ctx, resreg.ChangesOptions{Since: since + 1, Namespace: code})
			require.NoError(t, err)
			require.Len(t, changes, 1, code)
			require.Equal(t, []string{resreg.OpRename, "app", "shop"}, []string{changes[0].Op, changes[0].Namespace, changes[0].Key})
		}
	})
}

// A role of the renamed namespace is the same role under the new code: found
// by (new code, code), still assigned, still holding its grants and policy
// targets, in the namespace itself and elsewhere.
func TestRenameMovesRoles(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		for _, code := range []string{"app", "other"} {
			_, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: code})
			require.NoError(t, err)
			_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Namespace: code, Type: resreg.TypeAPI, Code: "books", Actions: []resreg.Action{{Name: "read", Description: "read"}}})
			require.NoError(t, err)
		}
		_, err := reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{NamespaceCode: "app", ResourceCode: "path", ResourceName: "Path",
			Type: resreg.DataString, Struct: resreg.StringStruct("/v1"), Actions: []string{"get"}})
		require.NoError(t, err)
		role, err := reg.CreateRole(ctx, resreg.RoleInput{Namespace: "app", Code: "ops", Name: "Operators"})
		require.NoError(t, err)
		user, err := reg.CreateUser(ctx, resreg.UserInput{Name: "Alice"})
		require.NoError(t, err)
		me := resreg.Principal{UserID: user.Subject.ID}
		require.NoError(t, reg.AssignRole(ctx, "app", "ops", user.Subject))
		ops := resreg.RoleSubject("app", "ops")
		for _, ns := range []string{"app", "other"} {
			require.NoError(t, reg.AuthorizeResources(ctx, resreg.AuthorizeResourcesInput{Namespace: ns, List: []resreg.AuthorizeItem{{
				TargetType: ops.Type, TargetIdentifiers: []string{ops.ID}, Resources: []resreg.ResourceActions{{Code: "books", Actions: []string{"read"}}}}}}))
		}
		p, err := reg.CreateDataPolicy(ctx, resreg.DataPolicyInput{PolicyName: "paths", StatementList: []resreg.Statement{{Effect: resreg.Allow, Permissions: []string{"app/path/get"}}}})
		require.NoError(t, err)
		require.NoError(t, reg.AuthorizeDataPolicies(ctx, resreg.AuthorizeDataPoliciesInput{PolicyIDs: []string{p.PolicyID}, TargetList: []resreg.Target{{ID: ops.ID, Type: ops.Type}}}))

		_, err = reg.UpdateNamespace(ctx, "app", resreg.NamespaceUpdate{NewCode: ptr("shop")})
		require.NoError(t, err)

		moved, err := reg.GetRole(ctx, "shop", "ops")
		require.NoError(t, err)
		want := role
		want.Subject, want.Namespace = resreg.RoleSubject("shop", "ops"), "shop"
		require.Equal(t, want, moved)
		_, err = reg.GetRole(ctx, "app", "ops")
		require.ErrorIs(t, err, resreg.ErrNotFound)
		for _, ns := range []string{"shop", "other"} {
			ok, err := reg.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: me, Namespace: ns, Resource: "books", Action: "read"})
			require.NoError(t, err)
			require.True(t, ok, "the user reads books in %s through the moved role", ns)
		}
		res, err := reg.CheckPermission(ctx, resreg.CheckPermissionInput{Principal: me, NamespaceCode: "shop", Action: "get", Resources: []string{"path"}})
		require.NoError(t, err)
		require.True(t, res.CheckResultList[0].Enabled, "the policy's target moved with the role and its statement with the namespace")
		got, err := reg.GetDataPolicy(ctx, p.PolicyID)
		require.NoError(t, err)
		require.Equal(t, []resreg.Statement{{Effect: resreg.Allow, Permissions: []string{"shop/path/get"}}}, got.StatementList)

		// The role is managed under the new code, and the old code is free
		// for a new role.
		require.NoError(t, reg.RevokeRole(ctx, "shop", "ops", user.Subject))
		ok, err := reg.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: me, Namespace: "other", Resource: "books", Action: "read"})
		require.NoError(t, err)
		require.False(t, ok)
		_, err = reg.CreateNamespace(ctx, resreg.Namespace{Code: "app"})
		require.NoError(t, err)
		_, err = reg.CreateRole(ctx, resreg.RoleInput{Namespace: "app", Code: "ops"})
		require.NoError(t, err)
	})
}
