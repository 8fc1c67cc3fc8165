package resreg_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/sqlitestore"
)

const envCheckDB = "RESREG_CHECK_WRITER_DB"

// TestCheckWriterProcess is process A of TestChecksSeeAnotherProcess: for
// each user ID read on stdin it grants read on doc through its own
// Registry and prints "COMMITTED id" once the write has returned.
func TestCheckWriterProcess(t *testing.T) {
	path := os.Getenv(envCheckDB)
	if path == "" {
		t.Skip("runs only as the writer of TestChecksSeeAnotherProcess")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	reg := resreg.New(s)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		id := in.Text()
		require.NoError(t, reg.AuthorizeResources(ctx, resreg.AuthorizeResourcesInput{Namespace: "app", List: []resreg.AuthorizeItem{{
			TargetType: resreg.SubjectUser, TargetIdentifiers: []string{id},
			Resources: []resreg.ResourceActions{{Code: "doc", Actions: []string{"read"}}}}}}))
		fmt.Println("COMMITTED", id)
	}
}

// TestChecksSeeAnotherProcess: a grant committed by process A is seen by
// process B's very next check in consistent mode, and within d by a
// Registry with WithCheckStaleness(d), which is checked in a loop from
// before the grant so that its last probe falls anywhere in the window.
func TestChecksSeeAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process")
	}
	const rounds = 20
	const d = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "checks.db")
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	consistent := resreg.New(s)
	stale := resreg.New(s, resreg.WithCheckStaleness(d))
	_, err = consistent.CreateNamespace(ctx, resreg.Namespace{Code: "app"})
	require.NoError(t, err)
	_, err = consistent.CreateResource(ctx, resreg.CreateResourceInput{Namespace: "app", Type: resreg.TypeAPI, Code: "doc",
		Actions: []resreg.Action{{Name: "read", Description: "Read"}}})
	require.NoError(t, err)
	require.NoError(t, consistent.WarmIndex(ctx))
	require.NoError(t, stale.WarmIndex(ctx))

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCheckWriterProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCheckDB+"="+path)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(stdout)

	check := func(reg *resreg.Registry, id string) bool {
		ok, err := reg.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: resreg.Principal{UserID: id}, Namespace: "app", Resource: "doc", Action: "read"})
		require.NoError(t, err)
		return ok
	}
	var delays []time.Duration
	for i := range rounds {
		id := fmt.Sprintf("u%d", i)
		require.False(t, check(consistent, id))
		require.False(t, check(stale, id))
		// Keep the stale Registry checking while A writes.
		_, err := fmt.Fprintln(stdin, id)
		require.NoError(t, err)
		for lines.Scan() && !strings.HasPrefix(lines.Text(), "COMMITTED") {
		}
		require.Equal(t, "COMMITTED "+id, lines.Text())
		committed := time.Now()
		require.True(t, check(consistent, id), "round %d: the very next consistent check sees A's grant", i)
		for !check(stale, id) {
			require.Less(t, time.Since(committed), 10*d, "round %d: the stale check never caught up", i)
		}
		delays = append(delays, time.Since(committed))
		time.Sleep(time.Duration(i%5) * d / 5) // land the next grant at another point of the window
	}
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait())
	slices.Sort(delays)
	t.Logf("staleness %v: a grant of another process became visible after median %v, max %v (%d rounds)",
		d, delays[len(delays)/2], delays[len(delays)-1], rounds)
	// Within d of the commit plus the catch-up's own read, with room for
	// scheduling on a loaded machine.
	require.LessOrEqual(t, delays[len(delays)-1], 2*d)
}
