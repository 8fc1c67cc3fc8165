package httpapi

import (
	"context"
	"strings"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

func (h *handler) resourceRoutes() {
	h.authing("POST /api/v3/create-resource", h.createResource)
	h.authing("POST /api/v3/create-resources-batch", h.createResourcesBatch)
	h.authing("GET /api/v3/get-resource", h.getResource)
	h.authing("GET /api/v3/get-resources-batch", h.getResourcesBatch)
	h.authing("GET /api/v3/list-resources", h.listResources)
	h.authing("GET /api/v3/list-common-resource", h.listCommonResource)
	h.authing("POST /api/v3/update-resource", h.updateResource)
	h.authing("POST /api/v3/delete-resource", h.deleteResource)
	h.authing("POST /api/v3/delete-resources-batch", h.deleteResourcesBatch)
}

func (h *handler) createResource(ctx context.Context, req *authingRequest) (any, error) {
	var in resreg.CreateResourceInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	res, err := h.reg.CreateResource(ctx, in)
	if err != nil {
		return nil, err
	}
	return toResourceDTO(res), nil
}

// createResourcesBatch takes {list, namespace}: the namespace applies to
// every item that names none.
func (h *handler) createResourcesBatch(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		List      []resreg.CreateResourceInput `json:"list"`
		Namespace string                       `json:"namespace"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if len(in.List) == 0 {
		return nil, store.Invalid("list", "is required")
	}
	for i := range in.List {
		if in.List[i].Namespace == "" {
			in.List[i].Namespace = in.Namespace
		}
	}
	if _, err := h.reg.CreateResources(ctx, in.List); err != nil {
		return nil, err
	}
	return successDTO{Success: true}, nil
}

func (h *handler) getResource(ctx context.Context, req *authingRequest) (any, error) {
	code := req.str("code")
	if code == "" {
		return nil, store.Invalid("code", "is required")
	}
	res, err := h.reg.GetResource(ctx, req.str("namespace"), code)
	if err != nil {
		return nil, err
	}
	return toResourceDTO(res), nil
}

func (h *handler) getResourcesBatch(ctx context.Context, req *authingRequest) (any, error) {
	codes := req.list("codeList")
	if len(codes) == 0 {
		return nil, store.Invalid("codeList", "is required")
	}
	found, err := h.reg.GetResources(ctx, req.str("namespace"), codes)
	if err != nil {
		return nil, err
	}
	out := make([]resourceDTO, len(found))
	for i, r := range found {
		out[i] = toResourceDTO(r)
	}
	return out, nil
}

func (h *handler) listResources(ctx context.Context, req *authingRequest) (any, error) {
	w, err := req.window()
	if err != nil {
		return nil, err
	}
	filter := resreg.ResourceFilter{Namespace: req.str("namespace")}
	if t := req.str("type"); t != "" {
		filter.Types = []string{t}
	}
	p, err := resreg.ListWindow(ctx, w, func(ctx context.Context, o resreg.ListOptions) (resreg.Page[resreg.Resource], error) {
		return h.reg.ListResources(ctx, filter, o)
	})
	if err != nil {
		return nil, err
	}
	out := pagingDTO[resourceDTO]{TotalCount: p.TotalCount, List: make([]resourceDTO, len(p.Items))}
	for i, r := range p.Items {
		out.List[i] = toResourceDTO(r)
	}
	return out, nil
}

// listCommonResource pages the resources of the namespaces named in
// namespaceCodeList (comma separated), or of every namespace, filtered by
// keyword.
func (h *handler) listCommonResource(ctx context.Context, req *authingRequest) (any, error) {
	w, err := req.window()
	if err != nil {
		return nil, err
	}
	var named []string
	if v := req.str("namespaceCodeList"); v != "" {
		named = strings.Split(v, ",")
	}
	codes, err := h.reg.NamespaceCodes(ctx, named)
	if err != nil {
		return nil, err
	}
	keyword := req.str("keyword")
	p, err := resreg.ListAcross(ctx, h.reg, codes, w, func(ctx context.Context, ns string, o resreg.ListOptions) (resreg.Page[resreg.Resource], error) {
		return h.reg.ListResources(ctx, resreg.ResourceFilter{Namespace: ns, Keyword: keyword}, o)
	})
	if err != nil {
		return nil, err
	}
	nsCodes := make([]string, len(p.Items))
	for i, r := range p.Items {
		nsCodes[i] = r.Namespace
	}
	names, err := h.namespaceNames(ctx, nsCodes)
	if err != nil {
		return nil, err
	}
	out := pagingDTO[commonResourceDTO]{TotalCount: p.TotalCount, List: make([]commonResourceDTO, len(p.Items))}
	for i, r := range p.Items {
		out.List[i] = commonResourceDTO{resourceDTO: toResourceDTO(r), ID: r.ID, NamespaceName: names[r.Namespace], CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

// namespaceNames looks up the name of each distinct namespace code.
func (h *handler) namespaceNames(ctx context.Context, codes []string) (map[string]string, error) {
	names := make(map[string]string, len(codes))
	for _, code := range codes {
		if _, done := names[code]; done {
			continue
		}
		ns, err := h.reg.GetNamespace(ctx, code)
		if err != nil {
			return nil, err
		}
		names[code] = ns.Name
	}
	return names, nil
}

// updateResource takes the UpdateResourceDto: code and namespace address
// the resource; the other fields, when present, replace.
func (h *handler) updateResource(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		resreg.ResourceUpdate
		Code      string `json:"code"`
		Namespace string `json:"namespace"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if in.Code == "" {
		return nil, store.Invalid("code", "is required")
	}
	res, err := h.reg.UpdateResource(ctx, in.Namespace, in.Code, in.ResourceUpdate)
	if err != nil {
		return nil, err
	}
	return toResourceDTO(res), nil
}

func (h *handler) deleteResource(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		Code      string `json:"code"`
		Namespace string `json:"namespace"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if in.Code == "" {
		return nil, store.Invalid("code", "is required")
	}
	if err := h.reg.DeleteResources(ctx, in.Namespace, in.Code); err != nil {
		return nil, err
	}
	return successDTO{Success: true}, nil
}

// deleteResourcesBatch removes by codeList and ids together, all or none.
func (h *handler) deleteResourcesBatch(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		Namespace string   `json:"namespace"`
		CodeList  []string `json:"codeList"`
		IDs       []string `json:"ids"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if err := h.reg.DeleteResourcesByID(ctx, in.Namespace, in.IDs, in.CodeList); err != nil {
		return nil, err
	}
	return successDTO{Success: true}, nil
}
