package sqlitestore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

// TestOpenRefusesMemoryPaths: an empty path (an unset configuration value)
// and ":memory:" must not silently give a database that vanishes.
func TestOpenRefusesMemoryPaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:", "file::memory:?cache=shared", "file:"} {
		t.Run(path, func(t *testing.T) {
			s, err := sqlitestore.Open(t.Context(), path)
			require.Nil(t, s)
			require.ErrorIs(t, err, store.ErrInvalid)
			var se *store.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, "path", se.Field)
		})
	}
}

// TestOpenPlainPathIsExact: a plain path holding URI syntax opens exactly
// the file it names.
func TestOpenPlainPathIsExact(t *testing.T) {
	for _, name := range []string{"q?x.db", "a#b.db", "p%41.db", "sp ace.db", "q?mode=ro.db"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			s, err := sqlitestore.Open(t.Context(), path)
			require.NoError(t, err)
			require.NoError(t, s.CreateNamespace(t.Context(), store.Namespace{Code: "kept"}))
			require.NoError(t, s.Close())

			_, err = os.Stat(path)
			require.NoError(t, err, "the named file exists")
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			for _, e := range entries {
				require.Contains(t, []string{name, name + "-wal", name + "-shm"}, e.Name(), "no other file is made")
			}
			s, err = sqlitestore.Open(t.Context(), path)
			require.NoError(t, err)
			defer s.Close()
			_, err = s.GetNamespace(t.Context(), "kept")
			require.NoError(t, err, "reopening the path finds the data")
		})
	}
}

// TestOpenPragmas reads the effective pragmas back for each combination of
// options and URI parameters: options decide, and a URI that sets one of
// the Store's pragmas is refused rather than silently winning or losing.
func TestOpenPragmas(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		opts    []sqlitestore.Option
		want    sqlitestore.Pragmas
		invalid bool
	}{
		{name: "defaults", want: sqlitestore.Pragmas{BusyTimeout: sqlitestore.DefaultBusyTimeout, JournalMode: "wal", Synchronous: sqlitestore.SyncNormal}},
		{name: "WithSynchronousFull", opts: []sqlitestore.Option{sqlitestore.WithSynchronousFull()},
			want: sqlitestore.Pragmas{BusyTimeout: sqlitestore.DefaultBusyTimeout, JournalMode: "wal", Synchronous: sqlitestore.SyncFull}},
		{name: "WithBusyTimeout", opts: []sqlitestore.Option{sqlitestore.WithBusyTimeout(1234 * time.Millisecond)},
			want: sqlitestore.Pragmas{BusyTimeout: 1234 * time.Millisecond, JournalMode: "wal", Synchronous: sqlitestore.SyncNormal}},
		{name: "unrelated URI parameters are kept", query: "?_pragma=foreign_keys(1)&cache=private", opts: []sqlitestore.Option{sqlitestore.WithSynchronousFull()},
			want: sqlitestore.Pragmas{BusyTimeout: sqlitestore.DefaultBusyTimeout, JournalMode: "wal", Synchronous: sqlitestore.SyncFull}},
		{name: "URI synchronous(OFF) with WithSynchronousFull", query: "?_pragma=synchronous(OFF)", opts: []sqlitestore.Option{sqlitestore.WithSynchronousFull()}, invalid: true},
		{name: "URI synchronous=0 without options", query: "?_pragma=synchronous%3D0", invalid: true},
		{name: "URI busy_timeout(50) with WithBusyTimeout", query: "?_pragma=busy_timeout(50)", opts: []sqlitestore.Option{sqlitestore.WithBusyTimeout(time.Second)}, invalid: true},
		{name: "URI journal_mode(DELETE)", query: "?_pragma=JOURNAL_MODE(DELETE)", invalid: true},
		{name: "URI _sync shorthand", query: "?_sync=OFF", invalid: true},
		{name: "URI _busy_timeout shorthand", query: "?_busy_timeout=50", invalid: true},
		{name: "URI _journal shorthand", query: "?_journal=DELETE", invalid: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			uri := "file:" + filepath.Join(t.TempDir(), "reg.db") + tc.query
			s, err := sqlitestore.Open(t.Context(), uri, tc.opts...)
			if tc.invalid {
				require.Nil(t, s)
				require.ErrorIs(t, err, store.ErrInvalid)
				var se *store.Error
				require.ErrorAs(t, err, &se)
				require.Equal(t, "path", se.Field)
				return
			}
			require.NoError(t, err)
			defer s.Close()
			got, err := s.Pragmas(t.Context())
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}

	t.Run("OpenMemory", func(t *testing.T) {
		s, err := sqlitestore.OpenMemory(t.Context(), sqlitestore.WithSynchronousFull())
		require.NoError(t, err)
		defer s.Close()
		got, err := s.Pragmas(t.Context())
		require.NoError(t, err)
		require.Equal(t, sqlitestore.Pragmas{BusyTimeout: sqlitestore.DefaultBusyTimeout, JournalMode: "memory", Synchronous: sqlitestore.SyncFull}, got)
	})
}

// TestStorageErrors: a failure of the storage itself reaches the caller as
// an *store.Error matching ErrStorage (500 / EnOS 31500), keeping the
// driver's message, never as a raw driver error.
func TestStorageErrors(t *testing.T) {
	ctx := context.Background()
	_, path := openFile(t)
	ro, err := sqlitestore.Open(ctx, "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer ro.Close()

	err = ro.CreateNamespace(ctx, store.Namespace{Code: "ns"})
	require.ErrorIs(t, err, store.ErrStorage)
	var se *store.Error
	require.ErrorAs(t, err, &se)
	require.Contains(t, se.Message, "readonly database", "the driver's message is kept")

	err = ro.CreateResources(ctx, []store.Resource{{Namespace: store.DefaultNamespace, Code: "r", ID: "r"}}, store.WriteOptions{})
	require.ErrorIs(t, err, store.ErrStorage)
	require.ErrorAs(t, err, &se)

	// Reads still work on a read-only file.
	_, err = ro.GetNamespace(ctx, store.DefaultNamespace)
	require.NoError(t, err)

	// A directory where the file should be cannot be opened.
	_, err = sqlitestore.Open(ctx, t.TempDir())
	require.ErrorIs(t, err, store.ErrStorage)
	require.ErrorAs(t, err, &se)
}
