package httpapi

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// EnOS resource endpoints. Every one is a POST whose orgId (the
// namespace) comes from the query, never from the body, and which bears
// "Authorization: Bearer <token>".
const enosPrefix = "/app-portal-service/v2.3/"

func isEnOSPath(path string) bool { return strings.HasPrefix(path, "/app-portal-service/") }

func (h *handler) enosRoutes() {
	h.enos("resource/create", h.enosRegister)
	h.enos("resource/update", h.enosUpdate)
	h.enos("resource/delete", h.enosDelete)
	h.enos("resource/list", h.enosList)
}

// enosRequest is an authenticated EnOS request.
type enosRequest struct {
	orgID string
	body  []byte
}

func (e *enosRequest) decode(v any) error { return resreg.DecodeJSON(bytes.NewReader(e.body), v) }

type enosFunc func(ctx context.Context, req *enosRequest) (any, error)

func (h *handler) enos(path string, fn enosFunc) {
	h.mux.HandleFunc("POST "+enosPrefix+path, func(w http.ResponseWriter, r *http.Request) {
		if err := h.verifyEnOS(r); err != nil {
			h.writeEnOS(w, r, nil, err)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				err = store.Invalid("body", "must be at most "+strconv.Itoa(resreg.MaxBodyBytes)+" bytes")
			}
			h.writeEnOS(w, r, nil, err)
			return
		}
		orgID := r.URL.Query().Get("orgId")
		if orgID == "" {
			h.writeEnOS(w, r, nil, store.Invalid("orgId", "is required in the query"))
			return
		}
		data, err := fn(r.Context(), &enosRequest{orgID: orgID, body: body})
		h.writeEnOS(w, r, data, err)
	})
}

func (h *handler) verifyEnOS(r *http.Request) error {
	if h.enosToken == "" {
		if h.noAuth {
			return nil
		}
		return unauthorized("no EnOS token is configured")
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(h.enosToken)) != 1 {
		return unauthorized("bearer token is missing or wrong")
	}
	return nil
}

// enosResource is a resource as EnOS returns it: id, code, name, type.
type enosResource struct {
	ID   string          `json:"id"`
	Code string          `json:"code"`
	Name resreg.I18nName `json:"name"`
	Type string          `json:"type"`
}

func toEnOSResource(r resreg.Resource) enosResource {
	return enosResource{ID: r.ID, Code: r.Code, Name: r.Name, Type: r.Type}
}

func toEnOSResources(rs []resreg.Resource) []enosResource {
	out := make([]enosResource, len(rs))
	for i, r := range rs {
		out[i] = toEnOSResource(r)
	}
	return out
}

// enosRegister is Register Resource (seed 004).
func (h *handler) enosRegister(ctx context.Context, req *enosRequest) (any, error) {
	var in resreg.RegisterInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	in.Namespace = req.orgID
	res, err := h.reg.RegisterResources(ctx, in)
	if err != nil {
		return nil, err
	}
	return struct {
		Success   bool           `json:"success"`
		Resources []enosResource `json:"resources"`
	}{res.Success, toEnOSResources(res.Resources)}, nil
}

// enosUpdate takes {id, name}; the name replaces the whole i18n object.
func (h *handler) enosUpdate(ctx context.Context, req *enosRequest) (any, error) {
	var in struct {
		ID   string           `json:"id"`
		Name *resreg.I18nName `json:"name"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if in.Name == nil {
		return nil, store.Invalid("name", "is required")
	}
	if in.Name.DefaultValue == "" {
		return nil, store.Invalid("name.defaultValue", "is required")
	}
	res, err := h.reg.UpdateResourceByID(ctx, req.orgID, in.ID, resreg.ResourceUpdate{Name: in.Name})
	if err != nil {
		return nil, err
	}
	return toEnOSResource(res), nil
}

// enosDelete takes {ids, codes} and removes all of them or none.
func (h *handler) enosDelete(ctx context.Context, req *enosRequest) (any, error) {
	var in struct {
		IDs   []string `json:"ids"`
		Codes []string `json:"codes"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	return nil, h.reg.DeleteResourcesByID(ctx, req.orgID, in.IDs, in.Codes)
}

type enosPagination struct {
	PageNo        int `json:"pageNo"`
	PageSize      int `json:"pageSize"`
	TotalElements int `json:"totalElements"`
}

// enosList takes {codes, ids, types, pagination: {pageNo, pageSize}}.
func (h *handler) enosList(ctx context.Context, req *enosRequest) (any, error) {
	var in struct {
		Codes      []string `json:"codes"`
		IDs        []string `json:"ids"`
		Types      []string `json:"types"`
		Pagination struct {
			PageNo   int `json:"pageNo"`
			PageSize int `json:"pageSize"`
		} `json:"pagination"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	w, err := resreg.EnOSWindow(in.Pagination.PageNo, in.Pagination.PageSize)
	if err != nil {
		return nil, err
	}
	p, err := h.reg.ListResourcesWindow(ctx, resreg.ResourceFilter{Namespace: req.orgID, Codes: in.Codes, IDs: in.IDs, Types: in.Types}, w)
	if err != nil {
		return nil, err
	}
	return struct {
		Resources  []enosResource `json:"resources"`
		Pagination enosPagination `json:"pagination"`
	}{toEnOSResources(p.Items), enosPagination{PageNo: in.Pagination.PageNo, PageSize: w.Limit, TotalElements: p.TotalCount}}, nil
}
