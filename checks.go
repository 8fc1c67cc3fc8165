package resreg

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/resreg/resreg/permindex"
	"github.com/resreg/resreg/store"
)

// The six checks. Each validates its input, makes the permission index
// fresh enough (see [WithCheckStaleness]) and answers from it: the hot path
// of a check reads no records from storage.

// KindUserAuthorizedResources is the listing kind of the page tokens of
// [Registry.ListUserAuthorizedResources].
const KindUserAuthorizedResources = "userAuthorizedResources"

// IsActionAllowed reports whether the principal may do in.Action on the
// resource in.Resource of in.Namespace (empty means default), by the
// decision rule of the package documentation. A resource or action that
// does not exist is false, not an error; a namespace that does not exist
// is ErrNamespaceNotFound. Bad input is ErrInvalid: the principal ("userId",
// "subjects[i]"), an empty "action", an empty "resource" or one holding "*".
func (r *Registry) IsActionAllowed(ctx context.Context, in IsActionAllowedInput) (bool, error) {
	ns, ix, err := r.actionCheck(ctx, &in)
	if err != nil {
		return false, err
	}
	return ix.IsActionAllowed(indexPrincipal(in.Principal), ns, in.Resource, in.Action), nil
}

// ExplainActionAllowed is IsActionAllowed with the reason: every matching
// grant, DENY matches first, each with the membership chain it came
// through.
func (r *Registry) ExplainActionAllowed(ctx context.Context, in IsActionAllowedInput) (Explanation, error) {
	ns, ix, err := r.actionCheck(ctx, &in)
	if err != nil {
		return Explanation{}, err
	}
	return explanation(ix.ExplainActionAllowed(indexPrincipal(in.Principal), ns, in.Resource, in.Action)), nil
}

func (r *Registry) actionCheck(ctx context.Context, in *IsActionAllowedInput) (string, *permindex.Index, error) {
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	if err := r.checkPrincipal("", in.Principal); err != nil {
		return "", nil, err
	}
	ns, err := checkNamespace("namespace", in.Namespace)
	if err != nil {
		return "", nil, err
	}
	if in.Resource == "" {
		return "", nil, store.Invalid("resource", "is required")
	}
	if strings.Contains(in.Resource, "*") {
		return "", nil, store.Invalid("resource", "a checked resource is one resource code, without '*'")
	}
	if in.Action == "" {
		return "", nil, store.Invalid("action", "is required")
	}
	ix, err := r.authz.index(ctx, ns)
	return ns, ix, err
}

// CheckPermission decides in.Action on each requested data resource or
// tree node (Authing check-permission), in input order. Each resource is a
// data resource code or "code/node/child", one concrete node: a resource
// holding "*", "//" or an empty segment is ErrInvalid ("resources[i]"), as
// are an empty list, more than Limits.MaxBatch resources and an empty
// action. JudgeConditionEnabled changes nothing: policies have no
// conditions here.
func (r *Registry) CheckPermission(ctx context.Context, in CheckPermissionInput) (CheckPermissionResult, error) {
	ns, ix, err := r.permissionCheck(ctx, &in)
	if err != nil {
		return CheckPermissionResult{}, err
	}
	allowed := ix.CheckPermission(indexPrincipal(in.Principal), ns, in.Action, in.Resources, make([]bool, 0, len(in.Resources)))
	out := CheckPermissionResult{CheckResultList: make([]CheckResult, len(in.Resources))}
	for i, res := range in.Resources {
		out.CheckResultList[i] = CheckResult{NamespaceCode: ns, Resource: res, Action: in.Action, Enabled: allowed[i]}
	}
	return out, nil
}

// ExplainPermission is CheckPermission with the reasons: one Explanation
// per requested resource, in input order.
func (r *Registry) ExplainPermission(ctx context.Context, in CheckPermissionInput) ([]Explanation, error) {
	ns, ix, err := r.permissionCheck(ctx, &in)
	if err != nil {
		return nil, err
	}
	p := indexPrincipal(in.Principal)
	out := make([]Explanation, len(in.Resources))
	for i, res := range in.Resources {
		out[i] = explanation(ix.ExplainPermission(p, ns, res, in.Action))
	}
	return out, nil
}

func (r *Registry) permissionCheck(ctx context.Context, in *CheckPermissionInput) (string, *permindex.Index, error) {
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	if err := r.checkPrincipal("", in.Principal); err != nil {
		return "", nil, err
	}
	ns, err := checkNamespace("namespaceCode", in.NamespaceCode)
	if err != nil {
		return "", nil, err
	}
	if in.Action == "" {
		return "", nil, store.Invalid("action", "is required")
	}
	if len(in.Resources) == 0 {
		return "", nil, store.Invalid("resources", "is required")
	}
	if err := checkBound("resources", len(in.Resources), r.limits.MaxBatch); err != nil {
		return "", nil, err
	}
	for i, res := range in.Resources {
		if p := checkedPathProblem(res); p != "" {
			return "", nil, store.Invalid(index("resources", i), p)
		}
	}
	ix, err := r.authz.index(ctx, ns)
	return ns, ix, err
}

// checkedPathProblem describes what is wrong with a requested data
// resource "code[/node]*", or returns "".
func checkedPathProblem(res string) string {
	switch {
	case res == "":
		return "is required"
	case strings.Contains(res, "*"):
		return "a checked resource names one node, without '*', got " + strconv.Quote(res)
	case strings.Contains(res, "//"), strings.HasPrefix(res, "/"), strings.HasSuffix(res, "/"):
		return "a checked resource is codes separated by single '/', got " + strconv.Quote(res)
	}
	return ""
}

// ListUserAuthorizedResources lists what the principal may effectively do
// in the namespace: every resource with at least one allowed action, the
// actions after deny, "*" expanded to the resource's declared actions,
// through memberships; ordered by code and keyset-paged (a token resumes
// after the last code it was given). Effect is always ALLOW.
func (r *Registry) ListUserAuthorizedResources(ctx context.Context, in UserAuthorizedResourcesInput, opts ListOptions) (Page[AuthorizedResource], error) {
	if err := ctx.Err(); err != nil {
		return Page[AuthorizedResource]{}, err
	}
	if err := r.checkPrincipal("", in.Principal); err != nil {
		return Page[AuthorizedResource]{}, err
	}
	ns, err := checkNamespace("namespace", in.Namespace)
	if err != nil {
		return Page[AuthorizedResource]{}, err
	}
	if in.ResourceType != "" {
		if err := checkCode("resourceType", in.ResourceType); err != nil {
			return Page[AuthorizedResource]{}, err
		}
	}
	cur, err := opts.CursorFor(KindUserAuthorizedResources, ns)
	if err != nil {
		return Page[AuthorizedResource]{}, err
	}
	ix, err := r.authz.index(ctx, ns)
	if err != nil {
		return Page[AuthorizedResource]{}, err
	}
	all := ix.ListAuthorizedResources(indexPrincipal(in.Principal), ns, in.ResourceType)
	start := 0
	if cur.After != "" {
		start, _ = slices.BinarySearchFunc(all, cur.After, func(a permindex.AuthorizedResource, code string) int {
			return strings.Compare(a.Code, code)
		})
		if start < len(all) && all[start].Code == cur.After {
			start++
		}
	}
	end := min(start+cur.Limit, len(all))
	page := Page[AuthorizedResource]{Items: make([]AuthorizedResource, 0, end-start)}
	for _, a := range all[start:end] {
		page.Items = append(page.Items, AuthorizedResource{ResourceCode: a.Code, ResourceType: a.Type, Description: a.Description,
			APIIdentifier: a.APIIdentifier, Actions: a.Actions, Effect: Allow})
	}
	if end < len(all) {
		page.NextPageToken = store.EncodePageTokenFor(KindUserAuthorizedResources, ns, all[end-1].Code)
	}
	if opts.IncludeTotal {
		page.TotalCount = len(all)
	}
	return page, nil
}

// GetUserResourceStruct returns the data resource cut down to what the
// principal may access (Authing get-user-resource-struct): for a TREE every
// node with at least one allowed action plus its ancestors, each with its
// allowed actions; Actions holds the actions allowed on the data resource
// as a whole. A data resource that does not exist is ErrNotFound.
func (r *Registry) GetUserResourceStruct(ctx context.Context, in UserResourceStructInput) (UserResourceStruct, error) {
	if err := ctx.Err(); err != nil {
		return UserResourceStruct{}, err
	}
	if err := r.checkPrincipal("", in.Principal); err != nil {
		return UserResourceStruct{}, err
	}
	ns, err := checkNamespace("namespaceCode", in.NamespaceCode)
	if err != nil {
		return UserResourceStruct{}, err
	}
	if err := checkCode("resourceCode", in.ResourceCode); err != nil {
		return UserResourceStruct{}, err
	}
	ix, err := r.authz.index(ctx, ns)
	if err != nil {
		return UserResourceStruct{}, err
	}
	s, ok := ix.UserResourceStruct(indexPrincipal(in.Principal), ns, in.ResourceCode)
	if !ok {
		return UserResourceStruct{}, &store.Error{Field: "resourceCode", Message: "no data resource " + strconv.Quote(in.ResourceCode) + " in namespace " + strconv.Quote(ns), Err: store.ErrNotFound, Codes: []string{in.ResourceCode}}
	}
	return UserResourceStruct{NamespaceCode: ns, ResourceCode: s.Code, Type: DataType(s.Type), Actions: nonNil(s.Actions), Nodes: userNodes(s.Nodes)}, nil
}

func userNodes(ns []permindex.UserTreeNode) []UserTreeNode {
	if len(ns) == 0 {
		return nil
	}
	out := make([]UserTreeNode, len(ns))
	for i, n := range ns {
		out[i] = UserTreeNode{Code: n.Code, Name: n.Name, Value: n.Value, Actions: nonNil(n.Actions), Children: userNodes(n.Children)}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func explanation(e permindex.Explanation) Explanation {
	out := Explanation{Allowed: e.Allowed, Reason: e.Reason, Matches: make([]Match, len(e.Matches))}
	for i, m := range e.Matches {
		var via []Subject
		for _, v := range m.Via {
			via = append(via, Subject(v))
		}
		out.Matches[i] = Match{Subject: Subject(m.Subject), Via: via, PolicyID: m.PolicyID, Permission: m.Permission, Effect: Effect(m.Effect)}
	}
	return out
}
