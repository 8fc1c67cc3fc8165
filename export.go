package resreg

import (
	"context"
	"slices"

	"github.com/resreg/resreg/store"
)

// Export returns the registry's content as a manifest: the given
// namespaces (every namespace when none is given) with their resources,
// data resources and grants and, when no namespace is given, every data
// policy with its targets and every membership. Planning the manifest
// against the same registry, with the same namespaces, gives an empty
// plan. Timestamps and generated IDs are left out; a resource's ID is kept
// when it is its code (EnOS's assignCodeToId). A namespace that does not
// exist is ErrNamespaceNotFound.
//
// Grants are exported one item per subject; a namespace with more
// subjects or grants than one AuthorizeResources call may carry
// (Limits.MaxBatch, Limits.MaxGrantsPerCall) gives a manifest that
// DecodeManifest refuses.
func (r *Registry) Export(ctx context.Context, namespaces ...string) (Manifest, error) {
	if err := checkBound("namespaces", len(namespaces), MaxManifestNamespaces); err != nil {
		return Manifest{}, err
	}
	if err := checkList("namespaces", namespaces, checkCode); err != nil {
		return Manifest{}, err
	}
	var nss []Namespace
	var err error
	if len(namespaces) == 0 {
		nss, err = listAll(ctx, func(o ListOptions) (Page[Namespace], error) { return r.store.ListNamespaces(ctx, o) })
	} else {
		nss, err = r.GetNamespaces(ctx, namespaces)
	}
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	for _, ns := range nss {
		mn, err := r.exportNamespace(ctx, ns)
		if err != nil {
			return Manifest{}, err
		}
		m.Namespaces = append(m.Namespaces, mn)
	}
	if len(namespaces) > 0 {
		return m, nil
	}
	if m.DataPolicies, err = r.exportPolicies(ctx); err != nil {
		return Manifest{}, err
	}
	if m.Memberships, err = r.exportMemberships(ctx); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func (r *Registry) exportNamespace(ctx context.Context, ns Namespace) (ManifestNamespace, error) {
	mn := ManifestNamespace{Code: ns.Code, Name: ns.Name, Description: ns.Description}
	resources, err := listAll(ctx, func(o ListOptions) (Page[Resource], error) {
		return r.store.ListResources(ctx, ResourceFilter{Namespace: ns.Code}, o)
	})
	if err != nil {
		return ManifestNamespace{}, err
	}
	for _, res := range resources {
		mr := ManifestResource{Code: res.Code, Type: res.Type, Name: res.Name, Description: res.Description,
			Actions: res.Actions, APIIdentifier: res.APIIdentifier, LinkedToTenant: res.LinkedToTenant}
		if res.ID == res.Code {
			mr.ID = res.ID
		}
		mn.Resources = append(mn.Resources, mr)
	}
	data, err := listAll(ctx, func(o ListOptions) (Page[DataResource], error) {
		return r.store.ListDataResources(ctx, DataResourceFilter{Namespace: ns.Code}, o)
	})
	if err != nil {
		return ManifestNamespace{}, err
	}
	for _, d := range data {
		mn.DataResources = append(mn.DataResources, ManifestDataResource{ResourceCode: d.ResourceCode, ResourceName: d.ResourceName,
			Description: d.Description, Type: d.Type, Struct: d.Struct, Actions: d.Actions})
	}
	grants, err := listAll(ctx, func(o ListOptions) (Page[store.Grant], error) {
		return r.store.ListGrants(ctx, store.GrantFilter{Namespace: ns.Code}, o)
	})
	if err != nil {
		return ManifestNamespace{}, err
	}
	mn.Grants = grantItems(grants)
	return mn, nil
}

// grantItems groups grants, ordered by subject, resource, action and
// effect as stores list them, into one item per subject with one entry
// per resource and effect.
func grantItems(grants []store.Grant) []AuthorizeItem {
	var out []AuthorizeItem
	for i := 0; i < len(grants); {
		s := grants[i].Subject
		item := AuthorizeItem{TargetType: s.Type, TargetIdentifiers: []string{s.ID}}
		for ; i < len(grants) && grants[i].Subject == s; i++ {
			g := grants[i]
			k := slices.IndexFunc(item.Resources, func(ra ResourceActions) bool {
				return ra.Code == g.ResourceCode && effectOrAllow(ra.Effect) == g.Effect
			})
			if k < 0 {
				ra := ResourceActions{Code: g.ResourceCode}
				if g.Effect != Allow {
					ra.Effect = g.Effect
				}
				item.Resources = append(item.Resources, ra)
				k = len(item.Resources) - 1
			}
			item.Resources[k].Actions = append(item.Resources[k].Actions, g.Action)
		}
		out = append(out, item)
	}
	return out
}

func (r *Registry) exportPolicies(ctx context.Context) ([]ManifestDataPolicy, error) {
	policies, err := listAll(ctx, func(o ListOptions) (Page[store.DataPolicy], error) {
		return r.store.ListDataPolicies(ctx, DataPolicyFilter{}, o)
	})
	if err != nil {
		return nil, err
	}
	var out []ManifestDataPolicy
	for _, p := range policies {
		targets, err := listAll(ctx, func(o ListOptions) (Page[PolicyTarget], error) {
			return r.store.ListDataPolicyTargets(ctx, p.ID, o)
		})
		if err != nil {
			return nil, err
		}
		mp := ManifestDataPolicy{PolicyName: p.Name, Description: p.Description, StatementList: p.Statements}
		for _, t := range targets {
			mp.TargetList = append(mp.TargetList, Target{ID: t.Subject.ID, Type: t.Subject.Type, Name: t.Name})
		}
		out = append(out, mp)
	}
	return out, nil
}

func (r *Registry) exportMemberships(ctx context.Context) ([]ManifestMembership, error) {
	all, err := listAll(ctx, func(o ListOptions) (Page[store.Membership], error) { return r.store.ListAllMemberships(ctx, o) })
	if err != nil {
		return nil, err
	}
	var out []ManifestMembership
	for _, m := range all {
		if n := len(out); n > 0 && out[n-1].Parent == m.Parent && len(out[n-1].Members) < DefaultLimits().MaxBatch {
			out[n-1].Members = append(out[n-1].Members, m.Member)
			continue
		}
		out = append(out, ManifestMembership{Parent: m.Parent, Members: []Subject{m.Member}})
	}
	return out, nil
}
