package resreg

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/resreg/resreg/permindex"
	"github.com/resreg/resreg/store"
)

// The permission index feeder: the checks are answered by a
// [permindex.Index] held by the Registry, fed from the store.
//
// Loading. Memberships, data policies and policy targets are registry-wide
// and loaded once, on the first check; a namespace's resources (with their
// declared actions), data resources (with their tree paths) and grants are
// loaded on the first check of that namespace, or of any namespace with
// [WithEagerIndex] (and [Registry.WarmIndex] loads everything at once).
// Every load first reads the store's LastSeq and then the records, so
// replaying the change log from that Seq on converges to the store's state:
// every change carries the whole record after it (before it, for a delete),
// and applying a change twice changes nothing.
//
// Renames. A namespace's rename is one change (store.OpRename) that stands
// for every record it moved and every policy permission it rewrote; on
// reaching it the feeder reloads the index, the namespace loaded under its
// new code if it was loaded under the old one.
//
// Freshness. applied is the Seq of the last change the index reflects. In
// consistent mode (the default) a check probes LastSeq and, when it moved,
// applies the changes after applied before answering. With
// [WithCheckStaleness] a check probes at most once per d. Either way a write
// made through this Registry marks the index dirty, and a dirty index
// catches up before the next check answers, so every check sees the writes
// of its own Registry (read-your-writes). Permission writes made through
// this Registry are also applied to the index directly, under the same lock
// as catching up, so a store whose change log does not carry them still
// shows them.

// WithCheckStaleness lets checks answer from an index up to d old: the
// store's LastSeq is probed at most once per d, not on every check, so a
// check costs no storage round trip. Writes made through this Registry are
// always seen by its next check; writes by other processes (or other
// Registries on the same store) are seen within d, or sooner on a store
// that announces commits ([store.ChangeNotifier]). d <= 0 keeps the default,
// consistent mode: every check first probes the store.
func WithCheckStaleness(d time.Duration) Option {
	return func(r *Registry) {
		if d > 0 {
			r.authz.staleness = d
		}
	}
}

// WithEagerIndex makes the first check load the whole index (every
// namespace) instead of only the namespace it asks about. Call
// [Registry.WarmIndex] to load it before the first check.
func WithEagerIndex() Option {
	return func(r *Registry) { r.authz.eager = true }
}

// WarmIndex loads the whole permission index now (every namespace) and
// brings it up to date with the change log, so that no later check pays for
// a load.
func (r *Registry) WarmIndex(ctx context.Context) error {
	a := r.authz
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.catchUp(ctx); err != nil {
		return err
	}
	return a.loadAll(ctx)
}

// The store's Subject and the index's have the same fields, so a slice of
// one is read as a slice of the other without a copy.
var _ = permindex.Subject(store.Subject{})

func indexPrincipal(p Principal) permindex.Principal {
	var subs []permindex.Subject
	if len(p.Subjects) > 0 {
		subs = unsafe.Slice((*permindex.Subject)(unsafe.Pointer(unsafe.SliceData(p.Subjects))), len(p.Subjects))
	}
	return permindex.Principal{UserID: p.UserID, Subjects: subs}
}

// authz holds the index and what is known of its freshness.
type authz struct {
	st store.Store // the store as given to New: reads only
	ix atomic.Pointer[permindex.Index]
	mu sync.Mutex // loads, catching up, and own permission writes with their direct application

	staleness time.Duration
	eager     bool
	notifier  store.ChangeNotifier

	applied atomic.Int64 // Seq of the last change the index reflects
	global  atomic.Bool  // memberships, policies and targets are loaded
	// writes counts the writes through this Registry; caughtUp is the
	// count the last successful catch-up started from. They differ while a
	// write is not caught up with, including while a catch-up that will
	// see it is still running: a check that finds them different waits
	// for (or runs) a catch-up rather than answer from before the write.
	writes    atomic.Uint64
	caughtUp  atomic.Uint64
	lastProbe atomic.Int64 // unix nanoseconds of the last catch-up's probe
	wake      atomic.Pointer[<-chan struct{}]

	loaded map[string]bool // namespaces loaded (guarded by mu)
}

func newAuthz(s store.Store) *authz {
	a := &authz{st: s, loaded: map[string]bool{}}
	a.ix.Store(permindex.New())
	a.notifier, _ = s.(store.ChangeNotifier)
	return a
}

// index returns the index after making it fresh enough for a check of ns:
// loaded (ns and the registry-wide records), caught up with what this
// Registry wrote, and, in consistent mode, with everything committed.
func (a *authz) index(ctx context.Context, ns string) (*permindex.Index, error) {
	ix := a.ix.Load()
	if a.writes.Load() == a.caughtUp.Load() && a.global.Load() && ix.Loaded(ns) {
		if a.staleness > 0 {
			if time.Now().UnixNano()-a.lastProbe.Load() < int64(a.staleness) && !a.notified() {
				return ix, nil
			}
		} else {
			seq, err := a.st.LastSeq(ctx)
			if err != nil {
				return nil, err
			}
			if seq == a.applied.Load() {
				return ix, nil
			}
		}
	}
	if err := a.refresh(ctx, ns); err != nil {
		return nil, err
	}
	return a.ix.Load(), nil
}

// notified reports whether the store announced a commit since the last
// catch-up.
func (a *authz) notified() bool {
	w := a.wake.Load()
	if w == nil {
		return false
	}
	select {
	case <-*w:
		return true
	default:
		return false
	}
}

// refresh loads what is missing and catches up with the change log.
func (a *authz) refresh(ctx context.Context, ns string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	// A check that waited here behind another's catch-up may find the
	// index fresh now: it answers from it instead of reading the change
	// log again (every waiter in turn, once per staleness period).
	if a.staleness > 0 && a.writes.Load() == a.caughtUp.Load() && a.global.Load() && a.ix.Load().Loaded(ns) &&
		time.Now().UnixNano()-a.lastProbe.Load() < int64(a.staleness) && !a.notified() {
		return nil
	}
	probe := time.Now().UnixNano()
	// The writes counted now are in the store: this catch-up sees them.
	// One counted after it may not be, and leaves the index dirty.
	writes := a.writes.Load()
	if a.notifier != nil {
		w := a.notifier.ChangesNotify()
		a.wake.Store(&w)
	}
	if err := a.catchUp(ctx); err != nil {
		return err
	}
	a.caughtUp.Store(writes)
	var err error
	if a.eager {
		err = a.loadAll(ctx)
	} else if !a.loaded[ns] {
		err = a.loadNamespace(ctx, ns)
	}
	if err != nil {
		return err
	}
	a.lastProbe.Store(probe)
	return nil
}

// catchUp applies the changes after applied (loading the registry-wide
// records first if they are not); a log pruned past applied is a full
// reload. The caller holds mu.
func (a *authz) catchUp(ctx context.Context) error {
	if !a.global.Load() {
		return a.loadGlobal(ctx)
	}
	for {
		since := a.applied.Load()
		page, err := a.st.Changes(ctx, since, store.MaxChangesLimit)
		if errors.Is(err, store.ErrChangesPruned) {
			return a.reload(ctx)
		}
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		// A rename moves records the log does not list one by one (see
		// store.OpRename): the changes before it are applied, then the
		// index is reloaded, which brings applied past the rename, and the
		// log is read on from there.
		n := slices.IndexFunc(page, isRename)
		if n < 0 {
			n = len(page)
		}
		if n > 0 {
			if err := a.apply(page[:n]); err != nil {
				return err
			}
			a.applied.Store(page[n-1].Seq)
		}
		if n < len(page) {
			if err := a.reloadRenamed(ctx, page[n].Namespace, page[n].Key); err != nil {
				return err
			}
			continue
		}
		if len(page) < store.MaxChangesLimit {
			return nil
		}
	}
}

func isRename(c store.Change) bool { return c.Kind == store.KindNamespace && c.Op == store.OpRename }

// reloadRenamed reloads the index after namespace code was renamed to
// newCode: the data policies' permissions were rewritten and the
// namespace's records moved, and the simplest state that is surely right
// is a fresh load (renames are rare). A namespace loaded under code is
// loaded again under newCode. The caller holds mu.
func (a *authz) reloadRenamed(ctx context.Context, code, newCode string) error {
	if a.loaded[code] {
		delete(a.loaded, code)
		a.loaded[newCode] = true
	}
	return a.reload(ctx)
}

// reload replaces the index with a fresh one holding the registry-wide
// records and every namespace that was loaded. The caller holds mu.
func (a *authz) reload(ctx context.Context) error {
	was := a.loaded
	a.loaded = map[string]bool{}
	a.global.Store(false)
	a.ix.Store(permindex.New())
	if err := a.loadGlobal(ctx); err != nil {
		return err
	}
	for ns := range was {
		err := a.loadNamespace(ctx, ns)
		if err != nil && !errors.Is(err, store.ErrNamespaceNotFound) {
			return err
		}
	}
	return nil
}

// loadGlobal loads memberships, data policies and policy targets. The
// caller holds mu.
func (a *authz) loadGlobal(ctx context.Context) error {
	seq, err := a.st.LastSeq(ctx)
	if err != nil {
		return err
	}
	var ms []permindex.Membership
	err = eachPage(ctx, func(o store.ListOptions) (store.Page[store.Membership], error) {
		return a.st.ListAllMemberships(ctx, o)
	}, func(m store.Membership) {
		ms = append(ms, permindex.Membership{Parent: permindex.Subject(m.Parent), Member: permindex.Subject(m.Member)})
	})
	if err != nil {
		return err
	}
	var ps []permindex.Policy
	err = eachPage(ctx, func(o store.ListOptions) (store.Page[store.DataPolicy], error) {
		return a.st.ListDataPolicies(ctx, store.DataPolicyFilter{}, o)
	}, func(p store.DataPolicy) { ps = append(ps, indexPolicy(p)) })
	if err != nil {
		return err
	}
	var ts []permindex.PolicyTarget
	err = eachPage(ctx, func(o store.ListOptions) (store.Page[store.PolicyTarget], error) {
		return a.st.ListAllPolicyTargets(ctx, o)
	}, func(t store.PolicyTarget) {
		ts = append(ts, permindex.PolicyTarget{PolicyID: t.PolicyID, Subject: permindex.Subject(t.Subject)})
	})
	if err != nil {
		return err
	}
	a.ix.Load().Update(func(w *permindex.Writer) {
		w.AddMemberships(ms...)
		w.PutPolicies(ps...)
		w.AddPolicyTargets(ts...)
	})
	a.applied.Store(seq)
	a.global.Store(true)
	return nil
}

// loadNamespace loads one namespace's resources, data resources and grants.
// The records are read after the index caught up to applied, so the
// changes after applied replayed later converge. The caller holds mu.
func (a *authz) loadNamespace(ctx context.Context, ns string) error {
	if _, err := a.st.GetNamespace(ctx, ns); err != nil {
		return err
	}
	var recs permindex.NamespaceRecords
	err := eachPage(ctx, func(o store.ListOptions) (store.Page[store.Resource], error) {
		return a.st.ListResources(ctx, store.ResourceFilter{Namespace: ns}, o)
	}, func(r store.Resource) { recs.Resources = append(recs.Resources, indexResource(r)) })
	if err != nil {
		return err
	}
	err = eachPage(ctx, func(o store.ListOptions) (store.Page[store.DataResource], error) {
		return a.st.ListDataResources(ctx, store.DataResourceFilter{Namespace: ns}, o)
	}, func(d store.DataResource) { recs.DataResources = append(recs.DataResources, indexDataResource(d)) })
	if err != nil {
		return err
	}
	if recs.Grants, err = a.namespaceGrants(ctx, ns); err != nil {
		return err
	}
	// One Update: the grants are appended and each subject's entries
	// sorted once, when it ends.
	a.ix.Load().Update(func(w *permindex.Writer) { w.ReplaceNamespace(ns, recs) })
	a.loaded[ns] = true
	return nil
}

// namespaceGrants reads every grant of ns: in one scan on a store that
// offers one ([store.GrantScanner]), else page by page. Either way each read
// sees a state at least as new as applied, so replaying the changes after
// applied converges (a grant added twice or revoked when absent changes
// nothing).
func (a *authz) namespaceGrants(ctx context.Context, ns string) ([]permindex.Grant, error) {
	var gs []permindex.Grant
	if sc, ok := a.st.(store.GrantScanner); ok {
		err := sc.ScanGrants(ctx, ns, func(g store.Grant) error {
			gs = append(gs, indexGrant(g))
			return nil
		})
		return gs, err
	}
	err := eachPage(ctx, func(o store.ListOptions) (store.Page[store.Grant], error) {
		return a.st.ListGrants(ctx, store.GrantFilter{Namespace: ns}, o)
	}, func(g store.Grant) { gs = append(gs, indexGrant(g)) })
	return gs, err
}

// loadAll loads every namespace not loaded yet. The caller holds mu.
func (a *authz) loadAll(ctx context.Context) error {
	var codes []string
	err := eachPage(ctx, func(o store.ListOptions) (store.Page[store.Namespace], error) {
		return a.st.ListNamespaces(ctx, o)
	}, func(n store.Namespace) { codes = append(codes, n.Code) })
	if err != nil {
		return err
	}
	for _, ns := range codes {
		if a.loaded[ns] {
			continue
		}
		if err := a.loadNamespace(ctx, ns); err != nil && !errors.Is(err, store.ErrNamespaceNotFound) {
			return err
		}
	}
	return nil
}

// eachPage calls fn on every record of a listing, page by page.
func eachPage[T any](ctx context.Context, list func(store.ListOptions) (store.Page[T], error), fn func(T)) error {
	opts := store.ListOptions{PageSize: store.MaxPageSize}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := list(opts)
		if err != nil {
			return err
		}
		for _, x := range page.Items {
			fn(x)
		}
		if page.NextPageToken == "" {
			return nil
		}
		opts.PageToken = page.NextPageToken
	}
}

// apply applies one page of changes in one index update. Changes of
// namespaces not loaded are skipped: their records are read when they are.
// The caller holds mu.
func (a *authz) apply(page []store.Change) error {
	// Decode first, so that a record that cannot be decoded leaves the
	// index as it was.
	type decoded struct {
		c   *store.Change
		rec any
	}
	ds := make([]decoded, 0, len(page))
	for i := range page {
		c := &page[i]
		var rec any
		var err error
		switch c.Kind {
		case store.KindGrant:
			rec, err = decodeRecord[store.Grant](c)
		case store.KindMembership:
			rec, err = decodeRecord[store.Membership](c)
		case store.KindDataPolicy:
			rec, err = decodeRecord[store.DataPolicy](c)
		case store.KindPolicyTarget:
			rec, err = decodeRecord[store.PolicyTarget](c)
		case store.KindResource:
			if !a.loaded[c.Namespace] {
				continue
			}
			rec, err = decodeRecord[store.Resource](c)
		case store.KindDataResource:
			if !a.loaded[c.Namespace] {
				continue
			}
			rec, err = decodeRecord[store.DataResource](c)
		case store.KindNamespace:
			if c.Op != store.OpDelete {
				continue
			}
		default:
			continue
		}
		if err != nil {
			return err
		}
		ds = append(ds, decoded{c, rec})
	}
	a.ix.Load().Update(func(w *permindex.Writer) {
		for _, d := range ds {
			del := d.c.Op == store.OpDelete
			switch rec := d.rec.(type) {
			case *store.Grant:
				if !a.loaded[rec.Namespace] {
					continue
				}
				if del {
					w.RemoveGrants(indexGrant(*rec))
				} else {
					w.AddGrants(indexGrant(*rec))
				}
			case *store.Membership:
				m := permindex.Membership{Parent: permindex.Subject(rec.Parent), Member: permindex.Subject(rec.Member)}
				if del {
					w.RemoveMemberships(m)
				} else {
					w.AddMemberships(m)
				}
			case *store.DataPolicy:
				if del {
					w.DeletePolicies(rec.ID)
				} else {
					w.PutPolicies(indexPolicy(*rec))
				}
			case *store.PolicyTarget:
				t := permindex.PolicyTarget{PolicyID: rec.PolicyID, Subject: permindex.Subject(rec.Subject)}
				if del {
					w.RemovePolicyTargets(t)
				} else {
					w.AddPolicyTargets(t)
				}
			case *store.Resource:
				if del {
					w.DeleteResources(d.c.Namespace, rec.Code)
				} else {
					w.PutResources(indexResource(*rec))
				}
			case *store.DataResource:
				if del {
					w.DeleteDataResources(d.c.Namespace, rec.ResourceCode)
				} else {
					w.PutDataResources(indexDataResource(*rec))
				}
			case nil: // a namespace deleted
				if a.loaded[d.c.Key] {
					w.DropNamespace(d.c.Key)
					delete(a.loaded, d.c.Key)
				}
			}
		}
	})
	return nil
}

func decodeRecord[T any](c *store.Change) (*T, error) {
	rec := new(T)
	if err := json.Unmarshal(c.Record, rec); err != nil {
		return nil, &store.Error{Field: "record", Message: "change " + c.Kind + " " + c.Key + " has a record that cannot be decoded: " + err.Error(), Err: store.ErrInvalid}
	}
	return rec, nil
}

func indexGrant(g store.Grant) permindex.Grant {
	return permindex.Grant{Namespace: g.Namespace, Subject: permindex.Subject(g.Subject), Resource: g.ResourceCode,
		Action: g.Action, Effect: permindex.Effect(g.Effect)}
}

func indexResource(r store.Resource) permindex.Resource {
	acts := make([]string, len(r.Actions))
	for i, x := range r.Actions {
		acts[i] = x.Name
	}
	return permindex.Resource{Namespace: r.Namespace, Code: r.Code, Type: r.Type, Description: r.Description,
		APIIdentifier: r.APIIdentifier, Actions: acts}
}

func indexDataResource(d store.DataResource) permindex.DataResource {
	out := permindex.DataResource{Namespace: d.NamespaceCode, Code: d.ResourceCode, Type: string(d.Type), Actions: d.Actions}
	if d.Type == store.DataTree {
		for _, n := range d.Struct.Tree.Flatten() {
			out.Nodes = append(out.Nodes, permindex.DataNode{Code: n.Code, Name: n.Name, Value: n.Value, Path: n.Path})
		}
	}
	return out
}

func indexPolicy(p store.DataPolicy) permindex.Policy {
	st := make([]permindex.Statement, len(p.Statements))
	for i, s := range p.Statements {
		st[i] = permindex.Statement{Effect: permindex.Effect(s.Effect), Permissions: s.Permissions}
	}
	return permindex.Policy{ID: p.ID, Statements: st}
}
