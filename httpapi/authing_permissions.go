package httpapi

import (
	"context"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// The permission endpoints on resources: grants and the checks. A ROLE
// target is named on this wire by its code in the request's namespace and
// stored under its subject ID (resreg.RoleID).
func (h *handler) permissionRoutes() {
	h.authing("POST /api/v3/authorize-resources", h.authorizeResources)
	h.authing("POST /api/v3/is-action-allowed", h.isActionAllowed)
	h.authing("GET /api/v3/get-authorized-resources", h.getAuthorizedResources)
	h.authing("GET /api/v3/get-user-authorized-resources", h.getUserAuthorizedResources)
	h.authing("GET /api/v3/get-role-authorized-resources", h.getRoleAuthorizedResources)
	h.authing("GET /api/v3/get-group-authorized-resources", h.getGroupAuthorizedResources)
	h.authing("POST /api/v3/check-permission", h.checkPermission)
	h.authing("POST /api/v3/get-user-resource-struct", h.getUserResourceStruct)
}

// subjectID is the stored ID of a target named on the wire: a role's code
// becomes its subject ID in namespace ns.
func subjectID(targetType, id, ns string) string {
	if targetType == resreg.SubjectRole && id != "" {
		return resreg.RoleID(ns, id)
	}
	return id
}

func (h *handler) authorizeResources(ctx context.Context, req *authingRequest) (any, error) {
	var in resreg.AuthorizeResourcesInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	for i := range in.List {
		it := &in.List[i]
		ids := make([]string, len(it.TargetIdentifiers))
		for j, id := range it.TargetIdentifiers {
			ids[j] = subjectID(it.TargetType, id, in.Namespace)
		}
		it.TargetIdentifiers = ids
	}
	if err := h.reg.AuthorizeResources(ctx, in); err != nil {
		return nil, err
	}
	return successDTO{Success: true}, nil
}

// knownUser refuses, with the 404 of the envelope, a userId that names no
// user of the directory.
func (h *handler) knownUser(ctx context.Context, userID string) error {
	return h.reg.RequireUser(ctx, userID)
}

// isActionAllowedKeys are the JSON names of isActionAllowed's input.
var isActionAllowedKeys = []string{"userId", "action", "resource", "namespace"}

func (h *handler) isActionAllowed(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		UserID    string `json:"userId"`
		Action    string `json:"action"`
		Resource  string `json:"resource"`
		Namespace string `json:"namespace"`
	}
	// The check's body is four strings, already split by the signature
	// check: decoding it again would be most of the handler's own cost.
	if req.onlyStrings(isActionAllowedKeys) {
		in.UserID, in.Action, in.Resource, in.Namespace = req.param("userId"), req.param("action"), req.param("resource"), req.param("namespace")
	} else if err := req.decode(&in); err != nil {
		return nil, err
	}
	if err := h.knownUser(ctx, in.UserID); err != nil {
		return nil, err
	}
	ok, err := h.reg.IsActionAllowed(ctx, resreg.IsActionAllowedInput{
		Principal: resreg.Principal{UserID: in.UserID}, Namespace: in.Namespace, Resource: in.Resource, Action: in.Action,
	})
	if err != nil {
		return nil, err
	}
	return allowedDTO{ok}, nil
}

// allowedDTO is IsActionAllowedRespDto's data.
type allowedDTO struct {
	Allowed bool `json:"allowed"`
}

func (d allowedDTO) appendJSON(b []byte) []byte {
	if d.Allowed {
		return append(b, `{"allowed":true}`...)
	}
	return append(b, `{"allowed":false}`...)
}

// authorizedResourceDTO is AuthorizedResourceDto.
type authorizedResourceDTO struct {
	ResourceCode  string        `json:"resourceCode"`
	Description   string        `json:"description,omitempty"`
	ResourceType  string        `json:"resourceType"`
	APIIdentifier string        `json:"apiIdentifier"`
	Actions       []string      `json:"actions"`
	Effect        resreg.Effect `json:"effect"`
}

func toAuthorizedDTOs(list []resreg.AuthorizedResource) []authorizedResourceDTO {
	out := make([]authorizedResourceDTO, len(list))
	for i, a := range list {
		out[i] = authorizedResourceDTO{ResourceCode: a.ResourceCode, Description: a.Description, ResourceType: a.ResourceType,
			APIIdentifier: a.APIIdentifier, Actions: nonNilStrings(a.Actions), Effect: a.Effect}
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (h *handler) getAuthorizedResources(ctx context.Context, req *authingRequest) (any, error) {
	ns, targetType := req.str("namespace"), req.str("targetType")
	list, err := h.reg.GetAuthorizedResources(ctx, resreg.GetAuthorizedResourcesInput{
		Namespace: ns, TargetType: targetType, TargetIdentifier: subjectID(targetType, req.str("targetIdentifier"), ns),
		ResourceType: req.str("resourceType"), ResourceList: req.list("resourceList"), WithDenied: req.str("withDenied") == "true",
	})
	if err != nil {
		return nil, err
	}
	return pagingDTO[authorizedResourceDTO]{TotalCount: len(list), List: toAuthorizedDTOs(list)}, nil
}

// getUserAuthorizedResources answers what the user may effectively do,
// through memberships and after deny. The SDK sends no paging, so the
// first store.MaxPageSize resources are listed and totalCount counts all.
func (h *handler) getUserAuthorizedResources(ctx context.Context, req *authingRequest) (any, error) {
	if t := req.str("userIdType"); t != "" && t != "user_id" {
		return nil, store.Invalid("userIdType", "only user_id is supported, got "+t)
	}
	userID := req.str("userId")
	if err := h.knownUser(ctx, userID); err != nil {
		return nil, err
	}
	in := resreg.UserAuthorizedResourcesInput{Principal: resreg.Principal{UserID: userID}, Namespace: req.str("namespace"), ResourceType: req.str("resourceType")}
	p, err := h.reg.ListUserAuthorizedResources(ctx, in, resreg.ListOptions{PageSize: store.MaxPageSize, IncludeTotal: true})
	if err != nil {
		return nil, err
	}
	return pagingDTO[authorizedResourceDTO]{TotalCount: p.TotalCount, List: toAuthorizedDTOs(p.Items)}, nil
}

// roleAuthorizedResourceDTO is RoleAuthorizedResourcesRespDto.
type roleAuthorizedResourceDTO struct {
	ResourceCode  string   `json:"resourceCode"`
	ResourceType  string   `json:"resourceType"`
	Actions       []string `json:"actions"`
	APIIdentifier string   `json:"apiIdentifier"`
}

func (h *handler) getRoleAuthorizedResources(ctx context.Context, req *authingRequest) (any, error) {
	ns, code := req.str("namespace"), req.str("code")
	if _, err := h.reg.GetRole(ctx, ns, code); err != nil {
		return nil, err
	}
	list, err := h.reg.GetAuthorizedResources(ctx, resreg.GetAuthorizedResourcesInput{
		Namespace: ns, TargetType: resreg.SubjectRole, TargetIdentifier: resreg.RoleID(ns, code), ResourceType: req.str("resourceType"),
	})
	if err != nil {
		return nil, err
	}
	out := pagingDTO[roleAuthorizedResourceDTO]{TotalCount: len(list), List: make([]roleAuthorizedResourceDTO, len(list))}
	for i, a := range list {
		out.List[i] = roleAuthorizedResourceDTO{ResourceCode: a.ResourceCode, ResourceType: a.ResourceType, Actions: nonNilStrings(a.Actions), APIIdentifier: a.APIIdentifier}
	}
	return out, nil
}

func (h *handler) getGroupAuthorizedResources(ctx context.Context, req *authingRequest) (any, error) {
	code := req.str("code")
	if _, err := h.reg.GetGroup(ctx, code); err != nil {
		return nil, err
	}
	list, err := h.reg.GetAuthorizedResources(ctx, resreg.GetAuthorizedResourcesInput{
		Namespace: req.str("namespace"), TargetType: resreg.SubjectGroup, TargetIdentifier: code, ResourceType: req.str("resourceType"),
	})
	if err != nil {
		return nil, err
	}
	return toAuthorizedDTOs(list), nil
}

func (h *handler) checkPermission(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		UserID                string   `json:"userId"`
		NamespaceCode         string   `json:"namespaceCode"`
		Action                string   `json:"action"`
		Resources             []string `json:"resources"`
		JudgeConditionEnabled bool     `json:"judgeConditionEnabled"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if err := h.knownUser(ctx, in.UserID); err != nil {
		return nil, err
	}
	return h.reg.CheckPermission(ctx, resreg.CheckPermissionInput{
		Principal: resreg.Principal{UserID: in.UserID}, NamespaceCode: in.NamespaceCode, Action: in.Action,
		Resources: in.Resources, JudgeConditionEnabled: in.JudgeConditionEnabled,
	})
}

// treeStructDTO is TreeStructs: a node with the actions the user may do.
type treeStructDTO struct {
	Code     string          `json:"code"`
	Name     string          `json:"name"`
	Value    string          `json:"value,omitempty"`
	Actions  []string        `json:"actions"`
	Children []treeStructDTO `json:"children,omitempty"`
}

func toTreeStructs(nodes []resreg.UserTreeNode) []treeStructDTO {
	out := make([]treeStructDTO, len(nodes))
	for i, n := range nodes {
		out[i] = treeStructDTO{Code: n.Code, Name: n.Name, Value: n.Value, Actions: nonNilStrings(n.Actions), Children: toTreeStructs(n.Children)}
	}
	return out
}

// userResourceStructDTO is GetUserResourceStructDataDto: one of the three
// *ResourceAuthAction fields, by type.
type userResourceStructDTO struct {
	NamespaceCode string          `json:"namespaceCode"`
	ResourceCode  string          `json:"resourceCode"`
	ResourceType  resreg.DataType `json:"resourceType"`
	Str           *struct {
		Value   string   `json:"value"`
		Actions []string `json:"actions"`
	} `json:"strResourceAuthAction,omitempty"`
	Arr *struct {
		Values  []string `json:"values"`
		Actions []string `json:"actions"`
	} `json:"arrResourceAuthAction,omitempty"`
	Tree *struct {
		NodeAuthActionList []treeStructDTO `json:"nodeAuthActionList"`
	} `json:"treeResourceAuthAction,omitempty"`
}

func (h *handler) getUserResourceStruct(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		UserID        string `json:"userId"`
		NamespaceCode string `json:"namespaceCode"`
		ResourceCode  string `json:"resourceCode"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if err := h.knownUser(ctx, in.UserID); err != nil {
		return nil, err
	}
	s, err := h.reg.GetUserResourceStruct(ctx, resreg.UserResourceStructInput{
		Principal: resreg.Principal{UserID: in.UserID}, NamespaceCode: in.NamespaceCode, ResourceCode: in.ResourceCode,
	})
	if err != nil {
		return nil, err
	}
	out := userResourceStructDTO{NamespaceCode: s.NamespaceCode, ResourceCode: s.ResourceCode, ResourceType: s.Type}
	switch s.Type {
	case resreg.DataTree:
		out.Tree = &struct {
			NodeAuthActionList []treeStructDTO `json:"nodeAuthActionList"`
		}{toTreeStructs(s.Nodes)}
	default:
		// The value of a STRING or ARRAY is the data resource's struct,
		// shown with the actions the user may do on it.
		d, err := h.reg.GetDataResource(ctx, s.NamespaceCode, s.ResourceCode)
		if err != nil {
			return nil, err
		}
		if s.Type == resreg.DataString {
			out.Str = &struct {
				Value   string   `json:"value"`
				Actions []string `json:"actions"`
			}{d.Struct.String, nonNilStrings(s.Actions)}
		} else {
			out.Arr = &struct {
				Values  []string `json:"values"`
				Actions []string `json:"actions"`
			}{nonNilStrings(d.Struct.Array), nonNilStrings(s.Actions)}
		}
	}
	return out, nil
}
