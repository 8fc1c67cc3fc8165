package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/sqlitestore"
)

func TestApplyCommand(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "registry.db")
	example := filepath.Join("..", "..", "examples", "registry.yaml")

	res := run(t, bin, "apply", "-f", example, "--db", db)
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stdout, "+ namespace examplePermissionNamespace")
	require.Contains(t, res.stdout, "Applied: ")
	_, err := os.Stat(db)
	require.NoError(t, err, "apply creates the database")

	res = run(t, bin, "plan", "-f", example, "--db", db, "--prune")
	require.Equal(t, 0, res.code, res.stdout+res.stderr)
	changes := run(t, bin, "changes", "--db", db, "-o", "json")
	require.Equal(t, 0, changes.code, changes.stderr)

	// The second apply writes nothing: the change log does not move.
	res = run(t, bin, "apply", "-f", example, "--db", db, "-o", "json")
	require.Equal(t, 0, res.code, res.stderr)
	var out struct {
		Plan   resreg.Plan        `json:"plan"`
		Result resreg.ApplyResult `json:"result"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &out))
	require.Empty(t, out.Plan.Changes)
	require.Equal(t, out.Result.FromSeq, out.Result.ToSeq)
	again := run(t, bin, "changes", "--db", db, "-o", "json")
	require.Equal(t, changes.stdout, again.stdout)

	// Deleting needs --yes without a terminal, and nothing is written
	// when it is missing.
	small := filepath.Join(dir, "small.yaml")
	require.NoError(t, os.WriteFile(small, []byte("namespaces:\n  - code: default\n"), 0o644))
	res = run(t, bin, "apply", "-f", small, "--db", db, "--prune")
	require.Equal(t, 1, res.code, res.stdout)
	require.Contains(t, res.stderr, "--yes")
	require.Equal(t, again.stdout, run(t, bin, "changes", "--db", db, "-o", "json").stdout)
	res = run(t, bin, "apply", "-f", small, "--db", db, "--prune", "--yes")
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stdout, "- namespace examplePermissionNamespace")
	res = run(t, bin, "list", "namespaces", "--db", db, "-o", "json")
	require.Equal(t, 0, res.code, res.stderr)
	var nss []resreg.Namespace
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &nss))
	require.Len(t, nss, 1)

	for _, args := range [][]string{
		{"apply"},
		{"apply", "-f", example, "-o", "yaml"},
		{"apply", "-f", example, "--db", db, "--postgres", "postgres://127.0.0.1:1/x"},
	} {
		res := run(t, bin, args...)
		require.Equal(t, 2, res.code, "%q: %s", args, res.stderr)
	}
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("namespaces:\n  - code: default\n    resources:\n      - code: x\n        type: API\n        name: X\n        actions: [{name: 'a/b'}]\n"), 0o644))
	res = run(t, bin, "apply", "-f", bad, "--db", db)
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "line 7")
	require.Contains(t, res.stderr, "namespaces[0].resources[0].actions[0].name")
}

// bigManifest writes a manifest of n resources with a grant on each.
func bigManifest(t *testing.T, path string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("namespaces:\n  - code: default\n    resources:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - code: r%06d\n        type: API\n        name: Resource %d\n        actions: [{name: read, description: Read}, {name: write, description: Write}]\n", i, i)
	}
	b.WriteString("    grants:\n      - targetType: ROLE\n        targetIdentifiers: [reader]\n        resources:\n")
	for i := range min(n, 1000) {
		fmt.Fprintf(&b, "          - code: r%06d\n            actions: [read]\n", i)
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}

// startApply starts resreg apply on db and returns when it has printed the
// first line of its plan, which it does right before the transaction
// starts; the rest of its output is drained in the background.
func startApply(t *testing.T, bin, manifest, db string) (*exec.Cmd, time.Time) {
	t.Helper()
	cmd := exec.Command(bin, "apply", "-f", manifest, "--db", db)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	first := make(chan time.Time, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "Plan at change") {
				first <- time.Now()
			}
		}
		close(first)
	}()
	at, ok := <-first
	require.True(t, ok, "apply printed no plan")
	return cmd, at
}

// TestApplyKilledMidway kills resreg apply with SIGKILL at spread-out
// moments of the write of a large plan: each time the database holds either
// nothing of the manifest or all of it, never a part.
func TestApplyKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and applies a large manifest several times")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	manifest := filepath.Join(dir, "big.yaml")
	const n = 20_000
	bigManifest(t, manifest, n)

	// How long the write takes here (from the plan's first line to the
	// exit), to spread the kills over it.
	cmd, started := startApply(t, bin, manifest, filepath.Join(dir, "timing.db"))
	require.NoError(t, cmd.Wait())
	write := time.Since(started)

	const kills = 8
	outcomes := map[string]int{}
	for i := range kills {
		db := filepath.Join(dir, fmt.Sprintf("killed%d.db", i))
		cmd, started := startApply(t, bin, manifest, db)
		// From the start of the write to a little past its end.
		time.Sleep(time.Until(started.Add(write * time.Duration(2*i+1) / (2 * kills) * 11 / 10)))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		outcomes[checkAllOrNothing(t, db, manifest, n)]++
	}
	t.Logf("the write takes %v; outcomes of %d kills: %v", write, kills, outcomes)
}

// checkAllOrNothing opens a killed apply's database and requires it to
// hold no resource or exactly the manifest. It returns which.
func checkAllOrNothing(t *testing.T, db, manifest string, n int) string {
	t.Helper()
	if _, err := os.Stat(db); os.IsNotExist(err) {
		return "not created"
	}
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, db)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	r := resreg.New(s)
	page, err := r.ListResources(ctx, resreg.ResourceFilter{}, resreg.ListOptions{PageSize: 1, IncludeTotal: true})
	require.NoError(t, err)
	seq, err := r.LastSeq(ctx)
	require.NoError(t, err)
	switch page.TotalCount {
	case 0:
		require.Zero(t, seq, "no resource, but the change log moved")
		return "before"
	case n:
		m, err := readManifest(manifest)
		require.NoError(t, err)
		p, err := r.Plan(ctx, m, resreg.PlanOptions{Prune: true})
		require.NoError(t, err)
		require.True(t, p.Empty(), "all resources but not all of the manifest: %s", p.String())
		return "after"
	}
	t.Fatalf("a killed apply left %d of %d resources", page.TotalCount, n)
	return ""
}
