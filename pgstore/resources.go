package pgstore

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

const (
	sqlResourceCols = `namespace, code, id, type, name, name_i18n, description, actions, api_identifier, linked_to_tenant, created_at, updated_at`
	// sqlInsertResources inserts a whole batch in one statement from one
	// array per column, so that the batch costs one round trip and one
	// statement whatever its size.
	sqlInsertResources = `INSERT INTO {s}resreg_resources (` + sqlResourceCols + `)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
			$7::text[], $8::text[], $9::text[], $10::boolean[], $11::bigint[], $12::bigint[])`
	// sqlAddResourceCount locks the namespace row for the rest of the write
	// and returns the count the namespace will hold.
	sqlAddResourceCount = `UPDATE {s}resreg_namespaces SET resource_count = resource_count + $2 WHERE code = $1 RETURNING resource_count`
	sqlResourceCount    = `SELECT resource_count FROM {s}resreg_namespaces WHERE code = $1`
	sqlGetResource      = `SELECT ` + sqlResourceCols + ` FROM {s}resreg_resources WHERE namespace = $1 AND code = $2`
	sqlGetResourceByID  = `SELECT ` + sqlResourceCols + ` FROM {s}resreg_resources WHERE namespace = $1 AND id = $2`
	sqlResourcesByCode  = `SELECT ` + sqlResourceCols + ` FROM {s}resreg_resources WHERE namespace = $1 AND code = ANY($2) ORDER BY code`
	sqlResourcesByID    = `SELECT ` + sqlResourceCols + ` FROM {s}resreg_resources WHERE namespace = $1 AND id = ANY($2) ORDER BY code`
	sqlTakenKeys        = `SELECT code, coalesce(id, '') FROM {s}resreg_resources WHERE namespace = $1 AND (code = ANY($2) OR id = ANY($3))`
	sqlListResources    = `SELECT ` + sqlResourceCols + ` FROM {s}resreg_resources WHERE namespace = $1 AND code > $2 ORDER BY code LIMIT $3`
	sqlUpdateResource   = `UPDATE {s}resreg_resources SET type = $3, name = $4, name_i18n = $5, description = $6, actions = $7,
		api_identifier = $8, linked_to_tenant = $9, updated_at = $10 WHERE namespace = $1 AND code = $2`
	sqlDeleteResources = `DELETE FROM {s}resreg_resources WHERE namespace = $1 AND code = ANY($2) RETURNING ` + sqlResourceCols
)

type resourceQueries struct {
	insert, addCount, count, get, getByID, byCode, byID, taken, list, update, delete, getForUpdate string
}

func newResourceQueries(q func(string) string) resourceQueries {
	return resourceQueries{
		insert: q(sqlInsertResources), addCount: q(sqlAddResourceCount), count: q(sqlResourceCount),
		get: q(sqlGetResource), getByID: q(sqlGetResourceByID), byCode: q(sqlResourcesByCode), byID: q(sqlResourcesByID),
		taken: q(sqlTakenKeys), list: q(sqlListResources), update: q(sqlUpdateResource), delete: q(sqlDeleteResources),
		getForUpdate: q(sqlGetResource + ` FOR UPDATE`),
	}
}

// resourceRow is the scan target of a resource row.
type resourceRow struct {
	r                store.Resource
	id, i18n, acts   *string
	created, updated *int64
}

func (rr *resourceRow) dest() []any {
	r := &rr.r
	return []any{&r.Namespace, &r.Code, &rr.id, &r.Type, &r.Name.DefaultValue, &rr.i18n,
		&r.Description, &rr.acts, &r.APIIdentifier, &r.LinkedToTenant, &rr.created, &rr.updated}
}

func (rr *resourceRow) resource() (store.Resource, error) {
	r := rr.r
	var err error
	if r.Name.I18nValue, err = decodeI18n(rr.i18n); err != nil {
		return store.Resource{}, err
	}
	if r.Actions, err = decodeActions(rr.acts); err != nil {
		return store.Resource{}, err
	}
	if rr.id != nil {
		r.ID = *rr.id
	}
	r.CreatedAt, r.UpdatedAt = decodeTime(rr.created), decodeTime(rr.updated)
	return r, nil
}

func scanResource(row pgx.Row) (store.Resource, error) {
	var rr resourceRow
	if err := row.Scan(rr.dest()...); err != nil {
		return store.Resource{}, err
	}
	return rr.resource()
}

// collectResources reads rows into resources and closes rows.
func collectResources(rows pgx.Rows, capacity int) ([]store.Resource, error) {
	defer rows.Close()
	items := make([]store.Resource, 0, capacity)
	var rr resourceRow
	dest := rr.dest()
	for rows.Next() {
		rr = resourceRow{}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		r, err := rr.resource()
		if err != nil {
			return nil, err
		}
		items = append(items, r)
	}
	return items, rows.Err()
}

// resourceColumns holds a batch column by column, for sqlInsertResources.
type resourceColumns struct {
	ns, code, typ, name, desc, api []string
	id, i18n, acts                 []*string
	linked                         []bool
	created, updated               []*int64
}

func columnsOf(rs []store.Resource) *resourceColumns {
	n := len(rs)
	c := &resourceColumns{
		ns: make([]string, n), code: make([]string, n), typ: make([]string, n), name: make([]string, n),
		desc: make([]string, n), api: make([]string, n), id: make([]*string, n), i18n: make([]*string, n),
		acts: make([]*string, n), linked: make([]bool, n), created: make([]*int64, n), updated: make([]*int64, n),
	}
	for i := range rs {
		r := &rs[i]
		c.ns[i], c.code[i], c.typ[i], c.name[i], c.desc[i], c.api[i] = r.Namespace, r.Code, r.Type, r.Name.DefaultValue, r.Description, r.APIIdentifier
		c.id[i], c.i18n[i], c.acts[i] = nullIfEmpty(r.ID), encodeI18n(r.Name.I18nValue), encodeActions(r.Actions)
		c.linked[i], c.created[i], c.updated[i] = r.LinkedToTenant, encodeTime(r.CreatedAt), encodeTime(r.UpdatedAt)
	}
	return c
}

func (c *resourceColumns) args() []any {
	return []any{c.ns, c.code, c.id, c.typ, c.name, c.i18n, c.desc, c.acts, c.api, c.linked, c.created, c.updated}
}

// errBatchConflict reports, from inside the write, that the batch broke a
// unique constraint; CreateResources then reads which codes conflict.
var errBatchConflict = &store.Error{Message: "a resource code or ID is already taken or repeats within the batch", Err: store.ErrConflict}

// CreateResources writes the batch in one transaction and one round trip:
// a pgx.Batch that bumps the resource count of each namespace involved
// (locking its row, in code order so that writers never deadlock on them)
// and inserts every row with one statement. The namespace rows stay locked
// until the commit, so the counts checked against the quota are the counts
// the commit leaves. Uniqueness is left to the constraints; only when one
// is broken does the method look up every conflicting code, to report them
// all.
func (s *Store) CreateResources(ctx context.Context, resources []store.Resource, opts store.WriteOptions) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(resources) == 0 {
		return nil
	}
	for i := range resources {
		if store.CheckTimes("", resources[i].CreatedAt, resources[i].UpdatedAt) != nil {
			return store.CheckTimes("resources["+strconv.Itoa(i)+"]", resources[i].CreatedAt, resources[i].UpdatedAt)
		}
	}
	order := make([]string, 0, 1) // namespaces in batch order
	added := map[string]int{}
	for i := range resources {
		ns := resources[i].Namespace
		if _, ok := added[ns]; !ok {
			order = append(order, ns)
		}
		added[ns]++
	}
	locking := slices.Clone(order)
	slices.Sort(locking)
	cols := columnsOf(resources)

	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		b := &pgx.Batch{}
		for _, ns := range locking {
			b.Queue(s.q.res.addCount, ns, added[ns])
		}
		b.Queue(s.q.res.insert, cols.args()...)
		br := tx.SendBatch(ctx, b)
		counts := make(map[string]int64, len(locking))
		for _, ns := range locking {
			var n int64
			err := br.QueryRow().Scan(&n)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				br.Close()
				return err
			}
			counts[ns] = n
		}
		_, insErr := br.Exec()
		if err := br.Close(); err != nil && insErr == nil {
			insErr = err
		}
		for _, ns := range order {
			if _, ok := counts[ns]; !ok {
				return store.NamespaceNotFound(ns)
			}
		}
		if insErr != nil {
			if isUnique(insErr) {
				return fnError{errBatchConflict}
			}
			return insErr
		}
		if limit := opts.MaxResourcesPerNamespace; limit > 0 {
			for _, ns := range order {
				if n := counts[ns]; n > int64(limit) {
					return store.QuotaExceeded(ns, int(n), limit)
				}
			}
		}
		for i := range resources {
			if err := tx.logResource(store.OpCreate, &resources[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errBatchConflict) {
		return s.resourceConflicts(ctx, resources)
	}
	return err
}

// resourceConflicts lists every code of a rejected batch that is taken in
// its namespace, whose ID is taken, or that repeats a code or ID earlier in
// the batch. The batch was rolled back, so the database holds what it held
// before (give or take writes committed since by others).
func (s *Store) resourceConflicts(ctx context.Context, resources []store.Resource) error {
	type key struct{ ns, v string }
	byNS := map[string][2][]string{}
	for i := range resources {
		r := &resources[i]
		k := byNS[r.Namespace]
		k[0] = append(k[0], r.Code)
		if r.ID != "" {
			k[1] = append(k[1], r.ID)
		}
		byNS[r.Namespace] = k
	}
	takenCodes, takenIDs := map[key]bool{}, map[key]bool{}
	err := s.read(ctx, func(ctx context.Context) error {
		for ns, k := range byNS {
			rows, err := s.db(ctx).Query(ctx, s.q.res.taken, ns, k[0], k[1])
			if err != nil {
				return err
			}
			var code, id string
			_, err = pgx.ForEachRow(rows, []any{&code, &id}, func() error {
				takenCodes[key{ns, code}] = true
				if id != "" {
					takenIDs[key{ns, id}] = true
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The batch was rolled back, so what the database holds was there
	// before it: a code or ID found there is taken, one met earlier in the
	// batch repeats.
	codes, ids := map[key]bool{}, map[key]bool{}
	var conflicting []string
	var kinds store.ConflictKind
	for i := range resources {
		r := &resources[i]
		ck, ik := key{r.Namespace, r.Code}, key{r.Namespace, r.ID}
		var kind store.ConflictKind
		if codes[ck] || (r.ID != "" && ids[ik]) {
			kind |= store.Repeated
		}
		if takenCodes[ck] {
			kind |= store.CodeTaken
		}
		if r.ID != "" && takenIDs[ik] {
			kind |= store.IDTaken
		}
		codes[ck] = true
		if r.ID != "" {
			ids[ik] = true
		}
		if kind != 0 {
			kinds |= kind
			conflicting = append(conflicting, r.Code)
		}
	}
	return store.ResourcesConflict(kinds, conflicting)
}

// GetResource is one point select on the primary key; pgx prepares it once
// per connection.
func (s *Store) GetResource(ctx context.Context, namespace, code string) (store.Resource, error) {
	return s.getOneResource(ctx, s.q.res.get, namespace, code, false)
}

// GetResourceByID is GetResource through the (namespace, id) index.
func (s *Store) GetResourceByID(ctx context.Context, namespace, id string) (store.Resource, error) {
	return s.getOneResource(ctx, s.q.res.getByID, namespace, id, true)
}

func (s *Store) getOneResource(ctx context.Context, query, namespace, key string, byID bool) (store.Resource, error) {
	var r store.Resource
	err := s.read(ctx, func(ctx context.Context) error {
		var err error
		r, err = scanResource(s.db(ctx).QueryRow(ctx, query, namespace, key))
		if errors.Is(err, pgx.ErrNoRows) {
			nf := store.ResourceNotFound(namespace, key)
			if byID {
				nf = store.ResourceIDNotFound(namespace, key)
			}
			return s.notFound(ctx, nil, namespace, nf)
		}
		return err
	})
	if err != nil {
		return store.Resource{}, err
	}
	return r, nil
}

// UpdateResource applies fn to a copy of the stored resource, its row
// locked for the write. Key fields and CreatedAt keep their stored values.
func (s *Store) UpdateResource(ctx context.Context, namespace, code string, fn func(*store.Resource) error) (_ store.Resource, err error) {
	defer s.failBatch(ctx, &err)
	var out store.Resource
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		old, err := scanResource(tx.QueryRow(ctx, s.q.res.getForUpdate, namespace, code))
		if errors.Is(err, pgx.ErrNoRows) {
			return s.notFound(ctx, tx, namespace, store.ResourceNotFound(namespace, code))
		}
		if err != nil {
			return err
		}
		r := old.Clone()
		if err := fn(&r); err != nil {
			return fnError{err}
		}
		r = r.Clone()
		r.Namespace, r.Code, r.ID, r.CreatedAt = old.Namespace, old.Code, old.ID, old.CreatedAt
		if err := store.CheckTime("updatedAt", r.UpdatedAt); err != nil {
			return err
		}
		r.UpdatedAt = normTime(r.UpdatedAt)
		if _, err := tx.Exec(ctx, s.q.res.update, namespace, code, r.Type, r.Name.DefaultValue, encodeI18n(r.Name.I18nValue),
			r.Description, encodeActions(r.Actions), r.APIIdentifier, r.LinkedToTenant, encodeTime(r.UpdatedAt)); err != nil {
			return err
		}
		if err := tx.logResource(store.OpUpdate, &r); err != nil {
			return err
		}
		// Grants follow the actions they name.
		if err := s.deleteActionGrants(ctx, tx, namespace, code, old.Actions, r.Actions); err != nil {
			return err
		}
		out = r
		return nil
	})
	if err != nil {
		return store.Resource{}, err
	}
	return out, nil
}

// DeleteResources deletes every listed code with one statement or, if any
// is missing, none. The namespace row is locked first, as by every write
// that changes its resource count.
func (s *Store) DeleteResources(ctx context.Context, namespace string, codes []string) (err error) {
	defer s.failBatch(ctx, &err)
	unique := slices.Clone(codes)
	slices.Sort(unique)
	unique = slices.Compact(unique)
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if err := s.lockNamespace(ctx, tx, namespace, false); err != nil {
			return err
		}
		if len(unique) == 0 {
			return nil
		}
		rows, err := tx.Query(ctx, s.q.res.delete, namespace, unique)
		if err != nil {
			return err
		}
		removed, err := collectResources(rows, len(unique))
		if err != nil {
			return err
		}
		if len(removed) < len(unique) {
			gone := make(map[string]bool, len(removed))
			for _, r := range removed {
				gone[r.Code] = true
			}
			var missing []string
			for _, c := range unique {
				if !gone[c] {
					missing = append(missing, c)
				}
			}
			return store.ResourcesNotFound(namespace, missing)
		}
		// Grants follow the resources they name, in the same write; each
		// resource's change comes first, then those of its grants, in the
		// order the codes were given.
		grants, err := collectGrants(tx.Query(ctx, s.q.perm.deleteResourcesGrants, namespace, unique))
		if err != nil {
			return err
		}
		byCode := make(map[string]*store.Resource, len(removed))
		for i := range removed {
			byCode[removed[i].Code] = &removed[i]
		}
		grantsOf := make(map[string][]store.Grant)
		for _, g := range grants {
			grantsOf[g.ResourceCode] = append(grantsOf[g.ResourceCode], g)
		}
		logged := make(map[string]bool, len(removed))
		for _, c := range codes {
			if logged[c] {
				continue
			}
			logged[c] = true
			if err := tx.logResource(store.OpDelete, byCode[c]); err != nil {
				return err
			}
			gs := grantsOf[c]
			sortGrantsByResourceKey(gs)
			if err := tx.logGrantsDeleted(gs); err != nil {
				return err
			}
		}
		deleted := removed
		_, err = tx.Exec(ctx, s.q.res.addCount, namespace, -len(deleted))
		return err
	})
}
