package sqlitestore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

const (
	envChangesDB = "RESREG_SQLITESTORE_CHANGES_DB"
	changeWrites = 5
)

// TestChangesWorker is the writing process of
// TestChangesFromAnotherProcess: it writes one resource per line read on
// stdin and prints "COMMITTED code" once the write has committed.
func TestChangesWorker(t *testing.T) {
	path := os.Getenv(envChangesDB)
	if path == "" {
		t.Skip("runs only as a worker of TestChangesFromAnotherProcess")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	in := bufio.NewScanner(os.Stdin)
	for i := 0; in.Scan(); i++ {
		code := fmt.Sprintf("w-%d", i)
		err := s.CreateResources(store.WithActor(ctx, "worker"), []store.Resource{{Namespace: store.DefaultNamespace, Code: code, ID: code, Type: store.TypeAPI}}, store.WriteOptions{})
		require.NoError(t, err)
		fmt.Println("COMMITTED", code)
	}
}

func TestChangesFromAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "changes.db")
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	reg := resreg.New(s) // the default watch interval

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestChangesWorker$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChangesDB+"="+path)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(stdout)

	watched := make(chan resreg.Change, changeWrites)
	go func() {
		for c, err := range reg.Watch(ctx, 0) {
			if err != nil {
				return
			}
			watched <- c
		}
	}()

	var slowest time.Duration
	for i := range changeWrites {
		time.Sleep(30 * time.Millisecond) // let the watcher fall asleep between polls
		_, err := fmt.Fprintln(stdin, "write")
		require.NoError(t, err)
		var line string
		for lines.Scan() {
			if line = lines.Text(); strings.HasPrefix(line, "COMMITTED ") {
				break
			}
		}
		require.True(t, strings.HasPrefix(line, "COMMITTED "), "worker output: %q", line)
		committed := time.Now()
		code := strings.TrimPrefix(line, "COMMITTED ")

		// Right after the other process's commit, Changes has it.
		got, err := s.Changes(ctx, int64(i), 10)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, code, got[0].Key)
		require.Equal(t, "worker", got[0].Actor)
		require.Equal(t, int64(i+1), got[0].Seq)

		// And Watch delivers it within the poll interval (plus scheduling
		// slack on a loaded machine).
		select {
		case c := <-watched:
			require.Equal(t, code, c.Key)
			slowest = max(slowest, time.Since(committed))
		case <-time.After(resreg.DefaultWatchInterval + 400*time.Millisecond):
			t.Fatalf("Watch did not deliver %s within the interval", code)
		}
	}
	t.Logf("slowest Watch delivery after the other process's commit: %v (interval %v)", slowest, resreg.DefaultWatchInterval)
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait())
}
