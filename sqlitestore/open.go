package sqlitestore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/resreg/resreg/store"
)

// DriverName is the database/sql driver the package works with.
const DriverName = "sqlite"

// DefaultBusyTimeout is how long SQLite waits for another writer's lock
// before one attempt fails with SQLITE_BUSY.
const DefaultBusyTimeout = 5 * time.Second

// Synchronous is an SQLite synchronous setting; see doc.go for what each
// guarantees.
type Synchronous string

// The synchronous settings a Store accepts.
const (
	// SyncNormal survives a crash of the process; after a power loss or an
	// OS crash the last acknowledged transactions may be rolled back. It is
	// the default.
	SyncNormal Synchronous = "NORMAL"
	// SyncFull also survives a power loss: every commit waits for the WAL
	// to be synced to the device.
	SyncFull Synchronous = "FULL"
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store kept in an SQLite database.
type Store struct {
	db *sql.DB
	// ownDB is set when the Store opened db and so closes it.
	ownDB bool
	// keeper holds a connection to an in-memory database for the Store's
	// lifetime: the database disappears with its last connection.
	keeper *sql.Conn
	// connPragmas run on a connection before each write transaction; used
	// when the Store does not control the DSN (New).
	connPragmas []string
	cfg         config
	closed      atomic.Bool

	// Statements prepared once on db; database/sql re-prepares them on
	// each pooled connection as needed.
	getResource     *sql.Stmt
	getResourceByID *sql.Stmt
	namespaceExists *sql.Stmt
	listResources   *sql.Stmt
	getDirectory    *sql.Stmt // the user lookup of every Authing check
	// lastSeq is LastSeq's statement, prepared on first use (a schema
	// opened at an old version may have no change log yet).
	lastSeq atomic.Pointer[sql.Stmt]

	// notify wakes this process's watchers after a commit with changes.
	notify notifier
	// noChangeLog is set only by the tests' OpenAtVersion, for a schema
	// older than the change log, whose writes record nothing.
	noChangeLog bool
	// noDirectory is set only by OpenAtVersion, for a schema older than
	// the directory, whose statement is then not prepared.
	noDirectory bool
}

type config struct {
	busyTimeout time.Duration
	synchronous Synchronous
	// syncSet records an explicit WithSynchronous, which New applies; New
	// otherwise keeps whatever the caller's DSN chose.
	syncSet bool
}

// Option configures Open, OpenMemory and New.
type Option func(*config)

// WithBusyTimeout sets how long one attempt to take the write lock waits
// for another writer (PRAGMA busy_timeout). A write retries until its
// context's deadline; without a deadline it gives up with store.ErrBusy
// after one such wait. The default is DefaultBusyTimeout.
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) {
		if d >= 0 {
			c.busyTimeout = d
		}
	}
}

// WithSynchronous sets PRAGMA synchronous for the Store's writes.
func WithSynchronous(s Synchronous) Option {
	return func(c *config) {
		if s == SyncNormal || s == SyncFull {
			c.synchronous, c.syncSet = s, true
		}
	}
}

// WithSynchronousFull is WithSynchronous(SyncFull): an acknowledged write
// survives a power loss, at the cost of a device sync per commit.
func WithSynchronousFull() Option { return WithSynchronous(SyncFull) }

func newConfig(opts []Option) config {
	c := config{busyTimeout: DefaultBusyTimeout, synchronous: SyncNormal}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func (c config) busyMillis() string {
	return strconv.FormatInt(c.busyTimeout.Milliseconds(), 10)
}

// Open opens, or creates, the registry database at path, applies any
// pending schema migrations and returns a ready Store.
//
// path is either a plain file name or a "file:" URI. A plain name is taken
// as it is, '?', '#' and '%' included: "data/q?x.db" opens the file named
// "q?x.db". Only a "file:" URI carries parameters (SQLite's own, such as
// mode=ro, and the driver's). The pragmas the Store sets itself
// (busy_timeout, journal_mode, synchronous) come from its options only: a
// URI that sets one of them, by _pragma or by the driver's shorthand keys,
// is ErrInvalid rather than silently overriding or being overridden. After
// opening, the Store reads the effective pragmas back and fails with
// ErrStorage if they are not what it set.
//
// An empty path and ":memory:" are ErrInvalid: an unset configuration
// value must not quietly give a database that vanishes on exit. Use
// OpenMemory for an in-memory store.
//
// Every error is an [*store.Error]: ErrInvalid for a bad path or URI,
// ErrStorage when the database cannot be opened, read or migrated (a
// schema newer than this package is [ErrSchemaTooNew], which matches
// ErrStorage), ErrBusy when it stays locked.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := newConfig(opts)
	uri, err := fileURI(path)
	if err != nil {
		return nil, err
	}
	return open(ctx, uri, cfg, false)
}

var memSeq atomic.Uint64

// OpenMemory opens a new, empty in-memory store. Unlike a ":memory:" DSN,
// which gives each pooled connection a database of its own, every
// connection of the pool shares one database through SQLite's memdb VFS,
// with SQLite's usual locking between them. The database lives until Close.
// It uses a rollback journal in memory, as memdb has no WAL.
func OpenMemory(ctx context.Context, opts ...Option) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var r [8]byte
	_, _ = rand.Read(r[:])
	// A memdb name starting with "/" is shared by every connection of the
	// process that uses it; the sequence and random part keep stores apart.
	name := "file:/resreg-" + strconv.FormatUint(memSeq.Add(1), 10) + "-" + hex.EncodeToString(r[:]) + "?vfs=memdb"
	return open(ctx, name, newConfig(opts), true)
}

// DSN returns the data source name Open uses for path: path as a "file:"
// URI with the Store's pragmas appended as driver parameters. It returns
// the same ErrInvalid errors as Open for a path Open refuses.
func DSN(path string, opts ...Option) (string, error) {
	uri, err := fileURI(path)
	if err != nil {
		return "", err
	}
	return dsn(uri, newConfig(opts), false), nil
}

func dsn(uri string, cfg config, memory bool) string {
	var b strings.Builder
	b.WriteString(uri)
	if strings.Contains(uri, "?") {
		b.WriteByte('&')
	} else {
		b.WriteByte('?')
	}
	// The driver runs busy_timeout first, so the other pragmas already wait
	// for a lock another process holds.
	b.WriteString("_pragma=busy_timeout(" + cfg.busyMillis() + ")")
	if !memory {
		b.WriteString("&_pragma=journal_mode(WAL)")
	}
	b.WriteString("&_pragma=synchronous(" + string(cfg.synchronous) + ")")
	return b.String()
}

func open(ctx context.Context, path string, cfg config, memory bool) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	db, err := sql.Open(DriverName, dsn(path, cfg, memory))
	if err != nil {
		return nil, store.Storage("sqlitestore: open "+path, err)
	}
	// Keep enough idle connections that statements prepared on them stay
	// warm under concurrent readers.
	db.SetMaxIdleConns(8)
	s := &Store{db: db, ownDB: true, cfg: cfg}
	if memory {
		if s.keeper, err = db.Conn(ctx); err != nil {
			db.Close()
			return nil, openError(ctx, "open in-memory database", err)
		}
	}
	if err := s.checkPragmas(ctx, memory); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// New returns a Store on db, which must use the "sqlite" driver and which
// the caller keeps owning: Close does not close it. Its own tables may live
// in the same database; the registry's tables are all named resreg_*.
//
// Because the caller chose the DSN, New sets the pragmas it relies on itself:
// it switches the database to WAL (a persistent setting of the file) and runs
// PRAGMA busy_timeout (and synchronous, if WithSynchronous is given; else the
// DSN's setting stands) on a connection before each write transaction. Write transactions are begun with BEGIN IMMEDIATE on a
// dedicated connection, whatever _txlock the DSN names.
func New(ctx context.Context, db *sql.DB, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, store.Invalid("db", "sqlitestore: New needs a *sql.DB, got nil")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := newConfig(opts)
	s := &Store{db: db, cfg: cfg, connPragmas: []string{"PRAGMA busy_timeout = " + cfg.busyMillis()}}
	if cfg.syncSet {
		s.connPragmas = append(s.connPragmas, "PRAGMA synchronous = "+string(cfg.synchronous))
	}
	if err := s.setWAL(ctx); err != nil {
		return nil, err
	}
	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// setWAL switches a file database to WAL. In-memory databases report
// "memory" and stay as they are.
func (s *Store) setWAL(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return openError(ctx, "connect", err)
	}
	defer conn.Close()
	for _, p := range s.connPragmas {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return openError(ctx, p, err)
		}
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return openError(ctx, "set WAL journal", err)
	}
	return nil
}

// init migrates the schema (creating the default namespace with it) and
// prepares the hot statements.
func (s *Store) init(ctx context.Context) error {
	if err := s.migrate(ctx, SchemaVersion()); err != nil {
		return err
	}
	return s.prepare(ctx)
}

func (s *Store) prepare(ctx context.Context) error {
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = s.db.PrepareContext(ctx, q)
		return st
	}
	s.getResource = prep(sqlGetResource)
	s.getResourceByID = prep(sqlGetResourceByID)
	s.namespaceExists = prep(sqlNamespaceExists)
	s.listResources = prep(sqlListResources)
	if !s.noDirectory {
		s.getDirectory = prep(sqlGetDirectory)
	}
	if err != nil {
		return openError(ctx, "prepare", err)
	}
	return nil
}

// Close releases the Store's statements and, when Open or OpenMemory made
// the *sql.DB, closes it. A database given to New stays open. Close is
// idempotent.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	var errs []error
	for _, st := range []*sql.Stmt{s.getResource, s.getResourceByID, s.namespaceExists, s.listResources, s.getDirectory} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if st := s.lastSeq.Load(); st != nil {
		errs = append(errs, st.Close())
	}
	if s.keeper != nil {
		errs = append(errs, s.keeper.Close())
	}
	if s.ownDB {
		errs = append(errs, s.db.Close())
	}
	return errors.Join(errs...)
}

// DB returns the underlying database, for callers that keep their own
// tables next to the registry's.
func (s *Store) DB() *sql.DB { return s.db }
