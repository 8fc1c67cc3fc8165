package resreg_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
)

// The permission inputs decode Authing's request bodies as sent.
func TestPermissionInputsDecodeAuthingBodies(t *testing.T) {
	cases := []struct {
		name string
		body string
		into any
		want any
	}{
		{"authorize-resources", `{"namespace":"examplePermissionNamespace","list":[{"targetType":"USER","targetIdentifiers":["userId1","userId2"],
			"resources":[{"code":"ecs","actions":["ecs:Start"],"resourceType":"API"},{"code":"*","actions":["*"],"effect":"DENY"}]}]}`,
			&resreg.AuthorizeResourcesInput{}, &resreg.AuthorizeResourcesInput{Namespace: "examplePermissionNamespace", List: []resreg.AuthorizeItem{{
				TargetType: "USER", TargetIdentifiers: []string{"userId1", "userId2"},
				Resources: []resreg.ResourceActions{{Code: "ecs", Actions: []string{"ecs:Start"}, ResourceType: "API"}, {Code: "*", Actions: []string{"*"}, Effect: resreg.Deny}},
			}}}},
		{"get-authorized-resources", `{"targetType":"ROLE","targetIdentifier":"admin","namespace":"n","resourceType":"DATA","resourceList":["books:*"],"withDenied":true}`,
			&resreg.GetAuthorizedResourcesInput{}, &resreg.GetAuthorizedResourcesInput{TargetType: "ROLE", TargetIdentifier: "admin", Namespace: "n", ResourceType: "DATA", ResourceList: []string{"books:*"}, WithDenied: true}},
		{"create-data-policy", `{"policyName":"p","description":"d","statementList":[{"effect":"ALLOW","permissions":["ns/res/node/get"]}]}`,
			&resreg.DataPolicyInput{}, &resreg.DataPolicyInput{PolicyName: "p", Description: "d", StatementList: []resreg.Statement{{Effect: resreg.Allow, Permissions: []string{"ns/res/node/get"}}}}},
		{"authorize-data-policies", `{"policyIds":["p1"],"targetList":[{"id":"d1","type":"ORG","name":"Sales"}]}`,
			&resreg.AuthorizeDataPoliciesInput{}, &resreg.AuthorizeDataPoliciesInput{PolicyIDs: []string{"p1"}, TargetList: []resreg.Target{{ID: "d1", Type: "ORG", Name: "Sales"}}}},
		{"revoke-data-policy", `{"policyId":"p1","targetList":[{"id":"u1","type":"USER"}]}`,
			&resreg.RevokeDataPolicyInput{}, &resreg.RevokeDataPolicyInput{PolicyID: "p1", TargetList: []resreg.Target{{ID: "u1", Type: "USER"}}}},
		{"is-action-allowed: principal at top level", `{"userId":"u1","subjects":[{"type":"ROLE","id":"admin"}],"resource":"ecs","action":"ecs:Start","namespace":"n"}`,
			&resreg.IsActionAllowedInput{}, &resreg.IsActionAllowedInput{Principal: resreg.Principal{UserID: "u1", Subjects: []resreg.Subject{resreg.Role("admin")}}, Resource: "ecs", Action: "ecs:Start", Namespace: "n"}},
		{"check-permission", `{"userId":"u1","namespaceCode":"n","action":"get","resources":["org/product"],"judgeConditionEnabled":true}`,
			&resreg.CheckPermissionInput{}, &resreg.CheckPermissionInput{Principal: resreg.Principal{UserID: "u1"}, NamespaceCode: "n", Action: "get", Resources: []string{"org/product"}, JudgeConditionEnabled: true}},
		{"get-user-resource-struct", `{"userId":"u1","namespaceCode":"n","resourceCode":"org"}`,
			&resreg.UserResourceStructInput{}, &resreg.UserResourceStructInput{Principal: resreg.Principal{UserID: "u1"}, NamespaceCode: "n", ResourceCode: "org"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, resreg.DecodeJSON(strings.NewReader(tc.body), tc.into))
			require.Equal(t, tc.want, tc.into)
		})
	}
}

// The results encode with Authing's field names.
func TestPermissionResultsEncode(t *testing.T) {
	b, err := json.Marshal(resreg.CheckPermissionResult{CheckResultList: []resreg.CheckResult{{NamespaceCode: "n", Resource: "org/product", Action: "get", Enabled: true}}})
	require.NoError(t, err)
	require.JSONEq(t, `{"checkResultList":[{"namespaceCode":"n","resource":"org/product","action":"get","enabled":true}]}`, string(b))
	b, err = json.Marshal(resreg.DataPolicy{PolicyID: "p", PolicyName: "n", StatementList: []resreg.Statement{{Effect: resreg.Deny, Permissions: []string{"a/b/c"}}}})
	require.NoError(t, err)
	require.JSONEq(t, `{"policyId":"p","policyName":"n","statementList":[{"effect":"DENY","permissions":["a/b/c"]}],"createdAt":"0001-01-01T00:00:00Z","updatedAt":"0001-01-01T00:00:00Z"}`, string(b))
}
