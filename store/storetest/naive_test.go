package storetest_test

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/resreg/resreg/store"
)

// naive is the plainest store that keeps the contract: one mutex over maps,
// full copies in and out. It exists so that the suite is checked against a
// store known to be right; each conformance test must pass on it.
type naive struct {
	mu     sync.Mutex
	ns     map[string]store.Namespace
	res    map[string]map[string]store.Resource     // namespace → code → record
	data   map[string]map[string]store.DataResource // namespace → code → record
	perm   naivePerms
	dir    map[store.Subject]store.DirectoryEntry
	log    naiveLog
	closed bool
}

var _ store.Store = (*naive)(nil)

func newNaive() *naive {
	n := &naive{ns: map[string]store.Namespace{}, res: map[string]map[string]store.Resource{}, data: map[string]map[string]store.DataResource{}}
	n.addNamespace(store.Namespace{Code: store.DefaultNamespace, Name: "Default"})
	return n
}

func (n *naive) addNamespace(ns store.Namespace) {
	n.ns[ns.Code] = normNS(ns)
	n.res[ns.Code] = map[string]store.Resource{}
	n.data[ns.Code] = map[string]store.DataResource{}
}

func utc(t time.Time) time.Time { return t.Round(0).UTC() }

func normNS(ns store.Namespace) store.Namespace {
	ns.CreatedAt, ns.UpdatedAt = utc(ns.CreatedAt), utc(ns.UpdatedAt)
	return ns
}

func normRes(r store.Resource) store.Resource {
	r = r.Clone()
	r.CreatedAt, r.UpdatedAt = utc(r.CreatedAt), utc(r.UpdatedAt)
	return r
}

func normData(d store.DataResource) store.DataResource {
	d = d.Clone()
	d.CreatedAt, d.UpdatedAt = utc(d.CreatedAt), utc(d.UpdatedAt)
	return d
}

// lock takes the mutex unless ctx is already done.
func (n *naive) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return store.Closed()
	}
	return nil
}

// Close marks the store closed; closing twice is nil.
func (n *naive) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	return nil
}

// page cuts one page out of items, which are sorted by key.
func page[T any](items []T, kind, ns string, key func(T) string, opts store.ListOptions) (store.Page[T], error) {
	c, err := opts.CursorFor(kind, ns)
	if err != nil {
		return store.Page[T]{}, err
	}
	var p store.Page[T]
	if opts.IncludeTotal {
		p.TotalCount = len(items)
	}
	start, _ := slices.BinarySearchFunc(items, c.After, func(it T, after string) int {
		if key(it) <= after {
			return -1
		}
		return 1
	})
	end := min(start+c.Limit, len(items))
	p.Items = items[start:end]
	if end < len(items) {
		p.NextPageToken = store.EncodePageTokenFor(kind, ns, key(items[end-1]))
	}
	return p, nil
}

func sortedValues[T any](m map[string]T, key func(T) string, keep func(*T) bool) []T {
	var out []T
	for _, v := range m {
		if keep(&v) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	return out
}

func (n *naive) CreateNamespace(ctx context.Context, ns store.Namespace) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	if err := store.CheckTimes("", ns.CreatedAt, ns.UpdatedAt); err != nil {
		return err
	}
	if _, ok := n.ns[ns.Code]; ok {
		return store.NamespaceExists(ns.Code)
	}
	n.addNamespace(ns)
	n.log.add(ctx, store.OpCreate, store.KindNamespace, ns.Code, ns.Code, n.ns[ns.Code])
	return nil
}

func (n *naive) GetNamespace(ctx context.Context, code string) (store.Namespace, error) {
	if err := n.lock(ctx); err != nil {
		return store.Namespace{}, err
	}
	defer n.mu.Unlock()
	ns, ok := n.ns[code]
	if !ok {
		return store.Namespace{}, store.NamespaceNotFound(code)
	}
	return ns, nil
}

func (n *naive) ListNamespaces(ctx context.Context, opts store.ListOptions) (store.Page[store.Namespace], error) {
	if err := n.lock(ctx); err != nil {
		return store.Page[store.Namespace]{}, err
	}
	defer n.mu.Unlock()
	key := func(ns store.Namespace) string { return ns.Code }
	return page(sortedValues(n.ns, key, func(*store.Namespace) bool { return true }), store.KindNamespaces, "", key, opts)
}

func (n *naive) UpdateNamespace(ctx context.Context, code string, fn func(*store.Namespace) error) (store.Namespace, error) {
	if err := n.lock(ctx); err != nil {
		return store.Namespace{}, err
	}
	defer n.mu.Unlock()
	cur, ok := n.ns[code]
	if !ok {
		return store.Namespace{}, store.NamespaceNotFound(code)
	}
	next := cur
	if err := fn(&next); err != nil {
		return store.Namespace{}, err
	}
	next.Code, next.CreatedAt = cur.Code, cur.CreatedAt
	if err := store.CheckTime("updatedAt", next.UpdatedAt); err != nil {
		return store.Namespace{}, err
	}
	n.ns[code] = normNS(next)
	n.log.add(ctx, store.OpUpdate, store.KindNamespace, code, code, n.ns[code])
	return n.ns[code], nil
}

func (n *naive) DeleteNamespace(ctx context.Context, code string) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	switch {
	case n.ns[code].Code == "":
		return store.NamespaceNotFound(code)
	case code == store.DefaultNamespace:
		return store.DefaultNamespaceUndeletable()
	case len(n.res[code]) > 0 || len(n.data[code]) > 0:
		return store.NamespaceNotEmpty(code)
	case slices.ContainsFunc(n.perm.grants, func(g store.Grant) bool { return g.Namespace == code }):
		return store.NamespaceHoldsGrants(code)
	case len(n.perm.policiesNaming(code)) > 0:
		return store.NamespaceNamedByPolicies(code, n.perm.policiesNaming(code))
	}
	n.log.add(ctx, store.OpDelete, store.KindNamespace, code, code, n.ns[code])
	delete(n.ns, code)
	delete(n.res, code)
	delete(n.data, code)
	return nil
}

func (n *naive) CreateResources(ctx context.Context, rs []store.Resource, opts store.WriteOptions) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	for i, r := range rs {
		if err := store.CheckTimes("resources["+strconv.Itoa(i)+"]", r.CreatedAt, r.UpdatedAt); err != nil {
			return err
		}
	}
	for _, r := range rs {
		if _, ok := n.ns[r.Namespace]; !ok {
			return store.NamespaceNotFound(r.Namespace)
		}
	}
	type key struct{ ns, v string }
	codes, ids, added := map[key]bool{}, map[key]bool{}, map[string]int{}
	var conflicts []string
	var kinds store.ConflictKind
	for _, r := range rs {
		var kind store.ConflictKind
		if codes[key{r.Namespace, r.Code}] || (r.ID != "" && ids[key{r.Namespace, r.ID}]) {
			kind |= store.Repeated
		}
		if _, ok := n.res[r.Namespace][r.Code]; ok {
			kind |= store.CodeTaken
		}
		for _, old := range n.res[r.Namespace] {
			if r.ID != "" && old.ID == r.ID {
				kind |= store.IDTaken
			}
		}
		if kind != 0 {
			kinds |= kind
			conflicts = append(conflicts, r.Code)
		}
		codes[key{r.Namespace, r.Code}], ids[key{r.Namespace, r.ID}] = true, true
		added[r.Namespace]++
	}
	if len(conflicts) > 0 {
		return store.ResourcesConflict(kinds, conflicts)
	}
	for ns, k := range added {
		if opts.MaxResourcesPerNamespace > 0 && len(n.res[ns])+k > opts.MaxResourcesPerNamespace {
			return store.QuotaExceeded(ns, len(n.res[ns])+k, opts.MaxResourcesPerNamespace)
		}
	}
	for _, r := range rs {
		n.res[r.Namespace][r.Code] = normRes(r)
		n.log.add(ctx, store.OpCreate, store.KindResource, r.Namespace, r.Code, n.res[r.Namespace][r.Code])
	}
	return nil
}

// resource finds a record by code or, when byID, by ID.
func (n *naive) resource(ns, v string, byID bool) (store.Resource, error) {
	m, ok := n.res[ns]
	if !ok {
		return store.Resource{}, store.NamespaceNotFound(ns)
	}
	for _, r := range m {
		if (byID && r.ID == v) || (!byID && r.Code == v) {
			return r, nil
		}
	}
	if byID {
		return store.Resource{}, store.ResourceIDNotFound(ns, v)
	}
	return store.Resource{}, store.ResourceNotFound(ns, v)
}

func (n *naive) GetResource(ctx context.Context, ns, code string) (store.Resource, error) {
	if err := n.lock(ctx); err != nil {
		return store.Resource{}, err
	}
	defer n.mu.Unlock()
	r, err := n.resource(ns, code, false)
	return r.Clone(), err
}

func (n *naive) GetResourceByID(ctx context.Context, ns, id string) (store.Resource, error) {
	if err := n.lock(ctx); err != nil {
		return store.Resource{}, err
	}
	defer n.mu.Unlock()
	r, err := n.resource(ns, id, true)
	return r.Clone(), err
}

func (n *naive) ListResources(ctx context.Context, f store.ResourceFilter, opts store.ListOptions) (store.Page[store.Resource], error) {
	if err := n.lock(ctx); err != nil {
		return store.Page[store.Resource]{}, err
	}
	defer n.mu.Unlock()
	m, ok := n.res[f.Namespace]
	if !ok {
		return store.Page[store.Resource]{}, store.NamespaceNotFound(f.Namespace)
	}
	key := func(r store.Resource) string { return r.Code }
	p, err := page(sortedValues(m, key, f.Match), store.KindResources, f.Namespace, key, opts)
	for i := range p.Items {
		p.Items[i] = p.Items[i].Clone()
	}
	return p, err
}

func (n *naive) UpdateResource(ctx context.Context, ns, code string, fn func(*store.Resource) error) (store.Resource, error) {
	if err := n.lock(ctx); err != nil {
		return store.Resource{}, err
	}
	defer n.mu.Unlock()
	cur, err := n.resource(ns, code, false)
	if err != nil {
		return store.Resource{}, err
	}
	next := cur.Clone()
	if err := fn(&next); err != nil {
		return store.Resource{}, err
	}
	next.Namespace, next.Code, next.ID, next.CreatedAt = cur.Namespace, cur.Code, cur.ID, cur.CreatedAt
	if err := store.CheckTime("updatedAt", next.UpdatedAt); err != nil {
		return store.Resource{}, err
	}
	n.res[ns][code] = normRes(next)
	n.log.add(ctx, store.OpUpdate, store.KindResource, ns, code, n.res[ns][code])
	n.dropGrants(ctx, func(g store.Grant) bool {
		return g.Namespace == ns && g.ResourceCode == code && g.Action != store.Wildcard &&
			!slices.ContainsFunc(next.Actions, func(a store.Action) bool { return a.Name == g.Action })
	})
	return n.res[ns][code].Clone(), nil
}

func (n *naive) DeleteResources(ctx context.Context, ns string, codes []string) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	m, ok := n.res[ns]
	if !ok {
		return store.NamespaceNotFound(ns)
	}
	var missing []string
	for _, c := range codes {
		if _, ok := m[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return store.ResourcesNotFound(ns, missing)
	}
	for _, c := range codes {
		if old, ok := m[c]; ok {
			n.log.add(ctx, store.OpDelete, store.KindResource, ns, c, old)
		}
		delete(m, c)
		n.dropGrants(ctx, func(g store.Grant) bool { return g.Namespace == ns && g.ResourceCode == c })
	}
	return nil
}

func (n *naive) CreateDataResource(ctx context.Context, d store.DataResource) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	if err := store.CheckTimes("", d.CreatedAt, d.UpdatedAt); err != nil {
		return err
	}
	m, ok := n.data[d.NamespaceCode]
	if !ok {
		return store.NamespaceNotFound(d.NamespaceCode)
	}
	if err := nameTaken(m, d, ""); err != nil {
		return err
	}
	m[d.ResourceCode] = normData(d)
	n.log.add(ctx, store.OpCreate, store.KindDataResource, d.NamespaceCode, d.ResourceCode, m[d.ResourceCode])
	return nil
}

// nameTaken checks d's code (unless it is self, the record being updated)
// and name against the namespace's data resources.
func nameTaken(m map[string]store.DataResource, d store.DataResource, self string) error {
	if _, ok := m[d.ResourceCode]; ok && self == "" {
		return store.DataCodeTaken(d.ResourceCode)
	}
	for _, old := range m {
		if old.ResourceName == d.ResourceName && old.ResourceCode != self {
			code := d.ResourceCode
			if self != "" {
				code = self
			}
			return store.DataNameTaken(d.ResourceName, code)
		}
	}
	return nil
}

func (n *naive) dataResource(ns, code, name string) (store.DataResource, error) {
	m, ok := n.data[ns]
	if !ok {
		return store.DataResource{}, store.NamespaceNotFound(ns)
	}
	for _, d := range m {
		if (name == "" && d.ResourceCode == code) || (name != "" && d.ResourceName == name) {
			return d, nil
		}
	}
	if name != "" {
		return store.DataResource{}, store.DataResourceNameNotFound(ns, name)
	}
	return store.DataResource{}, store.DataResourceNotFound(ns, code)
}

func (n *naive) GetDataResource(ctx context.Context, ns, code string) (store.DataResource, error) {
	if err := n.lock(ctx); err != nil {
		return store.DataResource{}, err
	}
	defer n.mu.Unlock()
	d, err := n.dataResource(ns, code, "")
	return d.Clone(), err
}

func (n *naive) GetDataResourceByName(ctx context.Context, ns, name string) (store.DataResource, error) {
	if err := n.lock(ctx); err != nil {
		return store.DataResource{}, err
	}
	defer n.mu.Unlock()
	d, err := n.dataResource(ns, "", name)
	return d.Clone(), err
}

func (n *naive) GetDataTreeNode(ctx context.Context, ns, code, path string) (store.TreePath, error) {
	if err := n.lock(ctx); err != nil {
		return store.TreePath{}, err
	}
	defer n.mu.Unlock()
	d, err := n.dataResource(ns, code, "")
	if errors.Is(err, store.ErrNamespaceNotFound) {
		return store.TreePath{}, err
	}
	for _, p := range d.Struct.Tree.Flatten() {
		if err == nil && p.Path == path && d.Type == store.DataTree {
			return p, nil
		}
	}
	return store.TreePath{}, store.TreeNodeNotFound(ns, code, path)
}

func (n *naive) ListDataResources(ctx context.Context, f store.DataResourceFilter, opts store.ListOptions) (store.Page[store.DataResource], error) {
	if err := n.lock(ctx); err != nil {
		return store.Page[store.DataResource]{}, err
	}
	defer n.mu.Unlock()
	m, ok := n.data[f.Namespace]
	if !ok {
		return store.Page[store.DataResource]{}, store.NamespaceNotFound(f.Namespace)
	}
	key := func(d store.DataResource) string { return d.ResourceCode }
	p, err := page(sortedValues(m, key, f.Match), store.KindDataResources, f.Namespace, key, opts)
	for i := range p.Items {
		p.Items[i] = p.Items[i].Clone()
	}
	return p, err
}

func (n *naive) UpdateDataResource(ctx context.Context, ns, code string, fn func(*store.DataResource) error) (store.DataResource, error) {
	if err := n.lock(ctx); err != nil {
		return store.DataResource{}, err
	}
	defer n.mu.Unlock()
	cur, err := n.dataResource(ns, code, "")
	if err != nil {
		return store.DataResource{}, err
	}
	next := cur.Clone()
	if err := fn(&next); err != nil {
		return store.DataResource{}, err
	}
	next.NamespaceCode, next.ResourceCode, next.CreatedAt = cur.NamespaceCode, cur.ResourceCode, cur.CreatedAt
	if err := store.CheckTime("updatedAt", next.UpdatedAt); err != nil {
		return store.DataResource{}, err
	}
	if err := nameTaken(n.data[ns], next, code); err != nil {
		return store.DataResource{}, err
	}
	if err := n.perm.pinned(ns, code, &next); err != nil {
		return store.DataResource{}, err
	}
	n.data[ns][code] = normData(next)
	n.log.add(ctx, store.OpUpdate, store.KindDataResource, ns, code, n.data[ns][code])
	return n.data[ns][code].Clone(), nil
}

func (n *naive) DeleteDataResource(ctx context.Context, ns, code string) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	if _, err := n.dataResource(ns, code, ""); err != nil {
		return err
	}
	if err := n.perm.pinned(ns, code, nil); err != nil {
		return err
	}
	n.log.add(ctx, store.OpDelete, store.KindDataResource, ns, code, n.data[ns][code])
	delete(n.data[ns], code)
	return nil
}
