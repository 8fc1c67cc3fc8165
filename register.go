package resreg

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/resreg/resreg/store"
)

// RegisterInput is the request of EnOS's Register Resource: the body plus
// the orgId query parameter, which is the namespace.
type RegisterInput struct {
	// Namespace is EnOS's orgId; empty means DefaultNamespace. In JSON it
	// is read from "orgId" or "namespace".
	Namespace string `json:"orgId,omitempty"`
	// Type is the resource type ID given to every registered resource.
	Type string `json:"type"`
	// AssignCodeToID makes each resource's ID equal to its code; otherwise
	// IDs are generated. In JSON it is "assignCodeToId"; the spelling
	// "assignCodeTold" of EnOS's parameter table is accepted too.
	AssignCodeToID bool           `json:"assignCodeToId"`
	Resources      []RegisterItem `json:"resources"`
}

// RegisterItem is one resource to register.
type RegisterItem struct {
	Code string   `json:"code"`
	Name I18nName `json:"name"`
}

// RegisterResult is the data of EnOS's Register Resource response.
type RegisterResult struct {
	Success   bool       `json:"success"`
	Resources []Resource `json:"resources"`
}

// UnmarshalJSON decodes the EnOS body, accepting both spellings of
// assignCodeToId and both orgId and namespace. When both spellings are
// present, assignCodeToId wins.
func (in *RegisterInput) UnmarshalJSON(b []byte) error {
	var raw struct {
		OrgID          string         `json:"orgId"`
		Namespace      string         `json:"namespace"`
		Type           string         `json:"type"`
		AssignCodeToID *bool          `json:"assignCodeToId"`
		AssignCodeTold *bool          `json:"assignCodeTold"`
		Resources      []RegisterItem `json:"resources"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*in = RegisterInput{Namespace: raw.OrgID, Type: raw.Type, Resources: raw.Resources}
	if in.Namespace == "" {
		in.Namespace = raw.Namespace
	}
	switch {
	case raw.AssignCodeToID != nil:
		in.AssignCodeToID = *raw.AssignCodeToID
	case raw.AssignCodeTold != nil:
		in.AssignCodeToID = *raw.AssignCodeTold
	}
	return nil
}

// RegisterResources registers a batch of resources of one type in one
// namespace (EnOS Register Resource). It writes every resource or none.
//
// Rules beyond the resource rules: type and at least one resource are
// required; at most Limits.MaxBatch resources; every name.defaultValue is
// required (EnOS 31400 "resource name is invalid"). Fields are named
// "resources[3].name.defaultValue". Codes repeated in the batch or already
// taken are ErrConflict (31408); with AssignCodeToID, an ID equal to the
// code that is already taken by another resource is a conflict too.
func (r *Registry) RegisterResources(ctx context.Context, in RegisterInput) (RegisterResult, error) {
	ns, err := checkNamespace("orgId", in.Namespace)
	if err != nil {
		return RegisterResult{}, err
	}
	if err := checkCode("type", in.Type); err != nil {
		return RegisterResult{}, err
	}
	switch n := len(in.Resources); {
	case n == 0:
		return RegisterResult{}, store.Invalid("resources", "is required")
	case n > r.limits.MaxBatch:
		return RegisterResult{}, store.Invalid("resources", "a batch holds at most "+strconv.Itoa(r.limits.MaxBatch)+" resources, got "+strconv.Itoa(n))
	}
	now, err := r.now("createdAt")
	if err != nil {
		return RegisterResult{}, err
	}
	out := make([]Resource, len(in.Resources))
	for i, item := range in.Resources {
		res := Resource{
			ID:        item.Code,
			Namespace: ns,
			Code:      item.Code,
			Type:      in.Type,
			Name:      item.Name.Clone(),
			CreatedAt: now,
			UpdatedAt: now,
		}
		if !in.AssignCodeToID {
			res.ID = r.newID()
		}
		if err := r.checkResource(itemAt("resources", i), &res, true); err != nil {
			return RegisterResult{}, err
		}
		out[i] = res
	}
	if err := batchConflicts("resources", out); err != nil {
		return RegisterResult{}, err
	}
	if err := r.writeResources(ctx, "resources", out, true); err != nil {
		return RegisterResult{}, err
	}
	return RegisterResult{Success: true, Resources: out}, nil
}
