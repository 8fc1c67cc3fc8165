package sqlitestore

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/resreg/resreg/store"
)

// fileURI turns what Open was given into the "file:" URI it opens. A plain
// path becomes a URI whose path is percent-encoded where SQLite's URI
// syntax would read a character as syntax ('%', '?', '#'), so the file
// opened is exactly the one named. A "file:" URI is kept as it is, after
// checking that its parameters leave the Store's pragmas to the Store.
func fileURI(path string) (string, error) {
	switch path {
	case "":
		return "", store.Invalid("path", "a database path is required; use OpenMemory for an in-memory store")
	case ":memory:":
		return "", store.Invalid("path", `":memory:" would give each pooled connection a database of its own; use OpenMemory for an in-memory store`)
	}
	if !strings.HasPrefix(path, "file:") {
		return "file:" + escapePath(path), nil
	}
	base, query, _ := strings.Cut(path, "?")
	if base == "file:" || base == "file::memory:" {
		return "", store.Invalid("path", "a file: URI must name a file; use OpenMemory for an in-memory store")
	}
	if err := checkURIParams(query); err != nil {
		return "", err
	}
	return path, nil
}

// escapePath percent-encodes the characters SQLite's URI parser would
// otherwise treat as syntax.
func escapePath(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		switch c := path[i]; c {
		case '%', '?', '#':
			b.WriteString("%" + strconv.FormatUint(uint64(c)>>4, 16) + strconv.FormatUint(uint64(c)&0xf, 16))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// storePragmas are the pragmas the Store sets from its options; the
// driver's shorthand keys for them are refused too, as the driver applies
// those after every _pragma and so they would silently win.
var (
	storePragmas    = []string{"busy_timeout", "journal_mode", "synchronous"}
	storeShorthands = []string{"_busy_timeout", "_timeout", "_journal_mode", "_journal", "_synchronous", "_sync"}
)

// checkURIParams refuses a URI query that sets one of the Store's pragmas:
// the options decide them, and a URI that disagreed would either void the
// options (synchronous=OFF under WithSynchronousFull) or be ignored.
func checkURIParams(query string) error {
	if query == "" {
		return nil
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return store.Invalid("path", "malformed URI parameters: "+err.Error())
	}
	for _, key := range storeShorthands {
		if _, ok := q[key]; ok {
			return store.Invalid("path", "URI parameter "+key+" sets a pragma the Store controls; use WithBusyTimeout or WithSynchronous")
		}
	}
	for _, p := range q["_pragma"] {
		name := strings.ToLower(strings.TrimSpace(p))
		if i := strings.IndexAny(name, "(= "); i >= 0 {
			name = name[:i]
		}
		for _, own := range storePragmas {
			if name == own {
				return store.Invalid("path", "URI parameter _pragma="+p+" sets a pragma the Store controls; use WithBusyTimeout or WithSynchronous")
			}
		}
	}
	return nil
}

// Pragmas are the effective settings of a connection of the Store's pool.
type Pragmas struct {
	BusyTimeout time.Duration
	// JournalMode is "wal" for a file database, "memory" for OpenMemory.
	JournalMode string
	Synchronous Synchronous
}

// Pragmas reads the settings back from a connection of the pool, as
// SQLite reports them. For a Store made by New they are the settings of
// the caller's DSN; the Store itself sets busy_timeout (and synchronous
// when asked) on the connection of each write.
func (s *Store) Pragmas(ctx context.Context) (Pragmas, error) {
	if err := ctx.Err(); err != nil {
		return Pragmas{}, err
	}
	if s.closed.Load() {
		return Pragmas{}, store.Closed()
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return Pragmas{}, translate(ctx, err)
	}
	defer conn.Close()
	var p Pragmas
	var busyMillis, sync int64
	if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busyMillis); err != nil {
		return Pragmas{}, translate(ctx, err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&p.JournalMode); err != nil {
		return Pragmas{}, translate(ctx, err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return Pragmas{}, translate(ctx, err)
	}
	p.BusyTimeout = time.Duration(busyMillis) * time.Millisecond
	p.JournalMode = strings.ToLower(p.JournalMode)
	p.Synchronous = synchronousNames[sync]
	if p.Synchronous == "" {
		p.Synchronous = Synchronous(strconv.FormatInt(sync, 10))
	}
	return p, nil
}

// synchronousNames maps PRAGMA synchronous's numbers to their names.
var synchronousNames = map[int64]Synchronous{0: "OFF", 1: SyncNormal, 2: SyncFull, 3: "EXTRA"}

// checkPragmas reads the effective pragmas back after Open and fails with
// ErrStorage unless they are those the options asked for.
func (s *Store) checkPragmas(ctx context.Context, memory bool) error {
	p, err := s.Pragmas(ctx)
	if err != nil {
		return openError(ctx, "read pragmas", err)
	}
	want := Pragmas{BusyTimeout: s.cfg.busyTimeout.Truncate(time.Millisecond), JournalMode: "wal", Synchronous: s.cfg.synchronous}
	if memory {
		want.JournalMode = "memory"
	}
	if p != want {
		return store.Storage("sqlitestore: effective pragmas "+formatPragmas(p)+" differ from those set, "+formatPragmas(want), nil)
	}
	return nil
}

func formatPragmas(p Pragmas) string {
	return "busy_timeout=" + strconv.FormatInt(p.BusyTimeout.Milliseconds(), 10) + " journal_mode=" + p.JournalMode + " synchronous=" + string(p.Synchronous)
}

// openError translates an error met while opening a store and says what
// was being done.
func openError(ctx context.Context, what string, err error) error {
	err = translate(ctx, err)
	var se *store.Error
	if !errors.As(err, &se) {
		return err // the context ended
	}
	c := *se
	c.Message = "sqlitestore: " + what + ": " + strings.TrimPrefix(se.Message, "sqlitestore: ")
	return &c
}
