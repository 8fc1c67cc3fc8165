package memstore

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/resreg/resreg/store"
)

// CreateResources adds every resource or none. All checks run before the
// first write: missing namespaces, then conflicts (every conflicting code is
// reported), then the per-namespace quota.
func (s *Store) CreateResources(ctx context.Context, resources []store.Resource, opts store.WriteOptions) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(resources) == 0 {
		return nil
	}
	for i := range resources {
		if err := checkTimes(resources, i); err != nil {
			return err
		}
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)

	// targets[i] is the namespace of resources[i]; added counts the new
	// resources per namespace for the quota check.
	targets := make([]*namespace, len(resources))
	added := make(map[*namespace]int, 1)
	for i := range resources {
		ns, err := s.lookup(resources[i].Namespace)
		if err != nil {
			return err
		}
		targets[i] = ns
		added[ns]++
	}

	if kinds, conflicts := s.conflicts(resources, targets); len(conflicts) > 0 {
		return store.ResourcesConflict(kinds, conflicts)
	}

	if limit := opts.MaxResourcesPerNamespace; limit > 0 {
		for i := range resources {
			ns := targets[i]
			if n := ns.resources.Len() + added[ns]; n > limit {
				return store.QuotaExceeded(ns.meta.Code, n, limit)
			}
		}
	}

	now := changeTime()
	s.growLog(len(resources))
	// One allocation holds every record of the batch and one every
	// translation: a thousand small allocations cost more than the map
	// inserts, and fewer objects are less for the collector to scan. The
	// price: a deleted record's memory is freed with the last record of
	// its batch.
	recs := make([]resource, len(resources))
	slab := newTranslationSlab(resources)
	for i := range resources {
		ns := targets[i]
		rec := &recs[i]
		s.fillResourceFrom(rec, &resources[i], &slab)
		ns.putResource(rec)
		s.logResource(ctx, now, store.OpCreate, ns.meta.Code, rec)
	}
	return nil
}

// conflicts returns the code of every resource whose code or ID is taken in
// its namespace or repeats within the batch, and why.
func (s *Store) conflicts(resources []store.Resource, targets []*namespace) (store.ConflictKind, []string) {
	// Repeats are tracked by key within the batch. A batch in one
	// namespace, the common case, is keyed by the string alone, which
	// hashes faster than a (namespace, string) pair.
	single := true
	for _, ns := range targets {
		single = single && ns == targets[0]
	}
	nsKey := func(i int) string { return "" }
	if !single {
		nsKey = func(i int) string { return targets[i].meta.Code + "\x00" }
	}
	var codes, ids map[string]struct{}
	if len(resources) > 1 {
		codes = make(map[string]struct{}, len(resources))
		ids = make(map[string]struct{}, len(resources))
	}
	var out []string
	var kinds store.ConflictKind
	for i := range resources {
		r, ns := &resources[i], targets[i]
		var kind store.ConflictKind
		if _, ok := ns.resByCode[r.Code]; ok {
			kind |= store.CodeTaken
		}
		if r.ID != "" {
			if _, ok := ns.resByID[r.ID]; ok {
				kind |= store.IDTaken
			}
		}
		if codes != nil {
			prefix := nsKey(i)
			// An insert that does not grow the map found a repeat: one
			// hash per key instead of a lookup and an insert.
			n := len(codes)
			codes[prefix+r.Code] = struct{}{}
			if len(codes) == n {
				kind |= store.Repeated
			}
			if r.ID != "" {
				n := len(ids)
				ids[prefix+r.ID] = struct{}{}
				if len(ids) == n {
					kind |= store.Repeated
				}
			}
		}
		if kind != 0 {
			kinds |= kind
			out = append(out, r.Code)
		}
	}
	return kinds, out
}

// GetResource returns the resource with code in namespace.
func (s *Store) GetResource(ctx context.Context, namespace, code string) (store.Resource, error) {
	ns, err := s.readNamespace(ctx, namespace)
	if err != nil {
		return store.Resource{}, err
	}
	rec, ok := ns.resByCode[code]
	if !ok {
		s.runlock(ctx)
		return store.Resource{}, resourceNotFound(namespace, code)
	}
	r := rec.export(ns.meta.Code)
	s.runlock(ctx)
	return r, nil
}

// GetResourceByID returns the resource with id in namespace.
func (s *Store) GetResourceByID(ctx context.Context, namespace, id string) (store.Resource, error) {
	ns, err := s.readNamespace(ctx, namespace)
	if err != nil {
		return store.Resource{}, err
	}
	defer s.runlock(ctx)
	rec, ok := ns.resByID[id]
	if !ok || id == "" {
		return store.Resource{}, store.ResourceIDNotFound(namespace, id)
	}
	return rec.export(ns.meta.Code), nil
}

// ListResources returns one page of the matching resources of
// filter.Namespace, in code order. A filter on codes or IDs is answered from
// the hash indexes instead of a scan.
func (s *Store) ListResources(ctx context.Context, filter store.ResourceFilter, opts store.ListOptions) (store.Page[store.Resource], error) {
	if err := ctx.Err(); err != nil {
		return store.Page[store.Resource]{}, err
	}
	cur, err := opts.CursorFor(store.KindResources, filter.Namespace)
	if err != nil {
		return store.Page[store.Resource]{}, err
	}
	ns, err := s.readNamespace(ctx, filter.Namespace)
	if err != nil {
		return store.Page[store.Resource]{}, err
	}
	defer s.runlock(ctx)

	key := func(rec *resource) string { return rec.code }
	var src source[*resource]
	if picked, ok := ns.pickResources(&filter); ok {
		src = sliceSource(picked, cur.After, key)
	} else {
		src = treeSource(ns.resources, cur.After, key, func(code string) *resource { return &resource{code: code} })
	}
	matchAll := len(filter.Types) == 0 && len(filter.Codes) == 0 && len(filter.IDs) == 0 && filter.Keyword == ""
	var match func(*resource) bool
	if !matchAll {
		match = resourceMatcher(filter)
	}
	nsCode := ns.meta.Code
	return page(src, listing[*resource, store.Resource]{
		kind:      store.KindResources,
		namespace: nsCode,
		key:       key,
		match:     match,
		out:       func(rec *resource) store.Resource { return rec.export(nsCode) },
		cursor:    cur,
		total:     opts.IncludeTotal,
		matchAll:  matchAll,
	}), nil
}

// pickResources returns, sorted by code and without repeats, the resources
// named by the filter's codes (or, failing those, its IDs); ok is false when
// the filter names neither and the whole namespace must be scanned. The
// result still has to pass the filter's other conditions.
func (ns *namespace) pickResources(f *store.ResourceFilter) (picked []*resource, ok bool) {
	switch {
	case len(f.Codes) > 0:
		picked = make([]*resource, 0, len(f.Codes))
		for _, code := range f.Codes {
			if rec, found := ns.resByCode[code]; found {
				picked = append(picked, rec)
			}
		}
	case len(f.IDs) > 0:
		picked = make([]*resource, 0, len(f.IDs))
		for _, id := range f.IDs {
			if rec, found := ns.resByID[id]; found && id != "" {
				picked = append(picked, rec)
			}
		}
	default:
		return nil, false
	}
	slices.SortFunc(picked, func(a, b *resource) int { return strings.Compare(a.code, b.code) })
	return slices.CompactFunc(picked, func(a, b *resource) bool { return a == b }), true
}

// UpdateResource applies fn to a copy of the resource and stores the result,
// keeping the stored namespace, code, ID and CreatedAt.
func (s *Store) UpdateResource(ctx context.Context, namespace, code string, fn func(*store.Resource) error) (_ store.Resource, err error) {
	defer s.noteFailure(ctx, &err)
	ns, err := s.writeNamespace(ctx, namespace)
	if err != nil {
		return store.Resource{}, err
	}
	defer s.unlock(ctx)
	rec, ok := ns.resByCode[code]
	if !ok {
		return store.Resource{}, resourceNotFound(namespace, code)
	}
	next := rec.export(ns.meta.Code)
	if err := fn(&next); err != nil {
		return store.Resource{}, err
	}
	next.Namespace, next.Code, next.ID, next.CreatedAt = ns.meta.Code, rec.code, rec.id, rec.createdAt
	if err := store.CheckTime("updatedAt", next.UpdatedAt); err != nil {
		return store.Resource{}, err
	}
	// Grants of an action the update removes go with it, in this write.
	kept := make(map[string]bool, len(next.Actions))
	for _, a := range next.Actions {
		kept[a.Name] = true
	}
	removed := ns.grants.removeResource(rec.code, func(action string) bool { return action != store.Wildcard && !kept[action] })
	// Overwriting the record in place keeps every index pointing at it;
	// the key fields, which order and hash it, did not change.
	var filled resource
	s.fillResource(&filled, &next)
	ns.rewriteResource(rec, &filled)
	now := changeTime()
	s.logResource(ctx, now, store.OpUpdate, ns.meta.Code, rec)
	s.logGrants(ctx, now, store.OpDelete, removed)
	return rec.export(ns.meta.Code), nil
}

// DeleteResources removes every listed resource, or none if any is missing.
func (s *Store) DeleteResources(ctx context.Context, namespace string, codes []string) (err error) {
	defer s.noteFailure(ctx, &err)
	ns, err := s.writeNamespace(ctx, namespace)
	if err != nil {
		return err
	}
	defer s.unlock(ctx)
	var missing []string
	for _, code := range codes {
		if _, ok := ns.resByCode[code]; !ok {
			missing = append(missing, code)
		}
	}
	if len(missing) > 0 {
		return store.ResourcesNotFound(namespace, missing)
	}
	now := changeTime()
	for _, code := range codes {
		rec, ok := ns.resByCode[code]
		if !ok {
			continue // listed twice
		}
		s.logResource(ctx, now, store.OpDelete, ns.meta.Code, rec)
		ns.dropResource(rec)
		s.logGrants(ctx, now, store.OpDelete, ns.grants.removeResource(code, nil))
	}
	return nil
}

func resourceNotFound(namespace, code string) error {
	return store.ResourceNotFound(namespace, code)
}

// checkTimes checks the times of item i of a CreateResources batch; the
// item's path is built only for an error.
func checkTimes(resources []store.Resource, i int) error {
	r := &resources[i]
	if store.CheckTimes("", r.CreatedAt, r.UpdatedAt) == nil {
		return nil
	}
	return store.CheckTimes("resources["+strconv.Itoa(i)+"]", r.CreatedAt, r.UpdatedAt)
}
