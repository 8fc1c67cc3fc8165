package resreg

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resreg/resreg/store"
)

// String length limits, in characters (Unicode code points). Every string
// must also be valid UTF-8.
const (
	// MaxCodeLen bounds codes, type IDs, namespace codes and tree node
	// codes.
	MaxCodeLen = 128
	// MaxActionNameLen bounds the action names of resources and data
	// resources, which follow the action name rule, not the code rule.
	MaxActionNameLen = 128
	// MaxNameLen bounds names: namespace names, resource default names and
	// translations, data resource names, tree node names.
	MaxNameLen = 256
	// MaxDescriptionLen bounds descriptions of namespaces, resources,
	// actions and data resources.
	MaxDescriptionLen = 2048
	// MaxAPIIdentifierLen bounds a resource's apiIdentifier URL.
	MaxAPIIdentifierLen = 2048
	// MaxLocaleLen bounds an i18nValue key such as "zh_CN".
	MaxLocaleLen = 35
	// MaxLocales bounds the number of translations of one name.
	MaxLocales = 64
	// MaxValueLen bounds a STRING struct, an ARRAY item and a tree node
	// value.
	MaxValueLen = 2048
	// MaxKeywordLen bounds a list filter keyword.
	MaxKeywordLen = 256
)

// Limits bounds what one call may carry. Zero (or negative) fields take the
// value of [DefaultLimits], except MaxResourcesPerNamespace, where zero
// means no quota.
type Limits struct {
	// MaxBatch is the most items one batch call may carry (EnOS: 1000).
	MaxBatch int
	// MaxActions is the most actions one resource may define (Authing: 100).
	MaxActions int
	// MaxDataActions is the most actions one data resource may define
	// (Authing: 50).
	MaxDataActions int
	// MaxTreeDepth is the deepest a TREE struct may be; roots are depth 1.
	MaxTreeDepth int
	// MaxTreeNodes is the most nodes a TREE struct may hold.
	MaxTreeNodes int
	// MaxArrayItems is the most items an ARRAY struct may hold.
	MaxArrayItems int
	// MaxResourcesPerNamespace is the quota of resources (not data
	// resources) per namespace, enforced by the store inside the write;
	// 0 means no quota.
	MaxResourcesPerNamespace int

	// MaxMembershipDepth is the longest chain of membership edges (a user
	// in a group in a department ...), enforced by the store inside
	// AddMembers.
	MaxMembershipDepth int
	// MaxPolicyStatements is the most statements one data policy may hold
	// (Authing: 5).
	MaxPolicyStatements int
	// MaxPolicyPermissions is the most permissions one statement may hold.
	MaxPolicyPermissions int
	// MaxGrantsPerCall bounds the grants one AuthorizeResources or
	// RevokeResources call expands to: the sum over its items of
	// targetIdentifiers x actions of every resource. Each list alone is
	// also bounded by MaxBatch (and actions by MaxActions).
	MaxGrantsPerCall int
	// MaxPolicyTargetsPerCall bounds policyIds x targetList of one
	// AuthorizeDataPolicies call.
	MaxPolicyTargetsPerCall int
}

// DefaultLimits returns the limits a Registry uses unless told otherwise.
func DefaultLimits() Limits {
	return Limits{
		MaxBatch:       1000,
		MaxActions:     100,
		MaxDataActions: 50,
		MaxTreeDepth:   32,
		MaxTreeNodes:   10_000,
		MaxArrayItems:  1000,

		MaxMembershipDepth:      8,
		MaxPolicyStatements:     5,
		MaxPolicyPermissions:    100,
		MaxGrantsPerCall:        10_000,
		MaxPolicyTargetsPerCall: 10_000,
	}
}

// withDefaults fills zero or negative fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	fill := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	fill(&l.MaxBatch, d.MaxBatch)
	fill(&l.MaxActions, d.MaxActions)
	fill(&l.MaxDataActions, d.MaxDataActions)
	fill(&l.MaxTreeDepth, d.MaxTreeDepth)
	fill(&l.MaxTreeNodes, d.MaxTreeNodes)
	fill(&l.MaxArrayItems, d.MaxArrayItems)
	fill(&l.MaxMembershipDepth, d.MaxMembershipDepth)
	fill(&l.MaxPolicyStatements, d.MaxPolicyStatements)
	fill(&l.MaxPolicyPermissions, d.MaxPolicyPermissions)
	fill(&l.MaxGrantsPerCall, d.MaxGrantsPerCall)
	fill(&l.MaxPolicyTargetsPerCall, d.MaxPolicyTargetsPerCall)
	l.MaxResourcesPerNamespace = max(l.MaxResourcesPerNamespace, 0)
	return l
}

// Registry validates input and keeps it in a [store.Store]. Its only state
// of its own is the permission index that answers the checks, a cache of
// the store kept fresh through the change log (see the package
// documentation, "Checks"); it is safe for concurrent use.
type Registry struct {
	store  store.Store
	limits Limits
	clock  func() time.Time
	newID  func() string

	// inner is the store given to New; store is inner itself or, with a
	// change retention, a wrapper that prunes after writes.
	inner         store.Store
	watchInterval time.Duration
	retention     time.Duration
	lastPrune     atomic.Int64 // unix nanoseconds of the last pruning by retention

	// authz is the permission index that answers the checks (authz.go).
	authz *authz
	// users remembers users recently found in the directory (userseen.go).
	users userSeen
}

// Option configures a Registry.
type Option func(*Registry)

// WithLimits sets the limits; see [Limits] for how zero fields are read.
func WithLimits(l Limits) Option {
	return func(r *Registry) { r.limits = l.withDefaults() }
}

// WithClock sets the clock that stamps CreatedAt and UpdatedAt (time.Now by
// default). Stamps are kept in UTC. A reading outside [store.MinTime,
// store.MaxTime], the zero time included, makes the write fail with
// ErrInvalid (field "createdAt" or "updatedAt") and write nothing.
func WithClock(now func() time.Time) Option {
	return func(r *Registry) {
		if now != nil {
			r.clock = now
		}
	}
}

// WithIDGenerator sets the function that makes resource IDs when they are
// not the code. It must return a non-empty string, unique within a
// namespace; the store rejects a repeated ID with ErrConflict. The default
// returns 32 random hexadecimal digits.
func WithIDGenerator(gen func() string) Option {
	return func(r *Registry) {
		if gen != nil {
			r.newID = gen
		}
	}
}

// New returns a Registry that keeps its records in s. A store is required:
// New panics if s is nil, as that is a programming error that no call could
// recover from later.
func New(s store.Store, opts ...Option) *Registry {
	if s == nil {
		panic("resreg: New needs a store (memstore.New(), sqlitestore.Open(...)); got nil")
	}
	r := &Registry{
		store:  s,
		limits: DefaultLimits(),
		clock:  time.Now,
		newID:  randomID,

		inner:         s,
		watchInterval: DefaultWatchInterval,
		authz:         newAuthz(s),
	}
	for _, opt := range opts {
		opt(r)
	}
	if r.retention > 0 {
		r.store = retainingStore{Store: s, r: r}
	}
	r.store = indexedStore{Store: r.store, a: r.authz}
	return r
}

// Limits returns the limits the Registry enforces.
func (r *Registry) Limits() Limits { return r.limits }

// Store returns the store the Registry writes to.
func (r *Registry) Store() store.Store { return r.inner }

// now returns the clock's time in UTC without a monotonic reading, the form
// in which stores keep and return times. A reading outside the range every
// store keeps ([store.MinTime] to [store.MaxTime]; the zero time is outside
// it) is an ErrInvalid error on field, so that nothing is written with a
// time a store would refuse or corrupt.
func (r *Registry) now(field string) (time.Time, error) {
	t := r.clock().UTC().Round(0)
	if !store.TimeInRange(t) {
		return time.Time{}, store.Invalid(field, "the clock read "+t.Format(time.RFC3339Nano)+", outside the range a store keeps, "+
			store.MinTime.Format(time.RFC3339Nano)+" to "+store.MaxTime.Format(time.RFC3339Nano))
	}
	return t, nil
}

// idBytes buffers random bytes for randomID: one read from crypto/rand
// serves 256 IDs, so that a batch of 1000 generated IDs costs a handful of
// reads, not 1000 (IDs are identifiers, not secrets, so holding the bytes
// for a while is harmless).
var idBytes struct {
	sync.Mutex
	buf  [4096]byte
	left int
}

// randomID returns 128 random bits as 32 hexadecimal digits.
func randomID() string {
	var b [16]byte
	idBytes.Lock()
	if idBytes.left < len(b) {
		_, _ = rand.Read(idBytes.buf[:]) // crypto/rand.Read never fails on supported platforms
		idBytes.left = len(idBytes.buf)
	}
	copy(b[:], idBytes.buf[len(idBytes.buf)-idBytes.left:])
	idBytes.left -= len(b)
	idBytes.Unlock()
	var out [32]byte
	hex.Encode(out[:], b[:])
	return string(out[:])
}
