package resreg

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/resreg/resreg/store"
)

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
	now, err := r.now("createdAt")
	if err != nil {
		return err
	}
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
