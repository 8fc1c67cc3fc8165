package store

import (
	"context"
	"time"
)

// Statement is one rule of a data policy: an effect and the permissions it
// applies to, each "namespaceCode/resourceCode[/nodeCode]*/action" with
// wildcards (see the resreg package documentation).
type Statement struct {
	Effect      Effect   `json:"effect"`
	Permissions []string `json:"permissions"`
}

// DataPolicy is a named set of statements on data resources, attached to
// subjects with policy targets. Names are unique registry-wide.
type DataPolicy struct {
	ID          string      `json:"policyId"`
	Name        string      `json:"policyName"`
	Description string      `json:"description,omitempty"`
	Statements  []Statement `json:"statementList"`
	CreatedAt   time.Time   `json:"createdAt"`
	UpdatedAt   time.Time   `json:"updatedAt"`
}

// Clone returns a deep copy.
func (p DataPolicy) Clone() DataPolicy {
	if p.Statements != nil {
		st := make([]Statement, len(p.Statements))
		for i, s := range p.Statements {
			st[i] = Statement{Effect: s.Effect, Permissions: append([]string(nil), s.Permissions...)}
		}
		p.Statements = st
	}
	return p
}

// PolicyRef is what one permission of a policy names without wildcards, as
// the Registry parsed it. A store keeps a policy's refs with it, checks them
// inside the write that creates or updates the policy, and refuses the
// deletes that would leave an exact ref dangling.
type PolicyRef struct {
	// Statement and Permission locate the permission in the policy, for the
	// Field of an error: "statementList[Statement].permissions[Permission]".
	Statement  int `json:"statement"`
	Permission int `json:"permission"`
	// Namespace is the permission's namespace segment (never a wildcard).
	Namespace string `json:"namespace"`
	// ResourceCode is the resource segment, "" when it holds a wildcard.
	ResourceCode string `json:"resourceCode,omitempty"`
	// NodePath is the node segments joined by "/", set only when the
	// resource segment and every node segment are without wildcards ("" for
	// a permission on the whole data resource).
	NodePath string `json:"nodePath,omitempty"`
	// Action is the action segment, "" when it holds a wildcard.
	Action string `json:"action,omitempty"`
	// Exact reports that the resource segment and every node segment are
	// without wildcards: such a ref pins its data resource, its node and
	// its action.
	Exact bool `json:"exact"`
}

// Listing kinds of the data policy listings' page tokens; a policy's
// targets are bound to its ID.
const (
	KindDataPolicies     = "dataPolicies"
	KindPolicyTargets    = "policyTargets"
	KindAllPolicyTargets = "allPolicyTargets"
)

// DataPolicyFilter selects data policies.
type DataPolicyFilter struct {
	// Keyword is a case-insensitive substring of the name or the
	// description (see [MatchKeyword]).
	Keyword string `json:"keyword,omitempty"`
}

// PolicyTarget attaches a data policy to a subject. Name is the display name
// the caller gave the target (Authing's target name), kept as given.
type PolicyTarget struct {
	PolicyID  string    `json:"policyId"`
	Subject   Subject   `json:"subject"`
	Name      string    `json:"name,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Key returns "policyID/TYPE:id", the Key of its changes.
func (t PolicyTarget) Key() string { return t.PolicyID + "/" + t.Subject.String() }

// DataPolicies is the part of a [Store] that keeps data policies and their
// targets.
//
// Ref checks, made inside the write for every ref, in order: the namespace
// exists (ErrNamespaceNotFound); a ResourceCode names a data resource of the
// namespace (ErrNotFound); an exact ref with a NodePath names a node of that
// data resource, which must be a TREE (ErrNotFound, and ErrInvalid for a
// STRING or ARRAY); an Action, when ResourceCode is set, is one of the data
// resource's actions (ErrInvalid). Each such error has Field
// "statementList[i].permissions[j]" from the ref.
//
// Pinning: DeleteDataResource of a data resource that an exact ref names,
// and an UpdateDataResource that removes a node an exact ref names (or an
// ancestor of it) or an action an exact ref names, return ErrConflict whose
// Codes list the policy IDs, sorted, and change nothing. DeleteNamespace
// returns ErrConflict while any ref names the namespace.
type DataPolicies interface {
	// CreateDataPolicy adds p with its refs. Errors: ErrConflict with Field
	// "policyName" if the name is taken, with Field "policyId" if the ID is;
	// the ref errors above.
	CreateDataPolicy(ctx context.Context, p DataPolicy, refs []PolicyRef) error
	// GetDataPolicy returns ErrNotFound if no policy has id.
	GetDataPolicy(ctx context.Context, id string) (DataPolicy, error)
	// GetDataPolicyByName returns ErrNotFound if no policy has name.
	GetDataPolicyByName(ctx context.Context, name string) (DataPolicy, error)
	// ListDataPolicies lists the policies that match filter ordered by name.
	ListDataPolicies(ctx context.Context, filter DataPolicyFilter, opts ListOptions) (Page[DataPolicy], error)
	// UpdateDataPolicy applies fn to a copy of the policy inside the write;
	// fn returns the refs of the updated statements, which replace the
	// stored ones. An error from fn is returned as it is and nothing is
	// written; changes fn makes to ID and CreatedAt are ignored. Errors:
	// ErrNotFound if no policy has id; ErrConflict with Field "policyName"
	// if the new name is taken by another policy; the ref errors above.
	UpdateDataPolicy(ctx context.Context, id string, fn func(*DataPolicy) ([]PolicyRef, error)) (DataPolicy, error)
	// DeleteDataPolicy removes the policy, its refs and its targets (each
	// target removal recorded as a change, after the policy's own change,
	// in listing order). It returns ErrNotFound if no
	// policy has id.
	DeleteDataPolicy(ctx context.Context, id string) error

	// AttachDataPolicies adds every target that is not already present (a
	// present one keeps its Name and CreatedAt). All or nothing. It returns
	// ErrNotFound if a PolicyID names no policy (Codes lists them, sorted,
	// without repeats).
	AttachDataPolicies(ctx context.Context, targets []PolicyTarget) error
	// DetachDataPolicies removes every listed target that is present,
	// matched by PolicyID and Subject. All or nothing. It returns
	// ErrNotFound if a PolicyID names no policy.
	DetachDataPolicies(ctx context.Context, targets []PolicyTarget) error
	// ListDataPolicyTargets lists the targets of one policy ordered by
	// subject type, then ID. It returns ErrNotFound if no policy has id.
	ListDataPolicyTargets(ctx context.Context, policyID string, opts ListOptions) (Page[PolicyTarget], error)
	// ListAllPolicyTargets lists every target ordered by policy ID, then
	// subject, to load a permission index.
	ListAllPolicyTargets(ctx context.Context, opts ListOptions) (Page[PolicyTarget], error)
}
