package httpapi

import (
	"context"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// Namespace endpoints, in both of Authing's spellings: "namespace" and
// "permission-namespace". They differ in the names of their lists.
func (h *handler) namespaceRoutes() {
	for _, sp := range []struct{ infix, batchCodes, keyword string }{
		{"namespace", "codeList", "keywords"},
		{"permission-namespace", "codes", "query"},
	} {
		h.authing("POST /api/v3/create-"+sp.infix, h.createNamespace)
		h.authing("POST /api/v3/create-"+sp.infix+"s-batch", h.createNamespacesBatch)
		h.authing("GET /api/v3/get-"+sp.infix, h.getNamespace)
		h.authing("GET /api/v3/get-"+sp.infix+"s-batch", h.getNamespacesBatch(sp.batchCodes))
		h.authing("GET /api/v3/list-"+sp.infix+"s", h.listNamespaces(sp.keyword))
		h.authing("POST /api/v3/update-"+sp.infix, h.updateNamespace)
		h.authing("POST /api/v3/delete-"+sp.infix, h.deleteNamespace)
		h.authing("POST /api/v3/delete-"+sp.infix+"s-batch", h.deleteNamespacesBatch(sp.batchCodes))
	}
	h.authing("POST /api/v3/check-permission-namespace-exists", h.checkNamespaceExists)
}

func (h *handler) createNamespace(ctx context.Context, req *authingRequest) (any, error) {
	var in namespaceDTO
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	ns, err := h.reg.CreateNamespace(ctx, resreg.Namespace{Code: in.Code, Name: in.Name, Description: in.Description})
	if err != nil {
		return nil, err
	}
	return toNamespaceDTO(ns), nil
}

func (h *handler) createNamespacesBatch(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		List []namespaceDTO `json:"list"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	list := make([]resreg.Namespace, len(in.List))
	for i, ns := range in.List {
		list[i] = resreg.Namespace{Code: ns.Code, Name: ns.Name, Description: ns.Description}
	}
	if _, err := h.reg.CreateNamespaces(ctx, list); err != nil {
		return nil, err
	}
	return successDTO{Success: true}, nil
}

func (h *handler) getNamespace(ctx context.Context, req *authingRequest) (any, error) {
	code := req.str("code")
	if code == "" {
		return nil, store.Invalid("code", "is required")
	}
	ns, err := h.reg.GetNamespace(ctx, code)
	if err != nil {
		return nil, err
	}
	return toNamespaceDTO(ns), nil
}

func (h *handler) getNamespacesBatch(param string) authingFunc {
	return func(ctx context.Context, req *authingRequest) (any, error) {
		codes := req.list(param)
		if len(codes) == 0 {
			return nil, store.Invalid(param, "is required")
		}
		found, err := h.reg.GetNamespaces(ctx, codes)
		if err != nil {
			return nil, err
		}
		out := make([]namespaceDTO, len(found))
		for i, ns := range found {
			out[i] = toNamespaceDTO(ns)
		}
		return out, nil
	}
}

// listNamespaces pages every namespace, the default one included,
// filtered by the keyword parameter (keywords or query).
func (h *handler) listNamespaces(keywordParam string) authingFunc {
	return func(ctx context.Context, req *authingRequest) (any, error) {
		w, err := req.window()
		if err != nil {
			return nil, err
		}
		p, err := h.reg.ListNamespacesWindow(ctx, req.str(keywordParam), w)
		if err != nil {
			return nil, err
		}
		out := pagingDTO[namespaceDTO]{TotalCount: p.TotalCount, List: make([]namespaceDTO, len(p.Items))}
		for i, ns := range p.Items {
			out.List[i] = toNamespaceDTO(ns)
		}
		return out, nil
	}
}

type updateNamespaceDTO struct {
	Code        string  `json:"code"`
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	NewCode     string  `json:"newCode,omitempty"`
}

// updateNamespace changes a name or description and, with a newCode other
// than code, renames the namespace with everything in it (see
// Registry.UpdateNamespace); data is the namespace as it is afterwards,
// under its new code. An empty newCode, as the SDK sends when none is
// given, changes no code.
func (h *handler) updateNamespace(ctx context.Context, req *authingRequest) (any, error) {
	var in updateNamespaceDTO
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if in.Code == "" {
		return nil, store.Invalid("code", "is required")
	}
	upd := resreg.NamespaceUpdate{Name: in.Name, Description: in.Description}
	if in.NewCode != "" {
		upd.NewCode = &in.NewCode
	}
	ns, err := h.reg.UpdateNamespace(ctx, in.Code, upd)
	if err != nil {
		return nil, err
	}
	return toNamespaceDTO(ns), nil
}

func (h *handler) deleteNamespace(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		Code string `json:"code"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if in.Code == "" {
		return nil, store.Invalid("code", "is required")
	}
	if err := h.reg.DeleteNamespace(ctx, in.Code); err != nil {
		return nil, err
	}
	return successDTO{Success: true}, nil
}

func (h *handler) deleteNamespacesBatch(param string) authingFunc {
	return func(ctx context.Context, req *authingRequest) (any, error) {
		var in struct {
			CodeList []string `json:"codeList"`
			Codes    []string `json:"codes"`
		}
		if err := req.decode(&in); err != nil {
			return nil, err
		}
		codes := in.CodeList
		if param == "codes" {
			codes = in.Codes
		}
		if err := h.reg.DeleteNamespaces(ctx, codes); err != nil {
			return nil, err
		}
		return successDTO{Success: true}, nil
	}
}

// checkNamespaceExists answers isValid true when the code and the name
// are free.
func (h *handler) checkNamespaceExists(ctx context.Context, req *authingRequest) (any, error) {
	var in resreg.NamespaceExistsQuery
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	codeTaken, nameTaken, err := h.reg.NamespaceExists(ctx, in)
	switch {
	case err != nil:
		return nil, err
	case codeTaken:
		return checkDTO{IsValid: false, Message: "权限空间 Code 已经存在"}, nil
	case nameTaken:
		return checkDTO{IsValid: false, Message: "权限空间名称已经存在"}, nil
	}
	return checkDTO{IsValid: true}, nil
}
