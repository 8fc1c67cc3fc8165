package pgstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

const (
	sqlPolicyCols      = `id, name, description, statements, created_at, updated_at`
	sqlInsertPolicy    = `INSERT INTO {s}resreg_data_policies (` + sqlPolicyCols + `) VALUES ($1, $2, $3, $4, $5, $6)`
	sqlGetPolicy       = `SELECT ` + sqlPolicyCols + ` FROM {s}resreg_data_policies WHERE id = $1`
	sqlGetPolicyName   = `SELECT ` + sqlPolicyCols + ` FROM {s}resreg_data_policies WHERE name = $1`
	sqlPolicyExists    = `SELECT 1 FROM {s}resreg_data_policies WHERE id = $1`
	sqlPoliciesExist   = `SELECT id FROM {s}resreg_data_policies WHERE id = ANY($1) FOR KEY SHARE`
	sqlPolicyNameTaken = `SELECT EXISTS (SELECT 1 FROM {s}resreg_data_policies WHERE name = $1)`
	sqlUpdatePolicy    = `UPDATE {s}resreg_data_policies SET name = $2, description = $3, statements = $4, updated_at = $5 WHERE id = $1`
	sqlDeletePolicy    = `DELETE FROM {s}resreg_data_policies WHERE id = $1 RETURNING ` + sqlPolicyCols
	sqlScanPolicies    = `SELECT ` + sqlPolicyCols + ` FROM {s}resreg_data_policies WHERE name > $1 ORDER BY name LIMIT $2`

	sqlInsertRefs = `INSERT INTO {s}resreg_policy_refs (policy_id, seq, namespace, resource_code, node_path, action, exact)
		SELECT $1, n - 1, ns, rc, np, ac, ex FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[]) WITH ORDINALITY AS r(ns, rc, np, ac, ex, n)`
	sqlDeleteRefs = `DELETE FROM {s}resreg_policy_refs WHERE policy_id = $1`
	// sqlRefTarget reads what a ref names and locks it FOR KEY SHARE, so
	// that a concurrent DeleteDataResource (which locks the row FOR UPDATE
	// before its pin check) either sees the new ref or runs first.
	sqlRefTarget = `SELECT type, actions FROM {s}resreg_data_resources WHERE namespace = $1 AND code = $2 FOR KEY SHARE`
	sqlTreeNode  = `SELECT EXISTS (SELECT 1 FROM {s}resreg_tree_nodes WHERE namespace = $1 AND resource_code = $2 AND path = $3)`
	// sqlExactRefs lists the exact refs on one data resource, for the pin
	// checks, from the target index.
	sqlExactRefs     = `SELECT policy_id, node_path, action FROM {s}resreg_policy_refs WHERE namespace = $1 AND resource_code = $2 AND exact ORDER BY policy_id`
	sqlTargetCols    = `policy_id, subject_type, subject_id, name, created_at`
	sqlInsertTargets = `INSERT INTO {s}resreg_policy_targets (` + sqlTargetCols + `)
		SELECT p, st, si, nm, ca FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) WITH ORDINALITY AS t(p, st, si, nm, ca, n) ORDER BY n
		ON CONFLICT DO NOTHING RETURNING ` + sqlTargetCols
	sqlDetachTargets = `DELETE FROM {s}resreg_policy_targets AS t USING unnest($1::text[], $2::text[], $3::text[]) AS r(p, st, si)
		WHERE t.policy_id = r.p AND t.subject_type = r.st AND t.subject_id = r.si
		RETURNING t.policy_id, t.subject_type, t.subject_id, t.name, t.created_at`
	sqlDeletePolicyTargets = `DELETE FROM {s}resreg_policy_targets WHERE policy_id = $1 RETURNING ` + sqlTargetCols
)

type policyQueries struct {
	insertPolicy, getPolicy, getPolicyName, policyExists, policiesExist, policyNameTaken, updatePolicy, deletePolicy, scanPolicies string
	insertRefs, deleteRefs, refTarget, treeNode, exactRefs                                                                         string
	insertTargets, detachTargets, deletePolicyTargets                                                                              string
	policiesByName, targetsOf, allTargets                                                                                          keyset
}

func newPolicyQueries(q func(string) string) policyQueries {
	return policyQueries{
		insertPolicy: q(sqlInsertPolicy), getPolicy: q(sqlGetPolicy), getPolicyName: q(sqlGetPolicyName),
		policyExists: q(sqlPolicyExists), policiesExist: q(sqlPoliciesExist), policyNameTaken: q(sqlPolicyNameTaken),
		updatePolicy: q(sqlUpdatePolicy), deletePolicy: q(sqlDeletePolicy), scanPolicies: q(sqlScanPolicies),
		insertRefs: q(sqlInsertRefs), deleteRefs: q(sqlDeleteRefs), refTarget: q(sqlRefTarget), treeNode: q(sqlTreeNode),
		exactRefs: q(sqlExactRefs), insertTargets: q(sqlInsertTargets), detachTargets: q(sqlDetachTargets),
		deletePolicyTargets: q(sqlDeletePolicyTargets),
		policiesByName:      newKeyset(q, "resreg_data_policies", sqlPolicyCols, nil, []string{"name"}),
		targetsOf:           newKeyset(q, "resreg_policy_targets", sqlTargetCols, []string{"policy_id"}, []string{"subject_type", "subject_id"}),
		allTargets:          newKeyset(q, "resreg_policy_targets", sqlTargetCols, nil, []string{"policy_id", "subject_type", "subject_id"}),
	}
}

// encodeStatements keeps a policy's statements as JSON text; nil is NULL,
// so that nil and empty lists stay apart.
func encodeStatements(list []store.Statement) (*string, error) {
	if list == nil {
		return nil, nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

func scanPolicy(row pgx.Row) (store.DataPolicy, error) {
	var p store.DataPolicy
	var statements *string
	var created, updated *int64
	if err := row.Scan(&p.ID, &p.Name, &p.Description, &statements, &created, &updated); err != nil {
		return store.DataPolicy{}, err
	}
	if statements != nil {
		if err := json.Unmarshal([]byte(*statements), &p.Statements); err != nil {
			return store.DataPolicy{}, errCorrupt
		}
	}
	p.CreatedAt, p.UpdatedAt = decodeTime(created), decodeTime(updated)
	return p, nil
}

func policyNotFound(id string) *store.Error {
	return store.PolicyNotFound(id)
}

func refField(r *store.PolicyRef) string {
	return "statementList[" + strconv.Itoa(r.Statement) + "].permissions[" + strconv.Itoa(r.Permission) + "]"
}

// checkRefs makes the ref checks of the DataPolicies contract, in order,
// reading (and locking against deletion) each namespace and data resource
// once.
func (s *Store) checkRefs(ctx context.Context, tx *wtx, refs []store.PolicyRef) error {
	type target struct {
		found   bool
		typ     string
		actions []string
	}
	type key struct{ ns, code string }
	namespaces := make(map[string]bool)
	targets := make(map[key]target)
	for i := range refs {
		if err := ctx.Err(); err != nil {
			return err
		}
		r := &refs[i]
		field := refField(r)
		ok, seen := namespaces[r.Namespace]
		if !seen {
			var one int
			err := tx.QueryRow(ctx, s.q.ns.share, r.Namespace).Scan(&one)
			switch {
			case err == nil:
				ok = true
			case !errors.Is(err, pgx.ErrNoRows):
				return err
			}
			namespaces[r.Namespace] = ok
		}
		if !ok {
			return store.RefNamespaceNotFound(field, r.Namespace)
		}
		if r.ResourceCode == "" {
			continue
		}
		k := key{r.Namespace, r.ResourceCode}
		t, seen := targets[k]
		if !seen {
			var acts *string
			err := tx.QueryRow(ctx, s.q.perm.refTarget, r.Namespace, r.ResourceCode).Scan(&t.typ, &acts)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
			case err != nil:
				return err
			default:
				t.found = true
				if t.actions, err = decodeStrings(acts); err != nil {
					return err
				}
			}
			targets[k] = t
		}
		if !t.found {
			return store.RefDataNotFound(field, r.Namespace, r.ResourceCode)
		}
		if r.Exact && r.NodePath != "" {
			if t.typ != string(store.DataTree) {
				return store.RefNoNodes(field, r.ResourceCode, store.DataType(t.typ))
			}
			var found bool
			if err := tx.QueryRow(ctx, s.q.perm.treeNode, r.Namespace, r.ResourceCode, r.NodePath).Scan(&found); err != nil {
				return err
			}
			if !found {
				return store.RefNodeNotFound(field, r.ResourceCode, r.NodePath)
			}
		}
		if r.Action != "" && !containsString(t.actions, r.Action) {
			return store.RefActionUnknown(field, r.ResourceCode, r.Action)
		}
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// insertRefs writes the refs of policy id with one statement.
func (s *Store) insertRefs(ctx context.Context, tx *wtx, id string, refs []store.PolicyRef) error {
	if len(refs) == 0 {
		return nil
	}
	n := len(refs)
	ns, rc, np, ac, ex := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]bool, n)
	for i := range refs {
		r := &refs[i]
		ns[i], rc[i], ac[i], ex[i] = r.Namespace, r.ResourceCode, r.Action, r.Exact
		if r.Exact {
			np[i] = r.NodePath
		}
	}
	_, err := tx.Exec(ctx, s.q.perm.insertRefs, id, ns, rc, np, ac, ex)
	return err
}

func policyNameTaken(name string) *store.Error { return store.PolicyNameTaken(name) }

// CreateDataPolicy inserts the policy, then checks and inserts its refs;
// the primary key and the name index reject a taken ID or name.
func (s *Store) CreateDataPolicy(ctx context.Context, p store.DataPolicy, refs []store.PolicyRef) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckTimes("", p.CreatedAt, p.UpdatedAt); err != nil {
		return err
	}
	statements, err := encodeStatements(p.Statements)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.Exec(ctx, s.q.perm.insertPolicy, p.ID, p.Name, p.Description, statements, encodeTime(p.CreatedAt), encodeTime(p.UpdatedAt)); err != nil {
			if isUnique(err) {
				return fnError{errPolicyKeyTaken}
			}
			return err
		}
		if err := s.checkRefs(ctx, tx, refs); err != nil {
			return err
		}
		if err := s.insertRefs(ctx, tx, p.ID, refs); err != nil {
			return err
		}
		return tx.logPolicy(store.OpCreate, p)
	})
	if errors.Is(err, errPolicyKeyTaken) {
		return s.policyKeyTaken(ctx, p)
	}
	return err
}

// errPolicyKeyTaken reports, from inside the write, that the policy's ID or
// name is taken; CreateDataPolicy then reads which.
var errPolicyKeyTaken = &store.Error{Message: "the policy's ID or name is taken", Err: store.ErrConflict}

// policyKeyTaken reads back which key of p was taken, rather than taking it
// from the violation: the primary key is checked first, and a taken name is
// the one the contract reports first. It runs once the failed write is
// rolled back (PostgreSQL takes no more statements in it), in a batch to
// its savepoint, so that it sees the batch's writes.
func (s *Store) policyKeyTaken(ctx context.Context, p store.DataPolicy) error {
	var taken bool
	err := s.read(ctx, func(ctx context.Context) error {
		return s.db(ctx).QueryRow(ctx, s.q.perm.policyNameTaken, p.Name).Scan(&taken)
	})
	switch {
	case err != nil:
		return err
	case taken:
		return policyNameTaken(p.Name)
	}
	return store.PolicyIDTaken(p.ID)
}

// GetDataPolicy is a point select on the primary key.
func (s *Store) GetDataPolicy(ctx context.Context, id string) (store.DataPolicy, error) {
	return s.getPolicy(ctx, s.q.perm.getPolicy, id, policyNotFound(id))
}

// GetDataPolicyByName is a point select on the name index.
func (s *Store) GetDataPolicyByName(ctx context.Context, name string) (store.DataPolicy, error) {
	return s.getPolicy(ctx, s.q.perm.getPolicyName, name, store.PolicyNameNotFound(name))
}

func (s *Store) getPolicy(ctx context.Context, query, key string, nf *store.Error) (store.DataPolicy, error) {
	var p store.DataPolicy
	err := s.read(ctx, func(ctx context.Context) error {
		var err error
		p, err = scanPolicy(s.db(ctx).QueryRow(ctx, query, key))
		if errors.Is(err, pgx.ErrNoRows) {
			return nf
		}
		return err
	})
	if err != nil {
		return store.DataPolicy{}, err
	}
	return p, nil
}

// ListDataPolicies pages through the name index; with a keyword it reads
// on from the cursor in chunks until a page of matches is found, checking
// store.MatchKeyword in Go as every store does.
func (s *Store) ListDataPolicies(ctx context.Context, filter store.DataPolicyFilter, opts store.ListOptions) (store.Page[store.DataPolicy], error) {
	cur, err := opts.CursorFor(store.KindDataPolicies, "")
	if err != nil {
		return store.Page[store.DataPolicy]{}, err
	}
	name := func(p *store.DataPolicy) []string { return []string{p.Name} }
	var page store.Page[store.DataPolicy]
	err = s.read(ctx, func(ctx context.Context) error {
		if filter.Keyword == "" {
			page, err = listKeyset(ctx, s, &s.q.perm.policiesByName, nil, cur, store.KindDataPolicies, "", opts.IncludeTotal, scanPolicy, name)
			return err
		}
		page = store.Page[store.DataPolicy]{}
		match := func(p *store.DataPolicy) bool { return store.MatchKeyword(filter.Keyword, p.Name, p.Description) }
		items, err := s.scanPolicies(ctx, cur.After, cur.Limit+1, match)
		if err != nil {
			return err
		}
		page.Items, page.NextPageToken = cutPage(items, cur.Limit, store.KindDataPolicies, "", func(p *store.DataPolicy) string { return p.Name })
		if opts.IncludeTotal {
			all, err := s.scanPolicies(ctx, "", -1, match)
			page.TotalCount = len(all)
			return err
		}
		return nil
	})
	if err != nil {
		return store.Page[store.DataPolicy]{}, err
	}
	if page.Items == nil {
		page.Items = []store.DataPolicy{}
	}
	return page, nil
}

// scanPolicies reads policies after name after, in name order and
// scanChunk rows per query, until limit (all when negative) pass match.
func (s *Store) scanPolicies(ctx context.Context, after string, limit int, match func(*store.DataPolicy) bool) ([]store.DataPolicy, error) {
	var items []store.DataPolicy
	for {
		rows, err := s.db(ctx).Query(ctx, s.q.perm.scanPolicies, after, scanChunk)
		if err != nil {
			return nil, err
		}
		chunk, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.DataPolicy, error) { return scanPolicy(r) })
		if err != nil {
			return nil, err
		}
		for i := range chunk {
			if match(&chunk[i]) {
				items = append(items, chunk[i])
				if limit >= 0 && len(items) == limit {
					return items, nil
				}
			}
		}
		if len(chunk) < scanChunk {
			return items, nil
		}
		after = chunk[len(chunk)-1].Name
	}
}

// UpdateDataPolicy applies fn to a copy, its row locked for the write, then
// stores the policy and replaces its refs with the ones fn returned,
// checked.
func (s *Store) UpdateDataPolicy(ctx context.Context, id string, fn func(*store.DataPolicy) ([]store.PolicyRef, error)) (_ store.DataPolicy, err error) {
	defer s.failBatch(ctx, &err)
	var out store.DataPolicy
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		old, err := scanPolicy(tx.QueryRow(ctx, s.q.perm.getPolicy+` FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return policyNotFound(id)
		}
		if err != nil {
			return err
		}
		p := old.Clone()
		refs, err := fn(&p)
		if err != nil {
			return fnError{err}
		}
		p = p.Clone()
		p.ID, p.CreatedAt = old.ID, old.CreatedAt
		if err := store.CheckTime("updatedAt", p.UpdatedAt); err != nil {
			return err
		}
		p.UpdatedAt = normTime(p.UpdatedAt)
		statements, err := encodeStatements(p.Statements)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, s.q.perm.updatePolicy, id, p.Name, p.Description, statements, encodeTime(p.UpdatedAt)); err != nil {
			if isUnique(err) {
				return policyNameTaken(p.Name)
			}
			return err
		}
		if err := s.checkRefs(ctx, tx, refs); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, s.q.perm.deleteRefs, id); err != nil {
			return err
		}
		if err := s.insertRefs(ctx, tx, id, refs); err != nil {
			return err
		}
		out = p
		return tx.logPolicy(store.OpUpdate, p)
	})
	if err != nil {
		return store.DataPolicy{}, err
	}
	return out, nil
}

// DeleteDataPolicy removes the policy, its refs and its targets; the
// policy's change comes first, then those of the targets its deletion
// removes.
func (s *Store) DeleteDataPolicy(ctx context.Context, id string) (err error) {
	defer s.failBatch(ctx, &err)
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		old, err := scanPolicy(tx.QueryRow(ctx, s.q.perm.deletePolicy, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return policyNotFound(id)
		}
		if err != nil {
			return err
		}
		if err := tx.logPolicy(store.OpDelete, old); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, s.q.perm.deleteRefs, id); err != nil {
			return err
		}
		targets, err := collectTargets(tx.Query(ctx, s.q.perm.deletePolicyTargets, id))
		if err != nil {
			return err
		}
		sortTargets(targets)
		for _, t := range targets {
			if err := tx.logTarget(store.OpDelete, t); err != nil {
				return err
			}
		}
		return nil
	})
}

func scanTarget(row pgx.Row) (store.PolicyTarget, error) {
	var t store.PolicyTarget
	var created *int64
	if err := row.Scan(&t.PolicyID, &t.Subject.Type, &t.Subject.ID, &t.Name, &created); err != nil {
		return store.PolicyTarget{}, err
	}
	t.CreatedAt = decodeTime(created)
	return t, nil
}

func collectTargets(rows pgx.Rows, err error) ([]store.PolicyTarget, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.PolicyTarget, error) { return scanTarget(r) })
}

// sortTargets orders targets as the primary key does.
func sortTargets(ts []store.PolicyTarget) {
	slices.SortFunc(ts, func(a, b store.PolicyTarget) int {
		return cmp.Or(cmp.Compare(a.PolicyID, b.PolicyID), cmp.Compare(a.Subject.Type, b.Subject.Type), cmp.Compare(a.Subject.ID, b.Subject.ID))
	})
}

// requirePolicies locks (FOR KEY SHARE, against a concurrent delete) the
// policies that targets name and returns ErrNotFound listing those that do
// not exist.
func (s *Store) requirePolicies(ctx context.Context, tx *wtx, targets []store.PolicyTarget) error {
	ids := make([]string, len(targets))
	for i := range targets {
		ids[i] = targets[i].PolicyID
	}
	ids = sortedUnique(ids)
	rows, err := tx.Query(ctx, s.q.perm.policiesExist, ids)
	if err != nil {
		return err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if len(found) == len(ids) {
		return nil
	}
	var missing []string
	for _, id := range ids {
		if !slices.Contains(found, id) {
			missing = append(missing, id)
		}
	}
	return store.PoliciesNotFound(missing)
}

func targetColumns(targets []store.PolicyTarget) (p, st, si []string) {
	n := len(targets)
	p, st, si = make([]string, n), make([]string, n), make([]string, n)
	for i := range targets {
		t := &targets[i]
		p[i], st[i], si[i] = t.PolicyID, t.Subject.Type, t.Subject.ID
	}
	return p, st, si
}

type targetKey struct{ p, st, si string }

func keyOfTarget(t *store.PolicyTarget) targetKey {
	return targetKey{t.PolicyID, t.Subject.Type, t.Subject.ID}
}

// AttachDataPolicies inserts every target that is not present with one
// statement and records those added in the order given.
func (s *Store) AttachDataPolicies(ctx context.Context, targets []store.PolicyTarget) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	for i := range targets {
		if store.CheckTime("createdAt", targets[i].CreatedAt) != nil {
			return store.CheckTime("targets["+strconv.Itoa(i)+"].createdAt", targets[i].CreatedAt)
		}
	}
	p, st, si := targetColumns(targets)
	names, created := make([]string, len(targets)), make([]*int64, len(targets))
	for i := range targets {
		names[i], created[i] = targets[i].Name, encodeTime(targets[i].CreatedAt)
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if err := s.lockKeys(ctx, tx, "targets", p); err != nil {
			return err
		}
		if err := s.requirePolicies(ctx, tx, targets); err != nil {
			return err
		}
		added, err := collectTargets(tx.Query(ctx, s.q.perm.insertTargets, p, st, si, names, created))
		if err != nil {
			return err
		}
		isNew := make(map[targetKey]bool, len(added))
		for i := range added {
			isNew[keyOfTarget(&added[i])] = true
		}
		for i := range targets {
			if k := keyOfTarget(&targets[i]); isNew[k] {
				delete(isNew, k)
				if err := tx.logTarget(store.OpCreate, targets[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// DetachDataPolicies deletes every listed target that is present with one
// statement and records those removed in the order given.
func (s *Store) DetachDataPolicies(ctx context.Context, targets []store.PolicyTarget) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	p, st, si := targetColumns(targets)
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if err := s.lockKeys(ctx, tx, "targets", p); err != nil {
			return err
		}
		if err := s.requirePolicies(ctx, tx, targets); err != nil {
			return err
		}
		removed, err := collectTargets(tx.Query(ctx, s.q.perm.detachTargets, p, st, si))
		if err != nil {
			return err
		}
		gone := make(map[targetKey]store.PolicyTarget, len(removed))
		for i := range removed {
			gone[keyOfTarget(&removed[i])] = removed[i]
		}
		for i := range targets {
			k := keyOfTarget(&targets[i])
			if r, ok := gone[k]; ok {
				delete(gone, k)
				if err := tx.logTarget(store.OpDelete, r); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// ListDataPolicyTargets pages through the primary key from the policy.
func (s *Store) ListDataPolicyTargets(ctx context.Context, policyID string, opts store.ListOptions) (store.Page[store.PolicyTarget], error) {
	cur, err := opts.CursorFor(store.KindPolicyTargets, policyID)
	if err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	var page store.Page[store.PolicyTarget]
	err = s.read(ctx, func(ctx context.Context) error {
		var one int
		err := s.db(ctx).QueryRow(ctx, s.q.perm.policyExists, policyID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return policyNotFound(policyID)
		}
		if err != nil {
			return err
		}
		page, err = listKeyset(ctx, s, &s.q.perm.targetsOf, []any{policyID}, cur, store.KindPolicyTargets, policyID, opts.IncludeTotal, scanTarget,
			func(t *store.PolicyTarget) []string { return []string{t.Subject.Type, t.Subject.ID} })
		return err
	})
	if err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	return page, nil
}

// ListAllPolicyTargets pages through the whole primary key.
func (s *Store) ListAllPolicyTargets(ctx context.Context, opts store.ListOptions) (store.Page[store.PolicyTarget], error) {
	cur, err := opts.CursorFor(store.KindAllPolicyTargets, "")
	if err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	var page store.Page[store.PolicyTarget]
	err = s.read(ctx, func(ctx context.Context) error {
		page, err = listKeyset(ctx, s, &s.q.perm.allTargets, nil, cur, store.KindAllPolicyTargets, "", opts.IncludeTotal, scanTarget,
			func(t *store.PolicyTarget) []string { return []string{t.PolicyID, t.Subject.Type, t.Subject.ID} })
		return err
	})
	if err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	return page, nil
}

// pinningPolicies returns, sorted, the IDs of the policies whose exact refs
// on data resource code of ns pass pins (all of them when pins is nil).
func (s *Store) pinningPolicies(ctx context.Context, tx *wtx, ns, code string, pins func(nodePath, action string) bool) ([]string, error) {
	rows, err := tx.Query(ctx, s.q.perm.exactRefs, ns, code)
	if err != nil {
		return nil, err
	}
	var ids []string
	var id, nodePath, action string
	_, err = pgx.ForEachRow(rows, []any{&id, &nodePath, &action}, func() error {
		if (pins == nil || pins(nodePath, action)) && (len(ids) == 0 || ids[len(ids)-1] != id) {
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

// checkDataUpdatePins refuses an update of a data resource that removes a
// node (or an ancestor of it, which removes it too) or an action that an
// exact ref names.
func (s *Store) checkDataUpdatePins(ctx context.Context, tx *wtx, old, updated *store.DataResource) error {
	var removed *store.Removals
	ids, err := s.pinningPolicies(ctx, tx, old.NamespaceCode, old.ResourceCode, func(nodePath, action string) bool {
		if removed == nil {
			r := store.RemovedByUpdate(old, updated)
			removed = &r
		}
		return removed.Pins(nodePath, action)
	})
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		return store.DataUpdatePinned(old.ResourceCode, ids)
	}
	return nil
}
