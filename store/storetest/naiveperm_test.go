package storetest_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/resreg/resreg/store"
)

// naivePerms is the naive store's permission records: plain slices and
// maps, scanned in full, so that it is obviously right.
type naivePerms struct {
	grants   []store.Grant
	edges    []store.Membership
	policies map[string]naivePolicy
	targets  []store.PolicyTarget
}

type naivePolicy struct {
	p    store.DataPolicy
	refs []store.PolicyRef
}

const sep = "\x00"

func subKey(s store.Subject) string { return s.Type + sep + s.ID }

func grantKey(g store.Grant) string {
	return strings.Join([]string{subKey(g.Subject), g.ResourceCode, g.Action, string(g.Effect)}, sep)
}

func edgeKey(m store.Membership) string { return subKey(m.Parent) + sep + subKey(m.Member) }

func targetKey(t store.PolicyTarget) string { return t.PolicyID + sep + subKey(t.Subject) }

func sortedBy[T any](items []T, key func(T) string) []T {
	out := slices.Clone(items)
	slices.SortFunc(out, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	return out
}

// policiesNaming returns the IDs of the policies with a ref on namespace ns.
func (p *naivePerms) policiesNaming(ns string) []string {
	var ids []string
	for id, pol := range p.policies {
		if slices.ContainsFunc(pol.refs, func(r store.PolicyRef) bool { return r.Namespace == ns }) {
			ids = append(ids, id)
		}
	}
	return uniq(ids)
}

// dropGrants removes the grants drop selects and records their deletion
// in listing order.
func (n *naive) dropGrants(ctx context.Context, drop func(store.Grant) bool) {
	var removed []store.Grant
	for _, g := range n.perm.grants {
		if drop(g) {
			removed = append(removed, g)
		}
	}
	n.perm.grants = slices.DeleteFunc(n.perm.grants, drop)
	for _, g := range sortedBy(removed, grantKey) {
		n.log.add(ctx, store.OpDelete, store.KindGrant, g.Namespace, g.Key(), g)
	}
}

// checkTimes returns the first out-of-range CreatedAt of n records, on the
// field list[i].createdAt.
func checkTimes(list string, n int, at func(i int) time.Time) error {
	for i := range n {
		if err := store.CheckTime(list+"["+strconv.Itoa(i)+"].createdAt", at(i)); err != nil {
			return err
		}
	}
	return nil
}

// pinned refuses the removal (next nil) or the update to next of a data
// resource that an exact ref names in a way next would break.
func (p *naivePerms) pinned(ns, code string, next *store.DataResource) error {
	var ids []string
	for id, pol := range p.policies {
		for _, r := range pol.refs {
			if !r.Exact || r.Namespace != ns || r.ResourceCode != code {
				continue
			}
			broken := next == nil
			if next != nil && r.NodePath != "" {
				_, found := next.Struct.Tree.Find(r.NodePath)
				broken = next.Type != store.DataTree || !found
			}
			if next != nil && r.Action != "" && !slices.Contains(next.Actions, r.Action) {
				broken = true
			}
			if broken {
				ids = append(ids, id)
				break
			}
		}
	}
	switch {
	case len(ids) > 0 && next == nil:
		return store.DataResourcePinned(code, ids)
	case len(ids) > 0:
		return store.DataUpdatePinned(code, ids)
	}
	return nil
}

func (n *naive) grantNamespaces(gs []store.Grant) error {
	for _, g := range gs {
		if _, ok := n.ns[g.Namespace]; !ok {
			return store.NamespaceNotFound(g.Namespace)
		}
	}
	return nil
}

func uniq(in []string) []string {
	slices.Sort(in)
	return slices.Compact(in)
}

func (n *naive) AddGrants(ctx context.Context, gs []store.Grant) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	if err := checkTimes("grants", len(gs), func(i int) time.Time { return gs[i].CreatedAt }); err != nil {
		return err
	}
	if err := n.grantNamespaces(gs); err != nil {
		return err
	}
	var missing, bad []string
	for _, g := range gs {
		if g.ResourceCode == store.Wildcard {
			continue
		}
		r, ok := n.res[g.Namespace][g.ResourceCode]
		if !ok {
			missing = append(missing, g.ResourceCode)
		} else if g.Action != store.Wildcard && !slices.ContainsFunc(r.Actions, func(a store.Action) bool { return a.Name == g.Action }) {
			bad = append(bad, g.Action)
		}
	}
	if len(missing) > 0 {
		return store.GrantResourcesNotFound(missing)
	}
	if len(bad) > 0 {
		return store.GrantActionsUndeclared(bad)
	}
	for _, g := range gs {
		if !slices.ContainsFunc(n.perm.grants, func(h store.Grant) bool { return h.Namespace == g.Namespace && grantKey(h) == grantKey(g) }) {
			g.CreatedAt = utc(g.CreatedAt)
			n.perm.grants = append(n.perm.grants, g)
			n.log.add(ctx, store.OpCreate, store.KindGrant, g.Namespace, g.Key(), g)
		}
	}
	return nil
}

func (n *naive) RevokeGrants(ctx context.Context, gs []store.Grant) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	if err := n.grantNamespaces(gs); err != nil {
		return err
	}
	for _, g := range gs {
		n.dropGrants(ctx, func(h store.Grant) bool { return h.Namespace == g.Namespace && grantKey(h) == grantKey(g) })
	}
	return nil
}

func (n *naive) ListGrants(ctx context.Context, f store.GrantFilter, opts store.ListOptions) (store.Page[store.Grant], error) {
	if err := n.lock(ctx); err != nil {
		return store.Page[store.Grant]{}, err
	}
	defer n.mu.Unlock()
	if _, ok := n.ns[f.Namespace]; !ok {
		return store.Page[store.Grant]{}, store.NamespaceNotFound(f.Namespace)
	}
	var out []store.Grant
	for _, g := range n.perm.grants {
		if g.Namespace == f.Namespace && (f.Subject == nil || *f.Subject == g.Subject) && (f.ResourceCode == "" || f.ResourceCode == g.ResourceCode) {
			out = append(out, g)
		}
	}
	return page(sortedBy(out, grantKey), store.KindGrants, f.Namespace, grantKey, opts)
}

func (n *naive) hasEdge(parent, member store.Subject) bool {
	return slices.ContainsFunc(n.perm.edges, func(m store.Membership) bool { return m.Parent == parent && m.Member == member })
}

// chain returns the longest chain of edges above s (up) or below it.
func (n *naive) chain(s store.Subject, up bool) int {
	best := 0
	for _, m := range n.perm.edges {
		if up && m.Member == s {
			best = max(best, 1+n.chain(m.Parent, true))
		}
		if !up && m.Parent == s {
			best = max(best, 1+n.chain(m.Member, false))
		}
	}
	return best
}

func (n *naive) ancestorOrSelf(s, of store.Subject) bool {
	if s == of {
		return true
	}
	for _, m := range n.perm.edges {
		if m.Member == of && n.ancestorOrSelf(s, m.Parent) {
			return true
		}
	}
	return false
}

func (n *naive) AddMembers(ctx context.Context, parent store.Subject, members []store.Subject, opts store.MembershipOptions) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	if parent.Type == store.SubjectUser {
		return store.UserCannotHaveMembers()
	}
	saved := slices.Clone(n.perm.edges)
	var added []store.Membership
	for i, m := range members {
		if n.hasEdge(parent, m) {
			continue
		}
		field := "members[" + strconv.Itoa(i) + "]"
		var bad error
		switch {
		case m == parent:
			bad = store.MemberIsParent(field, m)
		case n.ancestorOrSelf(m, parent):
			bad = store.MembershipCycle(field, parent, m)
		case opts.MaxDepth > 0 && n.chain(parent, true)+1+n.chain(m, false) > opts.MaxDepth:
			bad = store.MembershipTooDeep(field, parent, m, opts.MaxDepth)
		}
		if bad != nil {
			n.perm.edges = saved
			return bad
		}
		edge := store.Membership{Parent: parent, Member: m, CreatedAt: time.Now().UTC()}
		n.perm.edges = append(n.perm.edges, edge)
		added = append(added, edge)
	}
	for _, edge := range added {
		n.log.add(ctx, store.OpCreate, store.KindMembership, "", edge.Key(), edge)
	}
	return nil
}

func (n *naive) RemoveMembers(ctx context.Context, parent store.Subject, members []store.Subject) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	for _, member := range members {
		if i := slices.IndexFunc(n.perm.edges, func(m store.Membership) bool { return m.Parent == parent && m.Member == member }); i >= 0 {
			n.log.add(ctx, store.OpDelete, store.KindMembership, "", n.perm.edges[i].Key(), n.perm.edges[i])
			n.perm.edges = slices.Delete(n.perm.edges, i, i+1)
		}
	}
	return nil
}

func (n *naive) listSubjects(ctx context.Context, of store.Subject, up bool, opts store.ListOptions) (store.Page[store.Subject], error) {
	if err := n.lock(ctx); err != nil {
		return store.Page[store.Subject]{}, err
	}
	defer n.mu.Unlock()
	var out []store.Subject
	for _, m := range n.perm.edges {
		if up && m.Member == of {
			out = append(out, m.Parent)
		}
		if !up && m.Parent == of {
			out = append(out, m.Member)
		}
	}
	kind := store.KindMembers
	if up {
		kind = store.KindMemberships
	}
	return page(sortedBy(out, subKey), kind, of.String(), subKey, opts)
}

func (n *naive) ListMembers(ctx context.Context, parent store.Subject, opts store.ListOptions) (store.Page[store.Subject], error) {
	return n.listSubjects(ctx, parent, false, opts)
}

func (n *naive) ListMemberships(ctx context.Context, member store.Subject, opts store.ListOptions) (store.Page[store.Subject], error) {
	return n.listSubjects(ctx, member, true, opts)
}

func (n *naive) ListAllMemberships(ctx context.Context, opts store.ListOptions) (store.Page[store.Membership], error) {
	if err := n.lock(ctx); err != nil {
		return store.Page[store.Membership]{}, err
	}
	defer n.mu.Unlock()
	return page(sortedBy(n.perm.edges, edgeKey), store.KindAllMemberships, "", edgeKey, opts)
}

func (n *naive) checkRefs(refs []store.PolicyRef) error {
	for _, r := range refs {
		field := "statementList[" + strconv.Itoa(r.Statement) + "].permissions[" + strconv.Itoa(r.Permission) + "]"
		if _, ok := n.ns[r.Namespace]; !ok {
			return store.RefNamespaceNotFound(field, r.Namespace)
		}
		if r.ResourceCode == "" {
			continue
		}
		d, ok := n.data[r.Namespace][r.ResourceCode]
		if !ok {
			return store.RefDataNotFound(field, r.Namespace, r.ResourceCode)
		}
		if r.Exact && r.NodePath != "" {
			if d.Type != store.DataTree {
				return store.RefNoNodes(field, r.ResourceCode, d.Type)
			}
			if _, found := d.Struct.Tree.Find(r.NodePath); !found {
				return store.RefNodeNotFound(field, r.ResourceCode, r.NodePath)
			}
		}
		if r.Action != "" && !slices.Contains(d.Actions, r.Action) {
			return store.RefActionUnknown(field, r.ResourceCode, r.Action)
		}
	}
	return nil
}

func normPolicy(p store.DataPolicy) store.DataPolicy {
	p = p.Clone()
	p.CreatedAt, p.UpdatedAt = utc(p.CreatedAt), utc(p.UpdatedAt)
	return p
}

func (n *naive) policyNamed(name string) (naivePolicy, bool) {
	for _, pol := range n.perm.policies {
		if pol.p.Name == name {
			return pol, true
		}
	}
	return naivePolicy{}, false
}

func (n *naive) CreateDataPolicy(ctx context.Context, p store.DataPolicy, refs []store.PolicyRef) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	if err := store.CheckTimes("", p.CreatedAt, p.UpdatedAt); err != nil {
		return err
	}
	if _, taken := n.policyNamed(p.Name); taken {
		return store.PolicyNameTaken(p.Name)
	}
	if _, taken := n.perm.policies[p.ID]; taken {
		return store.PolicyIDTaken(p.ID)
	}
	if err := n.checkRefs(refs); err != nil {
		return err
	}
	if n.perm.policies == nil {
		n.perm.policies = map[string]naivePolicy{}
	}
	n.perm.policies[p.ID] = naivePolicy{p: normPolicy(p), refs: slices.Clone(refs)}
	n.log.add(ctx, store.OpCreate, store.KindDataPolicy, "", p.ID, n.perm.policies[p.ID].p)
	return nil
}

func (n *naive) GetDataPolicy(ctx context.Context, id string) (store.DataPolicy, error) {
	if err := n.lock(ctx); err != nil {
		return store.DataPolicy{}, err
	}
	defer n.mu.Unlock()
	pol, ok := n.perm.policies[id]
	if !ok {
		return store.DataPolicy{}, store.PolicyNotFound(id)
	}
	return pol.p.Clone(), nil
}

func (n *naive) GetDataPolicyByName(ctx context.Context, name string) (store.DataPolicy, error) {
	if err := n.lock(ctx); err != nil {
		return store.DataPolicy{}, err
	}
	defer n.mu.Unlock()
	pol, ok := n.policyNamed(name)
	if !ok {
		return store.DataPolicy{}, store.PolicyNameNotFound(name)
	}
	return pol.p.Clone(), nil
}

func (n *naive) ListDataPolicies(ctx context.Context, f store.DataPolicyFilter, opts store.ListOptions) (store.Page[store.DataPolicy], error) {
	if err := n.lock(ctx); err != nil {
		return store.Page[store.DataPolicy]{}, err
	}
	defer n.mu.Unlock()
	var out []store.DataPolicy
	for _, pol := range n.perm.policies {
		if f.Keyword == "" || store.MatchKeyword(f.Keyword, pol.p.Name, pol.p.Description) {
			out = append(out, pol.p.Clone())
		}
	}
	name := func(p store.DataPolicy) string { return p.Name }
	return page(sortedBy(out, name), store.KindDataPolicies, "", name, opts)
}

func (n *naive) UpdateDataPolicy(ctx context.Context, id string, fn func(*store.DataPolicy) ([]store.PolicyRef, error)) (store.DataPolicy, error) {
	if err := n.lock(ctx); err != nil {
		return store.DataPolicy{}, err
	}
	defer n.mu.Unlock()
	cur, ok := n.perm.policies[id]
	if !ok {
		return store.DataPolicy{}, store.PolicyNotFound(id)
	}
	next := cur.p.Clone()
	refs, err := fn(&next)
	if err != nil {
		return store.DataPolicy{}, err
	}
	next.ID, next.CreatedAt = cur.p.ID, cur.p.CreatedAt
	if err := store.CheckTime("updatedAt", next.UpdatedAt); err != nil {
		return store.DataPolicy{}, err
	}
	if other, taken := n.policyNamed(next.Name); taken && other.p.ID != id {
		return store.DataPolicy{}, store.PolicyNameTaken(next.Name)
	}
	if err := n.checkRefs(refs); err != nil {
		return store.DataPolicy{}, err
	}
	n.perm.policies[id] = naivePolicy{p: normPolicy(next), refs: slices.Clone(refs)}
	n.log.add(ctx, store.OpUpdate, store.KindDataPolicy, "", id, n.perm.policies[id].p)
	return n.perm.policies[id].p.Clone(), nil
}

func (n *naive) DeleteDataPolicy(ctx context.Context, id string) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	pol, ok := n.perm.policies[id]
	if !ok {
		return store.PolicyNotFound(id)
	}
	delete(n.perm.policies, id)
	n.log.add(ctx, store.OpDelete, store.KindDataPolicy, "", id, pol.p)
	var removed []store.PolicyTarget
	for _, t := range n.perm.targets {
		if t.PolicyID == id {
			removed = append(removed, t)
		}
	}
	for _, t := range sortedBy(removed, targetKey) {
		n.log.add(ctx, store.OpDelete, store.KindPolicyTarget, "", t.Key(), t)
	}
	n.perm.targets = slices.DeleteFunc(n.perm.targets, func(t store.PolicyTarget) bool { return t.PolicyID == id })
	return nil
}

func (n *naive) missingPolicies(ts []store.PolicyTarget) error {
	var missing []string
	for _, t := range ts {
		if _, ok := n.perm.policies[t.PolicyID]; !ok {
			missing = append(missing, t.PolicyID)
		}
	}
	if len(missing) > 0 {
		return store.PoliciesNotFound(missing)
	}
	return nil
}

func (n *naive) AttachDataPolicies(ctx context.Context, ts []store.PolicyTarget) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	if err := checkTimes("targets", len(ts), func(i int) time.Time { return ts[i].CreatedAt }); err != nil {
		return err
	}
	if err := n.missingPolicies(ts); err != nil {
		return err
	}
	for _, t := range ts {
		if !slices.ContainsFunc(n.perm.targets, func(u store.PolicyTarget) bool { return targetKey(u) == targetKey(t) }) {
			t.CreatedAt = utc(t.CreatedAt)
			n.perm.targets = append(n.perm.targets, t)
			n.log.add(ctx, store.OpCreate, store.KindPolicyTarget, "", t.Key(), t)
		}
	}
	return nil
}

func (n *naive) DetachDataPolicies(ctx context.Context, ts []store.PolicyTarget) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	if err := n.missingPolicies(ts); err != nil {
		return err
	}
	for _, t := range ts {
		if i := slices.IndexFunc(n.perm.targets, func(u store.PolicyTarget) bool { return targetKey(u) == targetKey(t) }); i >= 0 {
			n.log.add(ctx, store.OpDelete, store.KindPolicyTarget, "", n.perm.targets[i].Key(), n.perm.targets[i])
			n.perm.targets = slices.Delete(n.perm.targets, i, i+1)
		}
	}
	return nil
}

func (n *naive) ListDataPolicyTargets(ctx context.Context, id string, opts store.ListOptions) (store.Page[store.PolicyTarget], error) {
	if err := n.lock(ctx); err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	defer n.mu.Unlock()
	if _, ok := n.perm.policies[id]; !ok {
		return store.Page[store.PolicyTarget]{}, store.PolicyNotFound(id)
	}
	var out []store.PolicyTarget
	for _, t := range n.perm.targets {
		if t.PolicyID == id {
			out = append(out, t)
		}
	}
	return page(sortedBy(out, targetKey), store.KindPolicyTargets, id, targetKey, opts)
}

func (n *naive) ListAllPolicyTargets(ctx context.Context, opts store.ListOptions) (store.Page[store.PolicyTarget], error) {
	if err := n.lock(ctx); err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	defer n.mu.Unlock()
	return page(sortedBy(n.perm.targets, targetKey), store.KindAllPolicyTargets, "", targetKey, opts)
}
