package storetest_test

import (
	"context"
	"encoding/json"
	"time"

	"github.com/resreg/resreg/store"
)

// naiveLog is the plainest change log: every change with its JSON, in a
// slice, under the naive store's mutex.
type naiveLog struct {
	changes []store.Change
	last    int64
}

func (l *naiveLog) add(ctx context.Context, op, kind, ns, key string, rec any) {
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	l.last++
	l.changes = append(l.changes, store.Change{Seq: l.last, Time: time.Now().UTC().Round(0), Op: op, Kind: kind,
		Namespace: ns, Key: key, Actor: store.ActorFrom(ctx), Record: b})
}

func (n *naive) Changes(ctx context.Context, since int64, limit int) ([]store.Change, error) {
	if err := n.lock(ctx); err != nil {
		return nil, err
	}
	defer n.mu.Unlock()
	if err := store.CheckChangesArgs(since, limit); err != nil {
		return nil, err
	}
	out := []store.Change{}
	if len(n.log.changes) > 0 && since < n.log.changes[0].Seq-1 {
		return nil, store.ChangesPruned(since, n.log.changes[0].Seq)
	}
	for _, c := range n.log.changes {
		if c.Seq > since && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (n *naive) LastSeq(ctx context.Context) (int64, error) {
	if err := n.lock(ctx); err != nil {
		return 0, err
	}
	defer n.mu.Unlock()
	return n.log.last, nil
}

func (n *naive) PruneChanges(ctx context.Context, before int64) error {
	if before < 0 {
		return store.Invalid("before", "negative")
	}
	return n.prune(ctx, func(c store.Change) bool { return c.Seq < before })
}

func (n *naive) PruneChangesOlderThan(ctx context.Context, cutoff time.Time) error {
	return n.prune(ctx, func(c store.Change) bool { return c.Time.Before(cutoff) })
}

func (n *naive) prune(ctx context.Context, drop func(store.Change) bool) error {
	if err := n.lock(ctx); err != nil {
		return err
	}
	defer n.mu.Unlock()
	for len(n.log.changes) > 1 && drop(n.log.changes[0]) {
		n.log.changes = n.log.changes[1:]
	}
	return nil
}
