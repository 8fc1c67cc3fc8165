package memstore

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resreg/resreg/store"
)

// changeLog is the store's change log. Its entries are appended by the
// writer holding s.mu exclusively, in the same critical section as the
// write they record, so a reader (which holds s.mu shared) sees a write and
// its changes together or neither, and Seq follows the order of writes. A
// batch holds s.mu for all its writes, so readers other than the batch's
// own see all its changes or none, and a failed batch's entries are
// dropped before anyone else can read them.
type changeLog struct {
	entries []changeEntry // oldest first, Seq consecutive
	lastSeq int64         // Seq of the newest change ever, kept after pruning

	// notifyMu guards notify, which is closed and replaced at every write
	// that records changes; see ChangesNotify.
	notifyMu sync.Mutex
	notify   chan struct{}
	waiting  atomic.Bool // notify is open
}

// changeEntry is one change in compact form; its JSON is built only when
// the change is read. A resource's record is held inline in res (resources
// are the bulk of the log, and this saves an allocation per change); other
// kinds hold an immutable copy in rec (a store.Namespace or a
// *store.DataResource).
//
// The stored resource records are overwritten in place by updates, but
// every update allocates new slices (see fillResource), so the shallow copy
// in res stays valid.
type changeEntry struct {
	seq       int64
	time      int64 // unix nanoseconds
	op, kind  uint8 // indexes into opNames and kindNames
	namespace string
	key       string
	actor     string
	res       resource
	rec       any
}

// logChange appends one change for a record of kind that the current write
// created, updated or deleted; rec is the record after the change (before,
// for a delete) in a form exportChange knows. The caller holds s.mu
// exclusively and calls it only once the write can no longer fail, so that
// a rejected write leaves no change. The permission records (grants,
// memberships, policies, targets) are logged as immutable values; their
// JSON is their own encoding.
func (s *Store) logChange(ctx context.Context, now time.Time, op, kind, namespace, key string, rec any) {
	s.log.lastSeq++
	s.log.entries = append(s.log.entries, changeEntry{
		seq: s.log.lastSeq, time: now.UnixNano(), op: nameIndex(opNames, op), kind: nameIndex(kindNames, kind),
		namespace: namespace, key: key, actor: store.ActorFrom(ctx), rec: rec,
	})
	s.wakeWatchers()
}

// logResource is logChange for a resource record, copied inline.
func (s *Store) logResource(ctx context.Context, now time.Time, op, namespace string, rec *resource) {
	s.log.lastSeq++
	s.log.entries = append(s.log.entries, changeEntry{
		seq: s.log.lastSeq, time: now.UnixNano(), op: nameIndex(opNames, op), kind: kindResource,
		namespace: namespace, key: rec.code, actor: store.ActorFrom(ctx), res: *rec,
	})
	s.wakeWatchers()
}

// growLog makes room for n more changes, so that a batch appends them
// without regrowing the log.
func (s *Store) growLog(n int) { s.log.entries = slices.Grow(s.log.entries, n) }

// changeTime is the commit time stamped on the changes of one write.
func changeTime() time.Time { return time.Now().UTC().Round(0) }

// wakeWatchers closes the channel handed out by ChangesNotify, if any. It
// runs under the write lock, from logChange: a woken watcher then waits for
// the read lock and finds the change. Inside a batch it only notes the
// change: the watchers are woken when the batch commits (see commit), never
// for changes a failed batch undoes.
func (s *Store) wakeWatchers() {
	if s.j.on {
		s.j.wake = true
		return
	}
	// Without a watcher there is no channel to close, and no need for the
	// mutex; a watcher that subscribes after this check reads the log
	// after the write (which holds the lock), so it sees the change.
	if !s.log.waiting.Load() {
		return
	}
	s.log.notifyMu.Lock()
	if s.log.notify != nil {
		s.log.waiting.Store(false)
		close(s.log.notify)
		s.log.notify = nil
	}
	s.log.notifyMu.Unlock()
}

// ChangesNotify returns a channel closed when a change is next committed.
func (s *Store) ChangesNotify() <-chan struct{} {
	s.log.notifyMu.Lock()
	defer s.log.notifyMu.Unlock()
	if s.log.notify == nil {
		s.log.notify = make(chan struct{})
	}
	s.log.waiting.Store(true)
	return s.log.notify
}

var _ store.ChangeNotifier = (*Store)(nil)

// Changes returns up to limit changes with Seq > since, oldest first. The
// entry after since is found by binary search, so the cost does not grow
// with the log's length.
func (s *Store) Changes(ctx context.Context, since int64, limit int) ([]store.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := store.CheckChangesArgs(since, limit); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	entries := s.log.entries
	if len(entries) > 0 && since < entries[0].seq-1 {
		oldest := entries[0].seq
		s.runlock(ctx)
		return nil, store.ChangesPruned(since, oldest)
	}
	i := sort.Search(len(entries), func(i int) bool { return entries[i].seq > since })
	// Entries are never modified once appended and pruning reslices, so
	// the window stays valid after the lock is released; JSON is built
	// outside the lock.
	window := entries[i:min(i+limit, len(entries))]
	s.runlock(ctx)
	out := make([]store.Change, len(window))
	for j := range window {
		c, err := window[j].export()
		if err != nil {
			return nil, err
		}
		out[j] = c
	}
	return out, nil
}

func (e *changeEntry) export() (store.Change, error) {
	v := e.rec
	if e.kind == kindResource {
		res := e.res.export(e.namespace)
		v = &res
	}
	b, err := json.Marshal(v)
	if err != nil {
		return store.Change{}, err
	}
	return store.Change{Seq: e.seq, Time: time.Unix(0, e.time).UTC(), Op: opNames[e.op], Kind: kindNames[e.kind], Namespace: e.namespace,
		Key: e.key, Actor: e.actor, Record: b}, nil
}

// LastSeq returns the Seq of the newest change, 0 if there is none.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := s.rlock(ctx); err != nil {
		return 0, err
	}
	defer s.runlock(ctx)
	return s.log.lastSeq, nil
}

// PruneChanges removes the changes with Seq < before, keeping the newest.
func (s *Store) PruneChanges(ctx context.Context, before int64) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if before < 0 {
		return store.Invalid("before", "before must not be negative")
	}
	return s.prune(ctx, func(e *changeEntry) bool { return e.seq < before })
}

// PruneChangesOlderThan removes the oldest changes whose Time is before
// cutoff, keeping the newest change.
func (s *Store) PruneChangesOlderThan(ctx context.Context, cutoff time.Time) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.prune(ctx, func(e *changeEntry) bool { return e.time < cutoff.UnixNano() })
}

// prune drops the leading entries for which drop holds, never the last.
func (s *Store) prune(ctx context.Context, drop func(*changeEntry) bool) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	entries := s.log.entries
	n := 0
	for n < len(entries)-1 && drop(&entries[n]) {
		n++
	}
	if n == 0 {
		return nil
	}
	// A reader may still hold a window of the old array, so the kept
	// entries are copied to a new one rather than moved within it; this
	// also gives the pruned records back to the garbage collector.
	s.log.entries = slices.Clone(entries[n:])
	return nil
}

// frozenData copies a stored data resource for the log. Updates replace a
// record's contents with a fresh clone (see UpdateDataResource), never
// editing its slices or tree in place, so a shallow copy stays valid.
func frozenData(rec *store.DataResource) *store.DataResource {
	c := *rec
	return &c
}

// Ops and kinds are kept as one byte each; a million changes are a million
// entries.
var (
	opNames      = store.Ops()
	kindNames    = store.Kinds()
	kindResource = nameIndex(kindNames, store.KindResource)
)

func nameIndex(names []string, v string) uint8 {
	i := slices.Index(names, v)
	if i < 0 {
		panic("memstore: unknown change op or kind " + v)
	}
	return uint8(i)
}
