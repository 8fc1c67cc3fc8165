package bench

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"slices"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// The raw SQLite baseline: what a hand-written database/sql program does to
// keep the same rows in the same tables. It runs on a *sql.DB opened with
// the same DSN as sqlitestore (sqlitestore.Open makes the file, so the
// schema is the real one) and writes the same columns, with the same
// encoding of the small collections: a version byte, then a uvarint count
// and uvarint-length-prefixed strings.

const (
	rawInsertResource = `INSERT INTO resreg_resources (namespace, code, id, type, name, name_i18n, description,
		actions, api_identifier, linked_to_tenant, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	rawSelectResource = `SELECT namespace, code, id, type, name, name_i18n, description, actions, api_identifier,
		linked_to_tenant, created_at, updated_at FROM resreg_resources WHERE namespace = ? AND code = ?`
	rawInsertData = `INSERT INTO resreg_data_resources (namespace, code, name, description, type, shape, string,
		items, tree_size, actions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	rawInsertNode = `INSERT INTO resreg_tree_nodes (namespace, resource_code, path, seq, depth, code, name, value)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
)

// rawRegister inserts an EnOS batch in one transaction with one prepared
// statement: ID = code, timestamps now.
func rawRegister(ctx context.Context, db *sql.DB, in *resreg.RegisterInput) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	stmt, err := tx.PrepareContext(ctx, rawInsertResource)
	if err != nil {
		return err
	}
	defer stmt.Close()
	ts := time.Now().UnixNano()
	for i := range in.Resources {
		it := &in.Resources[i]
		if _, err := stmt.ExecContext(ctx, store.DefaultNamespace, it.Code, it.Code, in.Type, it.Name.DefaultValue,
			encodePairs(it.Name.I18nValue), "", nil, "", 0, ts, ts); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// rawReader reads a resource with one prepared point select and decodes the
// row into the record the registry returns.
type rawReader struct{ stmt *sql.Stmt }

func newRawReader(ctx context.Context, db *sql.DB) (*rawReader, error) {
	st, err := db.PrepareContext(ctx, rawSelectResource)
	if err != nil {
		return nil, err
	}
	return &rawReader{st}, nil
}

func (r *rawReader) get(ctx context.Context, ns, code string) (store.Resource, error) {
	var (
		res              store.Resource
		id               sql.NullString
		names, acts      []byte
		linked           int64
		created, updated sql.NullInt64
	)
	err := r.stmt.QueryRowContext(ctx, ns, code).Scan(&res.Namespace, &res.Code, &id, &res.Type, &res.Name.DefaultValue,
		&names, &res.Description, &acts, &res.APIIdentifier, &linked, &created, &updated)
	if err != nil {
		return store.Resource{}, err
	}
	res.ID = id.String
	res.LinkedToTenant = linked != 0
	if created.Valid {
		res.CreatedAt = time.Unix(0, created.Int64).UTC()
	}
	if updated.Valid {
		res.UpdatedAt = time.Unix(0, updated.Int64).UTC()
	}
	if names != nil {
		list, err := decodeList(names)
		if err != nil {
			return store.Resource{}, err
		}
		res.Name.I18nValue = make(map[string]string, len(list)/2)
		for i := 0; i+1 < len(list); i += 2 {
			res.Name.I18nValue[list[i]] = list[i+1]
		}
	}
	if acts != nil {
		list, err := decodeList(acts)
		if err != nil {
			return store.Resource{}, err
		}
		res.Actions = make([]store.Action, len(list)/2)
		for i := range res.Actions {
			res.Actions[i] = store.Action{Name: list[2*i], Description: list[2*i+1]}
		}
	}
	return res, nil
}

func (r *rawReader) close() { r.stmt.Close() }

// rawCreateTree inserts a TREE data resource: its row, then one row per node
// with its path, pre-order position and depth.
func rawCreateTree(ctx context.Context, db *sql.DB, d *store.DataResource) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	ts := time.Now().UnixNano()
	if _, err := tx.ExecContext(ctx, rawInsertData, d.NamespaceCode, d.ResourceCode, d.ResourceName, d.Description,
		string(d.Type), "TREE", "", nil, countNodes(d.Struct.Tree), encodeList(d.Actions), ts, ts); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, rawInsertNode)
	if err != nil {
		return err
	}
	defer stmt.Close()
	seq := 0
	var walk func(level []store.TreeNode, parent string, depth int) error
	walk = func(level []store.TreeNode, parent string, depth int) error {
		for i := range level {
			n := &level[i]
			path := n.Code
			if parent != "" {
				path = parent + "/" + n.Code
			}
			if _, err := stmt.ExecContext(ctx, d.NamespaceCode, d.ResourceCode, path, seq, depth, n.Code, n.Name, n.Value); err != nil {
				return err
			}
			seq++
			if err := walk(n.Children, path, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(d.Struct.Tree, "", 1); err != nil {
		return err
	}
	return tx.Commit()
}

func countNodes(level []store.TreeNode) int {
	n := len(level)
	for i := range level {
		n += countNodes(level[i].Children)
	}
	return n
}

// encodePairs encodes a map as key, value, key, value... sorted by key;
// nil when empty.
func encodePairs(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 64)
	b = append(b, 1)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendStr(appendStr(b, k), m[k])
	}
	return b
}

// encodeList encodes strings; nil when empty.
func encodeList(list []string) any {
	if len(list) == 0 {
		return nil
	}
	b := append(make([]byte, 0, 64), 1)
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, s := range list {
		b = appendStr(b, s)
	}
	return b
}

func appendStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

var errFormat = errors.New("bench: malformed blob")

// decodeList returns the strings of an encoded collection; a map or an
// action list comes back as a flat list of pairs.
func decodeList(b []byte) ([]string, error) {
	if len(b) == 0 || b[0] != 1 {
		return nil, errFormat
	}
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, errFormat
	}
	b = b[k:]
	// A map or action list has two strings per entry.
	out := make([]string, 0, 2*n)
	for len(b) > 0 {
		l, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < l {
			return nil, errFormat
		}
		out = append(out, string(b[k:k+int(l)]))
		b = b[k+int(l):]
	}
	return out, nil
}
