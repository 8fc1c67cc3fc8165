package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"strconv"

	"github.com/resreg/resreg/store"
)

const (
	sqlPolicyCols     = `id, name, description, statements, created_at, updated_at`
	sqlInsertPolicy   = `INSERT INTO resreg_data_policies (` + sqlPolicyCols + `) VALUES (?, ?, ?, ?, ?, ?)`
	sqlGetPolicy      = `SELECT ` + sqlPolicyCols + ` FROM resreg_data_policies WHERE id = ?`
	sqlGetPolicyName  = `SELECT ` + sqlPolicyCols + ` FROM resreg_data_policies WHERE name = ?`
	sqlPolicyExists   = `SELECT 1 FROM resreg_data_policies WHERE id = ?`
	sqlPolicyNameUsed = `SELECT 1 FROM resreg_data_policies WHERE name = ?`
	sqlUpdatePolicy   = `UPDATE resreg_data_policies SET name = ?, description = ?, statements = ?, updated_at = ? WHERE id = ?`
	sqlDeletePolicy   = `DELETE FROM resreg_data_policies WHERE id = ? RETURNING ` + sqlPolicyCols
	// A keyword listing reads on in name order from the cursor and filters
	// in Go with store.MatchKeyword, as every store does.
	sqlScanPolicies      = `SELECT ` + sqlPolicyCols + ` FROM resreg_data_policies INDEXED BY resreg_data_policies_name ORDER BY name`
	sqlScanPoliciesAfter = `SELECT ` + sqlPolicyCols + ` FROM resreg_data_policies INDEXED BY resreg_data_policies_name WHERE name > ? ORDER BY name`

	sqlInsertRef     = `INSERT INTO resreg_policy_refs (policy_id, seq, namespace, resource_code, node_path, action, exact) VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlDeleteRefs    = `DELETE FROM resreg_policy_refs WHERE policy_id = ?`
	sqlDataRefTarget = `SELECT type, actions FROM resreg_data_resources WHERE namespace = ? AND code = ?`
	sqlTreeNodeIn    = `SELECT 1 FROM resreg_tree_nodes WHERE namespace = ? AND resource_code = ? AND path = ?`
	// sqlExactRefs lists the exact refs on one data resource, for the pin
	// checks of DeleteDataResource and UpdateDataResource.
	sqlExactRefs           = `SELECT policy_id, node_path, action FROM resreg_policy_refs WHERE namespace = ? AND resource_code = ? AND exact = 1 ORDER BY policy_id`
	sqlNamespaceHasRefs    = `SELECT 1 FROM resreg_policy_refs WHERE namespace = ? LIMIT 1`
	sqlNamespacePolicies   = `SELECT DISTINCT policy_id FROM resreg_policy_refs WHERE namespace = ? ORDER BY policy_id`
	sqlTargetCols          = `policy_id, subject_type, subject_id, name, created_at`
	sqlInsertTarget        = `INSERT INTO resreg_policy_targets (` + sqlTargetCols + `) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	sqlDeleteTarget        = `DELETE FROM resreg_policy_targets WHERE policy_id = ? AND subject_type = ? AND subject_id = ? RETURNING ` + sqlTargetCols
	sqlDeletePolicyTargets = `DELETE FROM resreg_policy_targets WHERE policy_id = ? RETURNING ` + sqlTargetCols
)

var (
	policiesByName = newKeyset("resreg_data_policies INDEXED BY resreg_data_policies_name", sqlPolicyCols, nil, []string{"name"})
	targetsOf      = newKeyset("resreg_policy_targets", sqlTargetCols, []string{"policy_id"}, []string{"subject_type", "subject_id"})
	allTargets     = newKeyset("resreg_policy_targets", sqlTargetCols, nil, []string{"policy_id", "subject_type", "subject_id"})
)

// encodeStatements keeps a policy's statements in one BLOB in the codec's
// format: the statement count, then each effect followed by its
// permission count and permissions. nil is NULL, so that nil and empty
// lists stay apart.
func encodeStatements(list []store.Statement) any {
	if list == nil {
		return nil
	}
	size := 2 + binary.MaxVarintLen64
	for _, st := range list {
		size += len(st.Effect) + 4
		for _, p := range st.Permissions {
			size += len(p) + 2
		}
	}
	b := make([]byte, 0, size)
	b = append(b, codecVersion)
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, st := range list {
		b = appendString(b, string(st.Effect))
		b = binary.AppendUvarint(b, uint64(len(st.Permissions)))
		for _, p := range st.Permissions {
			b = appendString(b, p)
		}
	}
	return b
}

func decodeStatements(b []byte) ([]store.Statement, error) {
	if b == nil {
		return nil, nil
	}
	d, n := newDecoder(b)
	out := make([]store.Statement, n)
	for i := range out {
		out[i].Effect = store.Effect(d.string())
		np := d.uvarint()
		if np > uint64(len(d.b)) {
			return nil, errCorrupt
		}
		if np > 0 {
			out[i].Permissions = make([]string, np)
			for j := range out[i].Permissions {
				out[i].Permissions[j] = d.string()
			}
		}
	}
	return out, d.err
}

func scanPolicy(sc rowScanner) (store.DataPolicy, error) {
	var p store.DataPolicy
	var statements []byte
	var created, updated any
	if err := sc.Scan(&p.ID, &p.Name, &p.Description, &statements, &created, &updated); err != nil {
		return store.DataPolicy{}, err
	}
	var err error
	if p.Statements, err = decodeStatements(statements); err != nil {
		return store.DataPolicy{}, err
	}
	p.CreatedAt, p.UpdatedAt = timeOf(created), timeOf(updated)
	return p, nil
}

func refField(r *store.PolicyRef) string {
	return "statementList[" + strconv.Itoa(r.Statement) + "].permissions[" + strconv.Itoa(r.Permission) + "]"
}

// checkRefs makes the ref checks of the DataPolicies contract, in order,
// reading each namespace and data resource once.
func (w *wtx) checkRefs(refs []store.PolicyRef) error {
	type target struct {
		found   bool
		typ     string
		actions []string
	}
	type key struct{ ns, code string }
	namespaces := make(map[string]bool)
	targets := make(map[key]target)
	for i := range refs {
		if err := w.canceled(); err != nil {
			return err
		}
		r := &refs[i]
		field := refField(r)
		ok, seen := namespaces[r.Namespace]
		if !seen {
			var err error
			if ok, err = w.exists(sqlNamespaceExists, r.Namespace); err != nil {
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
			var blob []byte
			err := w.queryRow(sqlDataRefTarget, r.Namespace, r.ResourceCode).Scan(&t.typ, &blob)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return err
			default:
				t.found = true
				if t.actions, err = decodeStrings(blob); err != nil {
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
			found, err := w.exists(sqlTreeNodeIn, r.Namespace, r.ResourceCode, r.NodePath)
			if err != nil {
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

// insertRefs writes the refs of policy id with one prepared statement.
func (w *wtx) insertRefs(id string, refs []store.PolicyRef) error {
	if len(refs) == 0 {
		return nil
	}
	ins, err := w.prepare(sqlInsertRef)
	if err != nil {
		return err
	}
	defer ins.Close()
	for i := range refs {
		r := &refs[i]
		nodePath := ""
		if r.Exact {
			nodePath = r.NodePath
		}
		if _, err := ins.ExecContext(w.bg, id, i, r.Namespace, r.ResourceCode, nodePath, r.Action, r.Exact); err != nil {
			return err
		}
	}
	return nil
}

// policyConflict tells which unique column of p broke its constraint.
func (w *wtx) policyConflict(p *store.DataPolicy) error {
	taken, err := w.exists(sqlPolicyNameUsed, p.Name)
	if err != nil {
		return err
	}
	if taken {
		return store.PolicyNameTaken(p.Name)
	}
	return store.PolicyIDTaken(p.ID)
}

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
	return s.write(ctx, func(w *wtx) error {
		_, err := w.exec(sqlInsertPolicy, p.ID, p.Name, p.Description, encodeStatements(p.Statements), encodeTime(p.CreatedAt), encodeTime(p.UpdatedAt))
		if err != nil {
			if errors.Is(translate(w.ctx, err), errUnique) {
				return w.policyConflict(&p)
			}
			return err
		}
		if err := w.checkRefs(refs); err != nil {
			return err
		}
		if err := w.insertRefs(p.ID, refs); err != nil {
			return err
		}
		return w.logPolicy(store.OpCreate, p)
	})
}

// GetDataPolicy is a point select on the primary key.
func (s *Store) GetDataPolicy(ctx context.Context, id string) (store.DataPolicy, error) {
	return s.getPolicy(ctx, sqlGetPolicy, id, store.PolicyNotFound)
}

// GetDataPolicyByName is a point select on the name index.
func (s *Store) GetDataPolicyByName(ctx context.Context, name string) (store.DataPolicy, error) {
	return s.getPolicy(ctx, sqlGetPolicyName, name, store.PolicyNameNotFound)
}

func (s *Store) getPolicy(ctx context.Context, query, key string, notFound func(string) *store.Error) (store.DataPolicy, error) {
	if err := ctx.Err(); err != nil {
		return store.DataPolicy{}, err
	}
	if s.closed.Load() {
		return store.DataPolicy{}, store.Closed()
	}
	var p store.DataPolicy
	err := s.point(ctx, nil, query, []any{key}, func(row *sql.Row) (err error) {
		p, err = scanPolicy(row)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return store.DataPolicy{}, notFound(key)
	}
	if err != nil {
		return store.DataPolicy{}, translate(ctx, err)
	}
	return p, nil
}

// ListDataPolicies pages through the name index; with a keyword it reads
// on from the cursor until a page of matches is found.
func (s *Store) ListDataPolicies(ctx context.Context, filter store.DataPolicyFilter, opts store.ListOptions) (store.Page[store.DataPolicy], error) {
	var page store.Page[store.DataPolicy]
	cur, err := opts.CursorFor(store.KindDataPolicies, "")
	if err != nil {
		return page, err
	}
	name := func(p *store.DataPolicy) []string { return []string{p.Name} }
	err = s.read(ctx, func(tx rtx) error {
		if filter.Keyword == "" {
			page, err = listKeyset(ctx, tx, &policiesByName, nil, cur, store.KindDataPolicies, "", opts.IncludeTotal, scanPolicy, name)
			return err
		}
		match := func(p *store.DataPolicy) bool { return store.MatchKeyword(filter.Keyword, p.Name, p.Description) }
		items, err := scanPolicies(ctx, tx, cur.After, cur.Limit+1, match)
		if err != nil {
			return err
		}
		page.Items, page.NextPageToken = cutPage(items, cur.Limit, store.KindDataPolicies, "", func(p *store.DataPolicy) string { return p.Name })
		if opts.IncludeTotal {
			all, err := scanPolicies(ctx, tx, "", -1, match)
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

// scanPolicies reads policies after name after in name order until limit
// (all when negative) pass match.
func scanPolicies(ctx context.Context, tx rtx, after string, limit int, match func(*store.DataPolicy) bool) ([]store.DataPolicy, error) {
	var rows *sql.Rows
	var err error
	if after == "" {
		rows, err = tx.QueryContext(ctx, sqlScanPolicies)
	} else {
		rows, err = tx.QueryContext(ctx, sqlScanPoliciesAfter, after)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []store.DataPolicy
	for (limit < 0 || len(items) < limit) && rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, err
		}
		if match(&p) {
			items = append(items, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return items, rows.Close()
}

// UpdateDataPolicy applies fn to a copy under the write lock, then stores
// the policy and replaces its refs with the ones fn returned, checked.
func (s *Store) UpdateDataPolicy(ctx context.Context, id string, fn func(*store.DataPolicy) ([]store.PolicyRef, error)) (_ store.DataPolicy, err error) {
	defer s.failBatch(ctx, &err)
	var out store.DataPolicy
	err = s.write(ctx, func(w *wtx) error {
		old, err := scanPolicy(w.queryRow(sqlGetPolicy, id))
		if errors.Is(err, sql.ErrNoRows) {
			return store.PolicyNotFound(id)
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
		if _, err := w.exec(sqlUpdatePolicy, p.Name, p.Description, encodeStatements(p.Statements), encodeTime(p.UpdatedAt), id); err != nil {
			if errors.Is(translate(w.ctx, err), errUnique) {
				return store.PolicyNameTaken(p.Name)
			}
			return err
		}
		if err := w.checkRefs(refs); err != nil {
			return err
		}
		if _, err := w.exec(sqlDeleteRefs, id); err != nil {
			return err
		}
		if err := w.insertRefs(id, refs); err != nil {
			return err
		}
		out = p
		return w.logPolicy(store.OpUpdate, p)
	})
	if err != nil {
		return store.DataPolicy{}, err
	}
	return out, nil
}

// DeleteDataPolicy removes the policy, its refs and its targets.
func (s *Store) DeleteDataPolicy(ctx context.Context, id string) (err error) {
	defer s.failBatch(ctx, &err)
	return s.write(ctx, func(w *wtx) error {
		rows, err := w.query(sqlDeletePolicy, id)
		if err != nil {
			return err
		}
		var removed []store.DataPolicy
		for rows.Next() {
			p, err := scanPolicy(rows)
			if err != nil {
				rows.Close()
				return err
			}
			removed = append(removed, p)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if len(removed) == 0 {
			return store.PolicyNotFound(id)
		}
		// The policy's change comes first, then those of the targets its
		// deletion removes, as a resource's comes before its grants'.
		if err := w.logPolicy(store.OpDelete, removed[0]); err != nil {
			return err
		}
		if _, err := w.exec(sqlDeleteRefs, id); err != nil {
			return err
		}
		targets, err := collectTargets(w.query(sqlDeletePolicyTargets, id))
		if err != nil {
			return err
		}
		return w.logTargetsDeleted(targets)
	})
}

func scanTarget(sc rowScanner) (store.PolicyTarget, error) {
	var t store.PolicyTarget
	var created any
	if err := sc.Scan(&t.PolicyID, &t.Subject.Type, &t.Subject.ID, &t.Name, &created); err != nil {
		return store.PolicyTarget{}, err
	}
	t.CreatedAt = timeOf(created)
	return t, nil
}

// collectTargets reads every target rows holds and closes it.
func collectTargets(rows *sql.Rows, err error) ([]store.PolicyTarget, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PolicyTarget
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, rows.Close()
}

// requirePolicies returns ErrNotFound listing the policy IDs of targets
// that name no policy.
func (w *wtx) requirePolicies(targets []store.PolicyTarget) error {
	checked := make(map[string]bool)
	var missing []string
	for i := range targets {
		id := targets[i].PolicyID
		if _, done := checked[id]; done {
			continue
		}
		ok, err := w.exists(sqlPolicyExists, id)
		if err != nil {
			return err
		}
		checked[id] = ok
		if !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return store.PoliciesNotFound(missing)
	}
	return nil
}

// AttachDataPolicies inserts every target that is not present with one
// prepared statement.
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
	return s.write(ctx, func(w *wtx) error {
		if err := w.requirePolicies(targets); err != nil {
			return err
		}
		ins, err := w.prepare(sqlInsertTarget)
		if err != nil {
			return err
		}
		defer ins.Close()
		for i := range targets {
			if err := w.canceled(); err != nil {
				return err
			}
			t := targets[i]
			res, err := ins.ExecContext(w.bg, t.PolicyID, t.Subject.Type, t.Subject.ID, t.Name, encodeTime(t.CreatedAt))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				if err := w.logTarget(store.OpCreate, t); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// DetachDataPolicies deletes every listed target that is present.
func (s *Store) DetachDataPolicies(ctx context.Context, targets []store.PolicyTarget) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	return s.write(ctx, func(w *wtx) error {
		if err := w.requirePolicies(targets); err != nil {
			return err
		}
		del, err := w.prepare(sqlDeleteTarget)
		if err != nil {
			return err
		}
		defer del.Close()
		for i := range targets {
			if err := w.canceled(); err != nil {
				return err
			}
			t := &targets[i]
			removed, err := collectTargets(del.QueryContext(w.bg, t.PolicyID, t.Subject.Type, t.Subject.ID))
			if err != nil {
				return err
			}
			for _, r := range removed {
				if err := w.logTarget(store.OpDelete, r); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// ListDataPolicyTargets pages through the primary key from the policy.
func (s *Store) ListDataPolicyTargets(ctx context.Context, policyID string, opts store.ListOptions) (store.Page[store.PolicyTarget], error) {
	return s.listTargets(ctx, &targetsOf, []any{policyID}, opts, func(t *store.PolicyTarget) []string {
		return []string{t.Subject.Type, t.Subject.ID}
	}, policyID)
}

// ListAllPolicyTargets pages through the whole primary key.
func (s *Store) ListAllPolicyTargets(ctx context.Context, opts store.ListOptions) (store.Page[store.PolicyTarget], error) {
	return s.listTargets(ctx, &allTargets, nil, opts, func(t *store.PolicyTarget) []string {
		return []string{t.PolicyID, t.Subject.Type, t.Subject.ID}
	}, "")
}

// listTargets reads one page of k; a non-empty policyID must name a policy.
func (s *Store) listTargets(ctx context.Context, k *keyset, args []any, opts store.ListOptions, key func(*store.PolicyTarget) []string, policyID string) (store.Page[store.PolicyTarget], error) {
	var page store.Page[store.PolicyTarget]
	kind := store.KindAllPolicyTargets
	if k == &targetsOf {
		kind = store.KindPolicyTargets
	}
	cur, err := opts.CursorFor(kind, policyID)
	if err != nil {
		return page, err
	}
	err = s.read(ctx, func(tx rtx) error {
		if k == &targetsOf {
			var one int
			err := tx.QueryRowContext(ctx, sqlPolicyExists, policyID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return store.PolicyNotFound(policyID)
			}
			if err != nil {
				return err
			}
		}
		page, err = listKeyset(ctx, tx, k, args, cur, kind, policyID, opts.IncludeTotal, scanTarget, key)
		return err
	})
	if err != nil {
		return store.Page[store.PolicyTarget]{}, err
	}
	if page.Items == nil {
		page.Items = []store.PolicyTarget{}
	}
	return page, nil
}

// pinningPolicies returns, sorted, the IDs of the policies whose exact refs
// on data resource code of ns pass pins (all of them when pins is nil).
func (w *wtx) pinningPolicies(ns, code string, pins func(nodePath, action string) bool) ([]string, error) {
	rows, err := w.query(sqlExactRefs, ns, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id, nodePath, action string
		if err := rows.Scan(&id, &nodePath, &action); err != nil {
			return nil, err
		}
		if (pins == nil || pins(nodePath, action)) && (len(ids) == 0 || ids[len(ids)-1] != id) {
			ids = append(ids, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return ids, rows.Close()
}

// checkDataUpdatePins refuses an update of a data resource that removes a
// node (or an ancestor of it, which removes it too) or an action that an
// exact ref names.
func (w *wtx) checkDataUpdatePins(old, updated *store.DataResource) error {
	var removed *store.Removals
	ids, err := w.pinningPolicies(old.NamespaceCode, old.ResourceCode, func(nodePath, action string) bool {
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

// namespacePolicies returns, sorted, the IDs of the policies whose refs
// name namespace ns, for the error of a refused DeleteNamespace.
func (w *wtx) namespacePolicies(ns string) ([]string, error) {
	rows, err := w.query(sqlNamespacePolicies, ns)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return ids, rows.Close()
}
