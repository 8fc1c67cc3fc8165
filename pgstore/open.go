package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/resreg/resreg/store"
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store kept in a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	// ownPool is set when Open made the pool, so Close closes it.
	ownPool bool
	cfg     config
	closed  atomic.Bool
	// q holds every statement with the schema filled in.
	q      queries
	notify notifier
}

// Open connects to the database named by dsn, a postgres:// URL or a pgx
// keyword DSN ("host=... port=... dbname=..."), applies any pending
// migrations and returns a ready Store. Close closes the connections.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The parse error may quote the DSN, password included; say only
		// that it did not parse.
		return nil, store.Invalid("dsn", "not a PostgreSQL connection string or URL")
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, translate(ctx, err)
	}
	s, err := newStore(ctx, pool, true, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// New returns a Store on pool, which the caller keeps owning: Close leaves
// it open. It applies any pending migrations first.
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, errors.New("pgstore: New: nil *pgxpool.Pool")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return newStore(ctx, pool, false, opts)
}

func newStore(ctx context.Context, pool *pgxpool.Pool, own bool, opts []Option) (*Store, error) {
	cfg := newConfig(opts)
	s := &Store{pool: pool, ownPool: own, cfg: cfg, q: newQueries(cfg.schema)}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Close makes every later call fail with ErrClosed and, when Open made the
// pool, closes its connections. A pool given to New stays open. Close is
// idempotent and waits for calls in progress only as long as the pool does.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	s.notify.close()
	if s.ownPool {
		s.pool.Close()
	}
	return nil
}

// Pool returns the connection pool, for callers that keep their own tables
// next to the registry's.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema returns the schema that holds the registry's tables.
func (s *Store) Schema() string { return s.cfg.schema }

// inSchema fills the schema into a statement written with {s} before each
// table name. The schema is quoted as an identifier, so any name is safe.
func inSchema(schema, sql string) string {
	return strings.ReplaceAll(sql, "{s}", pgx.Identifier{schema}.Sanitize()+".")
}

func (s *Store) String() string { return fmt.Sprintf("pgstore(schema %s)", s.cfg.schema) }
