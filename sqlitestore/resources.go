package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strconv"

	"github.com/resreg/resreg/store"
)

const (
	sqlResourceCols    = `namespace, code, id, type, name, name_i18n, description, actions, api_identifier, linked_to_tenant, created_at, updated_at`
	sqlInsertResource  = `INSERT INTO resreg_resources (` + sqlResourceCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlGetResource     = `SELECT ` + sqlResourceCols + ` FROM resreg_resources WHERE namespace = ? AND code = ?`
	sqlGetResourceByID = `SELECT ` + sqlResourceCols + ` FROM resreg_resources WHERE namespace = ? AND id = ?`
	sqlCountResources  = `SELECT count(*) FROM resreg_resources WHERE namespace = ?`
	sqlResourceExists  = `SELECT 1 FROM resreg_resources WHERE namespace = ? AND code = ?`
	sqlResourceIDTaken = `SELECT 1 FROM resreg_resources WHERE namespace = ? AND id = ?`
	// sqlListResources is the keyset page query; sqlScanResources reads on
	// from the cursor without a limit, for filters checked in Go.
	sqlScanResources  = `SELECT ` + sqlResourceCols + ` FROM resreg_resources WHERE namespace = ? AND code > ? ORDER BY code`
	sqlListResources  = sqlScanResources + ` LIMIT ?`
	sqlUpdateResource = `UPDATE resreg_resources SET type = ?, name = ?, name_i18n = ?, description = ?, actions = ?,
		api_identifier = ?, linked_to_tenant = ?, updated_at = ? WHERE namespace = ? AND code = ?`
	sqlDeleteResource = `DELETE FROM resreg_resources WHERE namespace = ? AND code = ?`
)

// resourceRow is the scan target of a resource row. Blob columns are
// scanned into sql.RawBytes where the caller allows it, avoiding a copy
// before decoding.
type resourceRow struct {
	r                store.Resource
	i18n, actions    []byte
	linked           int64
	id               any
	created, updated any
}

func (rr *resourceRow) dest(raw bool) []any {
	r := &rr.r
	if raw {
		return []any{&r.Namespace, &r.Code, &rr.id, &r.Type, &r.Name.DefaultValue, (*sql.RawBytes)(&rr.i18n),
			&r.Description, (*sql.RawBytes)(&rr.actions), &r.APIIdentifier, &rr.linked, &rr.created, &rr.updated}
	}
	return []any{&r.Namespace, &r.Code, &rr.id, &r.Type, &r.Name.DefaultValue, &rr.i18n,
		&r.Description, &rr.actions, &r.APIIdentifier, &rr.linked, &rr.created, &rr.updated}
}

func (rr *resourceRow) resource() (store.Resource, error) {
	r := rr.r
	var err error
	if r.Name.I18nValue, err = decodeI18n(rr.i18n); err != nil {
		return store.Resource{}, err
	}
	if r.Actions, err = decodeActions(rr.actions); err != nil {
		return store.Resource{}, err
	}
	r.LinkedToTenant = rr.linked != 0
	r.ID, _ = rr.id.(string)
	r.CreatedAt, r.UpdatedAt = timeOf(rr.created), timeOf(rr.updated)
	return r, nil
}

func scanResource(sc rowScanner) (store.Resource, error) {
	var rr resourceRow
	if err := sc.Scan(rr.dest(false)...); err != nil {
		return store.Resource{}, err
	}
	return rr.resource()
}

// CreateResources inserts the batch with one prepared statement in one
// immediate transaction. Uniqueness is left to the primary key and the ID
// index; only when SQLite rejects a row does the method look for every
// conflicting code, to report them all.
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
	return s.write(ctx, func(w *wtx) error {
		// Namespaces are checked first: the contract ranks a missing
		// namespace before a conflict.
		namespaces := make([]string, 0, 1)
		for i := range resources {
			if ns := resources[i].Namespace; !slices.Contains(namespaces, ns) {
				if err := w.requireNamespace(ns); err != nil {
					return err
				}
				namespaces = append(namespaces, ns)
			}
		}
		// No savepoint: one would make SQLite copy every page the batch
		// touches into a statement journal, a cost that grows with the
		// database. A rejected row is reported from the state the batch
		// leaves (see resourceConflicts), and write rolls it all back.
		ins, err := w.prepare(sqlInsertResource)
		if err != nil {
			return err
		}
		defer ins.Close()
		for i := range resources {
			if err := w.canceled(); err != nil {
				return err
			}
			r := &resources[i]
			_, err := ins.ExecContext(w.bg, r.Namespace, r.Code, nullIfEmpty(r.ID), r.Type, r.Name.DefaultValue, encodeI18n(r.Name.I18nValue),
				r.Description, encodeActions(r.Actions), r.APIIdentifier, r.LinkedToTenant, encodeTime(r.CreatedAt), encodeTime(r.UpdatedAt))
			if err == nil {
				if err := w.logResource(store.OpCreate, r); err != nil {
					return err
				}
				continue
			}
			if !errors.Is(translate(w.ctx, err), errUnique) {
				return err
			}
			return w.resourceConflicts(resources, i)
		}
		if opts.MaxResourcesPerNamespace > 0 {
			// Counted after the inserts, under the write lock: what is
			// checked is what the commit will hold.
			for _, ns := range namespaces {
				var n int
				if err := w.queryRow(sqlCountResources, ns).Scan(&n); err != nil {
					return err
				}
				if n > opts.MaxResourcesPerNamespace {
					return store.QuotaExceeded(ns, n, opts.MaxResourcesPerNamespace)
				}
			}
		}
		return nil
	})
}

// resourceConflicts lists every code of the batch that is taken in its
// namespace, whose ID is taken, or that repeats a code or ID earlier in the
// batch, and why, as memstore does. SQLite rejected resources[failed]; the
// rows before it are in the database, inserted by this batch, and
// everything is rolled back after the report. That state gives the same
// report as the database before the batch:
//
//   - a row before failed took nothing that existed and repeated nothing
//     earlier in the batch, or its insert would have failed;
//   - a row from failed on repeats the batch if an earlier row has its code
//     or ID, and takes a code or ID if the database holds it and no row
//     inserted by this batch put it there.
func (w *wtx) resourceConflicts(resources []store.Resource, failed int) error {
	type key struct{ ns, v string }
	// insertedCodes and insertedIDs are what the rows before failed put in
	// the database; codes and ids are what the rows so far hold.
	insertedCodes := make(map[key]bool, failed)
	insertedIDs := make(map[key]bool, failed)
	for i := range resources[:failed] {
		r := &resources[i]
		insertedCodes[key{r.Namespace, r.Code}] = true
		if r.ID != "" {
			insertedIDs[key{r.Namespace, r.ID}] = true
		}
	}
	codes := maps.Clone(insertedCodes)
	ids := maps.Clone(insertedIDs)
	var conflicting []string
	var kinds store.ConflictKind
	for i := failed; i < len(resources); i++ {
		r := &resources[i]
		ck, ik := key{r.Namespace, r.Code}, key{r.Namespace, r.ID}
		var kind store.ConflictKind
		if codes[ck] || (r.ID != "" && ids[ik]) {
			kind |= store.Repeated
		}
		if !insertedCodes[ck] {
			taken, err := w.exists(sqlResourceExists, r.Namespace, r.Code)
			if err != nil {
				return err
			}
			if taken {
				kind |= store.CodeTaken
			}
		}
		if r.ID != "" && !insertedIDs[ik] {
			taken, err := w.exists(sqlResourceIDTaken, r.Namespace, r.ID)
			if err != nil {
				return err
			}
			if taken {
				kind |= store.IDTaken
			}
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
	if len(conflicting) == 0 {
		// SQLite saw a violation the report cannot place; still a conflict.
		return store.ResourcesConflict(0, nil)
	}
	return store.ResourcesConflict(kinds, conflicting)
}

// GetResource is a single point select on the primary key with a statement
// prepared once per connection.
func (s *Store) GetResource(ctx context.Context, namespace, code string) (store.Resource, error) {
	return s.getOneResource(ctx, s.getResource, sqlGetResource, namespace, code, func() *store.Error {
		return store.ResourceNotFound(namespace, code)
	})
}

// GetResourceByID is GetResource through the (namespace, id) index.
func (s *Store) GetResourceByID(ctx context.Context, namespace, id string) (store.Resource, error) {
	return s.getOneResource(ctx, s.getResourceByID, sqlGetResourceByID, namespace, id, func() *store.Error {
		return store.ResourceIDNotFound(namespace, id)
	})
}

// getOneResource runs a point select, st or, in a batch, query (see
// point); notFound builds the not-found error, only when it is needed.
func (s *Store) getOneResource(ctx context.Context, st *sql.Stmt, query, namespace, key string, notFound func() *store.Error) (store.Resource, error) {
	if err := ctx.Err(); err != nil {
		return store.Resource{}, err
	}
	if s.closed.Load() {
		return store.Resource{}, store.Closed()
	}
	var r store.Resource
	err := s.point(ctx, st, query, []any{namespace, key}, func(row *sql.Row) (err error) {
		r, err = scanResource(row)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return store.Resource{}, s.notFound(ctx, namespace, notFound())
	}
	if err != nil {
		return store.Resource{}, translate(ctx, err)
	}
	return r, nil
}

// UpdateResource applies fn to a copy of the stored resource under the
// write lock. Key fields and CreatedAt keep their stored values.
func (s *Store) UpdateResource(ctx context.Context, namespace, code string, fn func(*store.Resource) error) (_ store.Resource, err error) {
	defer s.failBatch(ctx, &err)
	var out store.Resource
	err = s.write(ctx, func(w *wtx) error {
		old, err := scanResource(w.queryRow(sqlGetResource, namespace, code))
		if errors.Is(err, sql.ErrNoRows) {
			if err := w.requireNamespace(namespace); err != nil {
				return err
			}
			return store.ResourceNotFound(namespace, code)
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
		if _, err := w.exec(sqlUpdateResource, r.Type, r.Name.DefaultValue, encodeI18n(r.Name.I18nValue), r.Description,
			encodeActions(r.Actions), r.APIIdentifier, r.LinkedToTenant, encodeTime(r.UpdatedAt), namespace, code); err != nil {
			return err
		}
		if err := w.logResource(store.OpUpdate, &r); err != nil {
			return err
		}
		// Grants follow the actions they name.
		if err := w.deleteActionGrants(namespace, code, old.Actions, r.Actions); err != nil {
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

// DeleteResources deletes every listed code, with the grants on it, or, if
// any is missing, none.
func (s *Store) DeleteResources(ctx context.Context, namespace string, codes []string) (err error) {
	defer s.failBatch(ctx, &err)
	return s.write(ctx, func(w *wtx) error {
		if err := w.requireNamespace(namespace); err != nil {
			return err
		}
		del, err := w.prepare(sqlDeleteResource)
		if err != nil {
			return err
		}
		defer del.Close()
		// Grants follow the resources they name, in the same write. A
		// namespace without grants (checked once, on an index) skips the
		// per-resource cascade, which would otherwise cost a statement per
		// deleted code.
		hasGrants, err := w.exists(sqlNamespaceHasGrants, namespace)
		if err != nil {
			return err
		}
		var delGrants *sql.Stmt
		if hasGrants {
			if delGrants, err = w.prepare(sqlDeleteResourceGrants); err != nil {
				return err
			}
			defer delGrants.Close()
		}
		var missing []string
		done := make(map[string]bool, len(codes))
		for _, code := range codes {
			if err := w.canceled(); err != nil {
				return err
			}
			if done[code] {
				continue
			}
			done[code] = true
			if err := w.logResourceDelete(namespace, code); err != nil {
				return err
			}
			res, err := del.ExecContext(w.bg, namespace, code)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				missing = append(missing, code)
				continue
			}
			if delGrants == nil {
				continue
			}
			if err := w.deleteResourceGrants(delGrants, namespace, code); err != nil {
				return err
			}
		}
		if len(missing) > 0 {
			return store.ResourcesNotFound(namespace, missing)
		}
		return nil
	})
}
