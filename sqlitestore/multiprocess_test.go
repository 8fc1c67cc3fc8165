package sqlitestore_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

// The two-process test runs this test binary twice more as workers; the
// environment tells a worker which file to hammer and who it is.
const (
	envHammerDB     = "RESREG_SQLITESTORE_HAMMER_DB"
	envHammerWorker = "RESREG_SQLITESTORE_HAMMER_WORKER"
	envHammerStart  = "RESREG_SQLITESTORE_HAMMER_START"
	hammerCodes     = 1000
	hammerQuotaNS   = "quota"
	hammerQuota     = 70
	hammerQuotaTry  = 60 // per worker, so the workers together overshoot
)

func hammerCode(i int) string { return fmt.Sprintf("c-%04d", i) }

// TestHammerWorker is the worker side of TestTwoProcessesShareOneFile; it
// does nothing in a normal run.
func TestHammerWorker(t *testing.T) {
	path, worker := os.Getenv(envHammerDB), os.Getenv(envHammerWorker)
	if path == "" {
		t.Skip("runs only as a worker of TestTwoProcessesShareOneFile")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()

	// Start together, so that the workers' writes overlap.
	start, err := time.Parse(time.RFC3339Nano, os.Getenv(envHammerStart))
	require.NoError(t, err)
	time.Sleep(time.Until(start))

	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for i := range hammerCodes {
		// Both workers try every code with IDs of their own, so only the
		// codes collide; the second goes backwards, so that the two meet in
		// the middle and each wins some.
		n := i
		if worker != "w1" {
			n = hammerCodes - 1 - i
		}
		r := store.Resource{Namespace: store.DefaultNamespace, Code: hammerCode(n), ID: worker + "-" + hammerCode(n), Type: store.TypeAPI}
		err := s.CreateResources(ctx, []store.Resource{r}, store.WriteOptions{})
		switch {
		case err == nil:
			fmt.Fprintln(out, "WON", r.Code)
		case errors.Is(err, store.ErrConflict):
		default:
			t.Fatalf("create %s: %v", r.Code, err)
		}
		if i < hammerQuotaTry {
			q := store.Resource{Namespace: hammerQuotaNS, Code: worker + "-" + hammerCode(i), ID: worker + "-" + hammerCode(i)}
			err := s.CreateResources(ctx, []store.Resource{q}, store.WriteOptions{MaxResourcesPerNamespace: hammerQuota})
			if err != nil && !errors.Is(err, store.ErrLimitExceeded) {
				t.Fatalf("create %s: %v", q.Code, err)
			}
		}
	}
}

func TestTwoProcessesShareOneFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "shared.db")
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.CreateNamespace(ctx, store.Namespace{Code: hammerQuotaNS, Name: "quota"}))
	require.NoError(t, s.Close())

	workers := []string{"w1", "w2"}
	cmds := make([]*exec.Cmd, len(workers))
	outs := make([]*bytes.Buffer, len(workers))
	start := time.Now().Add(time.Second).Format(time.RFC3339Nano)
	for i, w := range workers {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHammerWorker$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), envHammerDB+"="+path, envHammerWorker+"="+w, envHammerStart+"="+start)
		outs[i] = new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		require.NoError(t, cmd.Start())
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "worker %s:\n%s", workers[i], outs[i])
	}

	winner := make(map[string]string)
	for i, w := range workers {
		for line := range strings.Lines(outs[i].String()) {
			code, ok := strings.CutPrefix(strings.TrimSpace(line), "WON ")
			if !ok {
				continue
			}
			require.NotContains(t, winner, code, "both workers won %s", code)
			winner[code] = w
		}
	}
	require.Len(t, winner, hammerCodes, "every code is won exactly once")
	wins := make(map[string]int)
	for _, w := range winner {
		wins[w]++
	}
	t.Logf("codes won per worker: %v", wins)

	s, err = sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	page, err := s.ListResources(ctx, store.ResourceFilter{Namespace: store.DefaultNamespace}, store.ListOptions{PageSize: store.MaxPageSize})
	require.NoError(t, err)
	require.Len(t, page.Items, hammerCodes, "no write is lost")
	for i, r := range page.Items {
		require.Equal(t, hammerCode(i), r.Code)
		require.Equal(t, winner[r.Code]+"-"+r.Code, r.ID, "the stored row is the winner's")
	}

	quota, err := s.ListResources(ctx, store.ResourceFilter{Namespace: hammerQuotaNS}, store.ListOptions{IncludeTotal: true})
	require.NoError(t, err)
	require.Equal(t, hammerQuota, quota.TotalCount, "the quota is reached and not overshot")

	var check string
	require.NoError(t, s.DB().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check))
	require.Equal(t, "ok", check)
}
