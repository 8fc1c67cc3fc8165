package httpapi

import (
	"context"
	"strings"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// The data policy endpoints: policies, their targets, and the checks on
// data resources live in authing_permissions.go.
func (h *handler) dataPolicyRoutes() {
	h.authing("POST /api/v3/create-data-policy", h.createDataPolicy)
	h.authing("GET /api/v3/get-data-policy", h.getDataPolicy)
	h.authing("GET /api/v3/list-data-policies", h.listDataPolicies(false))
	h.authing("GET /api/v3/list-simple-data-policies", h.listDataPolicies(true))
	h.authing("POST /api/v3/update-data-policy", h.updateDataPolicy)
	h.authing("POST /api/v3/delete-data-policy", h.deleteDataPolicy)
	h.authing("GET /api/v3/check-data-policy-exists", h.checkDataPolicyExists)
	h.authing("POST /api/v3/authorize-data-policies", h.authorizeDataPolicies)
	h.authing("POST /api/v3/revoke-data-policy", h.revokeDataPolicy)
	h.authing("GET /api/v3/list-data-policy-targets", h.listDataPolicyTargets)
}

// dataPolicyDTO is CreateDataPolicyRespDto, GetDataPolicyRespDto and
// UpdateDataPolicyRespDto, with the statements, which Authing also sends.
type dataPolicyDTO struct {
	PolicyID      string             `json:"policyId"`
	PolicyName    string             `json:"policyName"`
	Description   string             `json:"description,omitempty"`
	StatementList []resreg.Statement `json:"statementList"`
	CreatedAt     time.Time          `json:"createdAt"`
	UpdatedAt     time.Time          `json:"updatedAt"`
}

func toDataPolicyDTO(p resreg.DataPolicy) dataPolicyDTO {
	return dataPolicyDTO{PolicyID: p.PolicyID, PolicyName: p.PolicyName, Description: p.Description,
		StatementList: p.StatementList, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func (h *handler) createDataPolicy(ctx context.Context, req *authingRequest) (any, error) {
	var in resreg.DataPolicyInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	p, err := h.reg.CreateDataPolicy(ctx, in)
	if err != nil {
		return nil, err
	}
	return toDataPolicyDTO(p), nil
}

func (h *handler) getDataPolicy(ctx context.Context, req *authingRequest) (any, error) {
	p, err := h.reg.GetDataPolicy(ctx, req.str("policyId"))
	if err != nil {
		return nil, err
	}
	return toDataPolicyDTO(p), nil
}

// simplePolicyDTO is ListSimpleDataPoliciesRespDto.
type simplePolicyDTO struct {
	PolicyID    string `json:"policyId"`
	PolicyName  string `json:"policyName"`
	Description string `json:"description,omitempty"`
}

// policyItemDTO is ListDataPoliciesRespDto: resourceList names the data
// resources the statements name ("namespace/code" as resourceId),
// targetList the first targets.
type policyItemDTO struct {
	simplePolicyDTO
	ResourceList []policyResourceDTO `json:"resourceList"`
	TargetList   []subjectDTO        `json:"targetList"`
	UpdatedAt    time.Time           `json:"updatedAt"`
}

type policyResourceDTO struct {
	ResourceID   string `json:"resourceId"`
	ResourceName string `json:"resourceName"`
}

// subjectDTO is SubjectRespDto; a DEPARTMENT travels as Authing's ORG.
type subjectDTO struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Name string `json:"name"`
}

func wireType(t string) string {
	if t == resreg.SubjectDepartment {
		return "ORG"
	}
	return t
}

// maxListedTargets is how many targets one list-data-policies item shows.
const maxListedTargets = 10

func (h *handler) listDataPolicies(simple bool) authingFunc {
	return func(ctx context.Context, req *authingRequest) (any, error) {
		w, err := req.window()
		if err != nil {
			return nil, err
		}
		filter := resreg.DataPolicyFilter{Keyword: req.str("query")}
		p, err := resreg.ListWindow(ctx, w, func(ctx context.Context, o resreg.ListOptions) (resreg.Page[resreg.DataPolicy], error) {
			return h.reg.ListDataPolicies(ctx, filter, o)
		})
		if err != nil {
			return nil, err
		}
		if simple {
			out := pagingDTO[simplePolicyDTO]{TotalCount: p.TotalCount, List: make([]simplePolicyDTO, len(p.Items))}
			for i, pol := range p.Items {
				out.List[i] = simplePolicyDTO{PolicyID: pol.PolicyID, PolicyName: pol.PolicyName, Description: pol.Description}
			}
			return out, nil
		}
		out := pagingDTO[policyItemDTO]{TotalCount: p.TotalCount, List: make([]policyItemDTO, len(p.Items))}
		for i, pol := range p.Items {
			item, err := h.policyItem(ctx, pol)
			if err != nil {
				return nil, err
			}
			out.List[i] = item
		}
		return out, nil
	}
}

// policyItem builds one list-data-policies item: the data resources its
// permissions name (by name when the code has no wildcard and exists) and
// its first targets.
func (h *handler) policyItem(ctx context.Context, pol resreg.DataPolicy) (policyItemDTO, error) {
	item := policyItemDTO{
		simplePolicyDTO: simplePolicyDTO{PolicyID: pol.PolicyID, PolicyName: pol.PolicyName, Description: pol.Description},
		ResourceList:    []policyResourceDTO{}, TargetList: []subjectDTO{}, UpdatedAt: pol.UpdatedAt,
	}
	seen := map[string]bool{}
	for _, st := range pol.StatementList {
		for _, perm := range st.Permissions {
			parts := strings.SplitN(perm, "/", 3)
			if len(parts) < 2 {
				continue
			}
			id := parts[0] + "/" + parts[1]
			if seen[id] {
				continue
			}
			seen[id] = true
			name := parts[1]
			if !strings.Contains(id, "*") {
				if d, err := h.reg.GetDataResource(ctx, parts[0], parts[1]); err == nil {
					name = d.ResourceName
				}
			}
			item.ResourceList = append(item.ResourceList, policyResourceDTO{ResourceID: id, ResourceName: name})
		}
	}
	targets, err := h.reg.ListDataPolicyTargets(ctx, pol.PolicyID, resreg.ListOptions{PageSize: maxListedTargets})
	if err != nil {
		return policyItemDTO{}, err
	}
	for _, t := range targets.Items {
		item.TargetList = append(item.TargetList, subjectDTO{ID: t.Subject.ID, Type: wireType(t.Subject.Type), Name: t.Name})
	}
	return item, nil
}

func (h *handler) updateDataPolicy(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		PolicyID string `json:"policyId"`
		resreg.DataPolicyUpdate
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	p, err := h.reg.UpdateDataPolicy(ctx, in.PolicyID, in.DataPolicyUpdate)
	if err != nil {
		return nil, err
	}
	return toDataPolicyDTO(p), nil
}

func (h *handler) deleteDataPolicy(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		PolicyID string `json:"policyId"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	return nil, h.reg.DeleteDataPolicy(ctx, in.PolicyID)
}

// checkDataPolicyExists answers isValid true when the name is free.
func (h *handler) checkDataPolicyExists(ctx context.Context, req *authingRequest) (any, error) {
	taken, err := h.reg.DataPolicyExists(ctx, req.str("policyName"))
	if err != nil {
		return nil, err
	}
	if taken {
		return checkDTO{IsValid: false, Message: "数据策略名称已经存在"}, nil
	}
	return checkDTO{IsValid: true}, nil
}

func (h *handler) authorizeDataPolicies(ctx context.Context, req *authingRequest) (any, error) {
	var in resreg.AuthorizeDataPoliciesInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	return nil, h.reg.AuthorizeDataPolicies(ctx, in)
}

// revokeDataPolicy detaches one target, as the SDK sends it.
func (h *handler) revokeDataPolicy(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		TargetType       string `json:"targetType"`
		TargetIdentifier string `json:"targetIdentifier"`
		PolicyID         string `json:"policyId"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	return nil, h.reg.RevokeDataPolicy(ctx, resreg.RevokeDataPolicyInput{
		PolicyID: in.PolicyID, TargetList: []resreg.Target{{ID: in.TargetIdentifier, Type: in.TargetType}},
	})
}

// dataSubjectDTO is DataSubjectRespDto.
type dataSubjectDTO struct {
	TargetIdentifier  string    `json:"targetIdentifier"`
	TargetType        string    `json:"targetType"`
	TargetName        string    `json:"targetName"`
	AuthorizationTime time.Time `json:"authorizationTime"`
}

// listDataPolicyTargets pages a policy's targets. With a targetType or a
// query (a case-insensitive substring of the ID or the name) the targets
// are filtered as they are read, at most resreg.MaxOffset of them.
func (h *handler) listDataPolicyTargets(ctx context.Context, req *authingRequest) (any, error) {
	w, err := req.window()
	if err != nil {
		return nil, err
	}
	policyID, typ, query := req.str("policyId"), req.str("targetType"), strings.ToLower(req.str("query"))
	if typ == "ORG" {
		typ = resreg.SubjectDepartment
	}
	list := func(ctx context.Context, o resreg.ListOptions) (resreg.Page[resreg.PolicyTarget], error) {
		return h.reg.ListDataPolicyTargets(ctx, policyID, o)
	}
	var p resreg.WindowPage[resreg.PolicyTarget]
	if typ == "" && query == "" {
		p, err = resreg.ListWindow(ctx, w, list)
	} else {
		p, err = filteredWindow(ctx, w, list, func(t resreg.PolicyTarget) bool {
			return (typ == "" || t.Subject.Type == typ) &&
				(query == "" || strings.Contains(strings.ToLower(t.Subject.ID), query) || strings.Contains(strings.ToLower(t.Name), query))
		})
	}
	if err != nil {
		return nil, err
	}
	out := pagingDTO[dataSubjectDTO]{TotalCount: p.TotalCount, List: make([]dataSubjectDTO, len(p.Items))}
	for i, t := range p.Items {
		out.List[i] = dataSubjectDTO{TargetIdentifier: t.Subject.ID, TargetType: wireType(t.Subject.Type), TargetName: t.Name, AuthorizationTime: t.CreatedAt}
	}
	return out, nil
}

// filteredWindow reads every record of list (up to resreg.MaxOffset) and
// returns window w of those keep accepts.
func filteredWindow[T any](ctx context.Context, w resreg.Window, list func(context.Context, resreg.ListOptions) (resreg.Page[T], error), keep func(T) bool) (resreg.WindowPage[T], error) {
	out := resreg.WindowPage[T]{Items: []T{}}
	opts := resreg.ListOptions{PageSize: store.MaxPageSize}
	for read := 0; read < resreg.MaxOffset; {
		p, err := list(ctx, opts)
		if err != nil {
			return resreg.WindowPage[T]{}, err
		}
		read += len(p.Items)
		for _, item := range p.Items {
			if !keep(item) {
				continue
			}
			if out.TotalCount >= w.Offset && len(out.Items) < w.Limit {
				out.Items = append(out.Items, item)
			}
			out.TotalCount++
		}
		if p.NextPageToken == "" {
			break
		}
		opts.PageToken = p.NextPageToken
	}
	return out, nil
}
