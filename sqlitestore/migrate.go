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

// migrations lists the embedded migrations in version order. Versions
// strictly increase but may leave gaps: a number can be reserved for a
// change developed elsewhere, and the migration that fills it later is
// applied to databases that already have the higher ones (see migrate). A
// duplicate or malformed version is a build mistake, so it panics at
// start-up.
var migrations = loadMigrations()

func loadMigrations() []migration {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	slices.Sort(names)
	out := make([]migration, 0, len(names))
	last := 0
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= last {
			panic("sqlitestore: migration " + base + " is out of sequence")
		}
		last = v
		text, err := migrationFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		out = append(out, migration{version: v, name: base, sql: string(text)})
	}
	return out
}

// SchemaVersion is the schema version this package writes: the highest
// version of its migrations.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

const sqlCreateMigrationsTable = `CREATE TABLE IF NOT EXISTS resreg_schema_migrations (
    version    INTEGER NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
)`

// migrate brings the schema up to version target, applying each pending
// migration in its own immediate transaction. The recorded versions are
// re-read under the write lock, so processes that open the same file at
// once apply each migration exactly once. The versions live in a table of
// their own rather than PRAGMA user_version, which an application sharing
// the file may use.
//
// A migration is pending when its version is not recorded, not merely when
// it is above the highest recorded one: a migration that fills a reserved
// gap in the numbering still reaches databases that have the later ones.
//
// A database already at target costs two reads and no write transaction.
func (s *Store) migrate(ctx context.Context, target int) error {
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return err
	}
	if _, pending := nextMigration(applied, target); !pending {
		return nil
	}
	for {
		done, err := s.migrateOne(ctx, target)
		if err != nil || done {
			return err
		}
	}
}

// appliedVersions reads the recorded versions without taking the write
// lock; none for a database the registry never touched. A version this
// package does not know is ErrSchemaTooNew.
func (s *Store) appliedVersions(ctx context.Context) (map[int]bool, error) {
	var tables int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'resreg_schema_migrations'`).Scan(&tables)
	if err != nil {
		return nil, openError(ctx, "read schema version", err)
	}
	if tables == 0 {
		return map[int]bool{}, nil
	}
	applied, err := readVersions(ctx, s.db)
	if err != nil {
		return nil, openError(ctx, "read schema version", err)
	}
	return applied, checkVersions(applied)
}

// readVersions reads the recorded versions with q.
func readVersions(ctx context.Context, q queryer) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT version FROM resreg_schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := make(map[int]bool, len(migrations))
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// checkVersions refuses a database that records a version this package
// does not know: a newer program, or another line of development, wrote
// it.
func checkVersions(applied map[int]bool) error {
	for v := range applied {
		if _, known := slices.BinarySearchFunc(migrations, v, func(m migration, v int) int { return m.version - v }); !known {
			return &store.Error{
				Message: "sqlitestore: database is at schema version " + strconv.Itoa(v) + ", this program knows versions up to " + strconv.Itoa(SchemaVersion()),
				Err:     ErrSchemaTooNew,
			}
		}
	}
	return nil
}

// nextMigration returns the first migration up to version target that
// applied does not record.
func nextMigration(applied map[int]bool, target int) (migration, bool) {
	for _, m := range migrations {
		if m.version > target {
			break
		}
		if !applied[m.version] {
			return m, true
		}
	}
	return migration{}, false
}

// migrateOne applies the next pending migration, if any, and reports
// whether the schema is at target. The transaction that reaches target also
// creates the default namespace, which every store holds from the start.
func (s *Store) migrateOne(ctx context.Context, target int) (done bool, err error) {
	err = s.write(ctx, func(w *wtx) error {
		if _, err := w.exec(sqlCreateMigrationsTable); err != nil {
			return err
		}
		applied, err := readVersions(w.bg, w.conn)
		if err != nil {
			return err
		}
		if err := checkVersions(applied); err != nil {
			return err
		}
		m, pending := nextMigration(applied, target)
		if !pending {
			done = true
			return nil
		}
		if _, err := w.exec(m.sql); err != nil {
			return openError(ctx, "migration "+m.name, err)
		}
		if _, err := w.exec(`INSERT INTO resreg_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().UnixNano()); err != nil {
			return err
		}
		applied[m.version] = true
		if _, pending = nextMigration(applied, target); !pending {
			done = true
			return w.ensureDefaultNamespace()
		}
		return nil
	})
	return done, err
}
