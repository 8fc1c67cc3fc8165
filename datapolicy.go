package resreg

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/resreg/resreg/store"
)

// Statement is one rule of a data policy: an effect and the permissions it
// applies to (see [Permission] for their syntax).
type Statement = store.Statement

// DataPolicyInput is the request body of Authing's create-data-policy.
type DataPolicyInput struct {
	PolicyName    string      `json:"policyName"`
	Description   string      `json:"description,omitempty"`
	StatementList []Statement `json:"statementList"`
}

// DataPolicy is a named set of statements on data resources, attached to
// subjects with [Registry.AuthorizeDataPolicies]. Names are unique
// registry-wide.
type DataPolicy struct {
	PolicyID      string      `json:"policyId"`
	PolicyName    string      `json:"policyName"`
	Description   string      `json:"description,omitempty"`
	StatementList []Statement `json:"statementList"`
	CreatedAt     time.Time   `json:"createdAt"`
	UpdatedAt     time.Time   `json:"updatedAt"`
}

// DataPolicyUpdate changes a data policy; nil fields stay as they are.
type DataPolicyUpdate struct {
	PolicyName    *string      `json:"policyName,omitempty"`
	Description   *string      `json:"description,omitempty"`
	StatementList *[]Statement `json:"statementList,omitempty"`
}

// DataPolicyFilter selects data policies: Keyword is a case-insensitive
// substring of the name or the description.
type DataPolicyFilter = store.DataPolicyFilter

// CreateDataPolicy adds a data policy (Authing create-data-policy) with a
// generated ID. Rules: policyName required text of at most MaxNameLen
// characters, unique registry-wide (ErrConflict); description optional
// text; 1..Limits.MaxPolicyStatements statements, each with an effect
// (ALLOW or DENY, required) and 1..Limits.MaxPolicyPermissions distinct
// permissions. Each permission is checked for syntax first, then for
// existence (see the package documentation); errors name
// "statementList[i].permissions[j]".
func (r *Registry) CreateDataPolicy(ctx context.Context, in DataPolicyInput) (DataPolicy, error) {
	if err := checkText("policyName", in.PolicyName, MaxNameLen, true); err != nil {
		return DataPolicy{}, err
	}
	if err := checkText("description", in.Description, MaxDescriptionLen, false); err != nil {
		return DataPolicy{}, err
	}
	statements, refs, err := r.checkStatements(ctx, in.StatementList)
	if err != nil {
		return DataPolicy{}, err
	}
	now, err := r.now("createdAt")
	if err != nil {
		return DataPolicy{}, err
	}
	p := store.DataPolicy{ID: r.newID(), Name: in.PolicyName, Description: in.Description, Statements: statements, CreatedAt: now, UpdatedAt: now}
	if err := r.store.CreateDataPolicy(ctx, p, refs); err != nil {
		return DataPolicy{}, err
	}
	return dataPolicyOf(p), nil
}

// GetDataPolicy returns the policy with id, or ErrNotFound.
func (r *Registry) GetDataPolicy(ctx context.Context, id string) (DataPolicy, error) {
	p, err := r.store.GetDataPolicy(ctx, id)
	if err != nil {
		return DataPolicy{}, err
	}
	return dataPolicyOf(p), nil
}

// DataPolicyExists reports whether a policy is named name (Authing
// check-data-policy-exists).
func (r *Registry) DataPolicyExists(ctx context.Context, name string) (bool, error) {
	if err := checkText("policyName", name, MaxNameLen, true); err != nil {
		return false, err
	}
	_, err := r.store.GetDataPolicyByName(ctx, name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, err
}

// ListDataPolicies lists the policies that match filter, ordered by name.
// Keyword may be at most MaxKeywordLen characters.
func (r *Registry) ListDataPolicies(ctx context.Context, filter DataPolicyFilter, opts ListOptions) (Page[DataPolicy], error) {
	if err := checkText("keyword", filter.Keyword, MaxKeywordLen, false); err != nil {
		return Page[DataPolicy]{}, err
	}
	page, err := r.store.ListDataPolicies(ctx, filter, opts)
	if err != nil {
		return Page[DataPolicy]{}, err
	}
	out := Page[DataPolicy]{Items: make([]DataPolicy, len(page.Items)), NextPageToken: page.NextPageToken, TotalCount: page.TotalCount}
	for i, p := range page.Items {
		out.Items[i] = dataPolicyOf(p)
	}
	return out, nil
}

// UpdateDataPolicy changes a policy's name, description or statements, each
// checked by the creation rules before the store is touched. A missing
// policy is ErrNotFound; a name taken by another policy ErrConflict.
func (r *Registry) UpdateDataPolicy(ctx context.Context, id string, upd DataPolicyUpdate) (DataPolicy, error) {
	if upd.PolicyName != nil {
		if err := checkText("policyName", *upd.PolicyName, MaxNameLen, true); err != nil {
			return DataPolicy{}, err
		}
	}
	if upd.Description != nil {
		if err := checkText("description", *upd.Description, MaxDescriptionLen, false); err != nil {
			return DataPolicy{}, err
		}
	}
	var statements []Statement
	var refs []store.PolicyRef
	if upd.StatementList != nil {
		var err error
		if statements, refs, err = r.checkStatements(ctx, *upd.StatementList); err != nil {
			return DataPolicy{}, err
		}
	}
	now, err := r.now("updatedAt")
	if err != nil {
		return DataPolicy{}, err
	}
	p, err := r.store.UpdateDataPolicy(ctx, id, func(p *store.DataPolicy) ([]store.PolicyRef, error) {
		if upd.PolicyName != nil {
			p.Name = *upd.PolicyName
		}
		if upd.Description != nil {
			p.Description = *upd.Description
		}
		p.UpdatedAt = now
		if upd.StatementList == nil {
			// The statements stay, and with them their refs, rebuilt from
			// text that passed when it was stored.
			return refsOf(p.Statements), nil
		}
		p.Statements = statements
		return refs, nil
	})
	if err != nil {
		return DataPolicy{}, err
	}
	return dataPolicyOf(p), nil
}

// DeleteDataPolicy removes a policy and detaches it from every target. A
// missing policy is ErrNotFound.
func (r *Registry) DeleteDataPolicy(ctx context.Context, id string) error {
	return r.store.DeleteDataPolicy(ctx, id)
}

// checkStatements validates a statement list, checks the existence rules
// the store cannot see in refs, and returns a copy of the statements with
// their refs.
func (r *Registry) checkStatements(ctx context.Context, list []Statement) ([]Statement, []store.PolicyRef, error) {
	if len(list) == 0 {
		return nil, nil, store.Invalid("statementList", "is required")
	}
	if err := checkBound("statementList", len(list), r.limits.MaxPolicyStatements); err != nil {
		return nil, nil, err
	}
	type located struct {
		field string
		perm  Permission
	}
	var parsed []located
	var refs []store.PolicyRef
	out := make([]Statement, len(list))
	for i, st := range list {
		field := index("statementList", i)
		if err := checkEffect(join(field, "effect"), st.Effect, true); err != nil {
			return nil, nil, err
		}
		perms := join(field, "permissions")
		if len(st.Permissions) == 0 {
			return nil, nil, store.Invalid(perms, "is required")
		}
		if err := checkBound(perms, len(st.Permissions), r.limits.MaxPolicyPermissions); err != nil {
			return nil, nil, err
		}
		seen := make(map[string]int, len(st.Permissions))
		for j, text := range st.Permissions {
			f := index(perms, j)
			p, err := parsePermission(f, text, r.limits.MaxTreeDepth)
			if err != nil {
				return nil, nil, err
			}
			if k, dup := seen[text]; dup {
				return nil, nil, store.Invalid(f, "repeats item "+strconv.Itoa(k))
			}
			seen[text] = j
			parsed = append(parsed, located{f, p})
			refs = append(refs, p.ref(i, j))
		}
		out[i] = Statement{Effect: st.Effect, Permissions: slices.Clone(st.Permissions)}
	}
	// A concrete resource with wildcard node segments leaves no exact ref
	// for the store to check, so the Registry checks the resource's type
	// here; a data resource's type never changes, so the check cannot go
	// stale before the write.
	types := map[[2]string]DataType{}
	for _, l := range parsed {
		p := l.perm
		if len(p.Nodes) == 0 || p.Exact() || isPattern(p.Resource) {
			continue
		}
		key := [2]string{p.Namespace, p.Resource}
		typ, ok := types[key]
		if !ok {
			d, err := r.store.GetDataResource(ctx, p.Namespace, p.Resource)
			if err != nil {
				return nil, nil, fieldOf(err, l.field)
			}
			typ = d.Type
			types[key] = typ
		}
		if typ != DataTree {
			return nil, nil, store.Invalid(l.field, "data resource "+strconv.Quote(p.Resource)+" is a "+string(typ)+" and takes no node segments")
		}
	}
	return out, refs, nil
}

// refsOf rebuilds the refs of stored statements. Their text passed the
// syntax rules when it was stored; the depth bound is lifted so that a
// lower Limits.MaxTreeDepth set since then cannot drop a ref and unpin
// what it names.
func refsOf(statements []Statement) []store.PolicyRef {
	const anyDepth = 1 << 16
	var refs []store.PolicyRef
	for i, st := range statements {
		for j, s := range st.Permissions {
			if p, err := parsePermission("", s, anyDepth); err == nil {
				refs = append(refs, p.ref(i, j))
			}
		}
	}
	return refs
}

// fieldOf names field on a store's *Error that has no field of its own,
// or on a namespace error (whose field is "namespace").
func fieldOf(err error, field string) error {
	var se *Error
	if !errors.As(err, &se) {
		return err
	}
	detailed := *se
	detailed.Field = field
	return &detailed
}

// dataPolicyOf converts a stored policy to the Registry's spelling.
func dataPolicyOf(p store.DataPolicy) DataPolicy {
	p = p.Clone()
	return DataPolicy{PolicyID: p.ID, PolicyName: p.Name, Description: p.Description, StatementList: p.Statements, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}
