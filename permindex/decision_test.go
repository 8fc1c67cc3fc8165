package permindex_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/permindex"
)

var (
	alice  = permindex.Subject{Type: "USER", ID: "alice"}
	editor = permindex.Subject{Type: "ROLE", ID: "editor"}
	staff  = permindex.Subject{Type: "GROUP", ID: "staff"}
	org    = permindex.Subject{Type: "DEPARTMENT", ID: "org"}
)

// fixture: alice in staff, staff in editor, editor in org (three deep); a
// 6-level tree t1 and a STRING s1 in ns "app".
func fixture() *permindex.Index {
	ix := permindex.New()
	ix.Update(func(w *permindex.Writer) {
		w.ReplaceNamespace("app", permindex.NamespaceRecords{
			Resources: []permindex.Resource{
				{Code: "books", Type: "API", Actions: []string{"read", "write"}},
				{Code: "orders", Type: "DATA", Actions: []string{"read"}},
			},
			DataResources: []permindex.DataResource{
				{Code: "t1", Type: "TREE", Actions: []string{"get", "put"}, Nodes: []permindex.DataNode{
					{Path: "a"}, {Path: "a/b"}, {Path: "a/b/c"}, {Path: "a/b/c/d"}, {Path: "a/b/c/d/e"},
					{Path: "a/b/c/d/e/f"}, {Path: "x"}, {Path: "a/bb"},
				}},
				{Code: "s1", Type: "STRING", Actions: []string{"get"}},
			},
			Grants: []permindex.Grant{
				{Subject: org, Resource: "books", Action: "read", Effect: permindex.Allow},
				{Subject: staff, Resource: "*", Action: "*", Effect: permindex.Allow},
				{Subject: editor, Resource: "orders", Action: "read", Effect: permindex.Deny},
			},
		})
		w.AddMemberships(
			permindex.Membership{Parent: staff, Member: alice},
			permindex.Membership{Parent: editor, Member: staff},
			permindex.Membership{Parent: org, Member: editor},
		)
		w.PutPolicies(
			permindex.Policy{ID: "p-tree", Statements: []permindex.Statement{
				{Effect: permindex.Allow, Permissions: []string{"app/t1/a/get"}},
				{Effect: permindex.Deny, Permissions: []string{"app/t1/a/b/c/d/e/get"}},
			}},
			permindex.Policy{ID: "p-wild", Statements: []permindex.Statement{
				{Effect: permindex.Allow, Permissions: []string{"app/t*/*/b*/put", "app/s1/*"}},
			}},
		)
		w.AddPolicyTargets(
			permindex.PolicyTarget{PolicyID: "p-tree", Subject: org},
			permindex.PolicyTarget{PolicyID: "p-wild", Subject: alice},
		)
	})
	return ix
}

func TestDecisionTable(t *testing.T) {
	ix := fixture()
	me := permindex.Principal{UserID: "alice"}
	general := []struct {
		name, code, action string
		allowed            bool
		reason             string
	}{
		{"grant three memberships up", "books", "read", true, "allowed by ALLOW app/books/read held by DEPARTMENT:org via ROLE:editor via GROUP:staff via USER:alice"},
		{"star grant covers declared action", "books", "write", true, ""},
		{"deny on the resource beats star allow", "orders", "read", false, "denied by DENY app/orders/read held by ROLE:editor via GROUP:staff via USER:alice"},
		{"undeclared action", "books", "delete", false, "no such action"},
		{"unknown resource", "nope", "read", false, "no such resource"},
		{"star code is not a resource", "*", "read", false, "no such resource"},
	}
	for _, c := range general {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.allowed, ix.IsActionAllowed(me, "app", c.code, c.action))
			ex := ix.ExplainActionAllowed(me, "app", c.code, c.action)
			require.Equal(t, c.allowed, ex.Allowed)
			if c.reason != "" {
				require.Equal(t, c.reason, ex.Reason)
			}
		})
	}
	data := []struct {
		name, req, action string
		allowed           bool
	}{
		{"node grant covers 5 levels below", "t1/a/b/c/d", "get", true},
		{"deny deeper wins", "t1/a/b/c/d/e", "get", false},
		{"deny covers its subtree", "t1/a/b/c/d/e/f", "get", false},
		{"grant on a does not cover x", "t1/x", "get", false},
		{"grant on a does not cover the whole resource", "t1", "get", false},
		{"prefix wildcards", "t1/a/bb", "put", true},
		{"prefix wildcard node covers subtree", "t1/a/b/c", "put", true},
		{"wildcard node needs a node", "t1", "put", false},
		{"unknown node", "t1/a/zz", "get", false},
		{"unknown action", "t1/a", "delete", false},
		{"STRING whole resource", "s1", "get", true},
		{"STRING takes no node", "s1/a", "get", false},
		{"unknown data resource", "t9", "get", false},
	}
	for _, c := range data {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.allowed, ix.IsDataActionAllowed(me, "app", c.req, c.action))
			require.Equal(t, c.allowed, ix.ExplainPermission(me, "app", c.req, c.action).Allowed)
		})
	}
	ex := ix.ExplainPermission(me, "app", "t1/a/b/c/d/e", "get")
	require.Equal(t, []permindex.Match{
		{Subject: org, Via: []permindex.Subject{alice, staff, editor}, PolicyID: "p-tree", Permission: "app/t1/a/b/c/d/e/get", Effect: permindex.Deny},
		{Subject: org, Via: []permindex.Subject{alice, staff, editor}, PolicyID: "p-tree", Permission: "app/t1/a/get", Effect: permindex.Allow},
	}, ex.Matches)

	// An action added after a "*" grant is covered by it.
	ix.Update(func(w *permindex.Writer) {
		w.PutResources(permindex.Resource{Namespace: "app", Code: "books", Type: "API", Actions: []string{"read", "write", "share"}})
	})
	require.True(t, ix.IsActionAllowed(me, "app", "books", "share"))
	// Removing an action deletes its grants: re-adding it does not revive them.
	ix.Update(func(w *permindex.Writer) {
		w.PutResources(permindex.Resource{Namespace: "app", Code: "books", Type: "API", Actions: []string{"write"}})
		w.PutResources(permindex.Resource{Namespace: "app", Code: "books", Type: "API", Actions: []string{"read", "write"}})
		w.RemoveGrants(permindex.Grant{Namespace: "app", Subject: staff, Resource: "*", Action: "*"})
	})
	require.False(t, ix.IsActionAllowed(me, "app", "books", "read"))

	require.Equal(t, []permindex.AuthorizedResource(nil), ix.ListAuthorizedResources(me, "app", ""))
	st, ok := ix.UserResourceStruct(me, "app", "t1")
	require.True(t, ok)
	require.Equal(t, "a", st.Nodes[0].Code)
	require.Equal(t, []string{"get"}, st.Nodes[0].Actions)
	require.Len(t, st.Nodes, 1, "x has no allowed action")
}

func TestMoreThan63ActionsInANamespace(t *testing.T) {
	ix := permindex.New()
	var acts []string
	for i := range 70 {
		acts = append(acts, fmt.Sprintf("a%02d", i))
	}
	ix.Update(func(w *permindex.Writer) {
		w.PutResources(permindex.Resource{Namespace: "n", Code: "r", Actions: acts})
		w.AddGrants(permindex.Grant{Namespace: "n", Subject: alice, Resource: "r", Action: "a68", Effect: permindex.Allow},
			permindex.Grant{Namespace: "n", Subject: alice, Resource: "r", Action: "a01", Effect: permindex.Allow},
			permindex.Grant{Namespace: "n", Subject: staff, Resource: "*", Action: "a69", Effect: permindex.Allow},
			permindex.Grant{Namespace: "n", Subject: staff, Resource: "r", Action: "a69", Effect: permindex.Deny})
	})
	me := permindex.Principal{UserID: "alice", Subjects: []permindex.Subject{staff}}
	require.True(t, ix.IsActionAllowed(me, "n", "r", "a68"))
	require.True(t, ix.IsActionAllowed(me, "n", "r", "a01"))
	require.False(t, ix.IsActionAllowed(me, "n", "r", "a69"), "deny on an overflow action")
	require.False(t, ix.IsActionAllowed(me, "n", "r", "a67"))
	require.Equal(t, []string{"a01", "a68"}, ix.ListAuthorizedResources(me, "n", "")[0].Actions)
	require.Equal(t, 4, ix.Stats().Grants)
	ix.Update(func(w *permindex.Writer) { w.DeleteResources("n", "r") })
	require.Equal(t, 1, ix.Stats().Grants, "only the * grant stays")
}

func TestNamespaceLoadAndDrop(t *testing.T) {
	ix := fixture()
	me := permindex.Principal{UserID: "alice"}
	require.True(t, ix.Loaded("app"))
	ix.Update(func(w *permindex.Writer) { w.DropNamespace("app") })
	require.False(t, ix.Loaded("app"))
	require.False(t, ix.IsActionAllowed(me, "app", "books", "read"))
	require.Zero(t, ix.Stats().Grants)
	ix2 := fixture()
	require.True(t, ix2.IsActionAllowed(me, "app", "books", "read"), "memberships and policies survive a reload")
}

func TestCyclicMembershipsTerminate(t *testing.T) {
	ix := permindex.New()
	ix.Update(func(w *permindex.Writer) {
		w.PutResources(permindex.Resource{Namespace: "n", Code: "r", Actions: []string{"x"}})
		w.AddMemberships(permindex.Membership{Parent: staff, Member: alice},
			permindex.Membership{Parent: editor, Member: staff}, permindex.Membership{Parent: staff, Member: editor})
		w.AddGrants(permindex.Grant{Namespace: "n", Subject: editor, Resource: "r", Action: "x", Effect: permindex.Allow})
	})
	require.True(t, ix.IsActionAllowed(permindex.Principal{UserID: "alice"}, "n", "r", "x"))
}

// TestConcurrentChecksAndWrites runs writers and checkers together (run with
// -race); a checker sees a grant/deny pair written in one Update together.
func TestConcurrentChecksAndWrites(t *testing.T) {
	ix := fixture()
	me := permindex.Principal{UserID: "alice"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				g := permindex.Grant{Namespace: "app", Subject: alice, Resource: "orders", Action: "read", Effect: permindex.Allow}
				ix.Update(func(w *permindex.Writer) {
					if i%2 == 0 {
						w.AddGrants(g)
						w.PutPolicies(permindex.Policy{ID: "p-tree"})
					} else {
						w.RemoveGrants(g)
						w.PutPolicies(permindex.Policy{ID: "p-tree", Statements: []permindex.Statement{
							{Effect: permindex.Allow, Permissions: []string{"app/t1/a/get"}}}})
					}
				})
			}
		}()
	}
	var checkers sync.WaitGroup
	for range 4 {
		checkers.Add(1)
		go func() {
			defer checkers.Done()
			for range 2000 {
				require.False(t, ix.IsActionAllowed(me, "app", "orders", "read"), "editor's deny always wins")
				ix.CheckPermission(me, "app", "get", []string{"t1/a", "t1/x"}, nil)
				ix.ListAuthorizedResources(me, "app", "")
			}
		}()
	}
	checkers.Wait()
	close(stop)
	wg.Wait()
}
