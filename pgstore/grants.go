package pgstore

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

const (
	sqlGrantCols = `namespace, subject_type, subject_id, resource_code, action, effect, created_at`
	// sqlInsertGrants inserts a batch from one array per column; ON
	// CONFLICT DO NOTHING leaves a present grant (CreatedAt included) as it
	// is, and RETURNING names the rows really added, whose changes are
	// recorded. WITH ORDINALITY keeps the batch's order for them.
	sqlInsertGrants = `INSERT INTO {s}resreg_grants (` + sqlGrantCols + `)
		SELECT ns, st, si, rc, ac, ef, ca FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
			WITH ORDINALITY AS g(ns, st, si, rc, ac, ef, ca, n) ORDER BY n
		ON CONFLICT DO NOTHING RETURNING ` + sqlGrantCols
	sqlRevokeGrants = `DELETE FROM {s}resreg_grants AS g USING unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS r(ns, st, si, rc, ac, ef)
		WHERE g.namespace = r.ns AND g.subject_type = r.st AND g.subject_id = r.si AND g.resource_code = r.rc AND g.action = r.ac AND g.effect = r.ef
		RETURNING g.namespace, g.subject_type, g.subject_id, g.resource_code, g.action, g.effect, g.created_at`
	sqlDeleteResourcesGrants = `DELETE FROM {s}resreg_grants WHERE namespace = $1 AND resource_code = ANY($2) RETURNING ` + sqlGrantCols
	sqlDeleteActionsGrants   = `DELETE FROM {s}resreg_grants WHERE namespace = $1 AND resource_code = $2 AND action = ANY($3) RETURNING ` + sqlGrantCols
	// sqlLockKeys takes a transaction advisory lock on each key, in key
	// order so that two writers never wait on each other in a cycle. The
	// keys are hashed with the schema, so registries in two schemas of one
	// database do not share them (a collision only serialises two writes).
	sqlLockKeys        = `SELECT count(pg_advisory_xact_lock(hashtextextended($1 || chr(10) || k, 0))) FROM (SELECT DISTINCT k FROM unnest($2::text[]) AS u(k) ORDER BY k) AS o`
	sqlResourceActions = `SELECT code, actions FROM {s}resreg_resources WHERE namespace = $1 AND code = ANY($2) FOR SHARE`
)

// permQueries holds the statements of the permission records.
type permQueries struct {
	insertGrants, revokeGrants, deleteResourcesGrants, deleteActionsGrants, resourceActions, lockKeys string
	grantsByNamespace, grantsBySubject, grantsBySubjectResource, grantsByResource                     keyset
	membershipQueries
	policyQueries
}

func newPermQueries(q func(string) string) permQueries {
	return permQueries{
		insertGrants: q(sqlInsertGrants), revokeGrants: q(sqlRevokeGrants),
		deleteResourcesGrants: q(sqlDeleteResourcesGrants), deleteActionsGrants: q(sqlDeleteActionsGrants),
		resourceActions: q(sqlResourceActions), lockKeys: sqlLockKeys,
		grantsByNamespace: newKeyset(q, "resreg_grants", sqlGrantCols, []string{"namespace"},
			[]string{"subject_type", "subject_id", "resource_code", "action", "effect"}),
		grantsBySubject: newKeyset(q, "resreg_grants", sqlGrantCols, []string{"namespace", "subject_type", "subject_id"},
			[]string{"resource_code", "action", "effect"}),
		grantsBySubjectResource: newKeyset(q, "resreg_grants", sqlGrantCols, []string{"namespace", "subject_type", "subject_id", "resource_code"},
			[]string{"action", "effect"}),
		grantsByResource: newKeyset(q, "resreg_grants", sqlGrantCols, []string{"namespace", "resource_code"},
			[]string{"subject_type", "subject_id", "action", "effect"}),
		membershipQueries: newMembershipQueries(q),
		policyQueries:     newPolicyQueries(q),
	}
}

func scanGrant(row pgx.Row) (store.Grant, error) {
	var g store.Grant
	var effect string
	var created *int64
	if err := row.Scan(&g.Namespace, &g.Subject.Type, &g.Subject.ID, &g.ResourceCode, &g.Action, &effect, &created); err != nil {
		return store.Grant{}, err
	}
	g.Effect, g.CreatedAt = store.Effect(effect), decodeTime(created)
	return g, nil
}

// collectGrants reads every grant of rows and closes it.
func collectGrants(rows pgx.Rows, err error) ([]store.Grant, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Grant, error) { return scanGrant(r) })
}

// sortGrantsByResourceKey orders the grants of one resource as the
// resource index does: subject, action, effect.
func sortGrantsByResourceKey(gs []store.Grant) {
	slices.SortFunc(gs, func(a, b store.Grant) int {
		return cmp.Or(cmp.Compare(a.Subject.Type, b.Subject.Type), cmp.Compare(a.Subject.ID, b.Subject.ID),
			cmp.Compare(a.Action, b.Action), cmp.Compare(a.Effect, b.Effect))
	})
}

// lockKeys serialises the writes of one kind of record (scope) that touch
// the same keys. Grant and policy target writes are sets of rows inserted
// with ON CONFLICT DO NOTHING or deleted if present; under READ COMMITTED
// two such statements racing on the same rows can each see a part of the
// other's rows, so a reader could find half a batch. Holding the lock of
// every namespace (grants) or policy (targets) the batch touches until the
// commit makes them take turns.
func (s *Store) lockKeys(ctx context.Context, tx *wtx, scope string, keys []string) error {
	var n int64
	return tx.QueryRow(ctx, s.q.perm.lockKeys, "resreg "+scope+" "+s.cfg.schema, keys).Scan(&n)
}

// (grantPrelude takes the "grants" locks in its own batch.)

// grantPrelude runs, in one round trip, what a grant write does before it
// writes: the advisory locks of its namespaces (see lockKeys), a FOR KEY
// SHARE lock on each namespace row in code order (so writers never deadlock
// on them; DeleteNamespace locks the row FOR UPDATE, so it waits for this
// write and then sees what it added), and, when check is set, the declared
// actions of every resource the grants name, read FOR SHARE so that they
// cannot be deleted or lose an action before the commit. It then returns
// the first error of the contract: ErrNamespaceNotFound for the first
// missing namespace in the batch's order, ErrNotFound listing the resource
// codes (other than "*") that name no resource, ErrInvalid listing the
// actions their resource does not declare.
func (s *Store) grantPrelude(ctx context.Context, tx *wtx, grants []store.Grant, check bool) error {
	type key struct{ ns, code string }
	order := make([]string, 0, 1)
	codesOf := make(map[string][]string)
	seen := make(map[key]bool)
	for i := range grants {
		g := &grants[i]
		if !slices.Contains(order, g.Namespace) {
			order = append(order, g.Namespace)
		}
		k := key{g.Namespace, g.ResourceCode}
		if check && !seen[k] && g.ResourceCode != store.Wildcard {
			seen[k] = true
			codesOf[g.Namespace] = append(codesOf[g.Namespace], g.ResourceCode)
		}
	}
	sorted := slices.Clone(order)
	slices.Sort(sorted)
	b := &pgx.Batch{}
	b.Queue(s.q.perm.lockKeys, "resreg grants "+s.cfg.schema, sorted)
	for _, ns := range sorted {
		b.Queue(s.q.ns.share, ns)
	}
	for _, ns := range sorted {
		if codes := codesOf[ns]; len(codes) > 0 {
			slices.Sort(codes)
			b.Queue(s.q.perm.resourceActions, ns, codes)
		}
	}
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	var locked int64
	if err := br.QueryRow().Scan(&locked); err != nil {
		return err
	}
	found := make(map[string]bool, len(sorted))
	for _, ns := range sorted {
		var one int
		err := br.QueryRow().Scan(&one)
		if err == nil {
			found[ns] = true
		} else if err != pgx.ErrNoRows {
			return err
		}
	}
	declared := make(map[key][]store.Action)
	for _, ns := range sorted {
		if len(codesOf[ns]) == 0 {
			continue
		}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		var code string
		var acts *string
		_, err = pgx.ForEachRow(rows, []any{&code, &acts}, func() error {
			a, err := decodeActions(acts)
			if a == nil {
				a = []store.Action{}
			}
			declared[key{ns, code}] = a
			return err
		})
		if err != nil {
			return err
		}
	}
	if err := br.Close(); err != nil {
		return err
	}
	for _, ns := range order {
		if !found[ns] {
			return store.NamespaceNotFound(ns)
		}
	}
	if !check {
		return nil
	}
	var missing, undeclared []string
	for i := range grants {
		g := &grants[i]
		if g.ResourceCode == store.Wildcard {
			continue
		}
		acts, ok := declared[key{g.Namespace, g.ResourceCode}]
		switch {
		case !ok:
			missing = append(missing, g.ResourceCode)
		case g.Action != store.Wildcard && !slices.ContainsFunc(acts, func(a store.Action) bool { return a.Name == g.Action }):
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

// AddGrants sends the prelude (locks and checks, one round trip), then
// inserts the batch with one statement.
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
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if err := s.grantPrelude(ctx, tx, grants, true); err != nil {
			return err
		}
		n := len(grants)
		ns, st, si, rc, ac, ef := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		ca := make([]*int64, n)
		for i := range grants {
			g := &grants[i]
			ns[i], st[i], si[i], rc[i], ac[i], ef[i], ca[i] = g.Namespace, g.Subject.Type, g.Subject.ID, g.ResourceCode, g.Action, string(g.Effect), encodeTime(g.CreatedAt)
		}
		added, err := collectGrants(tx.Query(ctx, s.q.perm.insertGrants, ns, st, si, rc, ac, ef, ca))
		if err != nil {
			return err
		}
		// RETURNING gives the inserted rows; record them in batch order.
		type gk struct{ ns, st, si, rc, ac, ef string }
		isNew := make(map[gk]bool, len(added))
		for _, g := range added {
			isNew[gk{g.Namespace, g.Subject.Type, g.Subject.ID, g.ResourceCode, g.Action, string(g.Effect)}] = true
		}
		for _, g := range grants {
			k := gk{g.Namespace, g.Subject.Type, g.Subject.ID, g.ResourceCode, g.Action, string(g.Effect)}
			if isNew[k] {
				delete(isNew, k)
				if err := tx.logGrant(store.OpCreate, g); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func sortedUnique(list []string) []string {
	list = slices.Clone(list)
	slices.Sort(list)
	return slices.Compact(list)
}

// RevokeGrants deletes every listed grant that is present with one
// statement, recording the removals in the order the grants were given.
func (s *Store) RevokeGrants(ctx context.Context, grants []store.Grant) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(grants) == 0 {
		return nil
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if err := s.grantPrelude(ctx, tx, grants, false); err != nil {
			return err
		}
		n := len(grants)
		ns, st, si, rc, ac, ef := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		for i := range grants {
			g := &grants[i]
			ns[i], st[i], si[i], rc[i], ac[i], ef[i] = g.Namespace, g.Subject.Type, g.Subject.ID, g.ResourceCode, g.Action, string(g.Effect)
		}
		removed, err := collectGrants(tx.Query(ctx, s.q.perm.revokeGrants, ns, st, si, rc, ac, ef))
		if err != nil {
			return err
		}
		type gk struct{ ns, st, si, rc, ac, ef string }
		gone := make(map[gk]store.Grant, len(removed))
		for _, g := range removed {
			gone[gk{g.Namespace, g.Subject.Type, g.Subject.ID, g.ResourceCode, g.Action, string(g.Effect)}] = g
		}
		for _, g := range grants {
			k := gk{g.Namespace, g.Subject.Type, g.Subject.ID, g.ResourceCode, g.Action, string(g.Effect)}
			if r, ok := gone[k]; ok {
				delete(gone, k)
				if err := tx.logGrant(store.OpDelete, r); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// deleteActionGrants removes the grants of the actions an update took from
// resource code of ns, recorded in listing order (subject, action, effect),
// as every store records them. Wildcard grants stay.
func (s *Store) deleteActionGrants(ctx context.Context, tx *wtx, ns, code string, old, updated []store.Action) error {
	var gone []string
	for _, a := range old {
		if !slices.ContainsFunc(updated, func(b store.Action) bool { return b.Name == a.Name }) {
			gone = append(gone, a.Name)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	removed, err := collectGrants(tx.Query(ctx, s.q.perm.deleteActionsGrants, ns, code, gone))
	if err != nil {
		return err
	}
	sortGrantsByResourceKey(removed)
	return tx.logGrantsDeleted(removed)
}

// ListGrants pages through the grants of filter.Namespace on whichever
// key the filter fixes.
func (s *Store) ListGrants(ctx context.Context, filter store.GrantFilter, opts store.ListOptions) (store.Page[store.Grant], error) {
	ns := filter.Namespace
	cur, err := opts.CursorFor(store.KindGrants, ns)
	if err != nil {
		return store.Page[store.Grant]{}, err
	}
	var k *keyset
	var args []any
	var key func(*store.Grant) []string
	switch {
	case filter.Subject != nil && filter.ResourceCode != "":
		k, args = &s.q.perm.grantsBySubjectResource, []any{ns, filter.Subject.Type, filter.Subject.ID, filter.ResourceCode}
		key = func(g *store.Grant) []string { return []string{g.Action, string(g.Effect)} }
	case filter.Subject != nil:
		k, args = &s.q.perm.grantsBySubject, []any{ns, filter.Subject.Type, filter.Subject.ID}
		key = func(g *store.Grant) []string { return []string{g.ResourceCode, g.Action, string(g.Effect)} }
	case filter.ResourceCode != "":
		k, args = &s.q.perm.grantsByResource, []any{ns, filter.ResourceCode}
		key = func(g *store.Grant) []string {
			return []string{g.Subject.Type, g.Subject.ID, g.Action, string(g.Effect)}
		}
	default:
		k, args = &s.q.perm.grantsByNamespace, []any{ns}
		key = func(g *store.Grant) []string {
			return []string{g.Subject.Type, g.Subject.ID, g.ResourceCode, g.Action, string(g.Effect)}
		}
	}
	var page store.Page[store.Grant]
	err = s.read(ctx, func(ctx context.Context) error {
		if err := s.requireNamespace(ctx, ns); err != nil {
			return err
		}
		page, err = listKeyset(ctx, s, k, args, cur, store.KindGrants, ns, opts.IncludeTotal, scanGrant, key)
		return err
	})
	if err != nil {
		return store.Page[store.Grant]{}, err
	}
	return page, nil
}
