package resreg

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/resreg/resreg/store"
)

// String length limits, in characters (Unicode code points). Every string
// must also be valid UTF-8.
const (
	// MaxCodeLen bounds codes, type IDs, action names, namespace codes and
	// tree node codes.
	MaxCodeLen = 128
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

// Registry validates input and keeps it in a [store.Store]. It holds no
// mutable state of its own, so it is safe for concurrent use whenever its
// store is, which every store must be.
type Registry struct {
	store  store.Store
	limits Limits
	clock  func() time.Time
	newID  func() string
}

// Option configures a Registry.
type Option func(*Registry)

// WithLimits sets the limits; see [Limits] for how zero fields are read.
func WithLimits(l Limits) Option {
	return func(r *Registry) { r.limits = l.withDefaults() }
}

// WithClock sets the clock that stamps CreatedAt and UpdatedAt (time.Now by
// default). Stamps are kept in UTC.
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

// New returns a Registry that keeps its records in s.
func New(s store.Store, opts ...Option) *Registry {
	r := &Registry{
		store:  s,
		limits: DefaultLimits(),
		clock:  time.Now,
		newID:  randomID,
	}
	for _, opt := range opts {
		opt(r)
	}
	return r
}

// Limits returns the limits the Registry enforces.
func (r *Registry) Limits() Limits { return r.limits }

// Store returns the store the Registry writes to.
func (r *Registry) Store() store.Store { return r.store }

// now returns the clock's time in UTC without a monotonic reading, the form
// in which stores keep and return times.
func (r *Registry) now() time.Time { return r.clock().UTC().Round(0) }

// randomID returns 128 random bits as 32 hexadecimal digits.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
