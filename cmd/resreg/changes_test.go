package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/sqlitestore"
)

// A rename is printed as one row with both codes, and --namespace finds it
// by either, also while following.
func TestChangesShowARename(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "registry.db")
	s, err := sqlitestore.Open(ctx, db)
	require.NoError(t, err)
	r := resreg.New(s)
	_, err = r.CreateNamespace(ctx, resreg.Namespace{Code: "app"})
	require.NoError(t, err)
	_, err = r.UpdateNamespace(ctx, "app", resreg.NamespaceUpdate{NewCode: ptr("shop")})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	var stdout, stderr bytes.Buffer
	require.NoError(t, runChanges(ctx, []string{"--db", db}, envOf(nil), &stdout, &stderr), stderr.String())
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	require.Len(t, lines, 3)
	require.Equal(t, []string{"2", "rename", "namespace", "app", "shop"}, append(strings.Fields(lines[2])[:1], strings.Fields(lines[2])[2:]...))

	for _, ns := range []string{"app", "shop"} {
		stdout.Reset()
		require.NoError(t, runChanges(ctx, []string{"--db", db, "--namespace", ns, "-o", "json"}, envOf(nil), &stdout, &stderr))
		var got []resreg.Change
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &got))
		var ops []string
		for _, c := range got {
			ops = append(ops, c.Op)
		}
		if ns == "app" {
			require.Equal(t, []string{resreg.OpCreate, resreg.OpRename}, ops)
		} else {
			require.Equal(t, []string{resreg.OpRename}, ops)
		}

		var out syncBuffer
		fctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- runChanges(fctx, []string{"--db", db, "--namespace", ns, "--follow", "-o", "json"}, envOf(nil), &out, &stderr)
		}()
		require.Eventually(t, func() bool { return strings.Contains(out.String(), `"op":"rename"`) }, 10*time.Second, 10*time.Millisecond)
		cancel()
		require.NoError(t, <-done)
	}
}

func ptr[T any](v T) *T { return &v }
