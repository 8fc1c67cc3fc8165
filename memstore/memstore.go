package memstore

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/btree"

	"github.com/resreg/resreg/store"
)

// btreeDegree sets the fan-out of every index. 32 keeps nodes a few cache
// lines wide and trees shallow even at millions of records.
const btreeDegree = 32

// Store is an in-memory [store.Store]. The zero value is not usable; call
// [New].
//
// A single RWMutex guards all state: reads share it, writes (including the
// functions passed to the update methods) hold it exclusively. Those
// functions must therefore not call the Store. A [Store.Batch] holds it
// for the whole batch, and the methods called with the batch's context run
// under it without taking it again.
type Store struct {
	mu         sync.RWMutex
	namespaces *btree.BTreeG[*namespace] // ordered by code, for listings
	byCode     map[string]*namespace     // for point lookups
	// strs interns strings that repeat across many records (resource types,
	// locale keys) so that a million resources share a handful of copies.
	strs map[string]string

	members   membershipIndex // registry-wide
	policies  policyIndex     // registry-wide, with their targets and refs
	directory directoryIndex  // users, roles and groups, registry-wide
	// log is the change log, written under mu with the writes it records.
	log changeLog
	// recent and next are intern's ring of the values interned last.
	recent [4]string
	next   int
	// closed is set by Close; see closedErr.
	closed atomic.Bool

	// batch is the token of the running batch, nil between batches; see
	// joins. j records the batch's changes so that a failed one is undone.
	batch atomic.Pointer[batchToken]
	j     journal
}

var _ store.Store = (*Store)(nil)

// New returns an empty Store holding only [store.DefaultNamespace].
func New() *Store {
	s := &Store{
		namespaces: btree.NewG(btreeDegree, func(a, b *namespace) bool { return a.meta.Code < b.meta.Code }),
		byCode:     make(map[string]*namespace),
		strs:       make(map[string]string),
	}
	s.members = newMembershipIndex(&s.j)
	s.policies = newPolicyIndex(&s.j)
	s.directory = newDirectoryIndex(&s.j)
	now := time.Now().UTC()
	s.addNamespace(store.Namespace{
		Code:      store.DefaultNamespace,
		Name:      store.DefaultNamespace,
		CreatedAt: now,
		UpdatedAt: now,
	})
	return s
}

// namespace is one namespace and the indexes of everything it holds.
type namespace struct {
	meta store.Namespace

	resources *btree.BTreeG[*resource] // ordered by code
	resByCode map[string]*resource
	resByID   map[string]*resource // resources with an empty ID are not indexed

	data       *btree.BTreeG[*store.DataResource] // ordered by resource code
	dataByCode map[string]*store.DataResource
	dataByName map[string]*store.DataResource

	grants grantIndex

	j *journal // the Store's, for the methods that change the indexes
}

func lessResource(a, b *resource) bool { return a.code < b.code }

func lessData(a, b *store.DataResource) bool { return a.ResourceCode < b.ResourceCode }

// addNamespace indexes a new, empty namespace. The caller holds the write
// lock and has checked that the code is free.
func (s *Store) addNamespace(meta store.Namespace) {
	meta.CreatedAt = meta.CreatedAt.UTC()
	meta.UpdatedAt = meta.UpdatedAt.UTC()
	ns := &namespace{
		j:          &s.j,
		meta:       meta,
		resources:  btree.NewG(btreeDegree, lessResource),
		resByCode:  make(map[string]*resource),
		resByID:    make(map[string]*resource),
		data:       btree.NewG(btreeDegree, lessData),
		dataByCode: make(map[string]*store.DataResource),
		dataByName: make(map[string]*store.DataResource),
		grants:     newGrantIndex(&s.j),
	}
	s.insertNamespace(ns)
}

// insertNamespace indexes ns, whose code is free.
func (s *Store) insertNamespace(ns *namespace) {
	s.namespaces.ReplaceOrInsert(ns)
	s.byCode[ns.meta.Code] = ns
	if s.j.on {
		s.j.record(func() { s.dropNamespace(ns) })
	}
}

// dropNamespace removes ns from the indexes. A batch that fails puts the
// same namespace back, with everything it held.
func (s *Store) dropNamespace(ns *namespace) {
	s.namespaces.Delete(ns)
	delete(s.byCode, ns.meta.Code)
	if s.j.on {
		s.j.record(func() { s.insertNamespace(ns) })
	}
}

// setMeta replaces the namespace's own record.
func (ns *namespace) setMeta(meta store.Namespace) {
	if ns.j.on {
		old := ns.meta
		ns.j.record(func() { ns.meta = old })
	}
	ns.meta = meta
}

// putResource indexes rec, whose code and ID are free.
func (ns *namespace) putResource(rec *resource) {
	ns.resources.ReplaceOrInsert(rec)
	ns.resByCode[rec.code] = rec
	if rec.id != "" {
		ns.resByID[rec.id] = rec
	}
	if ns.j.on {
		ns.j.record(func() { ns.dropResource(rec) })
	}
}

// dropResource removes rec from the indexes (not its grants).
func (ns *namespace) dropResource(rec *resource) {
	ns.resources.Delete(rec)
	delete(ns.resByCode, rec.code)
	if rec.id != "" {
		delete(ns.resByID, rec.id)
	}
	if ns.j.on {
		ns.j.record(func() { ns.putResource(rec) })
	}
}

// rewriteResource overwrites rec in place with next, which has the same
// code and ID: every index keeps pointing at it. A batch that fails puts
// the old contents back; next has slices of its own (see fillResource), so
// the old ones are intact.
func (ns *namespace) rewriteResource(rec, next *resource) {
	if ns.j.on {
		old := *rec
		ns.j.record(func() { *rec = old })
	}
	*rec = *next
}

// putData indexes rec, whose code and name are free.
func (ns *namespace) putData(rec *store.DataResource) {
	ns.data.ReplaceOrInsert(rec)
	ns.dataByCode[rec.ResourceCode] = rec
	ns.dataByName[rec.ResourceName] = rec
	if ns.j.on {
		ns.j.record(func() { ns.dropData(rec) })
	}
}

// dropData removes rec from the indexes.
func (ns *namespace) dropData(rec *store.DataResource) {
	ns.data.Delete(rec)
	delete(ns.dataByCode, rec.ResourceCode)
	delete(ns.dataByName, rec.ResourceName)
	if ns.j.on {
		ns.j.record(func() { ns.putData(rec) })
	}
}

// rewriteData overwrites rec in place with next, which has the same
// resource code and a name that is rec's or free. Overwriting keeps the
// code-ordered indexes valid; only the name index moves.
func (ns *namespace) rewriteData(rec, next *store.DataResource) {
	if ns.j.on {
		old := *rec
		ns.j.record(func() {
			delete(ns.dataByName, rec.ResourceName)
			*rec = old
			ns.dataByName[rec.ResourceName] = rec
		})
	}
	delete(ns.dataByName, rec.ResourceName)
	*rec = *next
	ns.dataByName[rec.ResourceName] = rec
}

// lookup returns namespace code or an ErrNamespaceNotFound error. The caller
// holds the lock.
func (s *Store) lookup(code string) (*namespace, error) {
	ns, ok := s.byCode[code]
	if !ok {
		return nil, store.NamespaceNotFound(code)
	}
	return ns, nil
}

// intern returns the shared copy of v. The caller holds the write lock.
// The few values interned last are kept in a small ring and compared
// before the map is hashed: a batch repeats the same type and locales on
// every record.
func (s *Store) intern(v string) string {
	if v == "" {
		return ""
	}
	for _, recent := range s.recent {
		if recent == v {
			return recent
		}
	}
	shared, ok := s.strs[v]
	if !ok {
		s.strs[v] = v
		shared = v
		if s.j.on {
			s.j.record(func() { delete(s.strs, v) })
		}
	}
	s.recent[s.next%len(s.recent)] = shared
	s.next++
	return shared
}

// readNamespace checks ctx, takes the read lock and returns the namespace;
// on success the caller must call s.runlock(ctx).
func (s *Store) readNamespace(ctx context.Context, code string) (*namespace, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	ns, err := s.lookup(code)
	if err != nil {
		s.runlock(ctx)
		return nil, err
	}
	return ns, nil
}

// writeNamespace is readNamespace with the write lock; on success the caller
// must call s.unlock(ctx).
func (s *Store) writeNamespace(ctx context.Context, code string) (*namespace, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	ns, err := s.lookup(code)
	if err != nil {
		s.unlock(ctx)
		return nil, err
	}
	return ns, nil
}
