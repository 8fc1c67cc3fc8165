package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

// Ordering of the change log across instances.
//
// Seq must be strictly increasing in commit order: a reader that has seen N
// never later finds a change <= N appear. A sequence cannot give that,
// because its values are handed out before commit order is known. Instead
// every write that records changes ends with one statement that adds the
// number of its changes to the 'changes' row of resreg_counters
// (UPDATE ... RETURNING) and inserts its change rows numbered from the value
// it read. The UPDATE locks the row until COMMIT, so:
//
//   - a second writer's UPDATE waits for the first to commit (or roll
//     back) and then, under READ COMMITTED, updates the committed row, so
//     it gets the numbers after the first writer's;
//   - PostgreSQL makes a transaction visible to new snapshots before it
//     releases its locks, so by the time the second writer holds the row
//     the first writer's changes are visible to every reader, and the
//     second writer's cannot be seen before them;
//   - a rollback undoes its UPDATE too, so numbers have no gaps, which
//     Changes relies on to detect pruning.
//
// The row is taken last, right before COMMIT, so writers queue on it for
// one round trip, not for the whole write. Every other lock a write takes
// (namespace rows, the membership row) comes before it, in the same order
// in every write, so the counter adds no deadlock.

const (
	sqlRecordChanges = `WITH c AS (UPDATE {s}resreg_counters SET value = value + cardinality($3::text[]) WHERE name = 'changes' RETURNING value)
		INSERT INTO {s}resreg_changes (seq, time, actor, op, kind, namespace, key, record)
		SELECT c.value - cardinality($3::text[]) + e.n, $1, $2, e.op, e.kind, e.ns, e.key, e.record
		FROM c, unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[]) WITH ORDINALITY AS e(op, kind, ns, key, record, n)`
	sqlNotify       = `SELECT pg_notify($1, '')`
	sqlChanges      = `SELECT seq, time, coalesce(actor, ''), op, kind, namespace, key, record FROM {s}resreg_changes WHERE seq > $1 ORDER BY seq LIMIT $2`
	sqlOldestChange = `SELECT seq FROM {s}resreg_changes ORDER BY seq LIMIT 1`
	sqlLastSeq      = `SELECT value FROM {s}resreg_counters WHERE name = 'changes'`
	// sqlLockLastSeq is LastSeq for a Batch, which holds the counter row
	// from its start (see Batch).
	sqlLockLastSeq = sqlLastSeq + ` FOR UPDATE`
	sqlFirstKeptAt = `SELECT seq FROM {s}resreg_changes WHERE time >= $1 ORDER BY seq LIMIT 1`
	sqlPruneBefore = `DELETE FROM {s}resreg_changes WHERE seq < $1 AND seq < (SELECT max(seq) FROM {s}resreg_changes)`
	sqlLockMembers = `SELECT value FROM {s}resreg_counters WHERE name = 'memberships' FOR UPDATE`
)

type changeQueries struct {
	record, list, oldest, last, lockLast, firstKeptAt, prune, lockMembers string
}

func newChangeQueries(q func(string) string) changeQueries {
	return changeQueries{
		record: q(sqlRecordChanges), list: q(sqlChanges), oldest: q(sqlOldestChange), last: q(sqlLastSeq), lockLast: q(sqlLockLastSeq),
		firstKeptAt: q(sqlFirstKeptAt), prune: q(sqlPruneBefore), lockMembers: q(sqlLockMembers),
	}
}

// notifyChannel is the LISTEN/NOTIFY channel of the registry in schema.
func notifyChannel(schema string) string { return "resreg_changes." + schema }

// wtx is a write transaction in progress: the pgx transaction and the
// changes it has recorded, which flushChanges writes just before COMMIT.
type wtx struct {
	pgx.Tx
	s *Store
	// actor is the actor of the changes not yet flushed: that of the
	// write's context, or, in a batch, of the write that recorded them
	// (see setActor).
	actor string

	ops, kinds, namespaces, keys []string
	records                      [][]byte
	// changed is set once the changes are written, so that the Store wakes
	// its watchers after the commit.
	changed bool
}

// logChange records one change of a record of kind; record is its JSON.
// Changes are numbered in the order of the calls.
func (w *wtx) logChange(op, kind, namespace, key string, record any) error {
	b, err := json.Marshal(record)
	if err != nil {
		return err
	}
	w.ops = append(w.ops, op)
	w.kinds = append(w.kinds, kind)
	w.namespaces = append(w.namespaces, namespace)
	w.keys = append(w.keys, key)
	w.records = append(w.records, b)
	return nil
}

// flushChanges numbers and inserts the recorded changes with one statement
// (see the ordering note above) and queues the notification that PostgreSQL
// delivers to listeners when the transaction commits, in the same round
// trip.
func (w *wtx) flushChanges(ctx context.Context) error {
	if len(w.ops) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(w.s.q.changes.record, time.Now().UnixNano(), nullIfEmpty(w.actor),
		w.ops, w.kinds, w.namespaces, w.keys, w.records)
	b.Queue(sqlNotify, notifyChannel(w.s.cfg.schema))
	if err := w.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	w.ops, w.kinds, w.namespaces, w.keys = w.ops[:0], w.kinds[:0], w.namespaces[:0], w.keys[:0]
	clear(w.records)
	w.records = w.records[:0]
	w.changed = true
	return nil
}

// dropChanges forgets the changes recorded after the first n, those of a
// write of a batch rolled back to its savepoint.
func (w *wtx) dropChanges(n int) {
	if n >= len(w.ops) {
		return
	}
	clear(w.records[n:])
	w.ops, w.kinds, w.namespaces, w.keys, w.records = w.ops[:n], w.kinds[:n], w.namespaces[:n], w.keys[:n], w.records[:n]
}

// setActor makes actor the actor of the changes recorded from now on. One
// statement records one actor, so the changes of the previous actor are
// written first; this happens only in a batch whose writes name different
// actors.
func (w *wtx) setActor(ctx context.Context, actor string) error {
	if actor == w.actor {
		return nil
	}
	if err := w.flushChanges(ctx); err != nil {
		return err
	}
	w.actor = actor
	return nil
}

func (w *wtx) logNamespace(op string, ns store.Namespace) error {
	ns.CreatedAt, ns.UpdatedAt = normTime(ns.CreatedAt), normTime(ns.UpdatedAt)
	return w.logChange(op, store.KindNamespace, ns.Code, ns.Code, &ns)
}

func (w *wtx) logResource(op string, r *store.Resource) error {
	c := *r
	c.CreatedAt, c.UpdatedAt = normTime(c.CreatedAt), normTime(c.UpdatedAt)
	return w.logChange(op, store.KindResource, c.Namespace, c.Code, &c)
}

func (w *wtx) logData(op string, d store.DataResource) error {
	d.CreatedAt, d.UpdatedAt = normTime(d.CreatedAt), normTime(d.UpdatedAt)
	return w.logChange(op, store.KindDataResource, d.NamespaceCode, d.ResourceCode, &d)
}

// The permission records: grants carry their namespace; memberships, data
// policies and policy targets are registry-wide, so their changes have an
// empty Namespace. A deletion that cascades records the deleted record
// first, then each record the cascade removes (as sqlitestore does).

func (w *wtx) logGrant(op string, g store.Grant) error {
	g.CreatedAt = normTime(g.CreatedAt)
	return w.logChange(op, store.KindGrant, g.Namespace, g.Key(), &g)
}

func (w *wtx) logGrantsDeleted(grants []store.Grant) error {
	for _, g := range grants {
		if err := w.logGrant(store.OpDelete, g); err != nil {
			return err
		}
	}
	return nil
}

func (w *wtx) logMembership(op string, m store.Membership) error {
	m.CreatedAt = normTime(m.CreatedAt)
	return w.logChange(op, store.KindMembership, "", m.Key(), &m)
}

func (w *wtx) logPolicy(op string, p store.DataPolicy) error {
	p.CreatedAt, p.UpdatedAt = normTime(p.CreatedAt), normTime(p.UpdatedAt)
	return w.logChange(op, store.KindDataPolicy, "", p.ID, &p)
}

func (w *wtx) logTarget(op string, t store.PolicyTarget) error {
	t.CreatedAt = normTime(t.CreatedAt)
	return w.logChange(op, store.KindPolicyTarget, "", t.Key(), &t)
}

// Changes reads up to limit changes after since in one REPEATABLE READ
// transaction, so that the pruning check and the rows come from one
// snapshot.
func (s *Store) Changes(ctx context.Context, since int64, limit int) ([]store.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := store.CheckChangesArgs(since, limit); err != nil {
		return nil, err
	}
	if err := s.flushBatch(ctx); err != nil {
		return nil, err
	}
	var out []store.Change
	err := s.snapshot(ctx, func(ctx context.Context, tx pgx.Tx) error {
		out = []store.Change{}
		var oldest int64
		err := tx.QueryRow(ctx, s.q.changes.oldest).Scan(&oldest)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		// Seq has no gaps, so a log that starts after since+1 has lost the
		// changes in between.
		if since < oldest-1 {
			return store.ChangesPruned(since, oldest)
		}
		rows, err := tx.Query(ctx, s.q.changes.list, since, limit)
		if err != nil {
			return err
		}
		var (
			c      store.Change
			t      int64
			record []byte
		)
		_, err = pgx.ForEachRow(rows, []any{&c.Seq, &t, &c.Actor, &c.Op, &c.Kind, &c.Namespace, &c.Key, &record}, func() error {
			c.Time = time.Unix(0, t).UTC()
			c.Record = json.RawMessage(append([]byte(nil), record...))
			out = append(out, c)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LastSeq reads the counter, which pruning never lowers.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	if err := s.flushBatch(ctx); err != nil {
		return 0, err
	}
	var seq int64
	err := s.read(ctx, func(ctx context.Context) error {
		return s.db(ctx).QueryRow(ctx, s.q.changes.last).Scan(&seq)
	})
	return seq, err
}

// PruneChanges deletes the changes with seq < before, keeping the newest.
func (s *Store) PruneChanges(ctx context.Context, before int64) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if before < 0 {
		return store.Invalid("before", "before must not be negative")
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.Exec(ctx, s.q.changes.prune, before)
		return err
	})
}

// PruneChangesOlderThan deletes the oldest changes whose time is before
// cutoff, up to the first that is not, keeping the newest.
func (s *Store) PruneChangesOlderThan(ctx context.Context, cutoff time.Time) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		var first int64
		err := tx.QueryRow(ctx, s.q.changes.firstKeptAt, cutoff.UnixNano()).Scan(&first)
		if errors.Is(err, pgx.ErrNoRows) {
			first = 1 << 62 // every change is older: keep only the newest
		} else if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, s.q.changes.prune, first)
		return err
	})
}
