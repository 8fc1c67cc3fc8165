package resreg

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/resreg/resreg/store"
)

// GetAuthorizedResourcesInput asks for the grants one subject holds itself
// (not through memberships) in a namespace.
type GetAuthorizedResourcesInput struct {
	// Namespace is optional; empty means DefaultNamespace.
	Namespace        string `json:"namespace,omitempty"`
	TargetType       string `json:"targetType"`
	TargetIdentifier string `json:"targetIdentifier"`
	// ResourceType, when set, keeps the resources of that type (and the
	// wildcard grants, which cover every type).
	ResourceType string `json:"resourceType,omitempty"`
	// ResourceList, when set, keeps the resources it names; an entry
	// ending in "*" is a prefix ("books:*"), "*" alone keeps everything.
	ResourceList []string `json:"resourceList,omitempty"`
	// WithDenied also lists the DENY grants.
	WithDenied bool `json:"withDenied,omitempty"`
}

// AuthorizedResource is what a subject holds on one resource with one
// effect. For the wildcard grants ResourceCode is "*" and the resource
// fields are empty.
type AuthorizedResource struct {
	ResourceCode  string   `json:"resourceCode"`
	ResourceType  string   `json:"resourceType,omitempty"`
	Description   string   `json:"description,omitempty"`
	APIIdentifier string   `json:"apiIdentifier,omitempty"`
	Actions       []string `json:"actions"`
	Effect        Effect   `json:"effect"`
}

// GetAuthorizedResources lists the grants the target holds itself in the
// namespace (Authing get-authorized-resources): one entry per resource and
// effect, ordered by resource code then effect (ALLOW first), actions in
// byte order. DENY entries are listed only WithDenied. Grants through
// memberships are not included; see ListUserAuthorizedResources for what a
// principal may effectively do. ResourceList holds at most Limits.MaxBatch
// entries, each a code or a code prefix ending in "*".
func (r *Registry) GetAuthorizedResources(ctx context.Context, in GetAuthorizedResourcesInput) ([]AuthorizedResource, error) {
	ns, err := checkNamespace("namespace", in.Namespace)
	if err != nil {
		return nil, err
	}
	target := Subject{Type: in.TargetType, ID: in.TargetIdentifier}
	if p := codeProblem(target.Type); p != "" {
		return nil, store.Invalid("targetType", p)
	}
	if p := subjectIDProblem(target.ID); p != "" {
		return nil, store.Invalid("targetIdentifier", p)
	}
	if in.ResourceType != "" {
		if err := checkCode("resourceType", in.ResourceType); err != nil {
			return nil, err
		}
	}
	if err := checkBound("resourceList", len(in.ResourceList), r.limits.MaxBatch); err != nil {
		return nil, err
	}
	for i, p := range in.ResourceList {
		if err := checkCodePattern(index("resourceList", i), p); err != nil {
			return nil, err
		}
	}

	var out []AuthorizedResource
	resources := map[string]*Resource{}
	opts := ListOptions{PageSize: MaxPageSize}
	for {
		page, err := r.store.ListGrants(ctx, store.GrantFilter{Namespace: ns, Subject: &target}, opts)
		if err != nil {
			return nil, err
		}
		for _, g := range page.Items {
			if g.Effect == Deny && !in.WithDenied || !matchesAnyPattern(in.ResourceList, g.ResourceCode) {
				continue
			}
			entry := AuthorizedResource{ResourceCode: g.ResourceCode, Actions: []string{g.Action}, Effect: g.Effect}
			if g.ResourceCode != Wildcard {
				res, err := r.resourceOf(ctx, ns, g.ResourceCode, resources)
				if err != nil {
					return nil, err
				}
				if res == nil || in.ResourceType != "" && res.Type != in.ResourceType {
					continue // deleted since the listing, or filtered out
				}
				entry.ResourceType, entry.Description, entry.APIIdentifier = res.Type, res.Description, res.APIIdentifier
			}
			out = append(out, entry)
		}
		if page.NextPageToken == "" {
			break
		}
		opts.PageToken = page.NextPageToken
	}
	// The store orders by code, action, effect; entries go by code, effect.
	slices.SortStableFunc(out, func(a, b AuthorizedResource) int {
		if c := strings.Compare(a.ResourceCode, b.ResourceCode); c != 0 {
			return c
		}
		return strings.Compare(string(a.Effect), string(b.Effect))
	})
	return mergeAuthorized(out), nil
}

// mergeAuthorized joins adjacent entries of one resource and effect into
// one whose actions are in byte order.
func mergeAuthorized(in []AuthorizedResource) []AuthorizedResource {
	out := in[:0]
	for _, e := range in {
		if n := len(out); n > 0 && out[n-1].ResourceCode == e.ResourceCode && out[n-1].Effect == e.Effect {
			out[n-1].Actions = append(out[n-1].Actions, e.Actions...)
			continue
		}
		out = append(out, e)
	}
	for i := range out {
		slices.Sort(out[i].Actions)
	}
	if len(out) == 0 {
		return []AuthorizedResource{}
	}
	return out
}

// resourceOf reads a resource once per call; nil means it does not exist.
func (r *Registry) resourceOf(ctx context.Context, ns, code string, cache map[string]*Resource) (*Resource, error) {
	if res, ok := cache[code]; ok {
		return res, nil
	}
	res, err := r.store.GetResource(ctx, ns, code)
	switch {
	case err == nil:
		cache[code] = &res
		return &res, nil
	case errors.Is(err, ErrNamespaceNotFound) || !errors.Is(err, ErrNotFound):
		return nil, err
	}
	cache[code] = nil
	return nil, nil
}

// checkCodePattern accepts a code, or a code prefix followed by "*" ("*"
// alone is the empty prefix).
func checkCodePattern(field, p string) error {
	if p == Wildcard {
		return nil
	}
	if n := len(p); n > 1 && p[n-1] == '*' {
		p = p[:n-1]
	}
	return checkCode(field, p)
}

// matchesAnyPattern reports whether code matches one of patterns; no
// patterns match everything.
func matchesAnyPattern(patterns []string, code string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if matchCodePattern(p, code) {
			return true
		}
	}
	return false
}

// matchCodePattern matches code against a code or a prefix ending in "*".
func matchCodePattern(p, code string) bool {
	if n := len(p); n > 0 && p[n-1] == '*' {
		return len(code) >= n-1 && code[:n-1] == p[:n-1]
	}
	return p == code
}
