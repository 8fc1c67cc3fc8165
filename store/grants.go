package store

import (
	"context"
	"time"
)

// Effect says whether a grant or a policy statement allows or denies.
type Effect string

// The two effects. A matching DENY always beats a matching ALLOW.
const (
	EffectAllow Effect = "ALLOW"
	EffectDeny  Effect = "DENY"
)

// KindGrants is the listing kind of [Grants.ListGrants] page tokens.
const KindGrants = "grants"

// Wildcard as a grant's ResourceCode means every resource of the namespace,
// present and future; as its Action, every action the resource declares.
const Wildcard = "*"

// Grant gives (or, with EffectDeny, refuses) one action on one resource of a
// namespace to one subject. A grant is identified by all of Namespace,
// Subject, ResourceCode, Action and Effect: an ALLOW and a DENY of the same
// action for the same subject are two grants.
type Grant struct {
	Namespace    string    `json:"namespace"`
	Subject      Subject   `json:"subject"`
	ResourceCode string    `json:"resourceCode"`
	Action       string    `json:"action"`
	Effect       Effect    `json:"effect"`
	CreatedAt    time.Time `json:"createdAt"`
}

// Key returns the grant's identity within its namespace as one string,
// "TYPE:id/resource/action/EFFECT", the Key of its changes. No part can hold
// "/" (the Registry's rules), so the key is unambiguous.
func (g Grant) Key() string {
	return g.Subject.String() + "/" + g.ResourceCode + "/" + g.Action + "/" + string(g.Effect)
}

// GrantFilter selects grants of one namespace. Namespace is required (an
// empty one names no namespace); a nil Subject or an empty ResourceCode
// selects every grant of it.
type GrantFilter struct {
	Namespace string `json:"namespace,omitempty"`
	// Subject, when set, selects the grants held by that subject itself
	// (not through memberships).
	Subject *Subject `json:"subject,omitempty"`
	// ResourceCode, when set, selects the grants on that code ("*" selects
	// the wildcard grants).
	ResourceCode string `json:"resourceCode,omitempty"`
}

// Grants is the part of a [Store] that keeps grants on resources.
//
// Grants follow the resources they name: DeleteResources deletes the grants
// on every deleted resource, and an UpdateResource that removes an action
// deletes the grants of that action on that resource, in the same write
// (each removal recorded as a change, after the resource's own change, in
// listing order). Wildcard grants (ResourceCode "*")
// stay until revoked. DeleteNamespace refuses, with ErrConflict, a
// namespace that still holds grants.
type Grants interface {
	// AddGrants adds every grant that is not already present; a present
	// one keeps its CreatedAt and records no change. All or nothing.
	// Errors, checked inside the write in this order: ErrNamespaceNotFound
	// if a namespace does not exist; ErrNotFound if a ResourceCode other
	// than "*" names no resource of its namespace (Codes lists those
	// codes, sorted, without repeats); ErrInvalid if an Action other than
	// "*" is not declared by its resource (Codes lists those actions,
	// sorted, without repeats).
	AddGrants(ctx context.Context, grants []Grant) error
	// RevokeGrants removes every listed grant that is present; a grant that
	// is not is skipped. All or nothing. It returns ErrNamespaceNotFound if
	// a namespace does not exist.
	RevokeGrants(ctx context.Context, grants []Grant) error
	// ListGrants lists the grants of filter.Namespace that match filter,
	// ordered by subject type, subject ID, resource code, action and
	// effect. It returns ErrNamespaceNotFound if the namespace does not
	// exist.
	ListGrants(ctx context.Context, filter GrantFilter, opts ListOptions) (Page[Grant], error)
}
