package reliability_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/pgstore/pgtest"
	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

// env is one store under test and a Registry on it. sql is set for the
// SQLite store, so that tests can reach its database.
type env struct {
	store store.Store
	reg   *resreg.Registry
	sql   *sqlitestore.Store
	path  string
}

// storeKinds names the stores every test runs against.
var storeKinds = []string{"memstore", "sqlite"}

// PostgreSQL joins them when RESREG_POSTGRES_DSN names a database.
func init() {
	if pgtest.Enabled() {
		storeKinds = append(storeKinds, "postgres")
	}
}

// newEnv opens a fresh store of kind, closed when the test ends. The SQLite
// store is a file in the test's temporary directory.
func newEnv(t testing.TB, kind string, opts ...resreg.Option) *env {
	t.Helper()
	switch kind {
	case "memstore":
		st := memstore.New()
		return &env{store: st, reg: resreg.New(st, opts...)}
	case "postgres":
		st := pgtest.Open(t)
		return &env{store: st, reg: resreg.New(st, opts...)}
	case "sqlite":
		path := filepath.Join(t.TempDir(), "registry.db")
		st := openSQLite(t, path)
		return &env{store: st, reg: resreg.New(st, opts...), sql: st, path: path}
	}
	t.Fatalf("unknown store kind %q", kind)
	return nil
}

// openSQLite opens the registry file at path, closed when the test ends.
func openSQLite(t testing.TB, path string, opts ...sqlitestore.Option) *sqlitestore.Store {
	t.Helper()
	st, err := sqlitestore.Open(context.Background(), path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	return st
}

// forEachStore runs fn as a subtest on each store kind.
func forEachStore(t *testing.T, fn func(t *testing.T, e *env), opts ...resreg.Option) {
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) { fn(t, newEnv(t, kind, opts...)) })
	}
}

// batchCode is the code of item i of the batch named prefix.
func batchCode(prefix string, i int) string { return fmt.Sprintf("%s-%04d", prefix, i) }

// registerBatch is an EnOS registration of n resources named prefix-0000,
// prefix-0001, ... in namespace ns (empty means default).
func registerBatch(ns, prefix string, n int) resreg.RegisterInput {
	in := resreg.RegisterInput{Namespace: ns, Type: "device", Resources: make([]resreg.RegisterItem, n)}
	for i := range in.Resources {
		in.Resources[i] = resreg.RegisterItem{Code: batchCode(prefix, i), Name: resreg.Name("Item " + prefix)}
	}
	return in
}

// createBatch is an Authing batch create of n resources named like
// registerBatch's.
func createBatch(ns, prefix string, n int) []resreg.CreateResourceInput {
	in := make([]resreg.CreateResourceInput, n)
	for i := range in {
		in[i] = resreg.CreateResourceInput{
			Namespace: ns, Type: resreg.TypeAPI, Code: batchCode(prefix, i), Name: resreg.Name("API " + prefix),
			Actions: []resreg.Action{{Name: "read", Description: "Read it"}},
		}
	}
	return in
}

// listAll returns every resource of namespace (empty means default), in
// code order, reading pages of the largest size.
func listAll(t testing.TB, reg *resreg.Registry, namespace string) []resreg.Resource {
	t.Helper()
	var out []resreg.Resource
	opts := resreg.ListOptions{PageSize: resreg.MaxPageSize}
	for {
		p, err := reg.ListResources(context.Background(), resreg.ResourceFilter{Namespace: namespace}, opts)
		require.NoError(t, err)
		out = append(out, p.Items...)
		if opts.PageToken = p.NextPageToken; opts.PageToken == "" {
			return out
		}
	}
}

// count returns how many resources namespace ns holds, as the store's
// listing total reports it.
func count(t testing.TB, reg *resreg.Registry, ns string) int {
	t.Helper()
	p, err := reg.ListResources(context.Background(), resreg.ResourceFilter{Namespace: ns}, resreg.ListOptions{PageSize: 1, IncludeTotal: true})
	require.NoError(t, err)
	return p.TotalCount
}

// createNamespace creates namespace code.
func createNamespace(t testing.TB, reg *resreg.Registry, code string) {
	t.Helper()
	_, err := reg.CreateNamespace(context.Background(), resreg.Namespace{Code: code, Name: code})
	require.NoError(t, err)
}

// requireUnique fails unless the resources have distinct codes and
// distinct IDs.
func requireUnique(t testing.TB, rs []resreg.Resource) {
	t.Helper()
	codes := make(map[string]bool, len(rs))
	ids := make(map[string]bool, len(rs))
	for _, r := range rs {
		require.False(t, codes[r.Code], "code %q listed twice", r.Code)
		codes[r.Code] = true
		require.NotEmpty(t, r.ID, "resource %q has no ID", r.Code)
		require.False(t, ids[r.ID], "ID %q listed twice", r.ID)
		ids[r.ID] = true
	}
}
