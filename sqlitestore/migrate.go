package sqlitestore

import (
	"context"
	"embed"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/resreg/resreg/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrSchemaTooNew is returned by Open and New, inside an *store.Error, for a
// database whose schema was written by a newer version of this package than
// the running one. It also matches store.ErrStorage under errors.Is.
var ErrSchemaTooNew error = schemaTooNew{}

type schemaTooNew struct{}

func (schemaTooNew) Error() string {
	return "sqlitestore: database schema is newer than this program supports"
}

// Is makes ErrSchemaTooNew a storage failure for callers that only check
// store.ErrStorage.
func (schemaTooNew) Is(target error) bool { return target == store.ErrStorage }

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
			panic("sqlitestore: migration " + base + " is out of sequence")
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

const sqlCreateMigrationsTable = `CREATE TABLE IF NOT EXISTS resreg_schema_migrations (
    version    INTEGER NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
)`

// migrate brings the schema up to version target, applying each pending
// migration in its own immediate transaction. The version is re-read under
// the write lock, so processes that open the same file at once apply each
// migration exactly once. The version lives in a table of its own rather
// than PRAGMA user_version, which an application sharing the file may use.
//
// A database already at target costs two reads and no write transaction.
func (s *Store) migrate(ctx context.Context, target int) error {
	current, err := s.schemaVersion(ctx)
	if err != nil {
		return err
	}
	if current >= target {
		return nil
	}
	for {
		done, err := s.migrateOne(ctx, target)
		if err != nil || done {
			return err
		}
	}
}

// schemaVersion reads the recorded version without taking the write lock;
// 0 for a database the registry never touched. A version newer than this
// package knows is ErrSchemaTooNew.
func (s *Store) schemaVersion(ctx context.Context) (int, error) {
	var tables, current int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'resreg_schema_migrations'`).Scan(&tables)
	if err == nil && tables > 0 {
		err = s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM resreg_schema_migrations`).Scan(&current)
	}
	if err != nil {
		return 0, openError(ctx, "read schema version", err)
	}
	return current, checkVersion(current)
}

func checkVersion(v int) error {
	if v > len(migrations) {
		return &store.Error{
			Message: "sqlitestore: database is at schema version " + strconv.Itoa(v) + ", this program knows versions up to " + strconv.Itoa(len(migrations)),
			Err:     ErrSchemaTooNew,
		}
	}
	return nil
}

// migrateOne applies the next pending migration, if any, and reports
// whether the schema is at target. The transaction that reaches target also
// creates the default namespace, which every store holds from the start.
func (s *Store) migrateOne(ctx context.Context, target int) (done bool, err error) {
	err = s.write(ctx, func(w *wtx) error {
		if _, err := w.exec(sqlCreateMigrationsTable); err != nil {
			return err
		}
		var current int
		if err := w.queryRow(`SELECT coalesce(max(version), 0) FROM resreg_schema_migrations`).Scan(&current); err != nil {
			return err
		}
		if err := checkVersion(current); err != nil {
			return err
		}
		if current >= target {
			done = true
			return nil
		}
		m := migrations[current]
		if _, err := w.exec(m.sql); err != nil {
			return openError(ctx, "migration "+m.name, err)
		}
		if _, err := w.exec(`INSERT INTO resreg_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().UnixNano()); err != nil {
			return err
		}
		if done = m.version >= target; done {
			return w.ensureDefaultNamespace()
		}
		return nil
	})
	return done, err
}
