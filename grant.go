package resreg

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/resreg/resreg/store"
)

// Effect says whether a grant or a policy statement allows or denies. A
// matching DENY always beats a matching ALLOW.
type Effect = store.Effect

// The two effects.
const (
	Allow = store.EffectAllow
	Deny  = store.EffectDeny
)

// Wildcard as a resource code grants on every resource of the namespace,
// present and future; as an action, every action the resource declares,
// present and future.
const Wildcard = store.Wildcard

// Grant is one stored grant: one action (or "*") on one resource (or "*")
// of a namespace, allowed or denied to one subject.
type Grant = store.Grant

// AuthorizeResourcesInput is the request body of Authing's
// authorize-resources, also taken by [Registry.RevokeResources]:
//
//	{"namespace": "default", "list": [{"targetType": "ROLE",
//	  "targetIdentifiers": ["admin"], "resources": [{"code": "ecs",
//	  "actions": ["ecs:Start"], "resourceType": "API"}]}]}
type AuthorizeResourcesInput struct {
	// Namespace is optional; empty means DefaultNamespace.
	Namespace string          `json:"namespace,omitempty"`
	List      []AuthorizeItem `json:"list"`
}

// AuthorizeItem grants resources to the subjects of one type.
type AuthorizeItem struct {
	// TargetType is USER, ROLE, GROUP, DEPARTMENT or another type.
	TargetType string `json:"targetType"`
	// TargetIdentifiers are the subject IDs (user IDs, role codes, ...).
	TargetIdentifiers []string          `json:"targetIdentifiers"`
	Resources         []ResourceActions `json:"resources"`
}

// ResourceActions names actions of one resource. Code "*" means every
// resource of the namespace, present and future; action "*" every action
// of the resource.
type ResourceActions struct {
	Code    string   `json:"code"`
	Actions []string `json:"actions"`
	// ResourceType, when set, must be the resource's type.
	ResourceType string `json:"resourceType,omitempty"`
	// Effect is ALLOW (the default when empty) or DENY; Authing has only
	// ALLOW.
	Effect Effect `json:"effect,omitempty"`
}

// AuthorizeResources grants (Authing authorize-resources). Every resource
// must exist in the namespace (ErrNotFound, Field
// "list[i].resources[k].code"), every action must be declared by it or be
// "*" (ErrInvalid, "list[i].resources[k].actions[m]"), and a resourceType
// must be its type (ErrInvalid, "list[i].resources[k].resourceType"). A
// code "*" grants on every resource of the namespace; its actions are not
// checked against declarations, and it takes no resourceType. Granting
// what is already granted changes nothing. All or nothing.
func (r *Registry) AuthorizeResources(ctx context.Context, in AuthorizeResourcesInput) error {
	ns, grants, err := r.expandGrants(in)
	if err != nil {
		return err
	}
	if err := r.checkGrantedResources(ctx, ns, in, true); err != nil {
		return err
	}
	now, err := r.now("createdAt")
	if err != nil {
		return err
	}
	for i := range grants {
		grants[i].CreatedAt = now
	}
	return grantFieldError(r.store.AddGrants(ctx, grants), in)
}

// RevokeResources removes exactly the named grants: each action with the
// given effect (empty means ALLOW), "*" the wildcard grant only, code "*"
// the wildcard-resource grants only. Revoking what is not granted, or on
// a resource that no longer exists, is a no-op. The input is checked as
// for AuthorizeResources, except that resources and actions need not
// exist; a resourceType given for a resource that exists must be its
// type. All or nothing.
func (r *Registry) RevokeResources(ctx context.Context, in AuthorizeResourcesInput) error {
	ns, grants, err := r.expandGrants(in)
	if err != nil {
		return err
	}
	if err := r.checkGrantedResources(ctx, ns, in, false); err != nil {
		return err
	}
	return r.store.RevokeGrants(ctx, grants)
}

// expandGrants checks the syntax and the bounds of in and expands it to
// grants, without repeats, in input order.
func (r *Registry) expandGrants(in AuthorizeResourcesInput) (string, []store.Grant, error) {
	ns, err := checkNamespace("namespace", in.Namespace)
	if err != nil {
		return "", nil, err
	}
	if len(in.List) == 0 {
		return "", nil, store.Invalid("list", "is required")
	}
	if err := checkBound("list", len(in.List), r.limits.MaxBatch); err != nil {
		return "", nil, err
	}
	total := 0
	for i := range in.List {
		n, err := r.checkAuthorizeItem(index("list", i), &in.List[i])
		if err != nil {
			return "", nil, err
		}
		total += n
		if total > r.limits.MaxGrantsPerCall {
			return "", nil, store.Invalid(index("list", i), "the call expands to more than "+strconv.Itoa(r.limits.MaxGrantsPerCall)+" grants (targets x actions)")
		}
	}
	grants := make([]store.Grant, 0, total)
	seen := make(map[store.Grant]struct{}, total)
	for _, it := range in.List {
		for _, id := range it.TargetIdentifiers {
			for _, ra := range it.Resources {
				for _, a := range ra.Actions {
					g := store.Grant{Namespace: ns, Subject: Subject{Type: it.TargetType, ID: id}, ResourceCode: ra.Code, Action: a, Effect: effectOrAllow(ra.Effect)}
					if _, dup := seen[g]; dup {
						continue
					}
					seen[g] = struct{}{}
					grants = append(grants, g)
				}
			}
		}
	}
	return ns, grants, nil
}

// checkAuthorizeItem checks one item's syntax and bounds and returns how
// many grants it expands to.
func (r *Registry) checkAuthorizeItem(field string, it *AuthorizeItem) (int, error) {
	if p := codeProblem(it.TargetType); p != "" {
		return 0, store.Invalid(join(field, "targetType"), p)
	}
	targets := join(field, "targetIdentifiers")
	if len(it.TargetIdentifiers) == 0 {
		return 0, store.Invalid(targets, "is required")
	}
	if err := checkBound(targets, len(it.TargetIdentifiers), r.limits.MaxBatch); err != nil {
		return 0, err
	}
	if err := checkList(targets, it.TargetIdentifiers, func(f, id string) error { return invalidIf(f, subjectIDProblem(id)) }); err != nil {
		return 0, err
	}
	resources := join(field, "resources")
	if len(it.Resources) == 0 {
		return 0, store.Invalid(resources, "is required")
	}
	if err := checkBound(resources, len(it.Resources), r.limits.MaxBatch); err != nil {
		return 0, err
	}
	actions := 0
	for k := range it.Resources {
		if err := r.checkResourceActions(index(resources, k), &it.Resources[k]); err != nil {
			return 0, err
		}
		actions += len(it.Resources[k].Actions)
	}
	return len(it.TargetIdentifiers) * actions, nil
}

// checkResourceActions checks the syntax of one resource entry.
func (r *Registry) checkResourceActions(field string, ra *ResourceActions) error {
	if ra.Code != Wildcard {
		if p := codeProblem(ra.Code); p != "" {
			return store.Invalid(join(field, "code"), p)
		}
	}
	if ra.ResourceType != "" {
		if ra.Code == Wildcard {
			return store.Invalid(join(field, "resourceType"), `must be empty with code "*", which covers resources of every type`)
		}
		if p := codeProblem(ra.ResourceType); p != "" {
			return store.Invalid(join(field, "resourceType"), p)
		}
	}
	if err := checkEffect(join(field, "effect"), ra.Effect, false); err != nil {
		return err
	}
	actions := join(field, "actions")
	if len(ra.Actions) == 0 {
		return store.Invalid(actions, "is required")
	}
	if err := checkBound(actions, len(ra.Actions), r.limits.MaxActions); err != nil {
		return err
	}
	return checkList(actions, ra.Actions, func(f, a string) error {
		if a == Wildcard {
			return nil
		}
		return checkCode(f, a)
	})
}

// checkEffect accepts ALLOW and DENY, and the empty effect unless required.
func checkEffect(field string, e Effect, required bool) error {
	switch {
	case e == Allow || e == Deny:
		return nil
	case e == "" && !required:
		return nil
	case e == "":
		return store.Invalid(field, "is required")
	default:
		return store.Invalid(field, "must be ALLOW or DENY, got "+strconv.Quote(string(e)))
	}
}

// effectOrAllow reads an empty effect as ALLOW.
func effectOrAllow(e Effect) Effect {
	if e == "" {
		return Allow
	}
	return e
}

// checkGrantedResources reads each named resource once and checks its
// type and, when granting, that it exists and declares the actions. The
// store checks existence and actions again inside the write.
func (r *Registry) checkGrantedResources(ctx context.Context, ns string, in AuthorizeResourcesInput, granting bool) error {
	type found struct {
		res Resource
		ok  bool
	}
	cache := map[string]found{}
	for i, it := range in.List {
		for k, ra := range it.Resources {
			if ra.Code == Wildcard || (!granting && ra.ResourceType == "") {
				continue
			}
			f, read := cache[ra.Code]
			if !read {
				res, err := r.store.GetResource(ctx, ns, ra.Code)
				switch {
				case err == nil:
					f = found{res, true}
				case errors.Is(err, ErrNamespaceNotFound) || !errors.Is(err, ErrNotFound):
					return err
				}
				cache[ra.Code] = f
			}
			field := index(join(index("list", i), "resources"), k)
			if !f.ok {
				if granting {
					return &Error{Field: join(field, "code"), Codes: []string{ra.Code}, Message: "resource " + strconv.Quote(ra.Code) + " does not exist in namespace " + strconv.Quote(ns), Err: ErrNotFound}
				}
				continue
			}
			if ra.ResourceType != "" && ra.ResourceType != f.res.Type {
				return store.Invalid(join(field, "resourceType"), "resource "+strconv.Quote(ra.Code)+" is of type "+strconv.Quote(f.res.Type)+", not "+strconv.Quote(ra.ResourceType))
			}
			if !granting {
				continue
			}
			for m, a := range ra.Actions {
				if a != Wildcard && !declares(f.res, a) {
					return &Error{Field: index(join(field, "actions"), m), Codes: []string{a}, Message: "resource " + strconv.Quote(ra.Code) + " declares no action " + strconv.Quote(a), Err: ErrInvalid}
				}
			}
		}
	}
	return nil
}

// declares reports whether res declares action.
func declares(res Resource, action string) bool {
	return slices.ContainsFunc(res.Actions, func(a Action) bool { return a.Name == action })
}

// grantFieldError names, in the caller's spelling, the first field of in
// that a store's ErrNotFound (missing resources) or ErrInvalid (undeclared
// actions) lists in Codes. These arise only when a resource changed
// between the Registry's check and the write.
func grantFieldError(err error, in AuthorizeResourcesInput) error {
	var se *Error
	if err == nil || !errors.As(err, &se) || len(se.Codes) == 0 || errors.Is(err, ErrNamespaceNotFound) {
		return err
	}
	notFound, invalid := errors.Is(err, ErrNotFound), errors.Is(err, ErrInvalid)
	for i, it := range in.List {
		for k, ra := range it.Resources {
			if ra.Code == Wildcard {
				continue
			}
			field := index(join(index("list", i), "resources"), k)
			if notFound && slices.Contains(se.Codes, ra.Code) {
				detailed := *se
				detailed.Field = join(field, "code")
				return &detailed
			}
			if !invalid {
				continue
			}
			for m, a := range ra.Actions {
				if slices.Contains(se.Codes, a) {
					detailed := *se
					detailed.Field = index(join(field, "actions"), m)
					return &detailed
				}
			}
		}
	}
	return err
}
