package resreg_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

func TestDirectoryLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		permFixture(t, reg)

		u, err := reg.CreateUser(ctx, resreg.UserInput{Name: "Alice", Attributes: json.RawMessage(`{"email":"a@example.com"}`)})
		require.NoError(t, err)
		require.Equal(t, resreg.SubjectUser, u.Subject.Type)
		require.Len(t, u.Subject.ID, 32)
		got, err := reg.GetUser(ctx, u.Subject.ID)
		require.NoError(t, err)
		require.Equal(t, u, got)

		role, err := reg.CreateRole(ctx, resreg.RoleInput{Namespace: "app", Code: "admin", Description: "Admins"})
		require.NoError(t, err)
		require.Equal(t, resreg.Role("admin@app"), role.Subject)
		require.Equal(t, "app", role.Namespace)
		_, err = reg.CreateRole(ctx, resreg.RoleInput{Code: "admin"})
		require.NoError(t, err, "a role code is unique per namespace only")
		_, err = reg.CreateRole(ctx, resreg.RoleInput{Namespace: "app", Code: "admin"})
		require.ErrorIs(t, err, resreg.ErrConflict)

		require.NoError(t, reg.AssignRole(ctx, "app", "admin", u.Subject, resreg.Department("sales")))
		members, err := reg.ListMembers(ctx, resreg.RoleSubject("app", "admin"), resreg.ListOptions{})
		require.NoError(t, err)
		require.Equal(t, []resreg.Subject{resreg.Department("sales"), u.Subject}, members.Items)

		_, err = reg.CreateGroup(ctx, resreg.GroupInput{Code: "devs", Name: "Developers"})
		require.NoError(t, err)
		require.NoError(t, reg.AddGroupMembers(ctx, "devs", u.Subject.ID))
		require.NoError(t, reg.AuthorizeResources(ctx, grantInput(resreg.SubjectGroup, []string{"devs"}, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}})))

		require.NoError(t, reg.RevokeRole(ctx, "app", "admin", resreg.Department("sales")))
		require.NoError(t, reg.RemoveGroupMembers(ctx, "devs", u.Subject.ID))
		parents, err := reg.ListMemberships(ctx, u.Subject, resreg.ListOptions{})
		require.NoError(t, err)
		require.Equal(t, []resreg.Subject{resreg.RoleSubject("app", "admin")}, parents.Items)

		require.NoError(t, reg.DeleteGroups(ctx, []string{"devs"}))
		grants, err := reg.Store().ListGrants(ctx, store.GrantFilter{Namespace: "app", Subject: &resreg.Subject{Type: resreg.SubjectGroup, ID: "devs"}}, store.ListOptions{})
		require.NoError(t, err)
		require.Empty(t, grants.Items, "deleting a group removes its grants")
		require.NoError(t, reg.DeleteRoles(ctx, "app", []string{"admin"}))
		require.NoError(t, reg.DeleteUsers(ctx, []string{u.Subject.ID}))
		_, err = reg.GetUser(ctx, u.Subject.ID)
		require.ErrorIs(t, err, resreg.ErrNotFound)
		_, err = reg.GetRole(ctx, "", "admin")
		require.NoError(t, err, "the default namespace's admin role is another role")
	})
}

func TestDirectoryErrors(t *testing.T) {
	ctx := context.Background()
	forEachStore(t, func(t *testing.T, s store.Store) {
		reg := resreg.New(s, resreg.WithLimits(resreg.Limits{MaxBatch: 2}))
		_, err := reg.CreateRole(ctx, resreg.RoleInput{Code: "r"})
		require.NoError(t, err)
		_, err = reg.CreateGroup(ctx, resreg.GroupInput{Code: "g"})
		require.NoError(t, err)
		before := storetestLastSeq(t, s)
		for _, tc := range []struct {
			name     string
			call     func() error
			sentinel error
			field    string
		}{
			{"unknown user", func() error { _, err := reg.GetUser(ctx, "nobody"); return err }, resreg.ErrNotFound, ""},
			{"blank user id", func() error { _, err := reg.GetUser(ctx, " "); return err }, resreg.ErrInvalid, "userId"},
			{"attributes not an object", func() error {
				_, err := reg.CreateUser(ctx, resreg.UserInput{Attributes: json.RawMessage(`[1]`)})
				return err
			}, resreg.ErrInvalid, "attributes"},
			{"attributes too large", func() error {
				_, err := reg.CreateUser(ctx, resreg.UserInput{Attributes: json.RawMessage(`{"a":"` + strings.Repeat("x", resreg.MaxAttributesBytes) + `"}`)})
				return err
			}, resreg.ErrInvalid, "attributes"},
			{"role in a missing namespace", func() error {
				_, err := reg.CreateRole(ctx, resreg.RoleInput{Namespace: "nowhere", Code: "r"})
				return err
			}, resreg.ErrNamespaceNotFound, "namespace"},
			{"bad role code", func() error { _, err := reg.CreateRole(ctx, resreg.RoleInput{Code: "a@b"}); return err }, resreg.ErrInvalid, "code"},
			{"assign to an unknown role", func() error { return reg.AssignRole(ctx, "", "nope", resreg.Department("d")) }, resreg.ErrNotFound, ""},
			{"assign an unknown user", func() error { return reg.AssignRole(ctx, "", "r", resreg.User("ghost")) }, resreg.ErrNotFound, "targets[0]"},
			{"assign to a group", func() error { return reg.AssignRole(ctx, "", "r", resreg.Group("g")) }, resreg.ErrInvalid, "targets[0].targetType"},
			{"too many targets", func() error {
				return reg.AssignRole(ctx, "", "r", resreg.Department("a"), resreg.Department("b"), resreg.Department("c"))
			}, resreg.ErrInvalid, "targets[2]"},
			{"unknown group member", func() error { return reg.AddGroupMembers(ctx, "g", "ghost") }, resreg.ErrNotFound, "userIds[0]"},
			{"no group members", func() error { return reg.AddGroupMembers(ctx, "g") }, resreg.ErrInvalid, "userIds"},
			{"unknown group", func() error { return reg.RemoveGroupMembers(ctx, "nope", "u") }, resreg.ErrNotFound, ""},
			{"delete unknown users", func() error { return reg.DeleteUsers(ctx, []string{"ghost"}) }, resreg.ErrNotFound, ""},
			{"delete nothing", func() error { return reg.DeleteGroups(ctx, nil) }, resreg.ErrInvalid, "codeList"},
			{"delete too many", func() error { return reg.DeleteRoles(ctx, "", []string{"r", "s", "t"}) }, resreg.ErrInvalid, "codeList[2]"},
			{"delete a role and a missing one", func() error { return reg.DeleteRoles(ctx, "", []string{"r", "s"}) }, resreg.ErrNotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.call()
				require.ErrorIs(t, err, tc.sentinel)
				var se *store.Error
				require.ErrorAs(t, err, &se)
				require.Equal(t, tc.field, se.Field)
			})
		}
		require.Equal(t, before, storetestLastSeq(t, s), "a refused call wrote")
		_, err = reg.GetRole(ctx, "", "r")
		require.NoError(t, err, "a refused batch delete removed a role")
	})
}

func storetestLastSeq(t *testing.T, s store.Store) int64 {
	t.Helper()
	n, err := s.LastSeq(context.Background())
	require.NoError(t, err)
	return n
}

// TestDirectoryDeleteReachesChecks checks that the grants and memberships a
// delete removes by cascade stop counting in the checks at once.
func TestDirectoryDeleteReachesChecks(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		permFixture(t, reg)
		u, err := reg.CreateUser(ctx, resreg.UserInput{})
		require.NoError(t, err)
		_, err = reg.CreateGroup(ctx, resreg.GroupInput{Code: "devs"})
		require.NoError(t, err)
		_, err = reg.CreateRole(ctx, resreg.RoleInput{Namespace: "app", Code: "ops"})
		require.NoError(t, err)
		require.NoError(t, reg.AddGroupMembers(ctx, "devs", u.Subject.ID))
		require.NoError(t, reg.AssignRole(ctx, "app", "ops", u.Subject))
		require.NoError(t, reg.AuthorizeResources(ctx, grantInput(resreg.SubjectGroup, []string{"devs"}, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}})))
		require.NoError(t, reg.AuthorizeResources(ctx, grantInput(resreg.SubjectRole, []string{resreg.RoleID("app", "ops")}, resreg.ResourceActions{Code: "books", Actions: []string{"read"}})))
		ask := func(resource, action string) bool {
			ok, err := reg.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: resreg.Principal{UserID: u.Subject.ID}, Namespace: "app", Resource: resource, Action: action})
			require.NoError(t, err)
			return ok
		}
		require.True(t, ask("ecs", "ecs:Start"))
		require.True(t, ask("books", "read"))
		require.NoError(t, reg.DeleteGroups(ctx, []string{"devs"}))
		require.False(t, ask("ecs", "ecs:Start"), "the deleted group's grant still counts")
		require.True(t, ask("books", "read"))
		require.NoError(t, reg.DeleteRoles(ctx, "app", []string{"ops"}))
		require.False(t, ask("books", "read"), "the deleted role still counts")
	})
}

func TestRequireUser(t *testing.T) {
	ctx := context.Background()
	for _, staleness := range []time.Duration{0, time.Hour} {
		t.Run(staleness.String(), func(t *testing.T) {
			s := memstore.New()
			reg := resreg.New(s, resreg.WithCheckStaleness(staleness))
			u, err := reg.CreateUser(ctx, resreg.UserInput{})
			require.NoError(t, err)
			require.NoError(t, reg.RequireUser(ctx, u.Subject.ID))
			require.NoError(t, reg.RequireUser(ctx, u.Subject.ID))
			err = reg.RequireUser(ctx, "ghost")
			require.ErrorIs(t, err, resreg.ErrNotFound)
			var se *resreg.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, "userId", se.Field)
			require.ErrorIs(t, reg.RequireUser(ctx, " "), resreg.ErrInvalid)

			// A delete by another Registry on the same store shows at once
			// in consistent mode and within the staleness otherwise.
			other := resreg.New(s)
			v, err := reg.CreateUser(ctx, resreg.UserInput{})
			require.NoError(t, err)
			require.NoError(t, reg.RequireUser(ctx, v.Subject.ID))
			require.NoError(t, other.DeleteUsers(ctx, []string{v.Subject.ID}))
			if staleness == 0 {
				require.ErrorIs(t, reg.RequireUser(ctx, v.Subject.ID), resreg.ErrNotFound)
			} else {
				require.NoError(t, reg.RequireUser(ctx, v.Subject.ID), "remembered for the staleness")
			}

			// Its own delete shows at once either way.
			require.NoError(t, reg.DeleteUsers(ctx, []string{u.Subject.ID}))
			require.ErrorIs(t, reg.RequireUser(ctx, u.Subject.ID), resreg.ErrNotFound)
		})
	}
}
