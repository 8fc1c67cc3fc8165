package sqlitestore

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"github.com/resreg/resreg/store"
)

const (
	sqlGrantCols   = `namespace, subject_type, subject_id, resource_code, action, effect, created_at`
	sqlInsertGrant = `INSERT INTO resreg_grants (` + sqlGrantCols + `) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	sqlDeleteGrant = `DELETE FROM resreg_grants WHERE namespace = ? AND subject_type = ? AND subject_id = ? AND resource_code = ? AND action = ? AND effect = ?`
	// The cascades return what they delete, so that each removal can be
	// recorded.
	sqlDeleteResourceGrants = `DELETE FROM resreg_grants WHERE namespace = ? AND resource_code = ? RETURNING ` + sqlGrantCols
	sqlDeleteActionGrants   = `DELETE FROM resreg_grants WHERE namespace = ? AND resource_code = ? AND action = ? RETURNING ` + sqlGrantCols
	sqlNamespaceHasGrants   = `SELECT 1 FROM resreg_grants WHERE namespace = ? LIMIT 1`
)

// The four shapes of a ListGrants filter, each a search on the primary key
// or on the resource index, in the listing's order.
var (
	grantsByNamespace = newKeyset("resreg_grants", sqlGrantCols, []string{"namespace"},
		[]string{"subject_type", "subject_id", "resource_code", "action", "effect"})
	grantsBySubject = newKeyset("resreg_grants", sqlGrantCols, []string{"namespace", "subject_type", "subject_id"},
		[]string{"resource_code", "action", "effect"})
	grantsBySubjectResource = newKeyset("resreg_grants", sqlGrantCols, []string{"namespace", "subject_type", "subject_id", "resource_code"},
		[]string{"action", "effect"})
	grantsByResource = newKeyset("resreg_grants INDEXED BY resreg_grants_resource", sqlGrantCols, []string{"namespace", "resource_code"},
		[]string{"subject_type", "subject_id", "action", "effect"})
)

func scanGrant(sc rowScanner) (store.Grant, error) {
	var g store.Grant
	var effect string
	var created any
	if err := sc.Scan(&g.Namespace, &g.Subject.Type, &g.Subject.ID, &g.ResourceCode, &g.Action, &effect, &created); err != nil {
		return store.Grant{}, err
	}
	g.Effect, g.CreatedAt = store.Effect(effect), timeOf(created)
	return g, nil
}

// requireNamespaces checks, inside a write, that every namespace key(i) of
// n records exists, each once, in the order they first appear.
func (w *wtx) requireNamespaces(n int, key func(i int) string) error {
	seen := make([]string, 0, 1)
	for i := range n {
		if ns := key(i); !slices.Contains(seen, ns) {
			if err := w.requireNamespace(ns); err != nil {
				return err
			}
			seen = append(seen, ns)
		}
	}
	return nil
}

// AddGrants checks every grant against the resource it names, each
// resource read once, then inserts the batch with one prepared statement;
// ON CONFLICT DO NOTHING leaves a present grant, CreatedAt included, as it
// is.
func (s *Store) AddGrants(ctx context.Context, grants []store.Grant) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(grants) == 0 {
		return nil
	}
	for i := range grants {
		if store.CheckTime("createdAt", grants[i].CreatedAt) != nil {
			return store.CheckTime("grants["+strconv.Itoa(i)+"].createdAt", grants[i].CreatedAt)
		}
	}
	return s.write(ctx, func(w *wtx) error {
		if err := w.requireNamespaces(len(grants), func(i int) string { return grants[i].Namespace }); err != nil {
			return err
		}
		if err := w.checkGrantTargets(grants); err != nil {
			return err
		}
		ins, err := w.prepare(sqlInsertGrant)
		if err != nil {
			return err
		}
		defer ins.Close()
		for i := range grants {
			if err := w.canceled(); err != nil {
				return err
			}
			g := &grants[i]
			res, err := ins.ExecContext(w.bg, g.Namespace, g.Subject.Type, g.Subject.ID, g.ResourceCode, g.Action, string(g.Effect), encodeTime(g.CreatedAt))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				if err := w.logGrant(store.OpCreate, *g); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// checkGrantTargets returns ErrNotFound listing the resource codes (other
// than "*") that name no resource of their namespace, else ErrInvalid
// listing the actions (other than "*") their resource does not declare.
func (w *wtx) checkGrantTargets(grants []store.Grant) error {
	type key struct{ ns, code string }
	declared := make(map[key][]store.Action)
	byNamespace := make(map[string][]string)
	for i := range grants {
		g := &grants[i]
		k := key{g.Namespace, g.ResourceCode}
		if _, seen := declared[k]; seen || g.ResourceCode == store.Wildcard {
			continue
		}
		declared[k] = nil
		byNamespace[g.Namespace] = append(byNamespace[g.Namespace], g.ResourceCode)
	}
	found := make(map[key]bool, len(declared))
	for ns, codes := range byNamespace {
		err := w.resourceActions(ns, codes, func(code string, actions []store.Action) {
			declared[key{ns, code}], found[key{ns, code}] = actions, true
		})
		if err != nil {
			return err
		}
	}
	var missing, undeclared []string
	for i := range grants {
		g := &grants[i]
		if g.ResourceCode == store.Wildcard {
			continue
		}
		k := key{g.Namespace, g.ResourceCode}
		switch {
		case !found[k]:
			missing = append(missing, g.ResourceCode)
		case g.Action != store.Wildcard && !slices.ContainsFunc(declared[k], func(a store.Action) bool { return a.Name == g.Action }):
			undeclared = append(undeclared, g.Action)
		}
	}
	if len(missing) > 0 {
		return store.GrantResourcesNotFound(missing)
	}
	if len(undeclared) > 0 {
		return store.GrantActionsUndeclared(undeclared)
	}
	return nil
}

// lookupChunk bounds the codes of one IN list, well below SQLite's limit on
// bound parameters.
const lookupChunk = 500

// resourceActions calls fn with the declared actions of each of codes (no
// repeats) that names a resource of ns. It reads them with one primary key
// search per code but one statement per chunk of codes: a statement per
// code costs more in database/sql than the search itself.
func (w *wtx) resourceActions(ns string, codes []string, fn func(code string, actions []store.Action)) error {
	for len(codes) > 0 {
		if err := w.canceled(); err != nil {
			return err
		}
		chunk := codes[:min(len(codes), lookupChunk)]
		codes = codes[len(chunk):]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, ns)
		for _, c := range chunk {
			args = append(args, c)
		}
		rows, err := w.query(sqlResourceActsIn(len(chunk)), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var code string
			var blob sql.RawBytes
			if err := rows.Scan(&code, &blob); err != nil {
				rows.Close()
				return err
			}
			actions, err := decodeActions(blob)
			if err != nil {
				rows.Close()
				return err
			}
			fn(code, actions)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	return nil
}

// sqlResourceActsIn is sqlResourceActs for n codes at once.
func sqlResourceActsIn(n int) string {
	return `SELECT code, actions FROM resreg_resources WHERE namespace = ? AND code IN (?` + strings.Repeat(", ?", n-1) + `)`
}

// RevokeGrants deletes every listed grant that is present, with one
// prepared statement.
func (s *Store) RevokeGrants(ctx context.Context, grants []store.Grant) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(grants) == 0 {
		return nil
	}
	return s.write(ctx, func(w *wtx) error {
		if err := w.requireNamespaces(len(grants), func(i int) string { return grants[i].Namespace }); err != nil {
			return err
		}
		del, err := w.prepare(sqlDeleteGrant + ` RETURNING ` + sqlGrantCols)
		if err != nil {
			return err
		}
		defer del.Close()
		for i := range grants {
			if err := w.canceled(); err != nil {
				return err
			}
			g := &grants[i]
			removed, err := collectGrants(del.QueryContext(w.bg, g.Namespace, g.Subject.Type, g.Subject.ID, g.ResourceCode, g.Action, string(g.Effect)))
			if err != nil {
				return err
			}
			if err := w.logGrantsDeleted(removed); err != nil {
				return err
			}
		}
		return nil
	})
}

// collectGrants reads every grant rows holds and closes it.
func collectGrants(rows *sql.Rows, err error) ([]store.Grant, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, rows.Close()
}

// deleteResourceGrants removes the grants on resource code of ns, for
// DeleteResources; del is sqlDeleteResourceGrants prepared in w.
func (w *wtx) deleteResourceGrants(del *sql.Stmt, ns, code string) error {
	removed, err := collectGrants(del.QueryContext(w.bg, ns, code))
	if err != nil {
		return err
	}
	return w.logGrantsDeleted(removed)
}

// deleteActionGrants removes the grants of the actions an update took from
// resource code of ns, recorded together in listing order. Wildcard grants
// stay.
func (w *wtx) deleteActionGrants(ns, code string, old, updated []store.Action) error {
	var all []store.Grant
	for _, a := range old {
		if slices.ContainsFunc(updated, func(b store.Action) bool { return b.Name == a.Name }) {
			continue
		}
		removed, err := collectGrants(w.query(sqlDeleteActionGrants, ns, code, a.Name))
		if err != nil {
			return err
		}
		all = append(all, removed...)
	}
	return w.logGrantsDeleted(all)
}

// ListGrants pages through the grants of filter.Namespace in (subject,
// resource, action, effect) order on whichever key the filter fixes.
func (s *Store) ListGrants(ctx context.Context, filter store.GrantFilter, opts store.ListOptions) (store.Page[store.Grant], error) {
	var page store.Page[store.Grant]
	ns := filter.Namespace
	cur, err := opts.CursorFor(store.KindGrants, ns)
	if err != nil {
		return page, err
	}
	var k *keyset
	var args []any
	var key func(*store.Grant) []string
	switch {
	case filter.Subject != nil && filter.ResourceCode != "":
		k, args = &grantsBySubjectResource, []any{ns, filter.Subject.Type, filter.Subject.ID, filter.ResourceCode}
		key = func(g *store.Grant) []string { return []string{g.Action, string(g.Effect)} }
	case filter.Subject != nil:
		k, args = &grantsBySubject, []any{ns, filter.Subject.Type, filter.Subject.ID}
		key = func(g *store.Grant) []string { return []string{g.ResourceCode, g.Action, string(g.Effect)} }
	case filter.ResourceCode != "":
		k, args = &grantsByResource, []any{ns, filter.ResourceCode}
		key = func(g *store.Grant) []string {
			return []string{g.Subject.Type, g.Subject.ID, g.Action, string(g.Effect)}
		}
	default:
		k, args = &grantsByNamespace, []any{ns}
		key = func(g *store.Grant) []string {
			return []string{g.Subject.Type, g.Subject.ID, g.ResourceCode, g.Action, string(g.Effect)}
		}
	}
	err = s.read(ctx, func(tx rtx) error {
		if err := s.requireNamespaceTx(ctx, tx, ns); err != nil {
			return err
		}
		page, err = listKeyset(ctx, tx, k, args, cur, store.KindGrants, ns, opts.IncludeTotal, scanGrant, key)
		return err
	})
	if err != nil {
		return store.Page[store.Grant]{}, err
	}
	if page.Items == nil {
		page.Items = []store.Grant{}
	}
	return page, nil
}
