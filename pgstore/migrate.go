package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrSchemaTooNew is returned by Open and New for a schema written by a
// newer version of this package than the running one.
var ErrSchemaTooNew = errors.New("pgstore: database schema is newer than this program supports")

// migration is one embedded schema step; version n is file 000n_*.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations in version order. A gap or a
// duplicate version is a build mistake, so it panics at start-up.
var migrations = loadMigrations()

func loadMigrations() []migration {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	slices.Sort(names)
	out := make([]migration, 0, len(names))
	for i, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			panic("pgstore: migration " + base + " is out of sequence")
		}
		text, err := migrationFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		out = append(out, migration{version: v, name: base, sql: string(text)})
	}
	return out
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int { return len(migrations) }

const (
	sqlCreateMigrations = `CREATE TABLE IF NOT EXISTS {s}resreg_schema_migrations (
    version    integer NOT NULL PRIMARY KEY,
    name       text    NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)`
	sqlSchemaVersion   = `SELECT coalesce(max(version), 0) FROM {s}resreg_schema_migrations`
	sqlRecordMigration = `INSERT INTO {s}resreg_schema_migrations (version, name) VALUES ($1, $2)`
	// The lock key is derived from the schema's name, so stores on
	// different schemas of one database migrate independently.
	sqlMigrationLock = `SELECT pg_advisory_xact_lock(hashtext('resreg migrations ' || $1))`
)

// migrate brings the schema up to date in one transaction: it takes a
// transaction-level advisory lock, creates the schema and the version table
// if missing, reads the version under the lock and applies each pending
// migration in order, recording it. PostgreSQL's DDL is transactional, so a
// failed migration leaves the schema as it was, and concurrent openers
// queue on the lock: the first applies the migrations, the others find them
// done. The lock is released by the commit or rollback.
func (s *Store) migrate(ctx context.Context) error {
	q := func(sql string) string { return inSchema(s.cfg.schema, sql) }
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.Exec(ctx, sqlMigrationLock, s.cfg.schema); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{s.cfg.schema}.Sanitize()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, q(sqlCreateMigrations)); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, q(sqlSchemaVersion)).Scan(&current); err != nil {
			return err
		}
		if current > len(migrations) {
			return fnError{fmt.Errorf("%w: schema %s is at version %d, this program knows versions up to %d",
				ErrSchemaTooNew, s.cfg.schema, current, len(migrations))}
		}
		for _, m := range migrations[current:] {
			if _, err := tx.Exec(ctx, q(m.sql)); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, q(sqlRecordMigration), m.version, m.name); err != nil {
				return err
			}
		}
		now := time.Now().UnixNano()
		_, err := tx.Exec(ctx, q(`INSERT INTO {s}resreg_namespaces (code, name, description, created_at, updated_at)
			VALUES ($1, $1, '', $2, $2) ON CONFLICT (code) DO NOTHING`), store.DefaultNamespace, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: migrate schema %s: %w", s.cfg.schema, err)
	}
	return nil
}
