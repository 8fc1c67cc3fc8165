package resreg_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

// permCase is one bad call: the sentinel and the exact Field it must
// report.
type permCase struct {
	name  string
	op    func(ctx context.Context, reg *resreg.Registry) error
	want  error
	field string
}

// authorize and revoke wrap a grant input for a case.
func authorize(in resreg.AuthorizeResourcesInput) func(context.Context, *resreg.Registry) error {
	return func(ctx context.Context, reg *resreg.Registry) error { return reg.AuthorizeResources(ctx, in) }
}

func revoke(in resreg.AuthorizeResourcesInput) func(context.Context, *resreg.Registry) error {
	return func(ctx context.Context, reg *resreg.Registry) error { return reg.RevokeResources(ctx, in) }
}

func createPolicy(in resreg.DataPolicyInput) func(context.Context, *resreg.Registry) error {
	return func(ctx context.Context, reg *resreg.Registry) error {
		_, err := reg.CreateDataPolicy(ctx, in)
		return err
	}
}

func permCases() []permCase {
	inv, nf, nsnf, conf := resreg.ErrInvalid, resreg.ErrNotFound, resreg.ErrNamespaceNotFound, resreg.ErrConflict
	ecs := func(actions ...string) resreg.ResourceActions {
		return resreg.ResourceActions{Code: "ecs", Actions: actions}
	}
	ok := ecs("ecs:Start")
	role := func(res ...resreg.ResourceActions) resreg.AuthorizeResourcesInput {
		return grantInput(resreg.SubjectRole, []string{"admin"}, res...)
	}
	manyItems := resreg.AuthorizeResourcesInput{Namespace: "app", List: repeat(role(ok).List[0], 1001)}
	deep := "app/org/" + strings.Repeat("n/", 33) + "get"
	cases := []permCase{
		// authorize-resources: syntax
		{"grant: namespace", authorize(resreg.AuthorizeResourcesInput{Namespace: "a b", List: role(ok).List}), inv, "namespace"},
		{"grant: unknown namespace", authorize(resreg.AuthorizeResourcesInput{Namespace: "nope", List: role(ok).List}), nsnf, "namespace"},
		{"grant: empty list", authorize(resreg.AuthorizeResourcesInput{Namespace: "app"}), inv, "list"},
		{"grant: list past MaxBatch", authorize(manyItems), inv, "list[1000]"},
		{"grant: targetType", authorize(grantInput("", []string{"admin"}, ok)), inv, "list[0].targetType"},
		{"grant: no targetIdentifiers", authorize(grantInput("ROLE", nil, ok)), inv, "list[0].targetIdentifiers"},
		{"grant: targetIdentifier with /", authorize(grantInput("ROLE", []string{"a", "b/c"}, ok)), inv, "list[0].targetIdentifiers[1]"},
		{"grant: blank targetIdentifier", authorize(grantInput("ROLE", []string{" "}, ok)), inv, "list[0].targetIdentifiers[0]"},
		{"grant: repeated targetIdentifier", authorize(grantInput("ROLE", []string{"a", "a"}, ok)), inv, "list[0].targetIdentifiers[1]"},
		{"grant: targetIdentifiers past MaxBatch", authorize(grantInput("ROLE", numbered("u", 1001), ok)), inv, "list[0].targetIdentifiers[1000]"},
		{"grant: no resources", authorize(role()), inv, "list[0].resources"},
		{"grant: resources past MaxBatch", authorize(role(repeat(ok, 1001)...)), inv, "list[0].resources[1000]"},
		{"grant: code syntax", authorize(role(ok, resreg.ResourceActions{Code: "bad code", Actions: []string{"x"}})), inv, "list[0].resources[1].code"},
		{"grant: no actions", authorize(role(ok, ecs())), inv, "list[0].resources[1].actions"},
		{"grant: action syntax", authorize(role(ok, ecs("a b"))), inv, "list[0].resources[1].actions[0]"},
		{"grant: repeated action", authorize(role(ok, ecs("ecs:Start", "ecs:Start"))), inv, "list[0].resources[1].actions[1]"},
		{"grant: actions past MaxActions", authorize(role(ecs(numbered("a", 101)...))), inv, "list[0].resources[0].actions[100]"},
		{"grant: effect", authorize(role(ok, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}, Effect: "MAYBE"})), inv, "list[0].resources[1].effect"},
		{"grant: resourceType syntax", authorize(role(ok, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}, ResourceType: "a b"})), inv, "list[0].resources[1].resourceType"},
		{"grant: resourceType with code *", authorize(role(resreg.ResourceActions{Code: "*", Actions: []string{"*"}, ResourceType: "API"})), inv, "list[0].resources[0].resourceType"},
		// authorize-resources: existence, after syntax
		{"grant: missing resource", authorize(role(ok, resreg.ResourceActions{Code: "nope", Actions: []string{"x"}})), nf, "list[0].resources[1].code"},
		{"grant: syntax before existence", authorize(role(resreg.ResourceActions{Code: "nope", Actions: []string{"x"}}, ecs("a b"))), inv, "list[0].resources[1].actions[0]"},
		{"grant: undeclared action", authorize(role(ok, ecs("ecs:Start", "ecs:Reboot"))), inv, "list[0].resources[1].actions[1]"},
		{"grant: action declared by another resource", authorize(role(ecs("read"))), inv, "list[0].resources[0].actions[0]"},
		{"grant: resourceType mismatch", authorize(role(ok, resreg.ResourceActions{Code: "books:fiction", Actions: []string{"read"}, ResourceType: "API"})), inv, "list[0].resources[1].resourceType"},
		{"grant: second item fails", authorize(resreg.AuthorizeResourcesInput{Namespace: "app", List: []resreg.AuthorizeItem{role(ok).List[0], grantInput("GROUP", []string{"g"}, ecs("nope")).List[0]}}), inv, "list[1].resources[0].actions[0]"},
		// revoke-resources
		{"revoke: effect", revoke(role(resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}, Effect: "allow"})), inv, "list[0].resources[0].effect"},
		{"revoke: unknown namespace", revoke(resreg.AuthorizeResourcesInput{Namespace: "nope", List: role(ok).List}), nsnf, "namespace"},
		{"revoke: resourceType mismatch", revoke(role(resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Start"}, ResourceType: "MENU"})), inv, "list[0].resources[0].resourceType"},
		{"revoke: empty list", revoke(resreg.AuthorizeResourcesInput{}), inv, "list"},
		// get-authorized-resources
		{"authorized: targetType", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.GetAuthorizedResources(ctx, resreg.GetAuthorizedResourcesInput{Namespace: "app", TargetIdentifier: "x"})
			return err
		}, inv, "targetType"},
		{"authorized: targetIdentifier", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.GetAuthorizedResources(ctx, resreg.GetAuthorizedResourcesInput{Namespace: "app", TargetType: "ROLE"})
			return err
		}, inv, "targetIdentifier"},
		{"authorized: star inside a pattern", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.GetAuthorizedResources(ctx, resreg.GetAuthorizedResourcesInput{Namespace: "app", TargetType: "ROLE", TargetIdentifier: "x", ResourceList: []string{"books", "b*s"}})
			return err
		}, inv, "resourceList[1]"},
		{"authorized: unknown namespace", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.GetAuthorizedResources(ctx, resreg.GetAuthorizedResourcesInput{Namespace: "nope", TargetType: "ROLE", TargetIdentifier: "x"})
			return err
		}, nsnf, "namespace"},

		// memberships
		{"members: USER parent", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.AddMembers(ctx, resreg.User("u1"), resreg.User("u2"))
		}, inv, "parent"},
		{"members: parent type", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.AddMembers(ctx, resreg.Subject{Type: "a b", ID: "x"}, resreg.User("u2"))
		}, inv, "parent.type"},
		{"members: member ID", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.AddMembers(ctx, resreg.Role("admin"), resreg.User("u1"), resreg.User("a\x00"))
		}, inv, "members[1].id"},
		{"members: repeated member", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.AddMembers(ctx, resreg.Role("admin"), resreg.User("u1"), resreg.User("u1"))
		}, inv, "members[1]"},
		{"members: self", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.AddMembers(ctx, resreg.Role("admin"), resreg.User("u1"), resreg.Role("admin"))
		}, inv, "members[1]"},
		{"members: cycle", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.AddMembers(ctx, resreg.Group("staff"), resreg.Department("sales"))
		}, inv, "members[0]"},
		{"members: past MaxBatch", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.AddMembers(ctx, resreg.Role("admin"), subjects("u", 1001)...)
		}, inv, "members[1000]"},
		{"remove members: member type", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.RemoveMembers(ctx, resreg.Role("admin"), resreg.Subject{Type: "", ID: "x"})
		}, inv, "members[0].type"},
		{"list members: parent ID", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.ListMembers(ctx, resreg.Role(""), resreg.ListOptions{})
			return err
		}, inv, "parent.id"},
		{"list memberships: member ID", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.ListMemberships(ctx, resreg.User("a/b"), resreg.ListOptions{})
			return err
		}, inv, "member.id"},

		// data policies: syntax
		{"policy: name", createPolicy(policyInput(" ", "app/org/get")), inv, "policyName"},
		{"policy: description", createPolicy(resreg.DataPolicyInput{PolicyName: "p", Description: "a\x01", StatementList: policyInput("p", "app/org/get").StatementList}), inv, "description"},
		{"policy: no statements", createPolicy(resreg.DataPolicyInput{PolicyName: "p"}), inv, "statementList"},
		{"policy: statements past MaxPolicyStatements", createPolicy(resreg.DataPolicyInput{PolicyName: "p", StatementList: repeat(resreg.Statement{Effect: resreg.Allow, Permissions: []string{"app/org/get"}}, 6)}), inv, "statementList[5]"},
		{"policy: no effect", createPolicy(resreg.DataPolicyInput{PolicyName: "p", StatementList: []resreg.Statement{{Permissions: []string{"app/org/get"}}}}), inv, "statementList[0].effect"},
		{"policy: bad effect", createPolicy(resreg.DataPolicyInput{PolicyName: "p", StatementList: []resreg.Statement{{Effect: "ALLOW", Permissions: []string{"app/org/get"}}, {Effect: "Deny", Permissions: []string{"app/org/get"}}}}), inv, "statementList[1].effect"},
		{"policy: no permissions", createPolicy(policyInput("p")), inv, "statementList[0].permissions"},
		{"policy: permissions past MaxPolicyPermissions", createPolicy(policyInput("p", numbered("app/org/a", 101)...)), inv, "statementList[0].permissions[100]"},
		{"policy: repeated permission", createPolicy(policyInput("p", "app/org/get", "app/org/get")), inv, "statementList[0].permissions[1]"},
		{"policy: two segments", createPolicy(policyInput("p", "app/org/get", "app/org")), inv, "statementList[0].permissions[1]"},
		{"policy: empty segment", createPolicy(policyInput("p", "app/org/get", "app/org/update", "app//product/get")), inv, "statementList[0].permissions[2]"},
		{"policy: wildcard namespace", createPolicy(policyInput("p", "*/org/get")), inv, "statementList[0].permissions[0]"},
		{"policy: star inside a segment", createPolicy(policyInput("p", "app/o*g/get")), inv, "statementList[0].permissions[0]"},
		{"policy: action prefix", createPolicy(policyInput("p", "app/org/ge*")), inv, "statementList[0].permissions[0]"},
		{"policy: node syntax", createPolicy(policyInput("p", "app/org/a b/get")), inv, "statementList[0].permissions[0]"},
		{"policy: deeper than MaxTreeDepth", createPolicy(policyInput("p", deep)), inv, "statementList[0].permissions[0]"},
		// data policies: existence, after syntax
		{"policy: unknown namespace", createPolicy(policyInput("p", "app/org/get", "app/org/update", "nope/org/get")), nsnf, "statementList[0].permissions[2]"},
		{"policy: unknown namespace under a wildcard", createPolicy(policyInput("p", "nope/*/get")), nsnf, "statementList[0].permissions[0]"},
		{"policy: missing data resource", createPolicy(policyInput("p", "app/org/get", "app/org/update", "app/nope/get")), nf, "statementList[0].permissions[2]"},
		{"policy: missing node", createPolicy(policyInput("p", "app/org/product/nope/get")), nf, "statementList[0].permissions[0]"},
		{"policy: undeclared action", createPolicy(policyInput("p", "app/org/product/read")), inv, "statementList[0].permissions[0]"},
		{"policy: node of a STRING", createPolicy(policyInput("p", "app/path/x/get")), inv, "statementList[0].permissions[0]"},
		{"policy: wildcard node of an ARRAY", createPolicy(policyInput("p", "app/card/*/open")), inv, "statementList[0].permissions[0]"},
		{"policy: syntax before existence", createPolicy(resreg.DataPolicyInput{PolicyName: "p", StatementList: []resreg.Statement{{Effect: resreg.Allow, Permissions: []string{"app/nope/get"}}, {Effect: resreg.Deny, Permissions: []string{"app/org/bad action"}}}}), inv, "statementList[1].permissions[0]"},
		{"policy: name taken", createPolicy(policyInput("existing", "app/org/get")), conf, "policyName"},
		{"update policy: missing", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateDataPolicy(ctx, "nope", resreg.DataPolicyUpdate{PolicyName: ptr("x")})
			return err
		}, nf, ""},
		{"update policy: bad statements", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateDataPolicy(ctx, "pol-existing", resreg.DataPolicyUpdate{StatementList: &[]resreg.Statement{{Effect: resreg.Allow, Permissions: []string{"app/org/nope/get"}}}})
			return err
		}, nf, "statementList[0].permissions[0]"},
		{"update policy: name", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateDataPolicy(ctx, "pol-existing", resreg.DataPolicyUpdate{PolicyName: ptr("")})
			return err
		}, inv, "policyName"},
		{"delete policy: missing", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.DeleteDataPolicy(ctx, "nope")
		}, nf, ""},
		{"policy exists: blank name", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.DataPolicyExists(ctx, "")
			return err
		}, inv, "policyName"},
		{"list policies: keyword", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.ListDataPolicies(ctx, resreg.DataPolicyFilter{Keyword: "\xff"}, resreg.ListOptions{})
			return err
		}, inv, "keyword"},

		// policy targets
		{"attach: no policies", attach(nil, resreg.Target{ID: "admin", Type: "ROLE"}), inv, "policyIds"},
		{"attach: missing policy", attach([]string{"pol-existing", "nope"}, resreg.Target{ID: "admin", Type: "ROLE"}), nf, "policyIds[1]"},
		{"attach: repeated policy", attach([]string{"pol-existing", "pol-existing"}, resreg.Target{ID: "admin", Type: "ROLE"}), inv, "policyIds[1]"},
		{"attach: no targets", attach([]string{"pol-existing"}), inv, "targetList"},
		{"attach: target type", attach([]string{"pol-existing"}, resreg.Target{ID: "admin", Type: "role x"}), inv, "targetList[0].type"},
		{"attach: target ID", attach([]string{"pol-existing"}, resreg.Target{ID: "", Type: "ROLE"}), inv, "targetList[0].id"},
		{"attach: target name", attach([]string{"pol-existing"}, resreg.Target{ID: "a", Type: "ROLE", Name: "\x00"}), inv, "targetList[0].name"},
		{"attach: ORG repeats DEPARTMENT", attach([]string{"pol-existing"}, resreg.Target{ID: "d1", Type: "DEPARTMENT"}, resreg.Target{ID: "d1", Type: "ORG"}), inv, "targetList[1]"},
		{"attach: targets past MaxBatch", attach([]string{"pol-existing"}, repeat(resreg.Target{ID: "a", Type: "ROLE"}, 1001)...), inv, "targetList[1000]"},
		{"revoke policy: missing", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.RevokeDataPolicy(ctx, resreg.RevokeDataPolicyInput{PolicyID: "nope", TargetList: []resreg.Target{{ID: "a", Type: "ROLE"}}})
		}, nf, ""},
		{"revoke policy: no ID", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.RevokeDataPolicy(ctx, resreg.RevokeDataPolicyInput{TargetList: []resreg.Target{{ID: "a", Type: "ROLE"}}})
		}, inv, "policyId"},
		{"list targets: missing policy", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.ListDataPolicyTargets(ctx, "nope", resreg.ListOptions{})
			return err
		}, nf, ""},
	}
	return cases
}

func attach(ids []string, targets ...resreg.Target) func(context.Context, *resreg.Registry) error {
	return func(ctx context.Context, reg *resreg.Registry) error {
		return reg.AuthorizeDataPolicies(ctx, resreg.AuthorizeDataPoliciesInput{PolicyIDs: ids, TargetList: targets})
	}
}

// numbered returns prefix0, prefix1, ...
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

func subjects(prefix string, n int) []resreg.Subject {
	out := make([]resreg.Subject, n)
	for i, id := range numbered(prefix, n) {
		out[i] = resreg.User(id)
	}
	return out
}

// permBadFixture adds to permFixture what the bad cases conflict with: a
// policy "existing" with ID pol-existing, and the memberships
// DEPARTMENT sales > GROUP staff.
func permBadFixture(t *testing.T, s store.Store) *resreg.Registry {
	t.Helper()
	ctx := context.Background()
	reg := resreg.New(s)
	permFixture(t, reg)
	fixedID := resreg.New(s, resreg.WithIDGenerator(func() string { return "pol-existing" }))
	_, err := fixedID.CreateDataPolicy(ctx, policyInput("existing", "app/org/product/get"))
	require.NoError(t, err)
	require.NoError(t, reg.AddMembers(ctx, resreg.Department("sales"), resreg.Group("staff")))
	require.NoError(t, reg.AuthorizeResources(ctx, grantInput("ROLE", []string{"admin"}, resreg.ResourceActions{Code: "ecs", Actions: []string{"ecs:Stop"}})))
	return reg
}

func TestPermissionBadInputWritesNothing(t *testing.T) {
	cases := permCases()
	require.GreaterOrEqual(t, len(cases), 80)
	forEachStore(t, func(t *testing.T, s store.Store) {
		reg := permBadFixture(t, s)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := storetest.TakeSnapshot(t, reg.Store())
				err := tc.op(context.Background(), reg)
				require.Error(t, err)
				require.ErrorIs(t, err, tc.want)
				var e *resreg.Error
				require.True(t, errors.As(err, &e), "error %v is not a *resreg.Error", err)
				require.Equal(t, tc.field, e.Field, "error: %v", err)
				require.Equal(t, before, storetest.TakeSnapshot(t, reg.Store()), "the store changed")
			})
		}
	})
}
