package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/resreg/resreg/store"
)

// directoryVersion is the schema version that adds the directory.
const directoryVersion = 5

const (
	sqlDirectoryCols   = `subject_type, subject_id, namespace, name, attributes, created_at, updated_at`
	sqlGetDirectory    = `SELECT ` + sqlDirectoryCols + ` FROM resreg_directory WHERE subject_type = ? AND subject_id = ?`
	sqlInsertDirectory = `INSERT INTO resreg_directory (` + sqlDirectoryCols + `) VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlUpdateDirectory = `UPDATE resreg_directory SET namespace = ?, name = ?, attributes = ?, updated_at = ?
		WHERE subject_type = ? AND subject_id = ?`
	sqlDeleteDirectory = `DELETE FROM resreg_directory WHERE subject_type = ? AND subject_id = ? RETURNING ` + sqlDirectoryCols
	// The cascades of a deleted entry, each a prefix search on an index
	// that starts with the subject (see migration 5).
	sqlDeleteSubjectParents = `DELETE FROM resreg_memberships WHERE member_type = ? AND member_id = ? RETURNING ` + sqlMembershipCols
	sqlDeleteSubjectMembers = `DELETE FROM resreg_memberships WHERE parent_type = ? AND parent_id = ? RETURNING ` + sqlMembershipCols
	sqlDeleteSubjectGrants  = `DELETE FROM resreg_grants INDEXED BY resreg_grants_subject WHERE subject_type = ? AND subject_id = ? RETURNING ` + sqlGrantCols
	sqlDeleteSubjectTargets = `DELETE FROM resreg_policy_targets INDEXED BY resreg_policy_targets_subject WHERE subject_type = ? AND subject_id = ? RETURNING ` + sqlTargetCols
)

var (
	directoryOfType = newKeyset("resreg_directory", sqlDirectoryCols, []string{"subject_type"}, []string{"subject_id"})
	directoryOfNS   = newKeyset("resreg_directory INDEXED BY resreg_directory_namespace", sqlDirectoryCols,
		[]string{"subject_type", "namespace"}, []string{"subject_id"})
)

func scanDirectoryEntry(sc rowScanner) (store.DirectoryEntry, error) {
	var e store.DirectoryEntry
	var attrs []byte
	var created, updated any
	if err := sc.Scan(&e.Subject.Type, &e.Subject.ID, &e.Namespace, &e.Name, &attrs, &created, &updated); err != nil {
		return store.DirectoryEntry{}, err
	}
	if len(attrs) > 0 {
		e.Attributes = json.RawMessage(attrs)
	}
	e.CreatedAt, e.UpdatedAt = timeOf(created), timeOf(updated)
	return e, nil
}

func attributesColumn(a json.RawMessage) any {
	if len(a) == 0 {
		return nil
	}
	return []byte(a)
}

func (w *wtx) logDirectory(op string, e store.DirectoryEntry) error {
	e.CreatedAt, e.UpdatedAt = normTime(e.CreatedAt), normTime(e.UpdatedAt)
	return w.logPermission(op, store.KindDirectoryEntry, e.Namespace, e.Subject.String(), &e)
}

// PutDirectoryEntry inserts e, or updates the row of its subject when
// replace is set, inside one write.
func (s *Store) PutDirectoryEntry(ctx context.Context, e store.DirectoryEntry, replace bool) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckTimes("", e.CreatedAt, e.UpdatedAt); err != nil {
		return err
	}
	e = e.Clone()
	return s.write(ctx, func(w *wtx) error {
		if e.Namespace != "" {
			if err := w.requireNamespace(e.Namespace); err != nil {
				return err
			}
		}
		old, err := scanDirectoryEntry(w.queryRow(sqlGetDirectory, e.Subject.Type, e.Subject.ID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := w.exec(sqlInsertDirectory, e.Subject.Type, e.Subject.ID, e.Namespace, e.Name, attributesColumn(e.Attributes),
				encodeTime(e.CreatedAt), encodeTime(e.UpdatedAt)); err != nil {
				return err
			}
			return w.logDirectory(store.OpCreate, e)
		case err != nil:
			return err
		case !replace:
			return store.Conflict(e.Subject.String()+" already exists", e.Subject.String())
		}
		if _, err := w.exec(sqlUpdateDirectory, e.Namespace, e.Name, attributesColumn(e.Attributes), encodeTime(e.UpdatedAt),
			e.Subject.Type, e.Subject.ID); err != nil {
			return err
		}
		e.CreatedAt = old.CreatedAt
		return w.logDirectory(store.OpUpdate, e)
	})
}

// GetDirectoryEntry is a point select on the primary key, with a statement
// prepared at Open: it runs on every Authing check that names a user.
func (s *Store) GetDirectoryEntry(ctx context.Context, subject store.Subject) (store.DirectoryEntry, error) {
	if err := ctx.Err(); err != nil {
		return store.DirectoryEntry{}, err
	}
	if s.closed.Load() {
		return store.DirectoryEntry{}, store.Closed()
	}
	// Without the statement (a schema older than the directory, tests
	// only), the query runs on the pool and fails.
	var e store.DirectoryEntry
	err := s.point(ctx, s.getDirectory, sqlGetDirectory, []any{subject.Type, subject.ID}, func(row *sql.Row) (err error) {
		e, err = scanDirectoryEntry(row)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return store.DirectoryEntry{}, store.NotFound(subject.String()+" does not exist", subject.String())
	}
	if err != nil {
		return store.DirectoryEntry{}, translate(ctx, err)
	}
	return e, nil
}

// DeleteDirectoryEntries checks every subject first, then deletes each
// entry and its cascades, logging as it goes.
func (s *Store) DeleteDirectoryEntries(ctx context.Context, subjects []store.Subject) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(subjects) == 0 {
		return nil
	}
	return s.write(ctx, func(w *wtx) error {
		var missing []string
		seen := make(map[store.Subject]bool, len(subjects))
		for _, sub := range subjects {
			if seen[sub] {
				continue
			}
			seen[sub] = true
			ok, err := w.exists(`SELECT 1 FROM resreg_directory WHERE subject_type = ? AND subject_id = ?`, sub.Type, sub.ID)
			if err != nil {
				return err
			}
			if !ok {
				missing = append(missing, sub.String())
			}
		}
		if len(missing) > 0 {
			return store.NotFound("directory entries do not exist", missing...)
		}
		done := make(map[store.Subject]bool, len(subjects))
		for _, sub := range subjects {
			if err := w.canceled(); err != nil {
				return err
			}
			if done[sub] {
				continue
			}
			done[sub] = true
			if err := w.deleteEntry(sub); err != nil {
				return err
			}
		}
		return nil
	})
}

// deleteEntry deletes the entry of sub and everything naming sub.
func (w *wtx) deleteEntry(sub store.Subject) error {
	e, err := scanDirectoryEntry(w.queryRow(sqlDeleteDirectory, sub.Type, sub.ID))
	if err != nil {
		return err
	}
	if err := w.logDirectory(store.OpDelete, e); err != nil {
		return err
	}
	for _, q := range []string{sqlDeleteSubjectParents, sqlDeleteSubjectMembers} {
		removed, err := collectMemberships(w.query(q, sub.Type, sub.ID))
		if err != nil {
			return err
		}
		for _, m := range removed {
			if err := w.logMembership(store.OpDelete, m); err != nil {
				return err
			}
		}
	}
	grants, err := collectGrants(w.query(sqlDeleteSubjectGrants, sub.Type, sub.ID))
	if err != nil {
		return err
	}
	if err := w.logGrantsDeleted(grants); err != nil {
		return err
	}
	targets, err := collectTargets(w.query(sqlDeleteSubjectTargets, sub.Type, sub.ID))
	if err != nil {
		return err
	}
	for _, t := range targets {
		if err := w.logTarget(store.OpDelete, t); err != nil {
			return err
		}
	}
	return nil
}

func collectMemberships(rows *sql.Rows, err error) ([]store.Membership, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Membership
	for rows.Next() {
		m, err := scanMembership(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, rows.Close()
}

// ListDirectoryEntries pages through the primary key, or the namespace
// index when a namespace is given.
func (s *Store) ListDirectoryEntries(ctx context.Context, filter store.DirectoryFilter, opts store.ListOptions) (store.Page[store.DirectoryEntry], error) {
	var page store.Page[store.DirectoryEntry]
	if err := ctx.Err(); err != nil {
		return page, err
	}
	if err := store.CheckDirectoryFilter(filter); err != nil {
		return page, err
	}
	scope := store.DirectoryScope(filter)
	cur, err := opts.CursorFor(store.KindDirectory, scope)
	if err != nil {
		return page, err
	}
	k, args := &directoryOfType, []any{filter.Type}
	if filter.Namespace != "" {
		k, args = &directoryOfNS, []any{filter.Type, filter.Namespace}
	}
	err = s.read(ctx, func(tx rtx) error {
		page, err = listKeyset(ctx, tx, k, args, cur, store.KindDirectory, scope, opts.IncludeTotal, scanDirectoryEntry,
			func(e *store.DirectoryEntry) []string { return []string{e.Subject.ID} })
		return err
	})
	if err != nil {
		return store.Page[store.DirectoryEntry]{}, err
	}
	if page.Items == nil {
		page.Items = []store.DirectoryEntry{}
	}
	return page, nil
}
