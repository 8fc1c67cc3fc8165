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
// functions must therefore not call the Store.
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
}

var _ store.Store = (*Store)(nil)

// New returns an empty Store holding only [store.DefaultNamespace].
func New() *Store {
	s := &Store{
		namespaces: btree.NewG(btreeDegree, func(a, b *namespace) bool { return a.meta.Code < b.meta.Code }),
		byCode:     make(map[string]*namespace),
		strs:       make(map[string]string),
		members:    newMembershipIndex(),
		policies:   newPolicyIndex(),
		directory:  newDirectoryIndex(),
	}
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
}

func lessResource(a, b *resource) bool { return a.code < b.code }

func lessData(a, b *store.DataResource) bool { return a.ResourceCode < b.ResourceCode }

// addNamespace indexes a new, empty namespace. The caller holds the write
// lock and has checked that the code is free.
func (s *Store) addNamespace(meta store.Namespace) {
	meta.CreatedAt = meta.CreatedAt.UTC()
	meta.UpdatedAt = meta.UpdatedAt.UTC()
	ns := &namespace{
		meta:       meta,
		resources:  btree.NewG(btreeDegree, lessResource),
		resByCode:  make(map[string]*resource),
		resByID:    make(map[string]*resource),
		data:       btree.NewG(btreeDegree, lessData),
		dataByCode: make(map[string]*store.DataResource),
		dataByName: make(map[string]*store.DataResource),
		grants:     newGrantIndex(),
	}
	s.namespaces.ReplaceOrInsert(ns)
	s.byCode[meta.Code] = ns
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
	}
	s.recent[s.next%len(s.recent)] = shared
	s.next++
	return shared
}

// readNamespace checks ctx, takes the read lock and returns the namespace;
// on success the caller must call s.mu.RUnlock.
func (s *Store) readNamespace(ctx context.Context, code string) (*namespace, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	ns, err := s.lookup(code)
	if err != nil {
		s.mu.RUnlock()
		return nil, err
	}
	return ns, nil
}

// writeNamespace is readNamespace with the write lock; on success the caller
// must call s.mu.Unlock.
func (s *Store) writeNamespace(ctx context.Context, code string) (*namespace, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	ns, err := s.lookup(code)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	return ns, nil
}
