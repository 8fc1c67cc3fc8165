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

// PolicyTarget is one subject a data policy is attached to.
type PolicyTarget = store.PolicyTarget

// Target is a subject a data policy is attached to, in Authing's spelling:
// {"id", "type", "name"}. Type is a subject type; Authing's ORG is read
// as DEPARTMENT. Name is a display name kept as given.
type Target struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

// AuthorizeDataPoliciesInput attaches every policy to every target
// (Authing authorize-data-policies).
type AuthorizeDataPoliciesInput struct {
	PolicyIDs  []string `json:"policyIds"`
	TargetList []Target `json:"targetList"`
}

// RevokeDataPolicyInput detaches one policy from targets (Authing
// revoke-data-policy).
type RevokeDataPolicyInput struct {
	PolicyID   string   `json:"policyId"`
	TargetList []Target `json:"targetList"`
}

// targetTypeORG is Authing's name for a department in policy targets.
const targetTypeORG = "ORG"

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
	now := r.now()
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
	now := r.now()
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

// AuthorizeDataPolicies attaches every policy of in to every target
// (Authing authorize-data-policies). Both lists are required, each at most
// Limits.MaxBatch long and without repeats, and their product at most
// Limits.MaxPolicyTargetsPerCall. A policy ID that names no policy is
// ErrNotFound with Field "policyIds[i]". Attaching again changes nothing.
// All or nothing.
func (r *Registry) AuthorizeDataPolicies(ctx context.Context, in AuthorizeDataPoliciesInput) error {
	if len(in.PolicyIDs) == 0 {
		return store.Invalid("policyIds", "is required")
	}
	if err := checkBound("policyIds", len(in.PolicyIDs), r.limits.MaxBatch); err != nil {
		return err
	}
	if err := checkList("policyIds", in.PolicyIDs, checkPolicyID); err != nil {
		return err
	}
	subjects, err := r.checkTargets(in.TargetList)
	if err != nil {
		return err
	}
	if n := len(in.PolicyIDs) * len(subjects); n > r.limits.MaxPolicyTargetsPerCall {
		return store.Invalid("targetList", "policyIds x targetList is "+strconv.Itoa(n)+", more than "+strconv.Itoa(r.limits.MaxPolicyTargetsPerCall))
	}
	now := r.now()
	targets := make([]PolicyTarget, 0, len(in.PolicyIDs)*len(subjects))
	for _, id := range in.PolicyIDs {
		for i, s := range subjects {
			targets = append(targets, PolicyTarget{PolicyID: id, Subject: s, Name: in.TargetList[i].Name, CreatedAt: now})
		}
	}
	err = r.store.AttachDataPolicies(ctx, targets)
	var se *Error
	if err != nil && errors.As(err, &se) && errors.Is(err, ErrNotFound) {
		for i, id := range in.PolicyIDs {
			if slices.Contains(se.Codes, id) {
				detailed := *se
				detailed.Field = index("policyIds", i)
				return &detailed
			}
		}
	}
	return err
}

// RevokeDataPolicy detaches one policy from the targets (Authing
// revoke-data-policy); a target it is not attached to is skipped. A
// missing policy is ErrNotFound. Bounds as for AuthorizeDataPolicies.
// All or nothing.
func (r *Registry) RevokeDataPolicy(ctx context.Context, in RevokeDataPolicyInput) error {
	if err := checkPolicyID("policyId", in.PolicyID); err != nil {
		return err
	}
	subjects, err := r.checkTargets(in.TargetList)
	if err != nil {
		return err
	}
	targets := make([]PolicyTarget, len(subjects))
	for i, s := range subjects {
		targets[i] = PolicyTarget{PolicyID: in.PolicyID, Subject: s}
	}
	return r.store.DetachDataPolicies(ctx, targets)
}

// ListDataPolicyTargets lists the subjects a policy is attached to,
// ordered by type, then ID. A missing policy is ErrNotFound.
func (r *Registry) ListDataPolicyTargets(ctx context.Context, policyID string, opts ListOptions) (Page[PolicyTarget], error) {
	if err := checkPolicyID("policyId", policyID); err != nil {
		return Page[PolicyTarget]{}, err
	}
	return r.store.ListDataPolicyTargets(ctx, policyID, opts)
}

// checkPolicyID applies the subject ID rule to a policy ID: generated IDs
// are hexadecimal, and a caller's own IDs must at least be short text.
func checkPolicyID(field, id string) error { return invalidIf(field, subjectIDProblem(id)) }

// checkTargets validates a target list and returns its subjects, ORG read
// as DEPARTMENT.
func (r *Registry) checkTargets(list []Target) ([]Subject, error) {
	if len(list) == 0 {
		return nil, store.Invalid("targetList", "is required")
	}
	if err := checkBound("targetList", len(list), r.limits.MaxBatch); err != nil {
		return nil, err
	}
	subjects := make([]Subject, len(list))
	seen := make(map[Subject]int, len(list))
	for i, t := range list {
		field := index("targetList", i)
		s := Subject{Type: t.Type, ID: t.ID}
		if s.Type == targetTypeORG {
			s.Type = SubjectDepartment
		}
		if err := checkSubject(field, s); err != nil {
			return nil, err
		}
		if err := checkText(join(field, "name"), t.Name, MaxNameLen, false); err != nil {
			return nil, err
		}
		if j, dup := seen[s]; dup {
			return nil, store.Invalid(field, "repeats item "+strconv.Itoa(j))
		}
		seen[s] = i
		subjects[i] = s
	}
	return subjects, nil
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
