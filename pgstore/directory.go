package pgstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

const (
	sqlDirectoryCols   = `subject_type, subject_id, namespace, name, attributes, created_at, updated_at`
	sqlGetDirectory    = `SELECT ` + sqlDirectoryCols + ` FROM {s}resreg_directory WHERE subject_type = $1 AND subject_id = $2`
	sqlInsertDirectory = `INSERT INTO {s}resreg_directory (` + sqlDirectoryCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT DO NOTHING`
	// sqlUpdateDirectory returns the kept CreatedAt, which the change
	// records.
	sqlUpdateDirectory = `UPDATE {s}resreg_directory SET namespace = $3, name = $4, attributes = $5, updated_at = $6
		WHERE subject_type = $1 AND subject_id = $2 RETURNING created_at`
	// sqlLockEntries locks the existing entries of a deletion in key order
	// (so two deletions never wait on each other in a cycle) and names
	// them, so the missing ones are known before anything is written.
	sqlLockEntries = `SELECT subject_type, subject_id FROM {s}resreg_directory
		WHERE (subject_type, subject_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
		ORDER BY subject_type, subject_id FOR UPDATE`
	// The namespaces and policies whose advisory locks (see lockKeys) a
	// deletion takes before removing the subjects' grants and targets.
	sqlSubjectGrantNamespaces = `SELECT DISTINCT namespace FROM {s}resreg_grants
		WHERE (subject_type, subject_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`
	sqlSubjectTargetPolicies = `SELECT DISTINCT policy_id FROM {s}resreg_policy_targets
		WHERE (subject_type, subject_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`
	// sqlLockChangeCounter takes the change log's counter row before the
	// cascades run, see DeleteDirectoryEntries.
	sqlLockChangeCounter = `SELECT value FROM {s}resreg_counters WHERE name = 'changes' FOR UPDATE`
	sqlDeleteDirectory   = `DELETE FROM {s}resreg_directory WHERE subject_type = $1 AND subject_id = $2 RETURNING ` + sqlDirectoryCols
	// The cascades of a deleted entry, each a search on an index that
	// starts with the subject (the memberships' two keys, and the subject
	// indexes of migration 3).
	sqlDeleteSubjectParents = `DELETE FROM {s}resreg_memberships WHERE member_type = $1 AND member_id = $2 RETURNING ` + sqlMembershipCols
	sqlDeleteSubjectMembers = `DELETE FROM {s}resreg_memberships WHERE parent_type = $1 AND parent_id = $2 RETURNING ` + sqlMembershipCols
	sqlDeleteSubjectGrants  = `DELETE FROM {s}resreg_grants WHERE subject_type = $1 AND subject_id = $2 RETURNING ` + sqlGrantCols
	sqlDeleteSubjectTargets = `DELETE FROM {s}resreg_policy_targets WHERE subject_type = $1 AND subject_id = $2 RETURNING ` + sqlTargetCols
)

// directoryQueries holds the statements of the directory.
type directoryQueries struct {
	get, insert, update, lockEntries, grantNamespaces, targetPolicies, lockCounter string
	deleteEntry, deleteParents, deleteMembers, deleteGrants, deleteTargets         string
	ofType, ofNamespace                                                            keyset
}

func newDirectoryQueries(q func(string) string) directoryQueries {
	return directoryQueries{
		get: q(sqlGetDirectory), insert: q(sqlInsertDirectory), update: q(sqlUpdateDirectory),
		lockEntries: q(sqlLockEntries), lockCounter: q(sqlLockChangeCounter), grantNamespaces: q(sqlSubjectGrantNamespaces), targetPolicies: q(sqlSubjectTargetPolicies),
		deleteEntry: q(sqlDeleteDirectory), deleteParents: q(sqlDeleteSubjectParents), deleteMembers: q(sqlDeleteSubjectMembers),
		deleteGrants: q(sqlDeleteSubjectGrants), deleteTargets: q(sqlDeleteSubjectTargets),
		ofType:      newKeyset(q, "resreg_directory", sqlDirectoryCols, []string{"subject_type"}, []string{"subject_id"}),
		ofNamespace: newKeyset(q, "resreg_directory", sqlDirectoryCols, []string{"subject_type", "namespace"}, []string{"subject_id"}),
	}
}

func scanDirectoryEntry(row pgx.Row) (store.DirectoryEntry, error) {
	var e store.DirectoryEntry
	var attrs []byte
	var created, updated *int64
	if err := row.Scan(&e.Subject.Type, &e.Subject.ID, &e.Namespace, &e.Name, &attrs, &created, &updated); err != nil {
		return store.DirectoryEntry{}, err
	}
	if len(attrs) > 0 {
		e.Attributes = json.RawMessage(attrs)
	}
	e.CreatedAt, e.UpdatedAt = decodeTime(created), decodeTime(updated)
	return e, nil
}

// attributesColumn stores no attributes as NULL.
func attributesColumn(a json.RawMessage) []byte {
	if len(a) == 0 {
		return nil
	}
	return a
}

func (w *wtx) logDirectory(op string, e store.DirectoryEntry) error {
	e.CreatedAt, e.UpdatedAt = normTime(e.CreatedAt), normTime(e.UpdatedAt)
	return w.logChange(op, store.KindDirectoryEntry, e.Namespace, e.Subject.String(), &e)
}

// PutDirectoryEntry inserts e with ON CONFLICT DO NOTHING, which waits for
// a concurrent insert of the same subject; when the row exists and replace
// is set it updates it. An update that finds no row lost a race with a
// deletion, so the insert is tried again.
func (s *Store) PutDirectoryEntry(ctx context.Context, e store.DirectoryEntry, replace bool) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckTimes("", e.CreatedAt, e.UpdatedAt); err != nil {
		return err
	}
	e = e.Clone()
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if e.Namespace != "" {
			if err := s.lockNamespace(ctx, tx, e.Namespace, true); err != nil {
				return err
			}
		}
		attrs := attributesColumn(e.Attributes)
		for {
			tag, err := tx.Exec(ctx, s.q.dir.insert, e.Subject.Type, e.Subject.ID, e.Namespace, e.Name, attrs,
				encodeTime(e.CreatedAt), encodeTime(e.UpdatedAt))
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				return tx.logDirectory(store.OpCreate, e)
			}
			if !replace {
				return store.Conflict(e.Subject.String()+" already exists", e.Subject.String())
			}
			var created *int64
			err = tx.QueryRow(ctx, s.q.dir.update, e.Subject.Type, e.Subject.ID, e.Namespace, e.Name, attrs, encodeTime(e.UpdatedAt)).Scan(&created)
			if errors.Is(err, pgx.ErrNoRows) {
				if err := ctx.Err(); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			e.CreatedAt = decodeTime(created)
			return tx.logDirectory(store.OpUpdate, e)
		}
	})
}

// GetDirectoryEntry is a point select on the primary key.
func (s *Store) GetDirectoryEntry(ctx context.Context, subject store.Subject) (store.DirectoryEntry, error) {
	var e store.DirectoryEntry
	err := s.read(ctx, func(ctx context.Context) error {
		var err error
		e, err = scanDirectoryEntry(s.db(ctx).QueryRow(ctx, s.q.dir.get, subject.Type, subject.ID))
		if errors.Is(err, pgx.ErrNoRows) {
			return store.NotFound(subject.String()+" does not exist", subject.String())
		}
		return err
	})
	if err != nil {
		return store.DirectoryEntry{}, err
	}
	return e, nil
}

// DeleteDirectoryEntries runs in two round trips. The first locks the
// entries (reporting the missing ones before anything is written), takes
// the membership lock, as every write of the graph does, and reads which
// namespaces and policies hold the subjects' grants and targets. The second
// takes the advisory locks of those namespaces and policies, which grant
// and target writes take too, then the change log's counter row, and
// deletes each entry and its cascades.
//
// The counter comes before the cascades, not at the commit as in other
// writes, because a grant or target may be added in a namespace or policy
// the first round trip did not see. Such a write holds no lock the deletion
// waits for; without the counter it could commit while the cascades run,
// unseen by them yet numbered before the deletion, so that the log would
// show a record created before the deletion and never removed by it. With
// the counter held, a write that committed first is visible to the
// cascades, and one that commits later is numbered after the deletion and
// survives it, as if it were added after. The counter is still the last
// lock taken, so the order of locks stays the same in every write.
func (s *Store) DeleteDirectoryEntries(ctx context.Context, subjects []store.Subject) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(subjects) == 0 {
		return nil
	}
	var unique []store.Subject
	seen := make(map[store.Subject]bool, len(subjects))
	for _, sub := range subjects {
		if !seen[sub] {
			seen[sub] = true
			unique = append(unique, sub)
		}
	}
	types, ids := make([]string, len(unique)), make([]string, len(unique))
	for i, sub := range unique {
		types[i], ids[i] = sub.Type, sub.ID
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		namespaces, policies, err := s.lockEntries(ctx, tx, unique, types, ids)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(s.q.perm.lockKeys, "resreg grants "+s.cfg.schema, namespaces)
		b.Queue(s.q.perm.lockKeys, "resreg targets "+s.cfg.schema, policies)
		b.Queue(s.q.dir.lockCounter)
		for _, sub := range unique {
			b.Queue(s.q.dir.deleteEntry, sub.Type, sub.ID)
			b.Queue(s.q.dir.deleteParents, sub.Type, sub.ID)
			b.Queue(s.q.dir.deleteMembers, sub.Type, sub.ID)
			b.Queue(s.q.dir.deleteGrants, sub.Type, sub.ID)
			b.Queue(s.q.dir.deleteTargets, sub.Type, sub.ID)
		}
		br := tx.SendBatch(ctx, b)
		defer br.Close()
		for range 3 {
			var n int64
			if err := br.QueryRow().Scan(&n); err != nil {
				return err
			}
		}
		for range unique {
			if err := tx.logDeletedEntry(br); err != nil {
				return err
			}
		}
		return br.Close()
	})
}

// lockEntries sends the first round trip of DeleteDirectoryEntries and
// returns the namespaces and policies to lock, sorted.
func (s *Store) lockEntries(ctx context.Context, tx *wtx, unique []store.Subject, types, ids []string) (namespaces, policies []string, err error) {
	b := &pgx.Batch{}
	b.Queue(s.q.dir.lockEntries, types, ids)
	b.Queue(s.q.changes.lockMembers)
	b.Queue(s.q.dir.grantNamespaces, types, ids)
	b.Queue(s.q.dir.targetPolicies, types, ids)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, nil, err
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Subject, error) {
		var sub store.Subject
		err := r.Scan(&sub.Type, &sub.ID)
		return sub, err
	})
	if err != nil {
		return nil, nil, err
	}
	var locked int64
	if err := br.QueryRow().Scan(&locked); err != nil {
		return nil, nil, err
	}
	if rows, err = br.Query(); err != nil {
		return nil, nil, err
	}
	if namespaces, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return nil, nil, err
	}
	if rows, err = br.Query(); err != nil {
		return nil, nil, err
	}
	if policies, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return nil, nil, err
	}
	if err := br.Close(); err != nil {
		return nil, nil, err
	}
	if len(found) < len(unique) {
		var missing []string
		for _, sub := range unique {
			if !slices.Contains(found, sub) {
				missing = append(missing, sub.String())
			}
		}
		return nil, nil, store.NotFound("directory entries do not exist", missing...)
	}
	slices.Sort(namespaces)
	slices.Sort(policies)
	return namespaces, policies, nil
}

// logDeletedEntry reads the five results of one subject's deletion from br
// and records them as sqlitestore does: the entry, the memberships above
// it (by parent), those below it (by member), its grants (by resource,
// action, effect, then namespace) and its policy targets (by policy).
func (w *wtx) logDeletedEntry(br pgx.BatchResults) error {
	e, err := scanDirectoryEntry(br.QueryRow())
	if err != nil {
		return err
	}
	if err := w.logDirectory(store.OpDelete, e); err != nil {
		return err
	}
	for _, by := range []func(m store.Membership) store.Subject{
		func(m store.Membership) store.Subject { return m.Parent },
		func(m store.Membership) store.Subject { return m.Member },
	} {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		removed, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Membership, error) { return scanMembership(r) })
		if err != nil {
			return err
		}
		slices.SortFunc(removed, func(a, b store.Membership) int {
			x, y := by(a), by(b)
			return cmp.Or(cmp.Compare(x.Type, y.Type), cmp.Compare(x.ID, y.ID))
		})
		for _, m := range removed {
			if err := w.logMembership(store.OpDelete, m); err != nil {
				return err
			}
		}
	}
	grants, err := collectGrants(br.Query())
	if err != nil {
		return err
	}
	slices.SortFunc(grants, func(a, b store.Grant) int {
		return cmp.Or(cmp.Compare(a.ResourceCode, b.ResourceCode), cmp.Compare(a.Action, b.Action),
			cmp.Compare(a.Effect, b.Effect), cmp.Compare(a.Namespace, b.Namespace))
	})
	if err := w.logGrantsDeleted(grants); err != nil {
		return err
	}
	targets, err := collectTargets(br.Query())
	if err != nil {
		return err
	}
	sortTargets(targets)
	for _, t := range targets {
		if err := w.logTarget(store.OpDelete, t); err != nil {
			return err
		}
	}
	return nil
}

// ListDirectoryEntries pages through the primary key, or the namespace
// index when a namespace is given.
func (s *Store) ListDirectoryEntries(ctx context.Context, filter store.DirectoryFilter, opts store.ListOptions) (store.Page[store.DirectoryEntry], error) {
	if err := ctx.Err(); err != nil {
		return store.Page[store.DirectoryEntry]{}, err
	}
	if err := store.CheckDirectoryFilter(filter); err != nil {
		return store.Page[store.DirectoryEntry]{}, err
	}
	scope := store.DirectoryScope(filter)
	cur, err := opts.CursorFor(store.KindDirectory, scope)
	if err != nil {
		return store.Page[store.DirectoryEntry]{}, err
	}
	k, args := &s.q.dir.ofType, []any{filter.Type}
	if filter.Namespace != "" {
		k, args = &s.q.dir.ofNamespace, []any{filter.Type, filter.Namespace}
	}
	var page store.Page[store.DirectoryEntry]
	err = s.read(ctx, func(ctx context.Context) error {
		page, err = listKeyset(ctx, s, k, args, cur, store.KindDirectory, scope, opts.IncludeTotal, scanDirectoryEntry,
			func(e *store.DirectoryEntry) []string { return []string{e.Subject.ID} })
		return err
	})
	if err != nil {
		return store.Page[store.DirectoryEntry]{}, err
	}
	return page, nil
}
