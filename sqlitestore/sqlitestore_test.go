package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"

	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

var t0 = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

func sampleResource(ns, code string) store.Resource {
	return store.Resource{
		ID:        "id-" + code,
		Namespace: ns,
		Code:      code,
		Type:      store.TypeAPI,
		Name: store.I18nName{
			DefaultValue: "Name " + code,
			I18nValue:    map[string]string{"zh_CN": "名称 " + code, "fr": "Nom " + code},
		},
		Description:    "resource " + code,
		Actions:        []store.Action{{Name: "read", Description: "Read it"}, {Name: "write"}},
		APIIdentifier:  "https://api.example.com/" + code,
		LinkedToTenant: true,
		CreatedAt:      t0,
		UpdatedAt:      t0.Add(time.Second),
	}
}

func sampleTree() store.Tree {
	return store.Tree{
		{Code: "product", Name: "Product", Children: []store.TreeNode{
			{Code: "pm", Name: "Product manager", Value: "v1"},
			{Code: "design", Name: "Design", Children: []store.TreeNode{{Code: "ux", Name: "UX"}}},
		}},
		{Code: "sales", Name: "Sales", Value: "s"},
	}
}

func sampleData(ns string) []store.DataResource {
	return []store.DataResource{
		{NamespaceCode: ns, ResourceCode: "api", ResourceName: "API path", Type: store.DataString,
			Struct: store.Struct{String: "/v1/users"}, Actions: []string{"get"}, CreatedAt: t0, UpdatedAt: t0},
		{NamespaceCode: ns, ResourceCode: "cards", ResourceName: "Cards", Type: store.DataArray,
			Struct: store.Struct{Array: []string{"1", "2"}}, CreatedAt: t0, UpdatedAt: t0},
		{NamespaceCode: ns, ResourceCode: "empty", ResourceName: "Empty", Type: store.DataArray,
			Struct: store.Struct{Array: []string{}}, CreatedAt: t0, UpdatedAt: t0},
		{NamespaceCode: ns, ResourceCode: "org", ResourceName: "Org chart", Description: "who is who", Type: store.DataTree,
			Struct: store.Struct{Tree: sampleTree()}, Actions: []string{"read", "write"}, CreatedAt: t0, UpdatedAt: t0},
	}
}

// fill writes a namespace, resources and data resources of every shape.
func fill(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, s.CreateNamespace(ctx, store.Namespace{Code: "shop", Name: "Shop", Description: "d", CreatedAt: t0, UpdatedAt: t0}))
	var rs []store.Resource
	for i := range 50 {
		rs = append(rs, sampleResource("shop", "r"+strconv.Itoa(i)))
	}
	plain := store.Resource{Namespace: store.DefaultNamespace, Code: "plain", Type: store.TypeMenu}
	require.NoError(t, s.CreateResources(ctx, append(rs, plain), store.WriteOptions{}))
	for _, d := range sampleData("shop") {
		require.NoError(t, s.CreateDataResource(ctx, d))
	}
}

// snapshot reads back everything fill wrote.
type snapshot struct {
	Namespaces []store.Namespace
	Resources  []store.Resource
	Plain      store.Resource
	Data       []store.DataResource
	Node       store.TreePath
}

func takeSnapshot(t *testing.T, s store.Store) snapshot {
	t.Helper()
	ctx := t.Context()
	var snap snapshot
	nss, err := s.ListNamespaces(ctx, store.ListOptions{PageSize: store.MaxPageSize})
	require.NoError(t, err)
	snap.Namespaces = nss.Items
	rs, err := s.ListResources(ctx, store.ResourceFilter{Namespace: "shop"}, store.ListOptions{PageSize: store.MaxPageSize})
	require.NoError(t, err)
	snap.Resources = rs.Items
	snap.Plain, err = s.GetResource(ctx, store.DefaultNamespace, "plain")
	require.NoError(t, err)
	ds, err := s.ListDataResources(ctx, store.DataResourceFilter{Namespace: "shop"}, store.ListOptions{PageSize: store.MaxPageSize})
	require.NoError(t, err)
	snap.Data = ds.Items
	snap.Node, err = s.GetDataTreeNode(ctx, "shop", "org", "product/design/ux")
	require.NoError(t, err)
	return snap
}

func TestRoundTripAndReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "reg.db")
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	fill(t, s)
	before := takeSnapshot(t, s)

	// What was written is what reads back.
	require.Len(t, before.Resources, 50)
	require.Equal(t, sampleResource("shop", "r0"), before.Resources[0])
	require.Equal(t, sampleData("shop"), before.Data)
	require.Equal(t, store.TreePath{Path: "product/design/ux", Code: "ux", Name: "UX", Depth: 3}, before.Node)
	require.Equal(t, store.Resource{Namespace: store.DefaultNamespace, Code: "plain", Type: store.TypeMenu}, before.Plain)
	require.NoError(t, s.Close())

	s, err = sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, before, takeSnapshot(t, s))
	for _, d := range sampleData("shop") {
		got, err := s.GetDataResourceByName(ctx, "shop", d.ResourceName)
		require.NoError(t, err)
		require.Equal(t, d, got)
	}
}

func TestMemoryStoreIsSharedAcrossConnections(t *testing.T) {
	s := openMemory(t)
	fill(t, s)
	// Readers running at once use several pooled connections; each must see
	// the same database.
	done := make(chan snapshot, 4)
	for range 4 {
		go func() { done <- takeSnapshot(t, s) }()
	}
	first := <-done
	for range 3 {
		require.Equal(t, first, <-done)
	}
	require.Len(t, first.Resources, 50)
}

func TestMigrateFromVersion1(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "reg.db")
	s, err := sqlitestore.OpenAtVersion(ctx, path, 1)
	require.NoError(t, err)
	fill(t, s)
	before := takeSnapshot(t, s)
	require.Equal(t, 1, schemaVersion(t, s.DB()))
	require.False(t, hasIndex(t, s.DB(), "resreg_tree_nodes_order"))
	require.NoError(t, s.Close())

	s, err = sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	require.Equal(t, sqlitestore.SchemaVersion(), schemaVersion(t, s.DB()))
	require.True(t, hasIndex(t, s.DB(), "resreg_tree_nodes_order"))
	require.Equal(t, before, takeSnapshot(t, s))
	require.NoError(t, s.Close())

	// Opening again changes nothing.
	s, err = sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	require.Equal(t, sqlitestore.SchemaVersion(), schemaVersion(t, s.DB()))
	require.NoError(t, s.Close())
}

func TestNewerSchemaFails(t *testing.T) {
	ctx := t.Context()
	_, path := openFile(t)
	db, err := sql.Open(sqlitestore.DriverName, path)
	require.NoError(t, err)
	defer db.Close()
	newer := sqlitestore.SchemaVersion() + 1
	_, err = db.ExecContext(ctx, `INSERT INTO resreg_schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)`, newer)
	require.NoError(t, err)

	_, err = sqlitestore.Open(ctx, path)
	require.ErrorIs(t, err, sqlitestore.ErrSchemaTooNew)
	require.ErrorIs(t, err, store.ErrStorage, "a schema too new is a storage failure")
	var se *store.Error
	require.ErrorAs(t, err, &se)
	require.Contains(t, err.Error(), "version "+strconv.Itoa(newer))
	_, err = sqlitestore.New(ctx, db)
	require.ErrorIs(t, err, sqlitestore.ErrSchemaTooNew)
	require.ErrorAs(t, err, &se)
}

func schemaVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT max(version) FROM resreg_schema_migrations`).Scan(&v))
	return v
}

func hasIndex(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?`, name).Scan(&n))
	return n == 1
}

func TestNewSharesCallersDB(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open(sqlitestore.DriverName, path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.ExecContext(ctx, `CREATE TABLE app_users (name TEXT PRIMARY KEY)`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO app_users VALUES ('ada')`)
	require.NoError(t, err)

	s, err := sqlitestore.New(ctx, db, sqlitestore.WithSynchronousFull())
	require.NoError(t, err)
	fill(t, s)
	snap := takeSnapshot(t, s)
	require.NoError(t, s.Close())

	// The caller's database stays open with its own table and the registry's.
	var name, mode string
	require.NoError(t, db.QueryRowContext(ctx, `SELECT name FROM app_users`).Scan(&name))
	require.Equal(t, "ada", name)
	require.NoError(t, db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode))
	require.Equal(t, "wal", mode)

	s, err = sqlitestore.New(ctx, db)
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, snap, takeSnapshot(t, s))
}

func TestQueryPlansUseIndexes(t *testing.T) {
	s, _ := openFile(t)
	fill(t, s)
	for name, query := range sqlitestore.PlannedQueries {
		t.Run(name, func(t *testing.T) {
			args := make([]any, strings.Count(query, "?"))
			for i := range args {
				args[i] = "x"
			}
			rows, err := s.DB().QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
			require.NoError(t, err)
			defer rows.Close()
			var details []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
				details = append(details, detail)
			}
			require.NoError(t, rows.Err())
			require.NotEmpty(t, details)
			for _, d := range details {
				// Every table is reached through its primary key or an index,
				// and no result is sorted after the fact.
				require.True(t, strings.HasPrefix(d, "SEARCH "), "plan step %q of %s", d, query)
				require.Regexp(t, `USING (COVERING INDEX|INDEX|PRIMARY KEY)`, d)
				require.NotContains(t, d, "TEMP B-TREE")
			}
		})
	}
}

func TestBusyDatabaseReturnsErrBusy(t *testing.T) {
	ctx := t.Context()
	s, path := openFile(t)
	slow, err := sqlitestore.Open(ctx, path, sqlitestore.WithBusyTimeout(50*time.Millisecond))
	require.NoError(t, err)
	defer slow.Close()

	// Another connection, as another process would, holds the write lock.
	db, err := sql.Open(sqlitestore.DriverName, path)
	require.NoError(t, err)
	defer db.Close()
	holder, err := db.Conn(ctx)
	require.NoError(t, err)
	defer holder.Close()
	_, err = holder.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)

	requireBusy := func(err error) {
		t.Helper()
		require.ErrorIs(t, err, store.ErrBusy)
		var se *sqlite.Error
		require.False(t, errors.As(err, &se), "raw driver error leaked: %v", err)
	}

	// With a deadline shorter than busy_timeout.
	short, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	start := time.Now()
	err = s.CreateNamespace(short, store.Namespace{Code: "blocked"})
	cancel()
	requireBusy(err)
	require.Less(t, time.Since(start), 2*time.Second)

	// With a deadline longer than busy_timeout: retried until the deadline.
	longer, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	start = time.Now()
	err = slow.CreateResources(longer, []store.Resource{sampleResource(store.DefaultNamespace, "x")}, store.WriteOptions{})
	cancel()
	requireBusy(err)
	require.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond)

	// Without a deadline: one busy_timeout.
	requireBusy(slow.DeleteResources(ctx, store.DefaultNamespace, []string{"x"}))

	// Cancellation while waiting is a cancellation, not busy.
	cctx, cancelNow := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancelNow)
	err = s.CreateNamespace(cctx, store.Namespace{Code: "blocked"})
	require.ErrorIs(t, err, context.Canceled)

	// Readers are not blocked by the writer (WAL).
	_, err = s.GetNamespace(ctx, store.DefaultNamespace)
	require.NoError(t, err)

	_, err = holder.ExecContext(ctx, "ROLLBACK")
	require.NoError(t, err)
	require.NoError(t, s.CreateNamespace(ctx, store.Namespace{Code: "blocked"}))
}

// countdownCtx reports cancellation once Err has been asked n times, to
// cancel a batch part way through deterministically.
type countdownCtx struct {
	context.Context
	n atomic.Int64
}

func (c *countdownCtx) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestCancelledBatchWritesNothing(t *testing.T) {
	for name, s := range map[string]*sqlitestore.Store{"file": must(openFile(t)), "memory": openMemory(t)} {
		t.Run(name, func(t *testing.T) {
			batch := make([]store.Resource, 1000)
			for i := range batch {
				batch[i] = sampleResource(store.DefaultNamespace, "c"+strconv.Itoa(i))
			}
			cctx, cancel := context.WithCancel(t.Context())
			cancel()
			require.ErrorIs(t, s.CreateResources(cctx, batch, store.WriteOptions{}), context.Canceled)

			for _, after := range []int64{3, 500, 1002} {
				ctx := &countdownCtx{Context: context.Background()}
				ctx.n.Store(after)
				err := s.CreateResources(ctx, batch, store.WriteOptions{})
				require.ErrorIs(t, err, context.Canceled, "cancelled after %d checks", after)
				page, err := s.ListResources(t.Context(), store.ResourceFilter{Namespace: store.DefaultNamespace},
					store.ListOptions{IncludeTotal: true})
				require.NoError(t, err)
				require.Zero(t, page.TotalCount)
			}
			require.NoError(t, s.CreateResources(t.Context(), batch, store.WriteOptions{}))
		})
	}
}

func must[T any](v T, _ ...any) T { return v }

func TestEmptyIDsDoNotConflict(t *testing.T) {
	s := openMemory(t)
	a := store.Resource{Namespace: store.DefaultNamespace, Code: "a"}
	b := store.Resource{Namespace: store.DefaultNamespace, Code: "b"}
	require.NoError(t, s.CreateResources(t.Context(), []store.Resource{a, b}, store.WriteOptions{}))
	_, err := s.GetResourceByID(t.Context(), store.DefaultNamespace, "")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestPragmas(t *testing.T) {
	for name, tc := range map[string]struct {
		opts []sqlitestore.Option
		sync int
	}{
		"default": {nil, 1},
		"full":    {[]sqlitestore.Option{sqlitestore.WithSynchronousFull()}, 2},
	} {
		t.Run(name, func(t *testing.T) {
			s, _ := openFile(t, tc.opts...)
			var mode string
			var sync, timeout int
			db := s.DB()
			require.NoError(t, db.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode))
			require.NoError(t, db.QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&sync))
			require.NoError(t, db.QueryRowContext(t.Context(), "PRAGMA busy_timeout").Scan(&timeout))
			require.Equal(t, "wal", mode)
			require.Equal(t, tc.sync, sync)
			require.Equal(t, int(sqlitestore.DefaultBusyTimeout.Milliseconds()), timeout)
		})
	}
}

// queryPlan returns the detail column of EXPLAIN QUERY PLAN for query, with
// every parameter bound to "x".
func queryPlan(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	args := make([]any, strings.Count(query, "?"))
	for i := range args {
		args[i] = "x"
	}
	rows, err := db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	require.NoError(t, err)
	defer rows.Close()
	var details []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
		details = append(details, detail)
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, details)
	return details
}

// The listings that start at the beginning of a whole table walk a key in
// order: a SCAN of an index, or of a WITHOUT ROWID table, whose rows are its
// primary key, and never a sort.
func TestFullListingsWalkAnIndex(t *testing.T) {
	s, _ := openFile(t)
	for name, query := range sqlitestore.ScanQueries {
		t.Run(name, func(t *testing.T) {
			for _, d := range queryPlan(t, s.DB(), query) {
				require.Regexp(t, `^SCAN resreg_\w+( USING (COVERING INDEX|INDEX) \w+)?$`, d, query)
				require.NotContains(t, d, "TEMP B-TREE")
			}
		})
	}
}

// Each step of a walk of the membership graph reaches the membership table
// through one of its keys.
func TestMembershipWalksSearchTheirKeys(t *testing.T) {
	s, _ := openFile(t)
	for name, query := range sqlitestore.RecursiveQueries {
		t.Run(name, func(t *testing.T) {
			details := queryPlan(t, s.DB(), query)
			searched := false
			for _, d := range details {
				require.False(t, strings.HasPrefix(d, "SCAN m"), "plan step %q of %s", d, query)
				searched = searched || strings.HasPrefix(d, "SEARCH m USING ")
				require.NotContains(t, d, "TEMP B-TREE")
			}
			require.True(t, searched, "%v", details)
		})
	}
}

func TestMigrateToChangeLogKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "reg.db")
	s, err := sqlitestore.OpenAtVersion(ctx, path, 2)
	require.NoError(t, err)
	fill(t, s)
	before := takeSnapshot(t, s)
	require.NoError(t, s.Close())

	s, err = sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, sqlitestore.SchemaVersion(), schemaVersion(t, s.DB()))
	require.Equal(t, before, takeSnapshot(t, s), "the migration keeps every record")
	last, err := s.LastSeq(ctx)
	require.NoError(t, err)
	require.Zero(t, last, "records written before the change log have no changes")

	require.NoError(t, s.CreateResources(ctx, []store.Resource{sampleResource("shop", "after")}, store.WriteOptions{}))
	got, err := s.Changes(ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, int64(1), got[0].Seq)
	require.Equal(t, "after", got[0].Key)
}
