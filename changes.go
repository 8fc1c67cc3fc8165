package resreg

import (
	"context"
	"iter"
	"slices"
	"strconv"
	"time"

	"github.com/resreg/resreg/store"
)

// Change is one entry of the change log; see [store.Change].
type Change = store.Change

// What a Change did, and to what kind of record.
const (
	OpCreate = store.OpCreate
	OpUpdate = store.OpUpdate
	OpDelete = store.OpDelete
	OpRename = store.OpRename

	KindNamespace      = store.KindNamespace
	KindResource       = store.KindResource
	KindDataResource   = store.KindDataResource
	KindGrant          = store.KindGrant
	KindDataPolicy     = store.KindDataPolicy
	KindPolicyTarget   = store.KindPolicyTarget
	KindMembership     = store.KindMembership
	KindDirectoryEntry = store.KindDirectoryEntry
)

// ErrChangesPruned reports a read of the change log from a point older than
// what it keeps; the reader must resynchronise from the records.
var ErrChangesPruned = store.ErrChangesPruned

// WithActor returns a context whose writes are recorded in the change log
// as made by actor.
func WithActor(ctx context.Context, actor string) context.Context { return store.WithActor(ctx, actor) }

// ActorFrom returns the actor set by [WithActor], or "".
func ActorFrom(ctx context.Context) string { return store.ActorFrom(ctx) }

// Change log defaults and bounds.
const (
	// DefaultChangesLimit is the page size of Changes when Limit is 0.
	DefaultChangesLimit = 100
	// MaxChangesLimit is the largest Limit Changes accepts.
	MaxChangesLimit = store.MaxChangesLimit
	// DefaultWatchInterval is how often Watch polls a store that cannot
	// wake it (see [WithWatchInterval]).
	DefaultWatchInterval = 100 * time.Millisecond
)

// ChangesOptions selects a page of the change log.
type ChangesOptions struct {
	// Since is the last Seq the caller has seen; 0 reads from the start.
	Since int64 `json:"since,omitempty"`
	// Limit is the most matching changes to return, 0..MaxChangesLimit; 0
	// means DefaultChangesLimit.
	Limit int `json:"limit,omitempty"`
	// Namespace keeps only the changes of one namespace (a rename is a
	// change of both its codes; see [Change.InNamespace]). Unlike in list
	// filters, empty means every namespace, not the default one.
	Namespace string `json:"namespace,omitempty"`
	// Kinds keeps only changes of these kinds (Kind constants, at most one
	// of each); empty means every kind.
	Kinds []string `json:"kinds,omitempty"`
}

// Changes returns the changes after opts.Since that match opts, oldest
// first. Limit counts matching changes, and a page is empty only when no
// matching change is left, so a caller pages on with Since set to the last
// Seq it got. A filter that matches rarely makes the call read on through
// the log until it has Limit matches or reaches the end.
//
// Bad options are ErrInvalid with Field "since", "limit", "namespace" or
// "kinds[i]"; a Since older than what the log keeps is ErrChangesPruned.
func (r *Registry) Changes(ctx context.Context, opts ChangesOptions) ([]Change, error) {
	limit, err := checkChangesOptions(opts)
	if err != nil {
		return nil, err
	}
	if opts.Namespace == "" && len(opts.Kinds) == 0 {
		return r.store.Changes(ctx, opts.Since, limit)
	}
	out := []Change{}
	since := opts.Since
	for len(out) < limit {
		page, err := r.store.Changes(ctx, since, MaxChangesLimit)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			if (opts.Namespace == "" || c.InNamespace(opts.Namespace)) &&
				(len(opts.Kinds) == 0 || slices.Contains(opts.Kinds, c.Kind)) {
				out = append(out, c)
				if len(out) == limit {
					break
				}
			}
		}
		if len(page) < MaxChangesLimit {
			break
		}
		since = page[len(page)-1].Seq
	}
	return out, nil
}

func checkChangesOptions(opts ChangesOptions) (limit int, err error) {
	if opts.Since < 0 {
		return 0, store.Invalid("since", "since must not be negative")
	}
	limit = opts.Limit
	switch {
	case limit == 0:
		limit = DefaultChangesLimit
	case limit < 0 || limit > MaxChangesLimit:
		return 0, store.Invalid("limit", "limit must be 0.."+strconv.Itoa(MaxChangesLimit)+", got "+strconv.Itoa(limit))
	}
	if opts.Namespace != "" {
		if err := checkCode("namespace", opts.Namespace); err != nil {
			return 0, err
		}
	}
	known := store.Kinds()
	if len(opts.Kinds) > len(known) {
		return 0, store.Invalid("kinds", "at most "+strconv.Itoa(len(known))+" kinds may be given")
	}
	for i, k := range opts.Kinds {
		field := index("kinds", i)
		if !slices.Contains(known, k) {
			return 0, store.Invalid(field, "unknown change kind "+strconv.Quote(k))
		}
		if slices.Contains(opts.Kinds[:i], k) {
			return 0, store.Invalid(field, "kind "+strconv.Quote(k)+" is given twice")
		}
	}
	return limit, nil
}

// LastSeq returns the Seq of the newest change, 0 if there is none. A
// consumer that starts from LastSeq sees only what is written afterwards.
func (r *Registry) LastSeq(ctx context.Context) (int64, error) {
	return r.store.LastSeq(ctx)
}

// PruneChanges removes the changes with Seq < before. The newest change is
// always kept, so numbers are never reused and LastSeq never goes back. A
// negative before is ErrInvalid.
func (r *Registry) PruneChanges(ctx context.Context, before int64) error {
	return r.store.PruneChanges(ctx, before)
}

// Watch yields every change after since, in order, then waits for new ones
// until ctx is done, when the sequence simply ends. A store error (such as
// ErrChangesPruned, when since is older than what the log keeps) is
// yielded once, with a zero Change, and ends the sequence.
//
// A store that can wake watchers (memstore, and sqlitestore for writes made
// through the same Store value) wakes Watch as soon as a write commits;
// otherwise, and for writes from other processes, Watch polls every
// [WithWatchInterval]. A consumer that stores the Seq of each change it has
// handled and restarts from it misses nothing and sees nothing twice.
func (r *Registry) Watch(ctx context.Context, since int64) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		notifier, _ := r.inner.(store.ChangeNotifier)
		var timer *time.Timer
		defer func() {
			if timer != nil {
				timer.Stop()
			}
		}()
		for {
			// Ask for the wake-up before reading, so that a commit made
			// between the read and the wait is not slept through.
			var wake <-chan struct{}
			if notifier != nil {
				wake = notifier.ChangesNotify()
			}
			page, err := r.store.Changes(ctx, since, MaxChangesLimit)
			if err != nil {
				if ctx.Err() == nil {
					yield(Change{}, err)
				}
				return
			}
			for _, c := range page {
				if !yield(c, nil) {
					return
				}
				since = c.Seq
			}
			if len(page) == MaxChangesLimit {
				continue // more are waiting
			}
			r.retain(ctx)
			if timer == nil {
				timer = time.NewTimer(r.watchInterval)
			} else {
				timer.Reset(r.watchInterval)
			}
			select {
			case <-ctx.Done():
				return
			case <-wake:
			case <-timer.C:
			}
		}
	}
}

// WithWatchInterval sets how often Watch polls for changes that no
// notification announces (writes from another process, or any write on a
// store that cannot notify). The default is DefaultWatchInterval; d <= 0
// keeps it.
func WithWatchInterval(d time.Duration) Option {
	return func(r *Registry) {
		if d > 0 {
			r.watchInterval = d
		}
	}
}

// WithChangeRetention keeps changes for d (by their Time) and prunes older
// ones; the newest change is always kept. Pruning is done by the Registry
// after its own writes and from its Watch loops, at most once per d/10 (and
// at least once a minute while writes or watches go on); a pruning error
// does not fail the write, and the next attempt retries. Without this
// option (or with d <= 0) changes are kept until PruneChanges removes them.
// Retention compares Time, which is the store's clock, with time.Now.
func WithChangeRetention(d time.Duration) Option {
	return func(r *Registry) {
		if d > 0 {
			r.retention = d
		}
	}
}

// retain prunes changes older than the retention, unless it was done less
// than a tenth of the retention ago (capped at a minute).
func (r *Registry) retain(ctx context.Context) {
	if r.retention <= 0 || inBatch(ctx) {
		// In a batch, pruning would join the batch; the batch prunes once
		// it has ended.
		return
	}
	now := time.Now()
	every := min(r.retention/10, time.Minute)
	last := r.lastPrune.Load()
	if now.UnixNano()-last < int64(every) || !r.lastPrune.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	// The write this follows has committed; pruning must not be cut short
	// by the caller's context, nor hold the caller up for long.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.inner.PruneChangesOlderThan(pctx, now.Add(-r.retention)); err != nil {
		r.lastPrune.CompareAndSwap(now.UnixNano(), last) // try again next time
	}
}

// retainingStore is the store a Registry with a retention writes through:
// every write is followed by retain.
type retainingStore struct {
	store.Store
	r *Registry
}

func (s retainingStore) CreateNamespace(ctx context.Context, ns store.Namespace) error {
	defer s.r.retain(ctx)
	return s.Store.CreateNamespace(ctx, ns)
}

func (s retainingStore) UpdateNamespace(ctx context.Context, code string, fn func(*store.Namespace) error) (store.Namespace, error) {
	defer s.r.retain(ctx)
	return s.Store.UpdateNamespace(ctx, code, fn)
}

func (s retainingStore) RenameNamespace(ctx context.Context, code, newCode string, fn func(*store.Namespace) error) (store.Namespace, error) {
	defer s.r.retain(ctx)
	return s.Store.RenameNamespace(ctx, code, newCode, fn)
}

func (s retainingStore) DeleteNamespace(ctx context.Context, code string) error {
	defer s.r.retain(ctx)
	return s.Store.DeleteNamespace(ctx, code)
}

func (s retainingStore) CreateResources(ctx context.Context, rs []store.Resource, opts store.WriteOptions) error {
	defer s.r.retain(ctx)
	return s.Store.CreateResources(ctx, rs, opts)
}

func (s retainingStore) UpdateResource(ctx context.Context, namespace, code string, fn func(*store.Resource) error) (store.Resource, error) {
	defer s.r.retain(ctx)
	return s.Store.UpdateResource(ctx, namespace, code, fn)
}

func (s retainingStore) DeleteResources(ctx context.Context, namespace string, codes []string) error {
	defer s.r.retain(ctx)
	return s.Store.DeleteResources(ctx, namespace, codes)
}

func (s retainingStore) CreateDataResource(ctx context.Context, d store.DataResource) error {
	defer s.r.retain(ctx)
	return s.Store.CreateDataResource(ctx, d)
}

func (s retainingStore) UpdateDataResource(ctx context.Context, namespace, code string, fn func(*store.DataResource) error) (store.DataResource, error) {
	defer s.r.retain(ctx)
	return s.Store.UpdateDataResource(ctx, namespace, code, fn)
}

func (s retainingStore) DeleteDataResource(ctx context.Context, namespace, code string) error {
	defer s.r.retain(ctx)
	return s.Store.DeleteDataResource(ctx, namespace, code)
}
