package resreg_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

// policyRegistry is a registry on s with a clock and numbered IDs.
func policyRegistry(t *testing.T, s store.Store, now *time.Time) *resreg.Registry {
	t.Helper()
	n := 0
	reg := resreg.New(s,
		resreg.WithClock(func() time.Time { return *now }),
		resreg.WithIDGenerator(func() string { n++; return "id" + strconv.Itoa(n) }))
	permFixture(t, reg)
	return reg
}

func TestDataPolicyCRUD(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		reg := policyRegistry(t, s, &now)

		in := resreg.DataPolicyInput{PolicyName: "Product team", Description: "Sees the product branch", StatementList: []resreg.Statement{
			{Effect: resreg.Allow, Permissions: []string{"app/org/product/*", "app/org/product/design/update"}},
			{Effect: resreg.Deny, Permissions: []string{"app/org/researchAndDevelopment/get", "app/*/delete", "app/ca*/open"}},
		}}
		p, err := reg.CreateDataPolicy(ctx, in)
		require.NoError(t, err)
		require.NotEmpty(t, p.PolicyID)
		require.Equal(t, "Product team", p.PolicyName)
		require.Equal(t, in.StatementList, p.StatementList)
		require.Equal(t, now, p.CreatedAt)
		require.Equal(t, now, p.UpdatedAt)

		in.StatementList[0].Permissions[0] = "changed/by/caller"
		got, err := reg.GetDataPolicy(ctx, p.PolicyID)
		require.NoError(t, err)
		require.Equal(t, p, got, "the policy was copied on the way in")

		exists, err := reg.DataPolicyExists(ctx, "Product team")
		require.NoError(t, err)
		require.True(t, exists)
		exists, err = reg.DataPolicyExists(ctx, "product team")
		require.NoError(t, err)
		require.False(t, exists, "names are compared exactly")

		_, err = reg.CreateDataPolicy(ctx, policyInput("Product team", "app/path/get"))
		requireField(t, err, resreg.ErrConflict, "policyName")

		other, err := reg.CreateDataPolicy(ctx, resreg.DataPolicyInput{PolicyName: "Cards", Description: "door PRODUCT access", StatementList: []resreg.Statement{{Effect: resreg.Allow, Permissions: []string{"app/card/open"}}}})
		require.NoError(t, err)
		third, err := reg.CreateDataPolicy(ctx, policyInput("Access", "app/path/get"))
		require.NoError(t, err)

		names := func(f resreg.DataPolicyFilter) []string {
			page, err := reg.ListDataPolicies(ctx, f, resreg.ListOptions{})
			require.NoError(t, err)
			var out []string
			for _, p := range page.Items {
				out = append(out, p.PolicyName)
			}
			return out
		}
		require.Equal(t, []string{"Access", "Cards", "Product team"}, names(resreg.DataPolicyFilter{}), "ordered by name")
		require.Equal(t, []string{"Cards", "Product team"}, names(resreg.DataPolicyFilter{Keyword: "product"}), "keyword in name or description")

		now = now.Add(time.Hour)
		upd, err := reg.UpdateDataPolicy(ctx, other.PolicyID, resreg.DataPolicyUpdate{PolicyName: ptr("Door cards")})
		require.NoError(t, err)
		require.Equal(t, "Door cards", upd.PolicyName)
		require.Equal(t, other.StatementList, upd.StatementList, "nil fields stay")
		require.Equal(t, other.CreatedAt, upd.CreatedAt)
		require.Equal(t, now, upd.UpdatedAt)
		_, err = reg.UpdateDataPolicy(ctx, other.PolicyID, resreg.DataPolicyUpdate{PolicyName: ptr("Access")})
		requireField(t, err, resreg.ErrConflict, "policyName")

		upd, err = reg.UpdateDataPolicy(ctx, third.PolicyID, resreg.DataPolicyUpdate{StatementList: &[]resreg.Statement{{Effect: resreg.Deny, Permissions: []string{"app/org/*"}}}})
		require.NoError(t, err)
		require.Equal(t, []resreg.Statement{{Effect: resreg.Deny, Permissions: []string{"app/org/*"}}}, upd.StatementList)

		require.NoError(t, reg.DeleteDataPolicy(ctx, third.PolicyID))
		_, err = reg.GetDataPolicy(ctx, third.PolicyID)
		require.ErrorIs(t, err, resreg.ErrNotFound)
		require.ErrorIs(t, reg.DeleteDataPolicy(ctx, third.PolicyID), resreg.ErrNotFound)
	})
}

func TestDataPolicyPins(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		reg := policyRegistry(t, s, &now)
		exact, err := reg.CreateDataPolicy(ctx, policyInput("exact", "app/org/product/design/update", "app/card/open"))
		require.NoError(t, err)
		_, err = reg.CreateDataPolicy(ctx, policyInput("patterns", "app/org/product/*/get", "app/pa*/get", "app/org/*/delete"))
		require.NoError(t, err)
		withTree := func(roots ...resreg.TreeNode) resreg.DataResourceUpdate {
			st := resreg.TreeStruct(roots...)
			return resreg.DataResourceUpdate{Struct: &st}
		}

		// Removing the pinned node, or an ancestor of it, or the pinned
		// action, or the data resource, is a conflict naming the policy.
		for name, upd := range map[string]resreg.DataResourceUpdate{
			"node":     withTree(resreg.Node("product", "Product", "product", resreg.Node("productManager", "PM", "pm")), resreg.Node("researchAndDevelopment", "R&D", "rd")),
			"ancestor": withTree(resreg.Node("researchAndDevelopment", "R&D", "rd")),
			"action":   {Actions: &[]string{"get", "delete"}},
		} {
			before := storetest.TakeSnapshot(t, s)
			_, err := reg.UpdateDataResource(ctx, "app", "org", upd)
			require.ErrorIs(t, err, resreg.ErrConflict, name)
			var e *resreg.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, []string{exact.PolicyID}, e.Codes, name)
			require.Equal(t, before, storetest.TakeSnapshot(t, s), name)
		}
		err = reg.DeleteDataResource(ctx, "app", "card")
		require.ErrorIs(t, err, resreg.ErrConflict)
		require.ErrorIs(t, reg.DeleteNamespace(ctx, "app"), resreg.ErrConflict)

		// Patterns pin nothing: "path" and the get action go freely.
		require.NoError(t, reg.DeleteDataResource(ctx, "app", "path"))
		_, err = reg.UpdateDataResource(ctx, "app", "org", resreg.DataResourceUpdate{Actions: &[]string{"update", "delete"}})
		require.NoError(t, err)

		// Once the exact permission is gone, so is the pin.
		_, err = reg.UpdateDataPolicy(ctx, exact.PolicyID, resreg.DataPolicyUpdate{StatementList: &[]resreg.Statement{{Effect: resreg.Allow, Permissions: []string{"app/card/open"}}}})
		require.NoError(t, err)
		_, err = reg.UpdateDataResource(ctx, "app", "org", withTree(resreg.Node("researchAndDevelopment", "R&D", "rd")))
		require.NoError(t, err)

		// Renaming a policy keeps its pins.
		_, err = reg.UpdateDataPolicy(ctx, exact.PolicyID, resreg.DataPolicyUpdate{PolicyName: ptr("renamed")})
		require.NoError(t, err)
		require.ErrorIs(t, reg.DeleteDataResource(ctx, "app", "card"), resreg.ErrConflict)
		require.NoError(t, reg.DeleteDataPolicy(ctx, exact.PolicyID))
		require.NoError(t, reg.DeleteDataResource(ctx, "app", "card"))
	})
}

func TestPolicyTargets(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		reg := policyRegistry(t, s, &now)
		p1, err := reg.CreateDataPolicy(ctx, policyInput("one", "app/org/get"))
		require.NoError(t, err)
		p2, err := reg.CreateDataPolicy(ctx, policyInput("two", "app/card/open"))
		require.NoError(t, err)

		in := resreg.AuthorizeDataPoliciesInput{PolicyIDs: []string{p1.PolicyID, p2.PolicyID}, TargetList: []resreg.Target{
			{ID: "u1", Type: "USER", Name: "Ann"}, {ID: "sales", Type: "ORG", Name: "Sales"}, {ID: "admin", Type: "ROLE"},
		}}
		require.NoError(t, reg.AuthorizeDataPolicies(ctx, in))
		snap := storetest.TakeSnapshot(t, s)
		require.NoError(t, reg.AuthorizeDataPolicies(ctx, in))
		require.Equal(t, snap, storetest.TakeSnapshot(t, s), "attaching again changes nothing")

		list := func(id string) []resreg.PolicyTarget {
			page, err := reg.ListDataPolicyTargets(ctx, id, resreg.ListOptions{})
			require.NoError(t, err)
			return page.Items
		}
		want := []resreg.PolicyTarget{
			{PolicyID: p1.PolicyID, Subject: resreg.Department("sales"), Name: "Sales", CreatedAt: now},
			{PolicyID: p1.PolicyID, Subject: resreg.Role("admin"), CreatedAt: now},
			{PolicyID: p1.PolicyID, Subject: resreg.User("u1"), Name: "Ann", CreatedAt: now},
		}
		require.Equal(t, want, list(p1.PolicyID), "ORG is read as DEPARTMENT; ordered by type, then ID")

		require.NoError(t, reg.RevokeDataPolicy(ctx, resreg.RevokeDataPolicyInput{PolicyID: p1.PolicyID, TargetList: []resreg.Target{{ID: "sales", Type: "DEPARTMENT"}, {ID: "nobody", Type: "USER"}}}))
		require.Equal(t, want[1:], list(p1.PolicyID))
		require.Len(t, list(p2.PolicyID), 3, "revoking one policy leaves the others")

		require.NoError(t, reg.DeleteDataPolicy(ctx, p2.PolicyID))
		_, err = reg.ListDataPolicyTargets(ctx, p2.PolicyID, resreg.ListOptions{})
		require.ErrorIs(t, err, resreg.ErrNotFound)
		require.Len(t, storetest.TakeSnapshot(t, s).Targets, 2, "deleting a policy detaches it")

		small := resreg.New(s, resreg.WithLimits(resreg.Limits{MaxPolicyTargetsPerCall: 2}))
		err = small.AuthorizeDataPolicies(ctx, resreg.AuthorizeDataPoliciesInput{PolicyIDs: []string{p1.PolicyID}, TargetList: in.TargetList})
		requireField(t, err, resreg.ErrInvalid, "targetList")
	})
}

func TestMemberships(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		require.NoError(t, reg.AddMembers(ctx, resreg.Department("sales"), resreg.Group("staff"), resreg.User("u2"), resreg.Role("seller")))
		require.NoError(t, reg.AddMembers(ctx, resreg.Group("staff"), resreg.User("u1")))
		snap := storetest.TakeSnapshot(t, s)
		require.NoError(t, reg.AddMembers(ctx, resreg.Group("staff"), resreg.User("u1")))
		require.NoError(t, reg.AddMembers(ctx, resreg.Group("staff")))
		require.Equal(t, snap, storetest.TakeSnapshot(t, s), "adding an existing membership, or none, changes nothing")

		members, err := reg.ListMembers(ctx, resreg.Department("sales"), resreg.ListOptions{})
		require.NoError(t, err)
		require.Equal(t, []resreg.Subject{resreg.Group("staff"), resreg.Role("seller"), resreg.User("u2")}, members.Items, "ordered by type, then ID")
		parents, err := reg.ListMemberships(ctx, resreg.User("u1"), resreg.ListOptions{})
		require.NoError(t, err)
		require.Equal(t, []resreg.Subject{resreg.Group("staff")}, parents.Items, "direct parents only")

		// A cycle through two edges is refused.
		err = reg.AddMembers(ctx, resreg.Group("staff"), resreg.Role("x"), resreg.Department("sales"))
		requireField(t, err, resreg.ErrInvalid, "members[1]")
		require.Equal(t, snap, storetest.TakeSnapshot(t, s), "all or nothing")

		require.NoError(t, reg.RemoveMembers(ctx, resreg.Department("sales"), resreg.User("u2"), resreg.User("never")))
		members, err = reg.ListMembers(ctx, resreg.Department("sales"), resreg.ListOptions{})
		require.NoError(t, err)
		require.Equal(t, []resreg.Subject{resreg.Group("staff"), resreg.Role("seller")}, members.Items)
	})
}

func TestMembershipDepth(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		require.Equal(t, 8, reg.Limits().MaxMembershipDepth)
		// g0 > g1 > ... > g8 is a chain of 8 edges: allowed.
		for i := range 8 {
			require.NoError(t, reg.AddMembers(ctx, resreg.Group("g"+strconv.Itoa(i)), resreg.Group("g"+strconv.Itoa(i+1))))
		}
		before := storetest.TakeSnapshot(t, s)
		err := reg.AddMembers(ctx, resreg.Group("g8"), resreg.User("u"))
		requireField(t, err, resreg.ErrInvalid, "members[0]")
		err = reg.AddMembers(ctx, resreg.Role("top"), resreg.Group("g0"))
		requireField(t, err, resreg.ErrInvalid, "members[0]")
		require.Equal(t, before, storetest.TakeSnapshot(t, s))

		shallow := resreg.New(s, resreg.WithLimits(resreg.Limits{MaxMembershipDepth: 9}))
		require.NoError(t, shallow.AddMembers(ctx, resreg.Group("g8"), resreg.User("u")))
	})
}
