package resreg

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/resreg/resreg/store"
)

// DataType is the kind of a data resource: STRING, ARRAY or TREE.
type DataType = store.DataType

// The data resource types of Authing's createDataResource.
const (
	DataString = store.DataString
	DataArray  = store.DataArray
	DataTree   = store.DataTree
)

// DataResource is data with permissions of its own (Authing data resource).
// Its resource code and its resource name are each unique within the
// namespace.
type DataResource = store.DataResource

// Struct holds a data resource's content in exactly one shape: String for
// STRING, Array for ARRAY, Tree for TREE. In JSON it is a string, an array
// of strings or an array of tree nodes.
type Struct = store.Struct

// DataResourceFilter selects data resources in a namespace (empty means
// default) by type and by a keyword in the code or name.
type DataResourceFilter = store.DataResourceFilter

// StringStruct returns the struct of a STRING data resource.
func StringStruct(s string) Struct { return Struct{String: s} }

// ArrayStruct returns the struct of an ARRAY data resource.
func ArrayStruct(items ...string) Struct {
	if items == nil {
		items = []string{}
	}
	return Struct{Array: items}
}

// TreeStruct returns the struct of a TREE data resource.
func TreeStruct(roots ...TreeNode) Struct {
	if roots == nil {
		roots = []TreeNode{}
	}
	return Struct{Tree: Tree(roots)}
}

// CreateDataResourceInput is the request body of Authing's
// createDataResource. The struct decodes by its own JSON shape, so the
// order of "type" and "struct" in the body does not matter.
type CreateDataResourceInput struct {
	// NamespaceCode is required, as Authing's table says.
	NamespaceCode string `json:"namespaceCode"`
	ResourceName  string `json:"resourceName"`
	Description   string `json:"description,omitempty"`
	ResourceCode  string `json:"resourceCode"`
	// Type is STRING, ARRAY or TREE, and must match the shape of Struct.
	Type   DataType `json:"type"`
	Struct Struct   `json:"struct"`
	// Actions may also be a string holding a JSON array in JSON.
	Actions []string `json:"actions"`
}

// DataResourceUpdate changes a data resource; nil fields stay as they are.
// A new Struct must have the resource's type.
type DataResourceUpdate struct {
	ResourceName *string   `json:"resourceName,omitempty"`
	Description  *string   `json:"description,omitempty"`
	Struct       *Struct   `json:"struct,omitempty"`
	Actions      *[]string `json:"actions,omitempty"`
}

// DataResourceExistsQuery asks whether a data resource code or name is taken
// in a namespace (Authing check-data-resource-exists).
type DataResourceExistsQuery struct {
	NamespaceCode string `json:"namespaceCode"`
	ResourceCode  string `json:"resourceCode,omitempty"`
	ResourceName  string `json:"resourceName,omitempty"`
}

// CreateDataResource adds a data resource (Authing createDataResource).
//
// Rules: namespaceCode, resourceCode and resourceName are required;
// resourceCode follows the code rule; resourceName is text of at most
// MaxNameLen characters; type is STRING, ARRAY or TREE; struct has the
// shape of the type and is not empty (a STRING of at most MaxValueLen
// characters; an ARRAY of at most Limits.MaxArrayItems distinct non-blank
// items; a TREE as checked by the tree rules); actions are required, at
// most Limits.MaxDataActions, each following the action name rule (see the
// package documentation), no repeats.
// A taken code or name is ErrConflict.
func (r *Registry) CreateDataResource(ctx context.Context, in CreateDataResourceInput) (DataResource, error) {
	if err := checkCode("namespaceCode", in.NamespaceCode); err != nil {
		return DataResource{}, err
	}
	now, err := r.now("createdAt")
	if err != nil {
		return DataResource{}, err
	}
	// Validate the caller's values first and copy them only once they are
	// known to be within the limits, so that hostile input is rejected
	// before the work grows with it.
	d := DataResource{
		NamespaceCode: in.NamespaceCode,
		ResourceCode:  in.ResourceCode,
		ResourceName:  in.ResourceName,
		Description:   in.Description,
		Type:          in.Type,
		Struct:        in.Struct,
		Actions:       in.Actions,
		CreatedAt:     now,
		UpdatedAt:     now,
	}
	if err := r.checkDataResource(&d); err != nil {
		return DataResource{}, err
	}
	d.Struct = d.Struct.Clone()
	d.Actions = slices.Clone(d.Actions)
	if err := r.store.CreateDataResource(ctx, d); err != nil {
		return DataResource{}, err
	}
	return d, nil
}

// checkDataResource applies the rules listed on CreateDataResource.
func (r *Registry) checkDataResource(d *DataResource) error {
	if err := checkCode("resourceCode", d.ResourceCode); err != nil {
		return err
	}
	if err := checkText("resourceName", d.ResourceName, MaxNameLen, true); err != nil {
		return err
	}
	if err := checkText("description", d.Description, MaxDescriptionLen, false); err != nil {
		return err
	}
	switch d.Type {
	case DataString, DataArray, DataTree:
	default:
		return store.Invalid("type", "must be STRING, ARRAY or TREE, got "+strconv.Quote(string(d.Type)))
	}
	if err := r.checkStruct("struct", d.Type, d.Struct); err != nil {
		return err
	}
	return r.checkDataActions("actions", d.Actions)
}

// checkStruct checks that s has the shape of typ and follows its rules.
func (r *Registry) checkStruct(field string, typ DataType, s Struct) error {
	if shape := s.Shape(); shape != typ {
		return structShapeError(field, typ, shape)
	}
	if (s.String != "") && (s.Array != nil || s.Tree != nil) || s.Array != nil && s.Tree != nil {
		// A Struct built by hand could fill two shapes; only one would be
		// stored, so refuse it rather than drop the other silently.
		return store.Invalid(field, "must hold one shape only: a string, a string array or a node array")
	}
	switch typ {
	case DataString:
		return checkText(field, s.String, MaxValueLen, true)
	case DataArray:
		if len(s.Array) == 0 {
			return store.Invalid(field, "must hold at least one item")
		}
		if len(s.Array) > r.limits.MaxArrayItems {
			return store.Invalid(field, "must hold at most "+strconv.Itoa(r.limits.MaxArrayItems)+" items, got "+strconv.Itoa(len(s.Array)))
		}
		return checkList(field, s.Array, func(f, item string) error {
			return checkText(f, item, MaxValueLen, true)
		})
	default:
		return checkTree(field, s.Tree, r.limits)
	}
}

// structShapeError reports a struct whose shape does not fit the type.
func structShapeError(field string, typ, shape DataType) error {
	return store.Invalid(field, "a "+string(typ)+" data resource needs a "+shapeName[typ]+", got a "+shapeName[shape])
}

var shapeName = map[DataType]string{
	DataString: "string",
	DataArray:  "string array",
	DataTree:   "node array",
}

// checkDataActions enforces the data action rules.
func (r *Registry) checkDataActions(field string, actions []string) error {
	if len(actions) == 0 {
		return store.Invalid(field, "is required")
	}
	if len(actions) > r.limits.MaxDataActions {
		return store.Invalid(field, "must hold at most "+strconv.Itoa(r.limits.MaxDataActions)+" actions, got "+strconv.Itoa(len(actions)))
	}
	return checkList(field, actions, checkActionName)
}

// GetDataResource returns the data resource code in namespace (empty means
// default).
func (r *Registry) GetDataResource(ctx context.Context, namespace, code string) (DataResource, error) {
	return r.store.GetDataResource(ctx, namespaceOrDefault(namespace), code)
}

// GetDataResourceByName returns the data resource named name in namespace
// (empty means default): ErrNotFound if no data resource has that name,
// ErrNamespaceNotFound if the namespace does not exist.
func (r *Registry) GetDataResourceByName(ctx context.Context, namespace, name string) (DataResource, error) {
	return r.store.GetDataResourceByName(ctx, namespaceOrDefault(namespace), name)
}

// FindTreeNode returns the node at path ("product/productManager") of a
// TREE data resource, without loading the whole tree where the store can
// avoid it. A missing resource, a non-TREE resource or a missing path is
// ErrNotFound.
func (r *Registry) FindTreeNode(ctx context.Context, namespace, code, path string) (TreePath, error) {
	if path == "" {
		return TreePath{}, store.Invalid("path", "is required")
	}
	return r.store.GetDataTreeNode(ctx, namespaceOrDefault(namespace), code, path)
}

// ListDataResources lists data resources ordered by code. Keyword is at
// most MaxKeywordLen characters; Types holds at most Limits.MaxBatch items
// (repeats count), else ErrInvalid on field "types".
func (r *Registry) ListDataResources(ctx context.Context, filter DataResourceFilter, opts ListOptions) (Page[DataResource], error) {
	filter.Namespace = namespaceOrDefault(filter.Namespace)
	if err := checkText("keyword", filter.Keyword, MaxKeywordLen, false); err != nil {
		return Page[DataResource]{}, err
	}
	if err := r.checkFilterLen("types", len(filter.Types)); err != nil {
		return Page[DataResource]{}, err
	}
	return r.store.ListDataResources(ctx, filter, opts)
}

// UpdateDataResource changes a data resource's name, description, struct
// (of the same type) or actions. The new values are checked by the creation
// rules before the store is touched; a struct of another type than the
// resource's is ErrInvalid and a name taken by another data resource is
// ErrConflict.
func (r *Registry) UpdateDataResource(ctx context.Context, namespace, code string, upd DataResourceUpdate) (DataResource, error) {
	if err := r.checkDataResourceUpdate(upd); err != nil {
		return DataResource{}, err
	}
	var newStruct Struct
	if upd.Struct != nil {
		newStruct = upd.Struct.Clone()
	}
	var newActions []string
	if upd.Actions != nil {
		newActions = slices.Clone(*upd.Actions)
	}
	now, err := r.now("updatedAt")
	if err != nil {
		return DataResource{}, err
	}
	return r.store.UpdateDataResource(ctx, namespaceOrDefault(namespace), code, func(d *DataResource) error {
		if upd.Struct != nil {
			if shape := newStruct.Shape(); shape != d.Type {
				return structShapeError("struct", d.Type, shape)
			}
			d.Struct = newStruct
		}
		if upd.ResourceName != nil {
			d.ResourceName = *upd.ResourceName
		}
		if upd.Description != nil {
			d.Description = *upd.Description
		}
		if upd.Actions != nil {
			d.Actions = newActions
		}
		d.UpdatedAt = now
		return nil
	})
}

// checkDataResourceUpdate checks the fields an update sets, each by its
// creation rule; a struct is checked against its own shape, as the
// resource's type is known only inside the write.
func (r *Registry) checkDataResourceUpdate(upd DataResourceUpdate) error {
	if upd.ResourceName != nil {
		if err := checkText("resourceName", *upd.ResourceName, MaxNameLen, true); err != nil {
			return err
		}
	}
	if upd.Description != nil {
		if err := checkText("description", *upd.Description, MaxDescriptionLen, false); err != nil {
			return err
		}
	}
	if upd.Struct != nil {
		if err := r.checkStruct("struct", upd.Struct.Shape(), *upd.Struct); err != nil {
			return err
		}
	}
	if upd.Actions != nil {
		return r.checkDataActions("actions", *upd.Actions)
	}
	return nil
}

// DeleteDataResource removes a data resource; a missing one is ErrNotFound.
func (r *Registry) DeleteDataResource(ctx context.Context, namespace, code string) error {
	return r.store.DeleteDataResource(ctx, namespaceOrDefault(namespace), code)
}

// DataResourceExists reports whether the code or the name of q is taken in
// its namespace (empty means default). At least one of them is required.
func (r *Registry) DataResourceExists(ctx context.Context, q DataResourceExistsQuery) (bool, error) {
	if q.ResourceCode == "" && q.ResourceName == "" {
		return false, store.Invalid("resourceCode", "resourceCode or resourceName is required")
	}
	ns := namespaceOrDefault(q.NamespaceCode)
	lookups := []struct {
		key string
		get func(context.Context, string, string) (DataResource, error)
	}{
		{q.ResourceCode, r.store.GetDataResource},
		{q.ResourceName, r.store.GetDataResourceByName},
	}
	for _, l := range lookups {
		if l.key == "" {
			continue
		}
		_, err := l.get(ctx, ns, l.key)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, ErrNamespaceNotFound) || !errors.Is(err, ErrNotFound):
			return false, err
		}
	}
	return false, nil
}

// UnmarshalJSON decodes the input; actions may be an array, a string
// holding an array (as Authing sends it), or null.
func (in *CreateDataResourceInput) UnmarshalJSON(b []byte) error {
	type plain CreateDataResourceInput
	aux := struct {
		plain
		Actions json.Unmarshaler `json:"actions"`
	}{plain(*in), store.DataActionsJSON(&in.Actions)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return withoutEmbeddedName(err)
	}
	actions := in.Actions
	*in = CreateDataResourceInput(aux.plain)
	in.Actions = actions
	return nil
}
