package memstore

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/btree"

	"github.com/resreg/resreg/store"
)

// grantIndex holds the grants of one namespace: a B-tree in listing order
// (subject, resource, action, effect), a map by identity for the
// idempotence checks, and the grants of each resource code, so that the
// cascades of a resource delete or update touch only that resource's
// grants.
type grantIndex struct {
	tree       *btree.BTreeG[*keyed[store.Grant]]
	byKey      map[string]*keyed[store.Grant]
	byResource map[string]map[string]*keyed[store.Grant] // resource code -> key -> grant

	j *journal // the Store's
}

func newGrantIndex(j *journal) grantIndex {
	return grantIndex{
		j:          j,
		tree:       newKeyedTree[store.Grant](),
		byKey:      make(map[string]*keyed[store.Grant]),
		byResource: make(map[string]map[string]*keyed[store.Grant]),
	}
}

// grantKey is a grant's identity and listing order as one key.
func grantKey(g *store.Grant) string {
	return subjectKey(g.Subject) + keySep + g.ResourceCode + keySep + g.Action + keySep + string(g.Effect)
}

// add indexes item, whose key is free.
func (gi *grantIndex) add(item *keyed[store.Grant]) {
	if gi.j.on {
		gi.j.record(func() { gi.remove(item) })
	}
	gi.tree.ReplaceOrInsert(item)
	gi.byKey[item.key] = item
	res := gi.byResource[item.val.ResourceCode]
	if res == nil {
		res = make(map[string]*keyed[store.Grant])
		gi.byResource[item.val.ResourceCode] = res
	}
	res[item.key] = item
}

func (gi *grantIndex) remove(item *keyed[store.Grant]) {
	if gi.j.on {
		gi.j.record(func() { gi.add(item) })
	}
	gi.tree.Delete(item)
	delete(gi.byKey, item.key)
	res := gi.byResource[item.val.ResourceCode]
	delete(res, item.key)
	if len(res) == 0 {
		delete(gi.byResource, item.val.ResourceCode)
	}
}

// removeResource deletes the grants on code whose action drop selects
// (every grant when drop is nil) and returns them in listing order, the
// order in which a cascade records them.
func (gi *grantIndex) removeResource(code string, drop func(action string) bool) []store.Grant {
	var items []*keyed[store.Grant]
	for _, item := range gi.byResource[code] {
		if drop == nil || drop(item.val.Action) {
			items = append(items, item)
		}
	}
	slices.SortFunc(items, func(a, b *keyed[store.Grant]) int { return strings.Compare(a.key, b.key) })
	removed := make([]store.Grant, len(items))
	for i, item := range items {
		gi.remove(item)
		removed[i] = item.val
	}
	return removed
}

// logGrants records one change of op for each of grants. Grant values are
// never edited once stored, so each is kept as it is.
func (s *Store) logGrants(ctx context.Context, now time.Time, op string, grants []store.Grant) {
	for i := range grants {
		g := grants[i]
		s.logChange(ctx, now, op, store.KindGrant, g.Namespace, g.Key(), &g)
	}
}

// AddGrants adds every grant not already present. Every check runs before
// the first write, in the order of the contract: namespaces, then resource
// codes, then actions.
func (s *Store) AddGrants(ctx context.Context, grants []store.Grant) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(grants) == 0 {
		return nil
	}
	if err := checkGrantTimes(grants); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	targets, err := s.grantNamespaces(grants)
	if err != nil {
		return err
	}
	var missing, undeclared []string
	for i := range grants {
		g := &grants[i]
		if g.ResourceCode == store.Wildcard {
			continue
		}
		rec, ok := targets[i].resByCode[g.ResourceCode]
		if !ok {
			missing = append(missing, g.ResourceCode)
			continue
		}
		if g.Action != store.Wildcard && !slices.ContainsFunc(rec.actions, func(a store.Action) bool { return a.Name == g.Action }) {
			undeclared = append(undeclared, g.Action)
		}
	}
	if len(missing) > 0 {
		return store.GrantResourcesNotFound(missing)
	}
	if len(undeclared) > 0 {
		return store.GrantActionsUndeclared(undeclared)
	}
	now := changeTime()
	for i := range grants {
		g := grants[i]
		key := grantKey(&g)
		gi := &targets[i].grants
		if _, ok := gi.byKey[key]; ok {
			continue // present, or listed twice: the first keeps its CreatedAt
		}
		g.Namespace = targets[i].meta.Code
		g.CreatedAt = g.CreatedAt.UTC()
		gi.add(&keyed[store.Grant]{key: key, val: g})
		s.logChange(ctx, now, store.OpCreate, store.KindGrant, g.Namespace, g.Key(), &g)
	}
	return nil
}

// checkGrantTimes refuses a CreatedAt outside what a store keeps, with the
// grant's path built only for an error.
func checkGrantTimes(grants []store.Grant) error {
	for i := range grants {
		if store.CheckTime("createdAt", grants[i].CreatedAt) != nil {
			return store.CheckTime("grants["+strconv.Itoa(i)+"].createdAt", grants[i].CreatedAt)
		}
	}
	return nil
}

// RevokeGrants removes every listed grant that is present.
func (s *Store) RevokeGrants(ctx context.Context, grants []store.Grant) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(grants) == 0 {
		return nil
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	targets, err := s.grantNamespaces(grants)
	if err != nil {
		return err
	}
	now := changeTime()
	for i := range grants {
		gi := &targets[i].grants
		if item, ok := gi.byKey[grantKey(&grants[i])]; ok {
			gi.remove(item)
			g := item.val
			s.logChange(ctx, now, store.OpDelete, store.KindGrant, g.Namespace, g.Key(), &g)
		}
	}
	return nil
}

// grantNamespaces returns the namespace of each grant, or the error for the
// first that does not exist. The caller holds the write lock.
func (s *Store) grantNamespaces(grants []store.Grant) ([]*namespace, error) {
	targets := make([]*namespace, len(grants))
	for i := range grants {
		ns, err := s.lookup(grants[i].Namespace)
		if err != nil {
			return nil, err
		}
		targets[i] = ns
	}
	return targets, nil
}

// ListGrants lists the matching grants of filter.Namespace in key order. A
// subject filter reads only that subject's range of the tree; a resource
// filter alone reads only that resource's grants.
func (s *Store) ListGrants(ctx context.Context, filter store.GrantFilter, opts store.ListOptions) (store.Page[store.Grant], error) {
	if err := ctx.Err(); err != nil {
		return store.Page[store.Grant]{}, err
	}
	cur, err := opts.CursorFor(store.KindGrants, filter.Namespace)
	if err != nil {
		return store.Page[store.Grant]{}, err
	}
	ns, err := s.readNamespace(ctx, filter.Namespace)
	if err != nil {
		return store.Page[store.Grant]{}, err
	}
	defer s.runlock(ctx)
	gi := &ns.grants
	out := func(item *keyed[store.Grant]) store.Grant { return item.val }
	switch {
	case filter.Subject != nil:
		prefix := subjectKey(*filter.Subject) + keySep
		var match func(*keyed[store.Grant]) bool
		if filter.ResourceCode != "" {
			code := filter.ResourceCode
			match = func(item *keyed[store.Grant]) bool { return item.val.ResourceCode == code }
		}
		return page(rangeSource(gi.tree, prefix, cur.After), listing[*keyed[store.Grant], store.Grant]{
			key: keyWithin[store.Grant](prefix), match: match, out: out, cursor: cur, kind: store.KindGrants, namespace: filter.Namespace, total: opts.IncludeTotal,
		}), nil
	case filter.ResourceCode != "":
		res := gi.byResource[filter.ResourceCode]
		items := make([]*keyed[store.Grant], 0, len(res))
		for _, item := range res {
			items = append(items, item)
		}
		slices.SortFunc(items, func(a, b *keyed[store.Grant]) int { return strings.Compare(a.key, b.key) })
		key := func(item *keyed[store.Grant]) string { return item.key }
		return page(sliceSource(items, cur.After, key), listing[*keyed[store.Grant], store.Grant]{
			key: key, out: out, cursor: cur, kind: store.KindGrants, namespace: filter.Namespace, total: opts.IncludeTotal,
		}), nil
	default:
		return page(rangeSource(gi.tree, "", cur.After), listing[*keyed[store.Grant], store.Grant]{
			key: keyWithin[store.Grant](""), out: out, cursor: cur, kind: store.KindGrants, namespace: filter.Namespace, total: opts.IncludeTotal,
		}), nil
	}
}
