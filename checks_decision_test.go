package resreg_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

var (
	alice  = resreg.User("alice")
	bob    = resreg.User("bob")
	carol  = resreg.User("carol")
	staff  = resreg.Group("staff")
	ops    = resreg.Group("ops")
	editor = resreg.Role("editor")
	org    = resreg.Department("org")
)

// decisionFixture fills namespace "app": resources books (read, write),
// orders (read), ecs (start, stop); a 6-level TREE t1 (a/b/c/d/e/f, x,
// a/bb), a STRING s1 and an ARRAY arr; alice in staff in editor in org
// (three deep), carol in ops; grants and policies the decision table names.
// It returns the policy IDs by name.
func decisionFixture(t *testing.T, reg *resreg.Registry, afterNamespace func()) map[string]string {
	t.Helper()
	ctx := context.Background()
	_, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "app"})
	require.NoError(t, err)
	afterNamespace()
	acts := func(names ...string) []resreg.Action {
		var out []resreg.Action
		for _, n := range names {
			out = append(out, resreg.Action{Name: n, Description: n})
		}
		return out
	}
	for _, in := range []resreg.CreateResourceInput{
		{Namespace: "app", Type: resreg.TypeAPI, Code: "books", Actions: acts("read", "write")},
		{Namespace: "app", Type: resreg.TypeAPI, Code: "orders", Actions: acts("read")},
		{Namespace: "app", Type: resreg.TypeAPI, Code: "ecs", Actions: acts("start", "stop")},
	} {
		_, err := reg.CreateResource(ctx, in)
		require.NoError(t, err)
	}
	n := resreg.Node
	for _, in := range []resreg.CreateDataResourceInput{
		{NamespaceCode: "app", ResourceCode: "t1", ResourceName: "Tree", Type: resreg.DataTree, Actions: []string{"get", "put", "del"},
			Struct: resreg.TreeStruct(
				n("a", "A", "", n("b", "B", "", n("c", "C", "", n("d", "D", "", n("e", "E", "", n("f", "F", ""))))), n("bb", "BB", "")),
				n("x", "X", ""))},
		{NamespaceCode: "app", ResourceCode: "s1", ResourceName: "String", Type: resreg.DataString, Struct: resreg.StringStruct("v"), Actions: []string{"get"}},
		{NamespaceCode: "app", ResourceCode: "arr", ResourceName: "Array", Type: resreg.DataArray, Struct: resreg.ArrayStruct("i1"), Actions: []string{"open"}},
	} {
		_, err := reg.CreateDataResource(ctx, in)
		require.NoError(t, err)
	}
	require.NoError(t, reg.AddMembers(ctx, staff, alice))
	require.NoError(t, reg.AddMembers(ctx, editor, staff))
	require.NoError(t, reg.AddMembers(ctx, org, editor))
	require.NoError(t, reg.AddMembers(ctx, ops, carol))

	grant := func(s resreg.Subject, code string, effect resreg.Effect, actions ...string) {
		require.NoError(t, reg.AuthorizeResources(ctx, resreg.AuthorizeResourcesInput{Namespace: "app", List: []resreg.AuthorizeItem{{
			TargetType: s.Type, TargetIdentifiers: []string{s.ID},
			Resources: []resreg.ResourceActions{{Code: code, Actions: actions, Effect: effect}}}}}))
	}
	grant(org, "books", resreg.Allow, "read")
	grant(staff, "*", resreg.Allow, "*")
	grant(editor, "orders", resreg.Deny, "read")
	grant(alice, "books", resreg.Deny, "write")
	grant(bob, "ecs", resreg.Allow, "start", "stop")
	grant(bob, "ecs", resreg.Deny, "stop")
	grant(ops, "ecs", resreg.Allow, "*")
	grant(carol, "*", resreg.Deny, "start")

	ids := map[string]string{}
	policy := func(name string, to resreg.Subject, st ...resreg.Statement) {
		p, err := reg.CreateDataPolicy(ctx, resreg.DataPolicyInput{PolicyName: name, StatementList: st})
		require.NoError(t, err)
		ids[name] = p.PolicyID
		require.NoError(t, reg.AuthorizeDataPolicies(ctx, resreg.AuthorizeDataPoliciesInput{
			PolicyIDs: []string{p.PolicyID}, TargetList: []resreg.Target{{ID: to.ID, Type: to.Type}}}))
	}
	allow := func(perms ...string) resreg.Statement {
		return resreg.Statement{Effect: resreg.Allow, Permissions: perms}
	}
	deny := func(perms ...string) resreg.Statement {
		return resreg.Statement{Effect: resreg.Deny, Permissions: perms}
	}
	policy("p-tree", org, allow("app/t1/a/get"), deny("app/t1/a/b/c/d/e/get"))
	policy("p-wild", alice, allow("app/t*/*/b*/put", "app/s1/*"))
	policy("p-root", bob, allow("app/t1/del"))
	policy("p-bobdeny", bob, deny("app/t1/a/b/c/del"))
	policy("p-arr", ops, allow("app/arr/open"))
	policy("p-s1deny", carol, deny("app/s1/get"))
	return ids
}

type decisionCase struct {
	name      string
	who       resreg.Principal
	data      bool // a CheckPermission of a data resource, else IsActionAllowed
	resource  string
	action    string
	allowed   bool
	matches   func(ids map[string]string) []resreg.Match
	namespace string
}

func grantMatch(s resreg.Subject, perm string, e resreg.Effect, via ...resreg.Subject) resreg.Match {
	return resreg.Match{Subject: s, Via: via, Permission: perm, Effect: e}
}

func policyMatch(policy string, s resreg.Subject, perm string, e resreg.Effect, via ...resreg.Subject) func(map[string]string) resreg.Match {
	return func(ids map[string]string) resreg.Match {
		return resreg.Match{Subject: s, Via: via, PolicyID: ids[policy], Permission: perm, Effect: e}
	}
}

func grants(ms ...resreg.Match) func(map[string]string) []resreg.Match {
	return func(map[string]string) []resreg.Match { return ms }
}

func policies(ms ...func(map[string]string) resreg.Match) func(map[string]string) []resreg.Match {
	return func(ids map[string]string) []resreg.Match {
		var out []resreg.Match
		for _, m := range ms {
			out = append(out, m(ids))
		}
		return out
	}
}

func decisionCases() []decisionCase {
	me := resreg.Principal{UserID: "alice"}
	bobP := resreg.Principal{UserID: "bob"}
	carolP := resreg.Principal{UserID: "carol"}
	A, D := resreg.Allow, resreg.Deny
	aliceChain := []resreg.Subject{alice, staff, editor}
	return []decisionCase{
		// General resources.
		{name: "grant three memberships up", who: me, resource: "books", action: "read", allowed: true, matches: grants(
			grantMatch(org, "app/books/read", A, aliceChain...), grantMatch(staff, "app/*/*", A, alice))},
		{name: "own deny beats a group's wildcard allow", who: me, resource: "books", action: "write", matches: grants(
			grantMatch(alice, "app/books/write", D), grantMatch(staff, "app/*/*", A, alice))},
		{name: "role deny two levels up beats allow", who: me, resource: "orders", action: "read", matches: grants(
			grantMatch(editor, "app/orders/read", D, alice, staff), grantMatch(staff, "app/*/*", A, alice))},
		{name: "wildcard resource and action", who: me, resource: "ecs", action: "start", allowed: true, matches: grants(
			grantMatch(staff, "app/*/*", A, alice))},
		{name: "undeclared action", who: me, resource: "books", action: "delete", matches: grants()},
		{name: "unknown resource", who: me, resource: "nope", action: "read", matches: grants()},
		{name: "direct grant", who: bobP, resource: "ecs", action: "start", allowed: true, matches: grants(
			grantMatch(bob, "app/ecs/start", A))},
		{name: "allow and deny of one action for one subject", who: bobP, resource: "ecs", action: "stop", matches: grants(
			grantMatch(bob, "app/ecs/stop", D), grantMatch(bob, "app/ecs/stop", A))},
		{name: "no grant", who: bobP, resource: "books", action: "read", matches: grants()},
		{name: "deny on every resource beats a group's action wildcard", who: carolP, resource: "ecs", action: "start", matches: grants(
			grantMatch(carol, "app/*/start", D), grantMatch(ops, "app/ecs/*", A, carol))},
		{name: "action wildcard through a group", who: carolP, resource: "ecs", action: "stop", allowed: true, matches: grants(
			grantMatch(ops, "app/ecs/*", A, carol))},
		{name: "wildcard deny of another action does not match", who: carolP, resource: "books", action: "read", matches: grants()},
		{name: "given role's own deny", who: resreg.Principal{Subjects: []resreg.Subject{editor}}, resource: "orders", action: "read", matches: grants(
			grantMatch(editor, "app/orders/read", D))},
		{name: "given role inherits a department", who: resreg.Principal{Subjects: []resreg.Subject{editor}}, resource: "books", action: "read", allowed: true, matches: grants(
			grantMatch(org, "app/books/read", A, editor))},
		{name: "given group without the user's deny", who: resreg.Principal{UserID: "bob", Subjects: []resreg.Subject{staff}}, resource: "books", action: "write", allowed: true, matches: grants(
			grantMatch(staff, "app/*/*", A))},
		{name: "given department", who: resreg.Principal{Subjects: []resreg.Subject{org}}, resource: "books", action: "read", allowed: true, matches: grants(
			grantMatch(org, "app/books/read", A))},
		{name: "unknown action on a granted resource", who: bobP, resource: "ecs", action: "fly", matches: grants()},
		{name: "unknown user", who: resreg.Principal{UserID: "nobody"}, resource: "books", action: "read", matches: grants()},
		{name: "wildcard grant in another namespace does not apply", who: me, resource: "books", action: "read", namespace: "default", matches: grants()},
		{name: "department grant does not reach a sibling", who: carolP, resource: "orders", action: "read", matches: grants()},

		// Data resources.
		{name: "node grant covers 3 levels below", data: true, who: me, resource: "t1/a/b/c/d", action: "get", allowed: true, matches: policies(
			policyMatch("p-tree", org, "app/t1/a/get", A, aliceChain...))},
		{name: "deeper deny wins", data: true, who: me, resource: "t1/a/b/c/d/e", action: "get", matches: policies(
			policyMatch("p-tree", org, "app/t1/a/b/c/d/e/get", D, aliceChain...), policyMatch("p-tree", org, "app/t1/a/get", A, aliceChain...))},
		{name: "deny covers its subtree at level 6", data: true, who: me, resource: "t1/a/b/c/d/e/f", action: "get", matches: policies(
			policyMatch("p-tree", org, "app/t1/a/b/c/d/e/get", D, aliceChain...), policyMatch("p-tree", org, "app/t1/a/get", A, aliceChain...))},
		{name: "grant on a does not cover x", data: true, who: me, resource: "t1/x", action: "get", matches: policies()},
		{name: "grant on a node does not cover the whole resource", data: true, who: me, resource: "t1", action: "get", matches: policies()},
		{name: "prefix and any-code wildcards", data: true, who: me, resource: "t1/a/bb", action: "put", allowed: true, matches: policies(
			policyMatch("p-wild", alice, "app/t*/*/b*/put", A))},
		{name: "wildcard node covers its subtree", data: true, who: me, resource: "t1/a/b/c", action: "put", allowed: true, matches: policies(
			policyMatch("p-wild", alice, "app/t*/*/b*/put", A))},
		{name: "wildcard node pattern needs that deep a node", data: true, who: me, resource: "t1/a", action: "put", matches: policies()},
		{name: "wildcard covers level 6", data: true, who: me, resource: "t1/a/b/c/d/e/f", action: "put", allowed: true, matches: policies(
			policyMatch("p-wild", alice, "app/t*/*/b*/put", A))},
		{name: "unknown node", data: true, who: me, resource: "t1/a/zz", action: "get", matches: policies()},
		{name: "unknown data action", data: true, who: me, resource: "t1/a", action: "fly", matches: policies()},
		{name: "STRING resource with an action wildcard", data: true, who: me, resource: "s1", action: "get", allowed: true, matches: policies(
			policyMatch("p-wild", alice, "app/s1/*", A))},
		{name: "STRING takes no node", data: true, who: me, resource: "s1/a", action: "get", matches: policies()},
		{name: "unknown data resource", data: true, who: me, resource: "t9", action: "get", matches: policies()},
		{name: "node grant on the node itself", data: true, who: me, resource: "t1/a", action: "get", allowed: true, matches: policies(
			policyMatch("p-tree", org, "app/t1/a/get", A, aliceChain...))},
		{name: "whole resource grant", data: true, who: bobP, resource: "t1", action: "del", allowed: true, matches: policies(
			policyMatch("p-root", bob, "app/t1/del", A))},
		{name: "whole resource grant covers a node", data: true, who: bobP, resource: "t1/a/b", action: "del", allowed: true, matches: policies(
			policyMatch("p-root", bob, "app/t1/del", A))},
		{name: "node deny beats whole resource allow", data: true, who: bobP, resource: "t1/a/b/c", action: "del", matches: policies(
			policyMatch("p-bobdeny", bob, "app/t1/a/b/c/del", D), policyMatch("p-root", bob, "app/t1/del", A))},
		{name: "node deny covers level 6", data: true, who: bobP, resource: "t1/a/b/c/d/e/f", action: "del", matches: policies(
			policyMatch("p-bobdeny", bob, "app/t1/a/b/c/del", D), policyMatch("p-root", bob, "app/t1/del", A))},
		{name: "whole resource grant covers another branch", data: true, who: bobP, resource: "t1/x", action: "del", allowed: true, matches: policies(
			policyMatch("p-root", bob, "app/t1/del", A))},
		{name: "whole resource grant of another action", data: true, who: bobP, resource: "t1/x", action: "get", matches: policies()},
		{name: "ARRAY through a group", data: true, who: carolP, resource: "arr", action: "open", allowed: true, matches: policies(
			policyMatch("p-arr", ops, "app/arr/open", A, carol))},
		{name: "STRING deny", data: true, who: carolP, resource: "s1", action: "get", matches: policies(
			policyMatch("p-s1deny", carol, "app/s1/get", D))},
		{name: "ARRAY without a policy", data: true, who: me, resource: "arr", action: "open", matches: policies()},
		{name: "given department's policy", data: true, who: resreg.Principal{Subjects: []resreg.Subject{org}}, resource: "t1/a/b", action: "get", allowed: true, matches: policies(
			policyMatch("p-tree", org, "app/t1/a/get", A))},
	}
}

// checkDecision runs one case through the check and its explanation and
// compares the decision and the matches (not the reason's wording).
func checkDecision(t *testing.T, reg *resreg.Registry, ids map[string]string, c decisionCase) {
	t.Helper()
	ctx := context.Background()
	ns := c.namespace
	if ns == "" {
		ns = "app"
	}
	var ex resreg.Explanation
	if c.data {
		res, err := reg.CheckPermission(ctx, resreg.CheckPermissionInput{Principal: c.who, NamespaceCode: ns, Action: c.action, Resources: []string{c.resource}})
		require.NoError(t, err)
		require.Equal(t, c.allowed, res.CheckResultList[0].Enabled)
		exs, err := reg.ExplainPermission(ctx, resreg.CheckPermissionInput{Principal: c.who, NamespaceCode: ns, Action: c.action, Resources: []string{c.resource}})
		require.NoError(t, err)
		require.Len(t, exs, 1)
		ex = exs[0]
	} else {
		ok, err := reg.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: c.who, Namespace: ns, Resource: c.resource, Action: c.action})
		require.NoError(t, err)
		require.Equal(t, c.allowed, ok)
		ex, err = reg.ExplainActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: c.who, Namespace: ns, Resource: c.resource, Action: c.action})
		require.NoError(t, err)
	}
	require.Equal(t, c.allowed, ex.Allowed)
	require.NotEmpty(t, ex.Reason)
	want := c.matches(ids)
	if want == nil {
		want = []resreg.Match{}
	}
	require.Equal(t, want, ex.Matches)
}

// TestDecisionTableOnEveryStore runs the table three ways on each store:
// with the index loaded from the records at the first check, with the index
// loaded before the fixture is written (kept by the Registry's own writes),
// and with a second Registry on the same store that only learns the
// fixture through the change log.
func TestDecisionTableOnEveryStore(t *testing.T) {
	cases := decisionCases()
	require.GreaterOrEqual(t, len(cases), 40)
	ctx := context.Background()
	forEachStore(t, func(t *testing.T, s store.Store) {
		for _, variant := range []string{"loaded", "own writes", "change log"} {
			t.Run(variant, func(t *testing.T) {
				writer := resreg.New(s)
				reader := writer
				if variant == "change log" {
					reader = resreg.New(s)
				}
				warm := func() {
					if variant != "loaded" {
						require.NoError(t, reader.WarmIndex(ctx))
					}
				}
				ids := decisionFixture(t, writer, warm)
				if variant == "change log" && !logsPermissions(t, s) {
					t.Skip("this store's change log does not record permission writes yet")
				}
				for _, c := range cases {
					t.Run(c.name, func(t *testing.T) { checkDecision(t, reader, ids, c) })
				}

				// Actions added after a "*" grant or statement are covered by it.
				_, err := writer.UpdateResource(ctx, "app", "ecs", resreg.ResourceUpdate{Actions: &[]resreg.Action{
					{Name: "start", Description: "start"}, {Name: "stop", Description: "stop"}, {Name: "reboot", Description: "reboot"}}})
				require.NoError(t, err)
				_, err = writer.UpdateDataResource(ctx, "app", "s1", resreg.DataResourceUpdate{Actions: &[]string{"get", "share"}})
				require.NoError(t, err)
				me := resreg.Principal{UserID: "alice"}
				for _, c := range []decisionCase{
					{name: "action added after a wildcard grant", who: me, resource: "ecs", action: "reboot", allowed: true, matches: grants(
						grantMatch(staff, "app/*/*", resreg.Allow, alice))},
					{name: "data action added after a wildcard statement", data: true, who: me, resource: "s1", action: "share", allowed: true, matches: policies(
						policyMatch("p-wild", alice, "app/s1/*", resreg.Allow))},
				} {
					t.Run(c.name, func(t *testing.T) { checkDecision(t, reader, ids, c) })
				}
			})
			s = freshLike(t, s)
		}
	})
}

// logsPermissions reports whether the store's change log holds grant
// changes (a store that records permission writes).
func logsPermissions(t *testing.T, s store.Store) bool {
	ctx := context.Background()
	var since int64
	for {
		page, err := s.Changes(ctx, since, store.MaxChangesLimit)
		require.NoError(t, err)
		for _, c := range page {
			if c.Kind == store.KindGrant {
				return true
			}
		}
		if len(page) < store.MaxChangesLimit {
			return false
		}
		since = page[len(page)-1].Seq
	}
}
