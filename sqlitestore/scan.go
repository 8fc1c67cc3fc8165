package sqlitestore

import (
	"context"
	"database/sql"

	"github.com/resreg/resreg/store"
)

var _ store.GrantScanner = (*Store)(nil)

// sqlScanGrants reads a namespace's grants in primary key order: one walk
// of the table's B-tree, no keyset bounds to re-seek per page.
const sqlScanGrants = `SELECT subject_type, subject_id, resource_code, action, effect, created_at FROM resreg_grants WHERE namespace = ?`

// ScanGrants streams the namespace's grants from one statement in one read
// transaction (one snapshot); the statement is prepared per scan, not at
// Open, because a schema opened at an old version may have no grants table. Strings that repeat across rows (subject
// types and IDs, resource codes, actions, effects) are handed out as one
// shared copy each, so a caller that keeps the grants, such as the
// permission index, keeps each string once rather than once per grant.
func (s *Store) ScanGrants(ctx context.Context, namespace string, fn func(store.Grant) error) error {
	var fnErr error
	err := s.read(ctx, func(tx rtx) error {
		if err := s.requireNamespaceTx(ctx, tx, namespace); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, sqlScanGrants, namespace)
		if err != nil {
			return err
		}
		defer rows.Close()
		in := interner{}
		var typ, id, code, action, effect string
		var created sql.NullInt64
		dest := []any{&typ, &id, &code, &action, &effect, &created}
		for n := 0; rows.Next(); n++ {
			if n%store.ScanCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			g := store.Grant{Namespace: namespace, Subject: store.Subject{Type: in.of(typ), ID: in.of(id)},
				ResourceCode: in.of(code), Action: in.of(action), Effect: store.Effect(in.of(effect))}
			if created.Valid {
				g.CreatedAt = decodeTime(&created.Int64)
			}
			if fnErr = fn(g); fnErr != nil {
				return fnErr
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return rows.Close()
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}

// interner hands out one copy of each distinct string it is given.
type interner map[string]string

func (in interner) of(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}
