package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/resreg/resreg/store"
)

const (
	sqlInsertChangePrefix = `INSERT INTO resreg_changes (time, actor, entry) VALUES `
	sqlChanges            = `SELECT seq, time, actor, entry FROM resreg_changes WHERE seq > ? ORDER BY seq LIMIT ?`
	sqlOldestChange       = `SELECT seq FROM resreg_changes ORDER BY seq LIMIT 1`
	sqlLastSeq            = `SELECT coalesce(max(seq), 0) FROM resreg_changes`
	// sqlFirstKeptAt is the oldest change not older than the cutoff. It
	// scans in seq order from the oldest row, so its cost is the number of
	// rows that pruning will remove.
	sqlFirstKeptAt = `SELECT seq FROM resreg_changes WHERE time >= ? ORDER BY seq LIMIT 1`
	sqlPruneBefore = `DELETE FROM resreg_changes WHERE seq < ? AND seq < (SELECT max(seq) FROM resreg_changes)`
)

// An entry holds op and kind as these small integers rather than the
// strings: a change row is written for every record of every batch.
var (
	opCodes   = append([]string{""}, store.Ops()...)
	kindCodes = append([]string{""}, store.Kinds()...)
)

func codeOf(list []string, v string) int {
	if i := slices.Index(list, v); i > 0 {
		return i
	}
	return 0
}

// insertChange records, inside the write transaction w, one change to a
// record of kind (a store.Kind constant) that the transaction created,
// updated or deleted. record is the record's JSON (resources, the one kind
// kept in binary, go through logResource instead). Call it after the statement that makes the change; if the
// write then fails, its rollback removes the change too. Writers of the
// permission records (grants, policies, memberships) call it the same way
// with their JSON.
//
// All changes of one transaction share one Time, the store's clock when
// the first was recorded, and one Actor, except in a batch, where each
// write's changes carry the actor of its own context (see setActor).
//
// Rows are buffered and inserted changeChunk at a time with one multi-row
// statement, which costs a fraction of a statement per row; write inserts
// what is left (flushChanges) before it commits. Seq numbers are therefore
// assigned in the order of the insertChange (and logResource) calls, within
// the transaction.
func (w *wtx) insertChange(op, kind, namespace, key string, record []byte) error {
	if w.noChangeLog {
		return nil
	}
	w.startChanges()
	e := appendEntryHead(make([]byte, 0, entryHeadSize(namespace, key)+len(record)), op, kind, namespace, key)
	return w.addEntry(append(e, record...))
}

// addEntry buffers one entry column, flushing a full chunk.
func (w *wtx) addEntry(e []byte) error {
	w.pending = append(w.pending, e)
	if len(w.pending) == changeChunk {
		return w.flushChanges()
	}
	return nil
}

// startChanges stamps the transaction's change time and actor on its first
// change and returns the time.
func (w *wtx) startChanges() int64 {
	if w.changeTime == 0 {
		w.changeTime = time.Now().UnixNano()
		if !w.actorSet {
			w.changeActor = nullIfEmpty(store.ActorFrom(w.ctx))
		}
	}
	return w.changeTime
}

// setActor makes actor the actor of the changes recorded from now on, for
// the writes of a batch, each of which has its own context. One INSERT
// binds one actor, so the rows buffered for the previous actor are
// inserted first; this happens only in a batch whose writes name different
// actors.
func (w *wtx) setActor(actor string) error {
	a := nullIfEmpty(actor)
	if w.actorSet && a == w.changeActor {
		return nil
	}
	if err := w.flushChanges(); err != nil {
		return err
	}
	w.changeActor, w.actorSet = a, true
	return nil
}

// changeChunk is how many change rows one INSERT writes.
const changeChunk = 64

// appendEntryHead appends the head of a change row's entry column:
// version, op, kind, namespace and key. The record follows it to the end.
func appendEntryHead(b []byte, op, kind, namespace, key string) []byte {
	b = append(b, codecVersion, byte(codeOf(opCodes, op)), byte(codeOf(kindCodes, kind)))
	b = appendString(b, namespace)
	return appendString(b, key)
}

func entryHeadSize(namespace, key string) int {
	return 3 + len(namespace) + len(key) + 2*binary.MaxVarintLen32
}

// decodeEntry reads an entry column into c and returns the record's bytes,
// a subslice of b.
func decodeEntry(b []byte, c *store.Change) ([]byte, error) {
	if len(b) < 3 || b[0] != codecVersion {
		return nil, errCorrupt
	}
	op, kind := int(b[1]), int(b[2])
	if op <= 0 || op >= len(opCodes) || kind <= 0 || kind >= len(kindCodes) {
		return nil, errCorrupt
	}
	c.Op, c.Kind = opCodes[op], kindCodes[kind]
	d := decoder{b: b[3:], s: string(b)}
	c.Namespace = d.string()
	c.Key = d.string()
	if d.err != nil {
		return nil, d.err
	}
	return d.b, nil
}

// flushChanges inserts the buffered change rows. A full chunk goes through
// a statement prepared once per transaction; a shorter rest through one
// built for its size. The time and the actor are bound once, as ?1 and ?2,
// and shared by every row.
func (w *wtx) flushChanges() error {
	n := len(w.pending)
	if n == 0 {
		return nil
	}
	args := append(w.changeArgs[:0], w.changeTime, w.changeActor)
	for _, e := range w.pending {
		args = append(args, e)
	}
	w.changeArgs = args
	var err error
	if n == changeChunk {
		if w.changeStmt == nil {
			if w.changeStmt, err = w.prepare(insertChangesSQL(changeChunk)); err != nil {
				return err
			}
		}
		_, err = w.changeStmt.ExecContext(w.bg, args...)
	} else {
		_, err = w.exec(insertChangesSQL(n), args...)
	}
	clear(w.pending)
	w.pending = w.pending[:0]
	return err
}

// insertChangesSQL is the INSERT of n change rows: "(?1, ?2, ?3), (?1, ?2,
// ?4), ...".
func insertChangesSQL(n int) string {
	var b strings.Builder
	b.Grow(len(sqlInsertChangePrefix) + n*16)
	b.WriteString(sqlInsertChangePrefix)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?1, ?2, ?")
		b.WriteString(strconv.Itoa(i + 3))
		b.WriteString(")")
	}
	return b.String()
}

// jsonRecord is the stored form of a change record of any kind but
// resources.
func jsonRecord(v any) ([]byte, error) { return json.Marshal(v) }

// appendResourceRecord appends the stored form of a resource in the change
// log:
// the columns of its row (namespace and code aside, which the change row
// holds) in the codec's format. Two common cases are folded: an ID equal to
// the code is stored as a flag, and times are stored as the difference
// from base, the change's own time, which is a few bytes for a record
// stamped by the write that logs it. It is about a third of its JSON.
func appendResourceRecord(b []byte, r *store.Resource, base int64) []byte {
	b = append(b, codecVersion)
	if r.ID == r.Code && r.ID != "" {
		b = append(b, 1)
	} else {
		b = append(b, 0)
		b = appendString(b, r.ID)
	}
	b = appendString(b, r.Type)
	b = appendString(b, r.Name.DefaultValue)
	b = appendI18nBlob(b, r.Name.I18nValue)
	b = appendString(b, r.Description)
	b = appendBlob(b, encodeActions(r.Actions))
	b = appendString(b, r.APIIdentifier)
	if r.LinkedToTenant {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendTime(b, r.CreatedAt, base)
	return appendTime(b, r.UpdatedAt, base)
}

// appendBlob appends an encoded column (nil for NULL) with a length prefix;
// NULL and empty are both length 0, which the column encodings never
// produce for a value.
func appendBlob(b []byte, col any) []byte {
	v, _ := col.([]byte)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// appendTime appends 0 for the zero time and 1 followed by the unix
// nanoseconds minus base otherwise.
func appendTime(b []byte, t time.Time, base int64) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	return binary.AppendVarint(b, t.UnixNano()-base)
}

func decodeResourceRecord(ns, code string, base int64, b []byte) (store.Resource, error) {
	r := store.Resource{Namespace: ns, Code: code}
	if len(b) == 0 || b[0] != codecVersion {
		return r, errCorrupt
	}
	d := decoder{b: b[1:], s: string(b)}
	if d.byte() == 1 {
		r.ID = code
	} else {
		r.ID = d.string()
	}
	r.Type = d.string()
	r.Name.DefaultValue = d.string()
	i18n := d.string()
	r.Description = d.string()
	actions := d.string()
	r.APIIdentifier = d.string()
	linked := d.byte()
	r.CreatedAt = d.time(base)
	r.UpdatedAt = d.time(base)
	if d.err != nil {
		return r, d.err
	}
	r.LinkedToTenant = linked == 1
	var err error
	if i18n != "" {
		if r.Name.I18nValue, err = decodeI18n([]byte(i18n)); err != nil {
			return r, err
		}
	}
	if actions != "" {
		if r.Actions, err = decodeActions([]byte(actions)); err != nil {
			return r, err
		}
	}
	return r, nil
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.err = errCorrupt
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) time(base int64) time.Time {
	if d.byte() == 0 || d.err != nil {
		return time.Time{}
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return time.Time{}
	}
	d.b = d.b[n:]
	return time.Unix(0, v+base).UTC()
}

// Changes reads up to limit changes after since in one read transaction,
// so that the pruning check and the rows come from one snapshot. The rows
// are a range of the rowid, so the cost is that of the page read, whatever
// the size of the log.
func (s *Store) Changes(ctx context.Context, since int64, limit int) ([]store.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := store.CheckChangesArgs(since, limit); err != nil {
		return nil, err
	}
	if b := s.batchOf(ctx); b != nil {
		// The batch holds its change rows back until its commit; the log
		// read inside it shows them.
		if err := b.flushChanges(ctx); err != nil {
			return nil, err
		}
	}
	var out []store.Change
	err := s.read(ctx, func(tx rtx) error {
		var oldest int64
		err := tx.QueryRowContext(ctx, sqlOldestChange).Scan(&oldest)
		if errors.Is(err, sql.ErrNoRows) {
			out = []store.Change{}
			return nil
		}
		if err != nil {
			return err
		}
		// Seq has no gaps (see insertChange), so a kept log that starts
		// after since+1 has lost the changes in between.
		if since < oldest-1 {
			return store.ChangesPruned(since, oldest)
		}
		rows, err := tx.QueryContext(ctx, sqlChanges, since, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = make([]store.Change, 0, min(limit, 256))
		var (
			c     store.Change
			t     int64
			actor sql.NullString
			entry sql.RawBytes
		)
		for rows.Next() {
			if err := rows.Scan(&c.Seq, &t, &actor, &entry); err != nil {
				return err
			}
			record, err := decodeEntry(entry, &c)
			if err != nil {
				return fmt.Errorf("sqlitestore: change %d: %w", c.Seq, err)
			}
			c.Time, c.Actor = time.Unix(0, t).UTC(), actor.String
			if c.Record, err = changeJSON(c.Kind, c.Namespace, c.Key, t, record); err != nil {
				return fmt.Errorf("sqlitestore: change %d: %w", c.Seq, err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// changeJSON builds the JSON of a stored change record.
func changeJSON(kind, ns, key string, base int64, record []byte) (json.RawMessage, error) {
	if kind != store.KindResource {
		return slices.Clone(record), nil
	}
	r, err := decodeResourceRecord(ns, key, base, record)
	if err != nil {
		return nil, err
	}
	return json.Marshal(&r)
}

// LastSeq returns the largest seq, 0 for an empty log.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if s.closed.Load() {
		return 0, store.Closed()
	}
	if b := s.batchOf(ctx); b != nil {
		var seq int64
		if err := b.flushChanges(ctx); err != nil {
			return 0, err
		}
		err := s.point(ctx, nil, sqlLastSeq, nil, func(row *sql.Row) error { return row.Scan(&seq) })
		return seq, translate(ctx, err)
	}
	// One prepared statement outside a transaction: a permission check in
	// consistent mode probes LastSeq every time, so it must cost one
	// statement, not BEGIN, a prepare, the select and a ROLLBACK.
	st := s.lastSeq.Load()
	if st == nil {
		prepared, err := s.db.PrepareContext(ctx, sqlLastSeq)
		if err != nil {
			return 0, translate(ctx, err)
		}
		if s.lastSeq.CompareAndSwap(nil, prepared) {
			st = prepared
		} else {
			prepared.Close()
			st = s.lastSeq.Load()
		}
	}
	var seq int64
	if err := st.QueryRowContext(ctx).Scan(&seq); err != nil {
		return 0, translate(ctx, err)
	}
	return seq, nil
}

// PruneChanges deletes the changes with seq < before, keeping the newest.
func (s *Store) PruneChanges(ctx context.Context, before int64) (err error) {
	defer s.failBatch(ctx, &err)
	if before < 0 {
		return store.Invalid("before", "before must not be negative")
	}
	return s.write(ctx, func(w *wtx) error {
		_, err := w.exec(sqlPruneBefore, before)
		return err
	})
}

// PruneChangesOlderThan deletes the oldest changes whose time is before
// cutoff, up to the first that is not, keeping the newest.
func (s *Store) PruneChangesOlderThan(ctx context.Context, cutoff time.Time) (err error) {
	defer s.failBatch(ctx, &err)
	return s.write(ctx, func(w *wtx) error {
		var first int64
		err := w.queryRow(sqlFirstKeptAt, cutoff.UnixNano()).Scan(&first)
		if errors.Is(err, sql.ErrNoRows) {
			// Every change is older: keep only the newest.
			first = 1 << 62
		} else if err != nil {
			return err
		}
		_, err = w.exec(sqlPruneBefore, first)
		return err
	})
}

// notifier wakes same-process watchers after a commit that recorded
// changes; watchers in other processes poll.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// ChangesNotify returns a channel closed when a write of this Store that
// records a change next commits. Writes from other processes do not close
// it; a watcher polls for those.
func (s *Store) ChangesNotify() <-chan struct{} {
	s.notify.mu.Lock()
	defer s.notify.mu.Unlock()
	if s.notify.ch == nil {
		s.notify.ch = make(chan struct{})
	}
	return s.notify.ch
}

func (n *notifier) wake() {
	n.mu.Lock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
	n.mu.Unlock()
}

var _ store.ChangeNotifier = (*Store)(nil)

// The helpers below turn one record into its change; each write method
// calls one of them right after (or, for a delete, right before) the
// statement that changes the row.

func (w *wtx) logNamespace(op string, ns store.Namespace) error {
	ns.CreatedAt, ns.UpdatedAt = normTime(ns.CreatedAt), normTime(ns.UpdatedAt)
	b, err := jsonRecord(&ns)
	if err != nil {
		return err
	}
	return w.insertChange(op, store.KindNamespace, ns.Code, ns.Code, b)
}

// logResource writes the resource's record straight into its entry, with
// no intermediate buffer: it is called for every row of every batch.
func (w *wtx) logResource(op string, r *store.Resource) error {
	if w.noChangeLog {
		return nil
	}
	base := w.startChanges()
	size := entryHeadSize(r.Namespace, r.Code) + 64 + len(r.ID) + len(r.Type) + len(r.Name.DefaultValue) +
		len(r.Description) + len(r.APIIdentifier) + 16*len(r.Name.I18nValue) + 32*len(r.Actions)
	e := appendEntryHead(make([]byte, 0, size), op, store.KindResource, r.Namespace, r.Code)
	return w.addEntry(appendResourceRecord(e, r, base))
}

// appendI18nBlob appends, length-prefixed, what encodeI18n makes of m,
// without its allocations: the keys of a name with up to 8 translations
// are sorted on the stack.
func appendI18nBlob(b []byte, m map[string]string) []byte {
	if len(m) == 0 {
		return append(b, 0)
	}
	var stack [8]string
	keys := stack[:0]
	size := 1 + uvarintLen(len(m))
	for k, v := range m {
		keys = append(keys, k)
		size += uvarintLen(len(k)) + len(k) + uvarintLen(len(v)) + len(v)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(size))
	b = append(b, codecVersion)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, m[k])
	}
	return b
}

func uvarintLen(n int) int {
	var buf [binary.MaxVarintLen64]byte
	return binary.PutUvarint(buf[:], uint64(n))
}

func (w *wtx) logData(op string, d store.DataResource) error {
	d.CreatedAt, d.UpdatedAt = normTime(d.CreatedAt), normTime(d.UpdatedAt)
	b, err := jsonRecord(&d)
	if err != nil {
		return err
	}
	return w.insertChange(op, store.KindDataResource, d.NamespaceCode, d.ResourceCode, b)
}

// logNamespaceDelete records the deletion of namespace code, which is
// about to be deleted; a missing namespace records nothing (the caller
// reports it).
func (w *wtx) logNamespaceDelete(code string) error {
	ns, err := scanNamespace(w.queryRow(sqlGetNamespace, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return w.logNamespace(store.OpDelete, ns)
}

// logResourceDelete records the deletion of a resource that is about to be
// deleted; a missing one records nothing (the caller reports it, and the
// rollback then removes the changes recorded so far).
func (w *wtx) logResourceDelete(namespace, code string) error {
	r, err := scanResource(w.queryRow(sqlGetResource, namespace, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return w.logResource(store.OpDelete, &r)
}

// logDataDelete is logResourceDelete for a data resource.
func (w *wtx) logDataDelete(namespace, code string) error {
	d, err := loadData(w.bg, w.conn, sqlGetData, namespace, code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return w.logData(store.OpDelete, d)
}

// changeLogVersion is the schema version that added resreg_changes.
const changeLogVersion = 3
