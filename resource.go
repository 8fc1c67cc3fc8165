package resreg

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/samber/lo"

	"github.com/resreg/resreg/store"
)

// Resource types named by Authing. Type is a plain string: other type IDs,
// such as EnOS resource type IDs, are accepted when they follow the code
// rule.
const (
	TypeData   = store.TypeData
	TypeAPI    = store.TypeAPI
	TypeMenu   = store.TypeMenu
	TypeButton = store.TypeButton
	TypeUI     = store.TypeUI
)

// Resource is something that can be protected, with the actions that exist
// on it. Its code and its ID are each unique within its namespace.
type Resource = store.Resource

// Action is one operation on a resource: {"name": "ecs:Start",
// "description": "Start ECS server"}.
type Action = store.Action

// ResourceFilter selects resources in a namespace (empty means default).
type ResourceFilter = store.ResourceFilter

// CreateResourceInput is the request body of Authing's createResource.
type CreateResourceInput struct {
	// Type is required: API, MENU, BUTTON, UI, DATA or another type ID.
	Type string `json:"type"`
	// Code is required and unique within the namespace.
	Code        string `json:"code"`
	Description string `json:"description,omitempty"`
	// Name is optional; it decodes from a string or an i18n object.
	Name I18nName `json:"name"`
	// Actions are optional; each needs a name and a description. In JSON
	// they may also be a string holding an array, as Authing sends them.
	Actions []Action `json:"actions,omitempty"`
	// APIIdentifier is optional: the URL of an API resource.
	APIIdentifier string `json:"apiIdentifier,omitempty"`
	// Namespace is optional; empty means DefaultNamespace.
	Namespace      string `json:"namespace,omitempty"`
	LinkedToTenant bool   `json:"linkedToTenant,omitempty"`
}

// ResourceUpdate changes a resource; nil fields stay as they are. The code,
// ID and namespace never change.
type ResourceUpdate struct {
	Type           *string   `json:"type,omitempty"`
	Name           *I18nName `json:"name,omitempty"`
	Description    *string   `json:"description,omitempty"`
	Actions        *[]Action `json:"actions,omitempty"`
	APIIdentifier  *string   `json:"apiIdentifier,omitempty"`
	LinkedToTenant *bool     `json:"linkedToTenant,omitempty"`
}

// CreateResource adds one resource (Authing createResource). See the
// package documentation for the rules; any error writes nothing.
func (r *Registry) CreateResource(ctx context.Context, in CreateResourceInput) (Resource, error) {
	out, err := r.createResources(ctx, "", []CreateResourceInput{in}, false)
	if err != nil {
		return Resource{}, err
	}
	return out[0], nil
}

// CreateResources adds every resource or none (Authing's batch create).
// Error fields are prefixed with the item's index, as in "[3].code". An
// empty batch does nothing; more than Limits.MaxBatch items is ErrInvalid
// on the first item past the limit. Codes repeated within the batch, or
// already taken, are ErrConflict naming every such code.
func (r *Registry) CreateResources(ctx context.Context, in []CreateResourceInput) ([]Resource, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > r.limits.MaxBatch {
		return nil, store.Invalid(index("", r.limits.MaxBatch), "a batch holds at most "+strconv.Itoa(r.limits.MaxBatch)+" items, got "+strconv.Itoa(len(in)))
	}
	return r.createResources(ctx, "", in, true)
}

// createResources validates and writes a batch. Fields are named
// prefix[i].field when indexed is set and prefix.field otherwise (a single
// create).
func (r *Registry) createResources(ctx context.Context, prefix string, in []CreateResourceInput, indexed bool) ([]Resource, error) {
	now, err := r.now("createdAt")
	if err != nil {
		return nil, err
	}
	out := make([]Resource, len(in))
	for i, item := range in {
		at := item0(prefix)
		if indexed {
			at = itemAt(prefix, i)
		}
		ns := namespaceOrDefault(item.Namespace)
		if p := codeProblem(ns); p != "" {
			return nil, store.Invalid(at.field("namespace"), p)
		}
		res := Resource{
			ID:             r.newID(),
			Namespace:      ns,
			Code:           item.Code,
			Type:           item.Type,
			Name:           item.Name.Clone(),
			Description:    item.Description,
			Actions:        cloneActions(item.Actions),
			APIIdentifier:  item.APIIdentifier,
			LinkedToTenant: item.LinkedToTenant,
			CreatedAt:      now,
			UpdatedAt:      now,
		}
		if err := r.checkResource(at, &res, false); err != nil {
			return nil, err
		}
		out[i] = res
	}
	if err := batchConflicts(prefix, out); err != nil {
		return nil, err
	}
	if err := r.writeResources(ctx, prefix, out, indexed); err != nil {
		return nil, err
	}
	return out, nil
}

// writeResources hands a validated batch to the store and, for a conflict,
// names the first conflicting item's code field in the caller's spelling.
func (r *Registry) writeResources(ctx context.Context, prefix string, rs []Resource, indexed bool) error {
	err := r.store.CreateResources(ctx, rs, store.WriteOptions{MaxResourcesPerNamespace: r.limits.MaxResourcesPerNamespace})
	var se *Error
	if err == nil || !errors.As(err, &se) || !errors.Is(err, ErrConflict) || len(se.Codes) == 0 {
		return err
	}
	detailed := *se
	for i := range rs {
		if slices.Contains(se.Codes, rs[i].Code) {
			if indexed {
				detailed.Field = join(index(prefix, i), "code")
			} else {
				detailed.Field = join(prefix, "code")
			}
			break
		}
	}
	return &detailed
}

// batchConflicts reports codes repeated within one namespace of a batch as
// ErrConflict, naming every repeated code and the first repeat's field.
func batchConflicts(prefix string, rs []Resource) error {
	type key struct{ ns, code string }
	seen := make(map[key]struct{}, len(rs))
	first := -1
	var codes []string
	for i := range rs {
		k := key{rs[i].Namespace, rs[i].Code}
		if _, dup := seen[k]; dup {
			if first < 0 {
				first = i
			}
			codes = append(codes, k.code)
			continue
		}
		seen[k] = struct{}{}
	}
	if first < 0 {
		return nil
	}
	codes = lo.Uniq(codes)
	slices.Sort(codes)
	return &Error{
		Field:   join(index(prefix, first), "code"),
		Codes:   codes,
		Message: "codes repeat within the batch",
		Err:     ErrConflict,
	}
}

// checkResource validates the resource that input item at names.
// requireName is set for EnOS registration, where name.defaultValue is
// required. Field paths are built only for the error reported, so a valid
// resource is checked without building strings.
func (r *Registry) checkResource(at item, res *Resource, requireName bool) error {
	if p := codeProblem(res.Type); p != "" {
		return store.Invalid(at.field("type"), p)
	}
	if p := codeProblem(res.Code); p != "" {
		return store.Invalid(at.field("code"), p)
	}
	if !i18nNameOK(res.Name, requireName) {
		if err := checkI18nName(at.field("name"), res.Name, requireName); err != nil {
			return err
		}
	}
	if p := textProblem(res.Description, MaxDescriptionLen, false); p != "" {
		return store.Invalid(at.field("description"), p)
	}
	if !r.actionsOK(res.Actions) {
		if err := r.checkActions(at.field("actions"), res.Actions); err != nil {
			return err
		}
	}
	if res.APIIdentifier == "" {
		return nil
	}
	return checkAPIIdentifier(at.field("apiIdentifier"), res.APIIdentifier)
}

// actionsOK reports, without allocating for short lists, whether
// checkActions would accept actions.
func (r *Registry) actionsOK(actions []Action) bool {
	if len(actions) > r.limits.MaxActions {
		return false
	}
	for i := range actions {
		a := &actions[i]
		if actionNameProblem(a.Name) != "" || textProblem(a.Description, MaxDescriptionLen, true) != "" {
			return false
		}
	}
	return distinct(len(actions), func(i, j int) bool { return actions[i].Name == actions[j].Name })
}

// checkActions enforces the action rules: at most Limits.MaxActions; each
// name follows the action name rule and is unique within the resource; each
// description is required text of at most MaxDescriptionLen characters.
func (r *Registry) checkActions(field string, actions []Action) error {
	if len(actions) > r.limits.MaxActions {
		return store.Invalid(field, "must hold at most "+strconv.Itoa(r.limits.MaxActions)+" actions, got "+strconv.Itoa(len(actions)))
	}
	seen := make(map[string]int, len(actions))
	for i, a := range actions {
		f := index(field, i)
		if err := checkActionName(join(f, "name"), a.Name); err != nil {
			return err
		}
		if j, dup := seen[a.Name]; dup {
			return store.Invalid(join(f, "name"), "repeats the name of action "+strconv.Itoa(j)+": "+strconv.Quote(a.Name))
		}
		seen[a.Name] = i
		if err := checkText(join(f, "description"), a.Description, MaxDescriptionLen, true); err != nil {
			return err
		}
	}
	return nil
}

// cloneActions copies actions, keeping nil for an empty list.
func cloneActions(actions []Action) []Action {
	if len(actions) == 0 {
		return nil
	}
	return slices.Clone(actions)
}

// GetResource returns the resource code in namespace (empty means default).
func (r *Registry) GetResource(ctx context.Context, namespace, code string) (Resource, error) {
	return r.store.GetResource(ctx, namespaceOrDefault(namespace), code)
}

// GetResourceByID returns the resource with id in namespace.
func (r *Registry) GetResourceByID(ctx context.Context, namespace, id string) (Resource, error) {
	return r.store.GetResourceByID(ctx, namespaceOrDefault(namespace), id)
}

// ListResources lists the resources that match filter, ordered by code.
// Keyword matches a case-insensitive substring of the code or of any name
// value; it may be at most MaxKeywordLen characters. Types, Codes and IDs
// may each hold at most Limits.MaxBatch items (repeats count): a longer
// list is ErrInvalid on field "types", "codes" or "ids", before the store
// is asked.
func (r *Registry) ListResources(ctx context.Context, filter ResourceFilter, opts ListOptions) (Page[Resource], error) {
	filter.Namespace = namespaceOrDefault(filter.Namespace)
	if err := checkText("keyword", filter.Keyword, MaxKeywordLen, false); err != nil {
		return Page[Resource]{}, err
	}
	for _, l := range []struct {
		field string
		n     int
	}{{"types", len(filter.Types)}, {"codes", len(filter.Codes)}, {"ids", len(filter.IDs)}} {
		if err := r.checkFilterLen(l.field, l.n); err != nil {
			return Page[Resource]{}, err
		}
	}
	return r.store.ListResources(ctx, filter, opts)
}

// checkFilterLen bounds a filter list at Limits.MaxBatch items.
func (r *Registry) checkFilterLen(field string, n int) error {
	if n > r.limits.MaxBatch {
		return store.Invalid(field, "a filter list holds at most "+strconv.Itoa(r.limits.MaxBatch)+" items, got "+strconv.Itoa(n))
	}
	return nil
}

// UpdateResource changes a resource. The new values are checked by the
// creation rules before the store is touched, and copied only once they
// pass; an error writes nothing.
func (r *Registry) UpdateResource(ctx context.Context, namespace, code string, upd ResourceUpdate) (Resource, error) {
	return r.updateResource(ctx, namespaceOrDefault(namespace), code, upd, nil)
}

// updateResource checks upd, then applies it inside the store's update;
// guard, when set, may refuse the current record first.
func (r *Registry) updateResource(ctx context.Context, namespace, code string, upd ResourceUpdate, guard func(*Resource) error) (Resource, error) {
	// Every resource rule concerns one field alone, so the update can be
	// checked on its own: a probe holds the new values, and fields the
	// update leaves alone hold values that pass.
	probe := Resource{Type: deref(upd.Type), Code: "probe", Description: deref(upd.Description), APIIdentifier: deref(upd.APIIdentifier)}
	if upd.Type == nil {
		probe.Type = TypeAPI
	}
	if upd.Name != nil {
		probe.Name = *upd.Name
	}
	if upd.Actions != nil {
		probe.Actions = *upd.Actions
	}
	if err := r.checkResource(item0(""), &probe, false); err != nil {
		return Resource{}, err
	}
	name := deref(upd.Name).Clone()
	actions := cloneActions(probe.Actions)
	now, err := r.now("updatedAt")
	if err != nil {
		return Resource{}, err
	}
	return r.store.UpdateResource(ctx, namespace, code, func(res *Resource) error {
		if guard != nil {
			if err := guard(res); err != nil {
				return err
			}
		}
		if upd.Type != nil {
			res.Type = *upd.Type
		}
		if upd.Name != nil {
			res.Name = name
		}
		if upd.Description != nil {
			res.Description = *upd.Description
		}
		if upd.Actions != nil {
			res.Actions = actions
		}
		if upd.APIIdentifier != nil {
			res.APIIdentifier = *upd.APIIdentifier
		}
		if upd.LinkedToTenant != nil {
			res.LinkedToTenant = *upd.LinkedToTenant
		}
		res.UpdatedAt = now
		return nil
	})
}

// DeleteResources removes every listed resource or none: a missing code is
// ErrNotFound naming it. Repeated codes count once; no codes does nothing.
func (r *Registry) DeleteResources(ctx context.Context, namespace string, codes ...string) error {
	if len(codes) == 0 {
		return nil
	}
	if len(codes) > r.limits.MaxBatch {
		return store.Invalid(index("codes", r.limits.MaxBatch), "a batch holds at most "+strconv.Itoa(r.limits.MaxBatch)+" items, got "+strconv.Itoa(len(codes)))
	}
	return r.store.DeleteResources(ctx, namespaceOrDefault(namespace), lo.Uniq(codes))
}

// UnmarshalJSON decodes the input; actions may be an array, a string
// holding an array (as Authing sends it), or null.
func (in *CreateResourceInput) UnmarshalJSON(b []byte) error {
	type plain CreateResourceInput
	aux := struct {
		plain
		Actions json.Unmarshaler `json:"actions"`
	}{plain(*in), store.ActionsJSON(&in.Actions)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return withoutEmbeddedName(err)
	}
	actions := in.Actions
	*in = CreateResourceInput(aux.plain)
	in.Actions = actions
	return nil
}
