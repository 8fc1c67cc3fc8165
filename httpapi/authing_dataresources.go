package httpapi

import (
	"context"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

func (h *handler) dataResourceRoutes() {
	h.authing("POST /api/v3/create-data-resource", h.createDataResource(""))
	h.authing("POST /api/v3/create-string-data-resource", h.createDataResource(resreg.DataString))
	h.authing("POST /api/v3/create-array-data-resource", h.createDataResource(resreg.DataArray))
	h.authing("POST /api/v3/create-tree-data-resource", h.createDataResource(resreg.DataTree))
	h.authing("GET /api/v3/get-data-resource", h.getDataResource)
	h.authing("GET /api/v3/list-data-resources", h.listDataResources)
	h.authing("POST /api/v3/update-data-resource", h.updateDataResource)
	h.authing("POST /api/v3/delete-data-resource", h.deleteDataResource)
	h.authing("GET /api/v3/check-data-resource-exists", h.checkDataResourceExists)
}

// createDataResource serves the generic endpoint (typ empty: the body
// names the type) and the typed ones, whose body has no type.
func (h *handler) createDataResource(typ resreg.DataType) authingFunc {
	return func(ctx context.Context, req *authingRequest) (any, error) {
		var in resreg.CreateDataResourceInput
		if err := req.decode(&in); err != nil {
			return nil, err
		}
		if typ != "" {
			if in.Type != "" && in.Type != typ {
				return nil, store.Invalid("type", "this endpoint creates "+string(typ)+" data resources")
			}
			in.Type = typ
		}
		d, err := h.reg.CreateDataResource(ctx, in)
		if err != nil {
			return nil, err
		}
		return toDataResourceDTO(d, false), nil
	}
}

func (h *handler) getDataResource(ctx context.Context, req *authingRequest) (any, error) {
	ns, code := req.str("namespaceCode"), req.str("resourceCode")
	if code == "" {
		return nil, store.Invalid("resourceCode", "is required")
	}
	d, err := h.reg.GetDataResource(ctx, ns, code)
	if err != nil {
		return nil, err
	}
	return toDataResourceDTO(d, true), nil
}

// listDataResources pages the data resources of namespaceCodes (every
// namespace when none is named) matching query.
func (h *handler) listDataResources(ctx context.Context, req *authingRequest) (any, error) {
	w, err := req.window()
	if err != nil {
		return nil, err
	}
	codes, err := h.reg.NamespaceCodes(ctx, req.list("namespaceCodes"))
	if err != nil {
		return nil, err
	}
	keyword := req.str("query")
	p, err := resreg.ListAcross(ctx, h.reg, codes, w, func(ctx context.Context, ns string, o resreg.ListOptions) (resreg.Page[resreg.DataResource], error) {
		return h.reg.ListDataResources(ctx, resreg.DataResourceFilter{Namespace: ns, Keyword: keyword}, o)
	})
	if err != nil {
		return nil, err
	}
	nsCodes := make([]string, len(p.Items))
	for i, d := range p.Items {
		nsCodes[i] = d.NamespaceCode
	}
	names, err := h.namespaceNames(ctx, nsCodes)
	if err != nil {
		return nil, err
	}
	out := pagingDTO[dataResourceItemDTO]{TotalCount: p.TotalCount, List: make([]dataResourceItemDTO, len(p.Items))}
	for i, d := range p.Items {
		out.List[i] = dataResourceItemDTO{
			ResourceName: d.ResourceName, ResourceCode: d.ResourceCode, Type: d.Type, Description: d.Description,
			NamespaceCode: d.NamespaceCode, NamespaceName: names[d.NamespaceCode], UpdatedAt: d.UpdatedAt,
		}
	}
	return out, nil
}

func (h *handler) updateDataResource(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		resreg.DataResourceUpdate
		NamespaceCode string `json:"namespaceCode"`
		ResourceCode  string `json:"resourceCode"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if in.ResourceCode == "" {
		return nil, store.Invalid("resourceCode", "is required")
	}
	d, err := h.reg.UpdateDataResource(ctx, in.NamespaceCode, in.ResourceCode, in.DataResourceUpdate)
	if err != nil {
		return nil, err
	}
	return toDataResourceDTO(d, false), nil
}

// deleteDataResource answers the bare envelope (CommonResponseDto).
func (h *handler) deleteDataResource(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		NamespaceCode string `json:"namespaceCode"`
		ResourceCode  string `json:"resourceCode"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if in.ResourceCode == "" {
		return nil, store.Invalid("resourceCode", "is required")
	}
	return nil, h.reg.DeleteDataResource(ctx, in.NamespaceCode, in.ResourceCode)
}

// checkDataResourceExists answers as Authing does: isValid true when the
// code and the name are free, otherwise the message says which is taken.
func (h *handler) checkDataResourceExists(ctx context.Context, req *authingRequest) (any, error) {
	q := resreg.DataResourceExistsQuery{
		NamespaceCode: req.str("namespaceCode"),
		ResourceCode:  req.str("resourceCode"),
		ResourceName:  req.str("resourceName"),
	}
	if q.ResourceCode == "" && q.ResourceName == "" {
		_, err := h.reg.DataResourceExists(ctx, q)
		return nil, err
	}
	for _, probe := range []struct {
		q       resreg.DataResourceExistsQuery
		skip    bool
		message string
	}{
		{resreg.DataResourceExistsQuery{NamespaceCode: q.NamespaceCode, ResourceCode: q.ResourceCode}, q.ResourceCode == "", "数据资源 code 已经存在"},
		{resreg.DataResourceExistsQuery{NamespaceCode: q.NamespaceCode, ResourceName: q.ResourceName}, q.ResourceName == "", "数据资源名称已经存在"},
	} {
		if probe.skip {
			continue
		}
		taken, err := h.reg.DataResourceExists(ctx, probe.q)
		if err != nil {
			return nil, err
		}
		if taken {
			return checkDTO{IsValid: false, Message: probe.message}, nil
		}
	}
	return checkDTO{IsValid: true}, nil
}
