package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/pgstore"
	"github.com/resreg/resreg/pgstore/pgtest"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

// dsn returns the test database's DSN (RESREG_POSTGRES_DSN) or skips the
// test, naming the variable.
func dsn(t testing.TB) string {
	t.Helper()
	pgtest.SkipUnlessEnabled(t)
	return pgtest.DSN()
}

var (
	sharedPoolOnce sync.Once
	sharedPool     *pgxpool.Pool
	sharedPoolErr  error
)

// pool is one pool shared by the tests of the package, so that the many
// stores the conformance suite makes share connections too.
func pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	d := dsn(t)
	sharedPoolOnce.Do(func() {
		cfg, err := pgxpool.ParseConfig(d)
		if err != nil {
			sharedPoolErr = err
			return
		}
		cfg.MaxConns = 16
		sharedPool, sharedPoolErr = pgxpool.NewWithConfig(context.Background(), cfg)
	})
	require.NoError(t, sharedPoolErr)
	return sharedPool
}

// freshSchema returns a new schema name, dropped with everything in it when
// the test ends.
func freshSchema(t testing.TB) string {
	t.Helper()
	var r [6]byte
	_, _ = rand.Read(r[:])
	name := "resreg_test_" + hex.EncodeToString(r[:])
	p := pool(t)
	t.Cleanup(func() {
		_, err := p.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE")
		require.NoError(t, err)
	})
	return name
}

// newStore returns a store on the shared pool in a fresh schema.
func newStore(t testing.TB) *pgstore.Store {
	t.Helper()
	s, err := pgstore.New(context.Background(), pool(t), pgstore.WithSchema(freshSchema(t)))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestConformance(t *testing.T) {
	dsn(t)
	storetest.Run(t, func(t *testing.T) store.Store { return newStore(t) })
}

func TestOpenAcceptsURLAndKeywordDSN(t *testing.T) {
	keyword := dsn(t)
	cfg, err := pgx.ParseConfig(keyword)
	require.NoError(t, err)
	url := "postgres://" + cfg.User + "@" + cfg.Host + ":" + itoa(int(cfg.Port)) + "/" + cfg.Database + "?sslmode=disable"
	for _, tc := range []struct{ name, dsn string }{{"keyword", keyword}, {"url", url}} {
		t.Run(tc.name, func(t *testing.T) {
			schema := freshSchema(t)
			s, err := pgstore.Open(t.Context(), tc.dsn, pgstore.WithSchema(schema))
			require.NoError(t, err)
			ns, err := s.GetNamespace(t.Context(), store.DefaultNamespace)
			require.NoError(t, err)
			require.Equal(t, store.DefaultNamespace, ns.Code)
			require.Equal(t, schema, s.Schema())
			require.NoError(t, s.Close())
			_, err = s.GetNamespace(t.Context(), store.DefaultNamespace)
			require.ErrorIs(t, err, pgstore.ErrClosed)
		})
	}
}

func TestOpenRejectsMalformedDSN(t *testing.T) {
	_, err := pgstore.Open(t.Context(), "postgres://%zz")
	require.ErrorIs(t, err, store.ErrInvalid)
}

func TestCloseLeavesCallersPoolOpen(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
	require.NoError(t, pool(t).Ping(t.Context()), "the pool given to New stays open")
}

func TestMigrationsRecordTheirVersion(t *testing.T) {
	s := newStore(t)
	rows, err := pool(t).Query(t.Context(), "SELECT version FROM "+pgx.Identifier{s.Schema()}.Sanitize()+".resreg_schema_migrations ORDER BY version")
	require.NoError(t, err)
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	require.NoError(t, err)
	want := make([]int32, pgstore.SchemaVersion())
	for i := range want {
		want[i] = int32(i + 1)
	}
	require.Equal(t, want, versions)

	// Opening again applies nothing and keeps the data.
	require.NoError(t, s.CreateNamespace(t.Context(), store.Namespace{Code: "kept", Name: "Kept"}))
	again, err := pgstore.New(t.Context(), pool(t), pgstore.WithSchema(s.Schema()))
	require.NoError(t, err)
	_, err = again.GetNamespace(t.Context(), "kept")
	require.NoError(t, err)
}

func TestSchemaTooNewIsRefused(t *testing.T) {
	s := newStore(t)
	_, err := pool(t).Exec(t.Context(), "INSERT INTO "+pgx.Identifier{s.Schema()}.Sanitize()+".resreg_schema_migrations (version, name) VALUES ($1, 'future')", pgstore.SchemaVersion()+1)
	require.NoError(t, err)
	_, err = pgstore.New(t.Context(), pool(t), pgstore.WithSchema(s.Schema()))
	require.ErrorIs(t, err, pgstore.ErrSchemaTooNew)
}

// Stores that open one new schema at the same moment queue on the advisory
// lock: every one succeeds and each migration is applied once.
func TestConcurrentOpenersMigrateOnce(t *testing.T) {
	d := dsn(t)
	schema := freshSchema(t)
	const openers = 8
	stores := make([]*pgstore.Store, openers)
	errs := make([]error, openers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range openers {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = pgstore.Open(context.Background(), d, pgstore.WithSchema(schema))
		})
	}
	close(start)
	wg.Wait()
	for i := range openers {
		require.NoError(t, errs[i], "opener %d", i)
		t.Cleanup(func() { require.NoError(t, stores[i].Close()) })
	}
	var n, distinct int
	require.NoError(t, pool(t).QueryRow(t.Context(), "SELECT count(*), count(DISTINCT version) FROM "+
		pgx.Identifier{schema}.Sanitize()+".resreg_schema_migrations").Scan(&n, &distinct))
	require.Equal(t, pgstore.SchemaVersion(), n)
	require.Equal(t, n, distinct)
	// They all see one database.
	require.NoError(t, stores[0].CreateNamespace(t.Context(), store.Namespace{Code: "shared", Name: "Shared"}))
	_, err := stores[openers-1].GetNamespace(t.Context(), "shared")
	require.NoError(t, err)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// A write that waits for a row lock another transaction holds gives up at
// its deadline with ErrBusy, and writes nothing.
func TestLockWaitEndsInBusyAtDeadline(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	holder, err := pool(t).Begin(ctx)
	require.NoError(t, err)
	defer holder.Rollback(context.Background()) //nolint:errcheck // test cleanup
	_, err = holder.Exec(ctx, "SELECT 1 FROM "+pgx.Identifier{s.Schema()}.Sanitize()+".resreg_namespaces WHERE code = 'default' FOR UPDATE")
	require.NoError(t, err)

	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.CreateResources(wctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "waiting")}, store.WriteOptions{})
	require.ErrorIs(t, err, store.ErrBusy)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 5*time.Second)
	require.NoError(t, holder.Rollback(ctx))
	_, err = s.GetResource(ctx, store.DefaultNamespace, "waiting")
	require.ErrorIs(t, err, store.ErrNotFound)

	// Without a deadline the retry window bounds the wait.
	short, err := pgstore.New(ctx, pool(t), pgstore.WithSchema(s.Schema()), pgstore.WithRetryWindow(300*time.Millisecond))
	require.NoError(t, err)
	holder2, err := pool(t).Begin(ctx)
	require.NoError(t, err)
	defer holder2.Rollback(context.Background()) //nolint:errcheck // test cleanup
	_, err = holder2.Exec(ctx, "SELECT 1 FROM "+pgx.Identifier{s.Schema()}.Sanitize()+".resreg_namespaces WHERE code = 'default' FOR UPDATE")
	require.NoError(t, err)
	err = short.CreateResources(context.Background(), []store.Resource{storetest.NewResource(store.DefaultNamespace, "waiting")}, store.WriteOptions{})
	require.ErrorIs(t, err, store.ErrBusy)
}
