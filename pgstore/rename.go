package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

// The statements of a rename; $1 is the old code, $2 the new one. Every
// table that keys a record by namespace has it first in its primary key or
// in an index. The change log keeps the code each change was made under, so
// it is not rewritten.
const (
	sqlRenameNamespace = `UPDATE {s}resreg_namespaces SET code = $2, name = $3, description = $4, updated_at = $5 WHERE code = $1`
	sqlRenameResources = `UPDATE {s}resreg_resources SET namespace = $2 WHERE namespace = $1`
	sqlRenameData      = `UPDATE {s}resreg_data_resources SET namespace = $2 WHERE namespace = $1`
	sqlRenameTreeNodes = `UPDATE {s}resreg_tree_nodes SET namespace = $2 WHERE namespace = $1`
	sqlRenameGrants    = `UPDATE {s}resreg_grants SET namespace = $2 WHERE namespace = $1`
	sqlRenameRefs      = `UPDATE {s}resreg_policy_refs SET namespace = $2 WHERE namespace = $1`
	// The directory's namespace index starts with the subject type; the
	// recursive part steps through the few types present (a loose index
	// scan), so each type's entries of the namespace are one index search.
	sqlRenameDirectory = `WITH RECURSIVE types(t) AS (
			SELECT min(subject_type) FROM {s}resreg_directory
			UNION ALL
			SELECT (SELECT min(subject_type) FROM {s}resreg_directory WHERE subject_type > types.t) FROM types WHERE types.t IS NOT NULL)
		UPDATE {s}resreg_directory SET namespace = $2 WHERE subject_type IN (SELECT t FROM types WHERE t IS NOT NULL) AND namespace = $1`
	// The policies whose statements a rename rewrites are locked FOR NO
	// KEY UPDATE: that waits for a concurrent UpdateDataPolicy (which
	// locks the row FOR UPDATE) but not for the target writes that only
	// need the policy to stay (FOR KEY SHARE).
	sqlLockPolicyStatements = `SELECT id, statements FROM {s}resreg_data_policies WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`
	sqlRenameStatements     = `UPDATE {s}resreg_data_policies SET statements = $2 WHERE id = $1`
)

// The columns that hold a subject, each first in an index (the tables' keys
// and the subject indexes of migration 3), so a role subject is found by a
// search on its type. A role of a namespace is ROLE "code@namespace"
// (store.IsRoleOf): with $1 the namespace's "@code" and $2
// store.SubjectRole, the ID ends in $1 after a code without "@".
var subjectColumns = []struct{ table, typ, id string }{
	{"resreg_directory", "subject_type", "subject_id"},
	{"resreg_memberships", "parent_type", "parent_id"},
	{"resreg_memberships", "member_type", "member_id"},
	{"resreg_grants", "subject_type", "subject_id"},
	{"resreg_policy_targets", "subject_type", "subject_id"},
}

func roleOf(typ, id string) string {
	return typ + ` = $2 AND length(` + id + `) > length($1::text) AND right(` + id + `, length($1::text)) = $1 AND strpos(left(` + id + `, length(` + id + `) - length($1::text)), '@') = 0`
}

type renameQueries struct {
	namespace, directory, refs, lockStatements, statements string
	roleNamespaces, rolePolicies, lockRoles                string
	// tables move with their namespace by one UPDATE each, in this order:
	// a data resource's row before its tree nodes, a resource's row
	// before the grants on it (see RenameNamespace).
	tables []string
	// namesRole asks, for each subject column, whether a row names a
	// role of the namespace whose "@code" is $1; renameRole gives those
	// rows the role of the same code in the namespace whose "@code" is $3.
	namesRole, renameRole []string
}

func newRenameQueries(q func(string) string) renameQueries {
	r := renameQueries{
		namespace: q(sqlRenameNamespace), directory: q(sqlRenameDirectory), refs: q(sqlRenameRefs),
		lockStatements: q(sqlLockPolicyStatements), statements: q(sqlRenameStatements),
		// The namespaces and the policies whose advisory locks (see
		// lockKeys) a rename takes before giving the roles' grants and
		// targets their new subjects, and the role entries it locks.
		roleNamespaces: q(`SELECT DISTINCT namespace FROM {s}resreg_grants WHERE ` + roleOf("subject_type", "subject_id")),
		rolePolicies:   q(`SELECT DISTINCT policy_id FROM {s}resreg_policy_targets WHERE ` + roleOf("subject_type", "subject_id")),
		lockRoles:      q(`SELECT 1 FROM {s}resreg_directory WHERE ` + roleOf("subject_type", "subject_id") + ` ORDER BY subject_id FOR UPDATE`),
		tables:         []string{q(sqlRenameResources), q(sqlRenameData), q(sqlRenameTreeNodes), q(sqlRenameGrants)},
	}
	for _, c := range subjectColumns {
		r.namesRole = append(r.namesRole, q(`SELECT EXISTS (SELECT 1 FROM {s}`+c.table+` WHERE `+roleOf(c.typ, c.id)+`)`))
		r.renameRole = append(r.renameRole, q(`UPDATE {s}`+c.table+` SET `+c.id+` = left(`+c.id+`, length(`+c.id+`) - length($1::text)) || $3 WHERE `+roleOf(c.typ, c.id)))
	}
	return r
}

// RenameNamespace moves namespace code to newCode in one transaction.
//
// Locks, in the order the other writes take them: the policies that name
// code (as UpdateDataPolicy locks its policy
// before the namespaces its refs name), the "grants" advisory lock of code
// (as grant writes and directory deletions take it before anything else of
// the namespace), then the namespace row FOR UPDATE, which every write
// adding to the namespace or naming it in a ref waits for. With the row
// held, the policies naming code are read again: one whose ref was
// committed in between is locked too.
//
// The records naming the namespace's roles are renamed last, under the
// locks their own writers take (see renameRoles). Taking those after the
// namespace's row leaves a few cycles possible, each between the rename
// and a write racing it on the same role (a directory deletion of the
// role, a grant batch spanning the namespace and another): PostgreSQL
// breaks such a deadlock by aborting one transaction, and write runs it
// again.
//
// Writes that lock a record's row but not the namespace's (updates and
// deletions of resources and data resources) are serialized by the rows
// themselves: one that holds a row first commits before the rename's UPDATE
// of that row goes on, and since a record's row is renamed before what
// hangs from it (tree nodes, grants), the later statements see what it
// wrote; one that comes second no longer finds its row under code.
func (s *Store) RenameNamespace(ctx context.Context, code, newCode string, fn func(*store.Namespace) error) (_ store.Namespace, err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return store.Namespace{}, err
	}
	if err := store.CheckRename(code, newCode); err != nil {
		return store.Namespace{}, err
	}
	var out store.Namespace
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		naming, err := s.namingPolicies(ctx, tx, code)
		if err != nil {
			return err
		}
		policies, err := s.lockPolicyStatements(ctx, tx, naming)
		if err != nil {
			return err
		}
		if err := s.lockKeys(ctx, tx, "grants", []string{code}); err != nil {
			return err
		}
		old, err := scanNamespace(tx.QueryRow(ctx, s.q.ns.getForUpdate, code))
		if errors.Is(err, pgx.ErrNoRows) {
			return store.NamespaceNotFound(code)
		}
		if err != nil {
			return err
		}
		var one int
		switch err := tx.QueryRow(ctx, s.q.ns.exists, newCode).Scan(&one); {
		case err == nil:
			return store.NamespaceCodeTaken(newCode)
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if taken, err := s.namesRolesOf(ctx, tx, newCode); err != nil {
			return err
		} else if taken {
			return store.RolesOfNamespaceTaken(newCode)
		}
		if naming, err = s.namingPolicies(ctx, tx, code); err != nil {
			return err
		}
		var late []string
		for _, id := range naming {
			if _, ok := policies[id]; !ok {
				late = append(late, id)
			}
		}
		if len(late) > 0 {
			more, err := s.lockPolicyStatements(ctx, tx, late)
			if err != nil {
				return err
			}
			for id, st := range more {
				policies[id] = st
			}
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
		if err := s.renameRows(ctx, tx, code, ns, naming, policies); err != nil {
			return err
		}
		if err := s.renameRoles(ctx, tx, code, newCode); err != nil {
			return err
		}
		out = ns
		return tx.logChange(store.OpRename, store.KindNamespace, code, newCode, &ns)
	})
	if err != nil {
		return store.Namespace{}, err
	}
	return out, nil
}

// renameRows sends the rename's updates in one batch: the namespace row,
// the tables keyed by it, the directory, the rewritten statements of the
// policies naming it, and their refs.
func (s *Store) renameRows(ctx context.Context, tx *wtx, code string, ns store.Namespace, naming []string, policies map[string][]store.Statement) error {
	b := &pgx.Batch{}
	b.Queue(s.q.rename.namespace, code, ns.Code, ns.Name, ns.Description, encodeTime(ns.UpdatedAt))
	for _, q := range s.q.rename.tables {
		b.Queue(q, code, ns.Code)
	}
	b.Queue(s.q.rename.directory, code, ns.Code)
	for _, id := range naming {
		list, changed := store.RenameStatements(policies[id], code, ns.Code)
		if !changed {
			continue
		}
		text, err := encodeStatements(list)
		if err != nil {
			return err
		}
		b.Queue(s.q.rename.statements, id, text)
	}
	b.Queue(s.q.rename.refs, code, ns.Code)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	// The namespace row comes first: a code taken by a namespace created
	// since the check is the primary key's conflict.
	if _, err := br.Exec(); err != nil {
		if isUnique(err) {
			return store.NamespaceCodeTaken(ns.Code)
		}
		return err
	}
	for i := 1; i < b.Len(); i++ {
		if _, err := br.Exec(); err != nil {
			return err
		}
	}
	return br.Close()
}

// namesRolesOf reports whether any row names a role of namespace ns.
func (s *Store) namesRolesOf(ctx context.Context, tx *wtx, ns string) (bool, error) {
	b := &pgx.Batch{}
	for _, q := range s.q.rename.namesRole {
		b.Queue(q, "@"+ns, store.SubjectRole)
	}
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	found := false
	for range s.q.rename.namesRole {
		var named bool
		if err := br.QueryRow().Scan(&named); err != nil {
			return false, err
		}
		found = found || named
	}
	return found, br.Close()
}

// renameRoles gives every row naming a role of code the role of the same
// code in newCode. The records naming a role are not keyed by the
// namespace, so the namespace's row does not hold off their writers; the
// rename takes what those writers take instead, in their order: the role
// entries' rows, the membership graph's counter row, the advisory locks of
// the namespaces and policies holding the roles' grants and targets (see
// lockKeys), and then, as DeleteDirectoryEntries does before its cascades,
// the change log's counter row. A write that committed before that is seen
// by the updates; one that commits later is numbered after the rename, and
// what it wrote stays as written (as a write naming a role of a deleted
// namespace does).
func (s *Store) renameRoles(ctx context.Context, tx *wtx, code, newCode string) error {
	from, to := "@"+code, "@"+newCode
	b := &pgx.Batch{}
	b.Queue(s.q.rename.lockRoles, from, store.SubjectRole)
	b.Queue(s.q.rename.roleNamespaces, from, store.SubjectRole)
	b.Queue(s.q.rename.rolePolicies, from, store.SubjectRole)
	br := tx.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return err
	}
	var namespaces, policies []string
	for _, dst := range []*[]string{&namespaces, &policies} {
		rows, err := br.Query()
		if err != nil {
			br.Close()
			return err
		}
		if *dst, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			br.Close()
			return err
		}
	}
	if err := br.Close(); err != nil {
		return err
	}
	b = &pgx.Batch{}
	b.Queue(s.q.changes.lockMembers)
	b.Queue(s.q.perm.lockKeys, "resreg grants "+s.cfg.schema, namespaces)
	b.Queue(s.q.perm.lockKeys, "resreg targets "+s.cfg.schema, policies)
	b.Queue(s.q.dir.lockCounter)
	for _, q := range s.q.rename.renameRole {
		b.Queue(q, from, store.SubjectRole, to)
	}
	return tx.SendBatch(ctx, b).Close()
}

// namingPolicies lists, sorted, the policies whose refs name namespace ns.
func (s *Store) namingPolicies(ctx context.Context, tx *wtx, ns string) ([]string, error) {
	rows, err := tx.Query(ctx, s.q.ns.namingPolicies, ns)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// lockPolicyStatements locks the policies ids and returns their statements
// as committed when the lock was granted; a policy deleted meanwhile is
// left out.
func (s *Store) lockPolicyStatements(ctx context.Context, tx *wtx, ids []string) (map[string][]store.Statement, error) {
	out := make(map[string][]store.Statement, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, s.q.rename.lockStatements, slices.Clone(ids))
	if err != nil {
		return nil, err
	}
	var id string
	var text *string
	_, err = pgx.ForEachRow(rows, []any{&id, &text}, func() error {
		var list []store.Statement
		if text != nil {
			if err := json.Unmarshal([]byte(*text), &list); err != nil {
				return errCorrupt
			}
		}
		out[id] = list
		return nil
	})
	return out, err
}
