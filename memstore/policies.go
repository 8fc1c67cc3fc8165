package memstore

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/google/btree"

	"github.com/resreg/resreg/store"
)

// policy is a stored data policy with the refs its permissions make.
type policy struct {
	p    store.DataPolicy
	refs []store.PolicyRef
}

// dataRef names one data resource of one namespace.
type dataRef struct{ ns, code string }

// policyIndex holds the data policies, their targets, and two reverse
// indexes of their refs: which policies name each namespace (which then
// cannot be deleted) and which have an exact ref on each data resource
// (whose delete or narrowing they pin). Pin checks therefore read only the
// policies concerned.
type policyIndex struct {
	byName *btree.BTreeG[*keyed[*policy]] // keyed by name, for listings
	byID   map[string]*policy
	names  map[string]*policy

	targets     *btree.BTreeG[*keyed[store.PolicyTarget]] // policyID \0 subject
	namespaces  map[string]map[string]int                 // namespace -> policy ID -> refs naming it
	exactOnData map[dataRef]map[string]int                // data resource -> policy ID -> exact refs on it

	j *journal // the Store's
}

func newPolicyIndex(j *journal) policyIndex {
	return policyIndex{
		j:           j,
		byName:      newKeyedTree[*policy](),
		byID:        make(map[string]*policy),
		names:       make(map[string]*policy),
		targets:     newKeyedTree[store.PolicyTarget](),
		namespaces:  make(map[string]map[string]int),
		exactOnData: make(map[dataRef]map[string]int),
	}
}

// indexRefs adds (delta 1) or removes (delta -1) the reverse index entries
// of the refs of policy id.
func (pi *policyIndex) indexRefs(id string, refs []store.PolicyRef, delta int) {
	bump := func(m map[string]int, id string) map[string]int {
		if m == nil {
			m = make(map[string]int)
		}
		if m[id] += delta; m[id] <= 0 {
			delete(m, id)
		}
		return m
	}
	for _, r := range refs {
		if m := bump(pi.namespaces[r.Namespace], id); len(m) > 0 {
			pi.namespaces[r.Namespace] = m
		} else {
			delete(pi.namespaces, r.Namespace)
		}
		if r.Exact && r.ResourceCode != "" {
			k := dataRef{r.Namespace, r.ResourceCode}
			if m := bump(pi.exactOnData[k], id); len(m) > 0 {
				pi.exactOnData[k] = m
			} else {
				delete(pi.exactOnData, k)
			}
		}
	}
}

// insert indexes rec, whose name and ID are free. Its targets are kept
// apart, in targets.
func (pi *policyIndex) insert(rec *policy) {
	pi.byName.ReplaceOrInsert(&keyed[*policy]{key: rec.p.Name, val: rec})
	pi.byID[rec.p.ID] = rec
	pi.names[rec.p.Name] = rec
	pi.indexRefs(rec.p.ID, rec.refs, 1)
	if pi.j.on {
		pi.j.record(func() { pi.delete(rec) })
	}
}

func (pi *policyIndex) delete(rec *policy) {
	pi.byName.Delete(&keyed[*policy]{key: rec.p.Name})
	delete(pi.byID, rec.p.ID)
	delete(pi.names, rec.p.Name)
	pi.indexRefs(rec.p.ID, rec.refs, -1)
	if pi.j.on {
		pi.j.record(func() { pi.insert(rec) })
	}
}

// addTarget indexes item, whose key is free.
func (pi *policyIndex) addTarget(item *keyed[store.PolicyTarget]) {
	pi.targets.ReplaceOrInsert(item)
	if pi.j.on {
		pi.j.record(func() { pi.removeTarget(item.key) })
	}
}

// removeTarget removes the target with key and returns it, if present.
func (pi *policyIndex) removeTarget(key string) (store.PolicyTarget, bool) {
	item, found := pi.targets.Delete(&keyed[store.PolicyTarget]{key: key})
	if !found {
		return store.PolicyTarget{}, false
	}
	if pi.j.on {
		pi.j.record(func() { pi.addTarget(item) })
	}
	return item.val, true
}

// pinnedBy returns, sorted, the IDs of the policies whose exact refs on data
// resource code of namespace ns pin selects.
func (pi *policyIndex) pinnedBy(ns, code string, pins func(store.PolicyRef) bool) []string {
	var ids []string
	for id := range pi.exactOnData[dataRef{ns, code}] {
		for _, r := range pi.byID[id].refs {
			if r.Exact && r.Namespace == ns && r.ResourceCode == code && pins(r) {
				ids = append(ids, id)
				break
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// checkRefs makes the contract's ref checks, ref by ref. The caller holds
// the write lock.
func (s *Store) checkRefs(refs []store.PolicyRef) error {
	for _, r := range refs {
		field := "statementList[" + strconv.Itoa(r.Statement) + "].permissions[" + strconv.Itoa(r.Permission) + "]"
		ns, err := s.lookup(r.Namespace)
		if err != nil {
			return store.RefNamespaceNotFound(field, r.Namespace)
		}
		if r.ResourceCode == "" {
			continue
		}
		d, ok := ns.dataByCode[r.ResourceCode]
		if !ok {
			return store.RefDataNotFound(field, r.Namespace, r.ResourceCode)
		}
		if r.Exact && r.NodePath != "" {
			if d.Type != store.DataTree {
				return store.RefNoNodes(field, r.ResourceCode, d.Type)
			}
			if node, _ := d.Struct.Tree.Node(r.NodePath); node == nil {
				return store.RefNodeNotFound(field, r.ResourceCode, r.NodePath)
			}
		}
		if r.Action != "" && !slices.Contains(d.Actions, r.Action) {
			return store.RefActionUnknown(field, r.ResourceCode, r.Action)
		}
	}
	return nil
}

func policyNotFound(id string) error { return store.PolicyNotFound(id) }

// storedPolicy copies p for storage, with times in UTC.
func storedPolicy(p *store.DataPolicy, refs []store.PolicyRef) *policy {
	c := p.Clone()
	c.CreatedAt = c.CreatedAt.UTC()
	c.UpdatedAt = c.UpdatedAt.UTC()
	return &policy{p: c, refs: slices.Clone(refs)}
}

// CreateDataPolicy adds p with its refs: a taken name, then a taken ID, then
// the ref checks.
func (s *Store) CreateDataPolicy(ctx context.Context, p store.DataPolicy, refs []store.PolicyRef) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckTimes("", p.CreatedAt, p.UpdatedAt); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	pi := &s.policies
	if _, ok := pi.names[p.Name]; ok {
		return store.PolicyNameTaken(p.Name)
	}
	if _, ok := pi.byID[p.ID]; ok {
		return store.PolicyIDTaken(p.ID)
	}
	if err := s.checkRefs(refs); err != nil {
		return err
	}
	rec := storedPolicy(&p, refs)
	pi.insert(rec)
	s.logPolicy(ctx, changeTime(), store.OpCreate, rec)
	return nil
}

// GetDataPolicy returns the policy with id.
func (s *Store) GetDataPolicy(ctx context.Context, id string) (store.DataPolicy, error) {
	if err := ctx.Err(); err != nil {
		return store.DataPolicy{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.DataPolicy{}, err
	}
	defer s.runlock(ctx)
	rec, ok := s.policies.byID[id]
	if !ok {
		return store.DataPolicy{}, policyNotFound(id)
	}
	return rec.p.Clone(), nil
}

// GetDataPolicyByName returns the policy named name.
func (s *Store) GetDataPolicyByName(ctx context.Context, name string) (store.DataPolicy, error) {
	if err := ctx.Err(); err != nil {
		return store.DataPolicy{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.DataPolicy{}, err
	}
	defer s.runlock(ctx)
	rec, ok := s.policies.names[name]
	if !ok {
		return store.DataPolicy{}, store.PolicyNameNotFound(name)
	}
	return rec.p.Clone(), nil
}

// ListDataPolicies lists the matching policies in name order.
func (s *Store) ListDataPolicies(ctx context.Context, filter store.DataPolicyFilter, opts store.ListOptions) (store.Page[store.DataPolicy], error) {
	if err := ctx.Err(); err != nil {
		return store.Page[store.DataPolicy]{}, err
	}
	cur, err := opts.CursorFor(store.KindDataPolicies, "")
	if err != nil {
		return store.Page[store.DataPolicy]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[store.DataPolicy]{}, err
	}
	defer s.runlock(ctx)
	var match func(*keyed[*policy]) bool
	if kw := filter.Keyword; kw != "" {
		match = func(item *keyed[*policy]) bool {
			return store.MatchKeyword(kw, item.val.p.Name, item.val.p.Description)
		}
	}
	return page(rangeSource(s.policies.byName, "", cur.After), listing[*keyed[*policy], store.DataPolicy]{
		key:      keyWithin[*policy](""),
		match:    match,
		out:      func(item *keyed[*policy]) store.DataPolicy { return item.val.p.Clone() },
		cursor:   cur,
		kind:     store.KindDataPolicies,
		total:    opts.IncludeTotal,
		matchAll: match == nil,
	}), nil
}

// UpdateDataPolicy applies fn to a copy of the policy and stores the result
// with the refs fn returns, after the name and ref checks.
func (s *Store) UpdateDataPolicy(ctx context.Context, id string, fn func(*store.DataPolicy) ([]store.PolicyRef, error)) (_ store.DataPolicy, err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return store.DataPolicy{}, err
	}
	if err := s.lock(ctx); err != nil {
		return store.DataPolicy{}, err
	}
	defer s.unlock(ctx)
	pi := &s.policies
	rec, ok := pi.byID[id]
	if !ok {
		return store.DataPolicy{}, policyNotFound(id)
	}
	next := rec.p.Clone()
	refs, err := fn(&next)
	if err != nil {
		return store.DataPolicy{}, err
	}
	next.ID, next.CreatedAt = rec.p.ID, rec.p.CreatedAt
	if err := store.CheckTime("updatedAt", next.UpdatedAt); err != nil {
		return store.DataPolicy{}, err
	}
	if other, taken := pi.names[next.Name]; taken && other != rec {
		return store.DataPolicy{}, store.PolicyNameTaken(next.Name)
	}
	if err := s.checkRefs(refs); err != nil {
		return store.DataPolicy{}, err
	}
	pi.delete(rec)
	updated := storedPolicy(&next, refs)
	pi.insert(updated)
	s.logPolicy(ctx, changeTime(), store.OpUpdate, updated)
	return updated.p.Clone(), nil
}

// DeleteDataPolicy removes the policy, its refs and its targets.
func (s *Store) DeleteDataPolicy(ctx context.Context, id string) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	pi := &s.policies
	rec, ok := pi.byID[id]
	if !ok {
		return policyNotFound(id)
	}
	// The policy's change comes first, then those of the targets its
	// deletion removes, in their listing order.
	now := changeTime()
	s.logPolicy(ctx, now, store.OpDelete, rec)
	for _, item := range rangeItems(pi.targets, id+keySep) {
		pi.removeTarget(item.key)
		s.logTarget(ctx, now, store.OpDelete, item.val)
	}
	pi.delete(rec)
	return nil
}

// targetKey is a target's identity and listing order.
func targetKey(t *store.PolicyTarget) string { return t.PolicyID + keySep + subjectKey(t.Subject) }

// missingPolicies returns an ErrNotFound error naming the policy IDs of
// targets that name no policy, or nil. The caller holds the lock.
func (s *Store) missingPolicies(targets []store.PolicyTarget) error {
	var missing []string
	for i := range targets {
		if _, ok := s.policies.byID[targets[i].PolicyID]; !ok {
			missing = append(missing, targets[i].PolicyID)
		}
	}
	if len(missing) > 0 {
		return store.PoliciesNotFound(missing)
	}
	return nil
}

// AttachDataPolicies adds every target not already present.
func (s *Store) AttachDataPolicies(ctx context.Context, targets []store.PolicyTarget) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	if err := checkTargetTimes(targets); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	if err := s.missingPolicies(targets); err != nil {
		return err
	}
	now := changeTime()
	for _, t := range targets {
		item := &keyed[store.PolicyTarget]{key: targetKey(&t)}
		if s.policies.targets.Has(item) {
			continue
		}
		t.CreatedAt = t.CreatedAt.UTC()
		item.val = t
		s.policies.addTarget(item)
		s.logTarget(ctx, now, store.OpCreate, t)
	}
	return nil
}

// DetachDataPolicies removes every listed target that is present.
func (s *Store) DetachDataPolicies(ctx context.Context, targets []store.PolicyTarget) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	if err := s.missingPolicies(targets); err != nil {
		return err
	}
	now := changeTime()
	for i := range targets {
		if t, found := s.policies.removeTarget(targetKey(&targets[i])); found {
			s.logTarget(ctx, now, store.OpDelete, t)
		}
	}
	return nil
}

// ListDataPolicyTargets lists the targets of one policy by subject.
func (s *Store) ListDataPolicyTargets(ctx context.Context, policyID string, opts store.ListOptions) (store.Page[store.PolicyTarget], error) {
	if err := ctx.Err(); err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	cur, err := opts.CursorFor(store.KindPolicyTargets, policyID)
	if err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	defer s.runlock(ctx)
	if _, ok := s.policies.byID[policyID]; !ok {
		return store.Page[store.PolicyTarget]{}, policyNotFound(policyID)
	}
	return s.listTargets(policyID+keySep, cur, store.KindPolicyTargets, policyID, opts.IncludeTotal), nil
}

// ListAllPolicyTargets lists every target by policy ID, then subject.
func (s *Store) ListAllPolicyTargets(ctx context.Context, opts store.ListOptions) (store.Page[store.PolicyTarget], error) {
	if err := ctx.Err(); err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	cur, err := opts.CursorFor(store.KindAllPolicyTargets, "")
	if err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	defer s.runlock(ctx)
	return s.listTargets("", cur, store.KindAllPolicyTargets, "", opts.IncludeTotal), nil
}

func (s *Store) listTargets(prefix string, cur store.Cursor, kind, scope string, total bool) store.Page[store.PolicyTarget] {
	return page(rangeSource(s.policies.targets, prefix, cur.After), listing[*keyed[store.PolicyTarget], store.PolicyTarget]{
		key:       keyWithin[store.PolicyTarget](prefix),
		out:       func(item *keyed[store.PolicyTarget]) store.PolicyTarget { return item.val },
		cursor:    cur,
		kind:      kind,
		namespace: scope,
		total:     total,
	})
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkTargetTimes refuses a CreatedAt outside what a store keeps, with the
// target's path built only for an error.
func checkTargetTimes(targets []store.PolicyTarget) error {
	for i := range targets {
		if store.CheckTime("createdAt", targets[i].CreatedAt) != nil {
			return store.CheckTime("targets["+strconv.Itoa(i)+"].createdAt", targets[i].CreatedAt)
		}
	}
	return nil
}

// logPolicy records a change of rec. A stored policy is replaced, never
// edited, by an update (see UpdateDataPolicy), so the log keeps a shallow
// copy.
func (s *Store) logPolicy(ctx context.Context, now time.Time, op string, rec *policy) {
	p := rec.p
	s.logChange(ctx, now, op, store.KindDataPolicy, "", p.ID, &p)
}

// logTarget records a change of target t.
func (s *Store) logTarget(ctx context.Context, now time.Time, op string, t store.PolicyTarget) {
	s.logChange(ctx, now, op, store.KindPolicyTarget, "", t.Key(), &t)
}
