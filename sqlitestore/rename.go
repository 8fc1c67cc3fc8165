package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/resreg/resreg/store"
)

// The statements of a rename. Every table that keys a record by namespace
// has the namespace first in its primary key or in an index, so each
// UPDATE is a search on that prefix; ?1 is the new code, ?2 the old one.
// The change log keeps the code each change was made under, so it is not
// rewritten.
const (
	sqlRenameNamespace = `UPDATE resreg_namespaces SET code = ?, name = ?, description = ?, updated_at = ? WHERE code = ?`
	sqlRenameResources = `UPDATE resreg_resources SET namespace = ?1 WHERE namespace = ?2`
	sqlRenameData      = `UPDATE resreg_data_resources SET namespace = ?1 WHERE namespace = ?2`
	sqlRenameTreeNodes = `UPDATE resreg_tree_nodes SET namespace = ?1 WHERE namespace = ?2`
	sqlRenameGrants    = `UPDATE resreg_grants SET namespace = ?1 WHERE namespace = ?2`
	sqlRenameRefs      = `UPDATE resreg_policy_refs SET namespace = ?1 WHERE namespace = ?2`
	// The directory's namespace index starts with the subject type, so
	// the entries are renamed one type at a time, the types found by
	// stepping through the primary key (a handful of searches, not a scan
	// of every user).
	sqlNextSubjectType  = `SELECT subject_type FROM resreg_directory WHERE subject_type > ? ORDER BY subject_type LIMIT 1`
	sqlRenameDirectory  = `UPDATE resreg_directory INDEXED BY resreg_directory_namespace SET namespace = ?1 WHERE subject_type = ?3 AND namespace = ?2`
	sqlPolicyStatements = `SELECT statements FROM resreg_data_policies WHERE id = ?`
	sqlRenameStatements = `UPDATE resreg_data_policies SET statements = ? WHERE id = ?`
)

// The columns that hold a subject, each with an index that starts with its
// type, so a role subject is found by a search on the type. A role of a
// namespace is ROLE "code@namespace" (store.IsRoleOf): with ?1 the
// namespace's "@code", the ID ends in ?1 after a code without "@".
var subjectColumns = []struct{ table, typ, id string }{
	{"resreg_directory", "subject_type", "subject_id"},
	{"resreg_memberships", "parent_type", "parent_id"},
	{"resreg_memberships INDEXED BY resreg_memberships_member", "member_type", "member_id"},
	{"resreg_grants INDEXED BY resreg_grants_subject", "subject_type", "subject_id"},
	{"resreg_policy_targets INDEXED BY resreg_policy_targets_subject", "subject_type", "subject_id"},
}

func roleOf(typ, id string) string {
	return typ + ` = ?2 AND length(` + id + `) > length(?1) AND substr(` + id + `, -length(?1)) = ?1 AND instr(substr(` + id + `, 1, length(` + id + `) - length(?1)), '@') = 0`
}

// sqlNamesRoleIn asks, for one subject column, whether a row names a role
// of the namespace whose "@code" is ?1 (?2 is store.SubjectRole);
// sqlRenameRoleIn gives those rows the role of the same code in the
// namespace whose "@code" is ?3.
func sqlNamesRoleIn(c int) string {
	col := subjectColumns[c]
	return `SELECT 1 FROM ` + col.table + ` WHERE ` + roleOf(col.typ, col.id) + ` LIMIT 1`
}

func sqlRenameRoleIn(c int) string {
	col := subjectColumns[c]
	table, _, _ := strings.Cut(col.table, " ")
	indexed := strings.TrimPrefix(col.table, table)
	return `UPDATE ` + table + indexed + ` SET ` + col.id + ` = substr(` + col.id + `, 1, length(` + col.id + `) - length(?1)) || ?3 WHERE ` + roleOf(col.typ, col.id)
}

// renameTables are the tables whose rows move with their namespace by one
// UPDATE each.
var renameTables = []string{sqlRenameResources, sqlRenameData, sqlRenameTreeNodes, sqlRenameGrants}

// RenameNamespace moves namespace code to newCode in one BEGIN IMMEDIATE
// write: the namespace row, then every row keyed by it, the rows naming
// its roles, the policies whose refs name it (their statements first,
// found through the refs, then the refs), then its one change.
func (s *Store) RenameNamespace(ctx context.Context, code, newCode string, fn func(*store.Namespace) error) (_ store.Namespace, err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return store.Namespace{}, err
	}
	if err := store.CheckRename(code, newCode); err != nil {
		return store.Namespace{}, err
	}
	var out store.Namespace
	err = s.write(ctx, func(w *wtx) error {
		old, err := scanNamespace(w.queryRow(sqlGetNamespace, code))
		if errors.Is(err, sql.ErrNoRows) {
			return store.NamespaceNotFound(code)
		}
		if err != nil {
			return err
		}
		if taken, err := w.exists(sqlNamespaceExists, newCode); err != nil {
			return err
		} else if taken {
			return store.NamespaceCodeTaken(newCode)
		}
		if taken, err := s.namesRolesOf(w, newCode); err != nil {
			return err
		} else if taken {
			return store.RolesOfNamespaceTaken(newCode)
		}
		ns := old
		if err := fn(&ns); err != nil {
			return fnError{err}
		}
		ns.Code, ns.CreatedAt = newCode, old.CreatedAt
		if err := store.CheckTime("updatedAt", ns.UpdatedAt); err != nil {
			return err
		}
		ns.UpdatedAt = normTime(ns.UpdatedAt)
		if _, err := w.exec(sqlRenameNamespace, newCode, ns.Name, ns.Description, encodeTime(ns.UpdatedAt), code); err != nil {
			return err
		}
		for _, q := range renameTables {
			if err := w.canceled(); err != nil {
				return err
			}
			if _, err := w.exec(q, newCode, code); err != nil {
				return err
			}
		}
		if !s.noDirectory {
			if err := w.renameDirectory(code, newCode); err != nil {
				return err
			}
		}
		for c := range subjectColumns {
			if c == 0 && s.noDirectory {
				continue
			}
			if _, err := w.exec(sqlRenameRoleIn(c), "@"+code, store.SubjectRole, "@"+newCode); err != nil {
				return err
			}
		}
		if err := w.renamePolicies(code, newCode); err != nil {
			return err
		}
		if err := w.insertRename(code, ns); err != nil {
			return err
		}
		out = ns
		return nil
	})
	if err != nil {
		return store.Namespace{}, err
	}
	return out, nil
}

// namesRolesOf reports whether any row names a role of namespace ns.
func (s *Store) namesRolesOf(w *wtx, ns string) (bool, error) {
	for c := range subjectColumns {
		if c == 0 && s.noDirectory {
			continue
		}
		if found, err := w.exists(sqlNamesRoleIn(c), "@"+ns, store.SubjectRole); err != nil || found {
			return found, err
		}
	}
	return false, nil
}

// renameDirectory moves the directory entries of namespace code, one
// subject type at a time.
func (w *wtx) renameDirectory(code, newCode string) error {
	typ := ""
	for {
		err := w.queryRow(sqlNextSubjectType, typ).Scan(&typ)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := w.exec(sqlRenameDirectory, newCode, code, typ); err != nil {
			return err
		}
	}
}

// renamePolicies rewrites the statements of the policies whose refs name
// code (found through the refs before they move), then moves the refs.
func (w *wtx) renamePolicies(code, newCode string) error {
	ids, err := w.namespacePolicies(code)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.canceled(); err != nil {
			return err
		}
		var blob []byte
		if err := w.queryRow(sqlPolicyStatements, id).Scan(&blob); err != nil {
			return err
		}
		list, err := decodeStatements(blob)
		if err != nil {
			return err
		}
		if list, changed := store.RenameStatements(list, code, newCode); changed {
			if _, err := w.exec(sqlRenameStatements, encodeStatements(list), id); err != nil {
				return err
			}
		}
	}
	_, err = w.exec(sqlRenameRefs, newCode, code)
	return err
}

// insertRename records the rename's one change: the old code as its
// namespace, the new one as its key (see store.OpRename).
func (w *wtx) insertRename(code string, ns store.Namespace) error {
	b, err := jsonRecord(&ns)
	if err != nil {
		return err
	}
	return w.insertChange(store.OpRename, store.KindNamespace, code, ns.Code, b)
}
