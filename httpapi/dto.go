package httpapi

import (
	"time"

	"github.com/resreg/resreg"
)

// Response shapes as authing-node-sdk 4.0.1's models declare them. The
// library's timestamps are left out where the SDK's DTO has none.

// resourceDTO is ResourceDto: the name is the default value, a string.
type resourceDTO struct {
	Code           string          `json:"code"`
	Description    string          `json:"description,omitempty"`
	Name           string          `json:"name"`
	Type           string          `json:"type"`
	Actions        []resreg.Action `json:"actions"`
	APIIdentifier  string          `json:"apiIdentifier,omitempty"`
	Namespace      string          `json:"namespace"`
	LinkedToTenant bool            `json:"linkedToTenant"`
}

func toResourceDTO(r resreg.Resource) resourceDTO {
	actions := []resreg.Action(r.Actions)
	if actions == nil {
		actions = []resreg.Action{}
	}
	return resourceDTO{
		Code: r.Code, Description: r.Description, Name: r.Name.DefaultValue, Type: r.Type,
		Actions: actions, APIIdentifier: r.APIIdentifier, Namespace: r.Namespace, LinkedToTenant: r.LinkedToTenant,
	}
}

// commonResourceDTO is CommonResourceDto without namespaceId and
// userPoolId, which resreg has no notion of.
type commonResourceDTO struct {
	resourceDTO
	ID            string    `json:"id"`
	NamespaceName string    `json:"namespaceName"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// namespaceDTO is NamespaceDto, CreatePermissionNamespaceRespDto,
// GetPermissionNamespaceRespDto and the list items (NamespacesListRespDto).
type namespaceDTO struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

func toNamespaceDTO(ns resreg.Namespace) namespaceDTO {
	return namespaceDTO{Code: ns.Code, Name: ns.Name, Description: ns.Description}
}

// pagingDTO is every Authing paginated data: {totalCount, list}.
type pagingDTO[T any] struct {
	TotalCount int `json:"totalCount"`
	List       []T `json:"list"`
}

type successDTO struct {
	Success bool `json:"success"`
}

// checkDTO is CheckParamsDataResourceRespDto and
// CheckPermissionNamespaceExistsRespDto: isValid is true when free.
type checkDTO struct {
	IsValid bool   `json:"isValid"`
	Message string `json:"message,omitempty"`
}

// dataResourceDTO is GetDataResourceRespDto; the create and update
// responses are the same without namespaceCode.
type dataResourceDTO struct {
	NamespaceCode string          `json:"namespaceCode,omitempty"`
	ResourceName  string          `json:"resourceName"`
	ResourceCode  string          `json:"resourceCode"`
	Type          resreg.DataType `json:"type"`
	Description   string          `json:"description,omitempty"`
	Struct        resreg.Struct   `json:"struct"`
	Actions       []string        `json:"actions"` // [] when none, as Authing sends it
}

func toDataResourceDTO(d resreg.DataResource, withNamespace bool) dataResourceDTO {
	out := dataResourceDTO{
		ResourceName: d.ResourceName, ResourceCode: d.ResourceCode, Type: d.Type,
		Description: d.Description, Struct: d.Struct, Actions: d.Actions,
	}
	if out.Actions == nil {
		out.Actions = []string{}
	}
	if withNamespace {
		out.NamespaceCode = d.NamespaceCode
	}
	return out
}

// dataResourceItemDTO is ListDataResourcesRespDto. authorizationNum
// counts the data policies naming the resource; resreg has none yet.
type dataResourceItemDTO struct {
	ResourceName     string          `json:"resourceName"`
	ResourceCode     string          `json:"resourceCode"`
	Type             resreg.DataType `json:"type"`
	Description      string          `json:"description,omitempty"`
	NamespaceCode    string          `json:"namespaceCode"`
	NamespaceName    string          `json:"namespaceName"`
	AuthorizationNum int             `json:"authorizationNum"`
	UpdatedAt        time.Time       `json:"updatedAt"`
}
