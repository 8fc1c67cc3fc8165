package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/pgstore/pgtest"
)

// resetPublicSchema empties the schema --postgres uses (pgstore's default,
// public), which no other test of the repository writes to.
func resetPublicSchema(t *testing.T) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), pgtest.DSN())
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
	require.NoError(t, err)
}

// TestCommandsOnPostgres drives apply, plan, list and changes with
// --postgres against the test server.
func TestCommandsOnPostgres(t *testing.T) {
	pgtest.SkipUnlessEnabled(t)
	resetPublicSchema(t)
	t.Cleanup(func() { resetPublicSchema(t) })
	bin := buildBinary(t)
	dsn := pgtest.DSN()
	example := filepath.Join("..", "..", "examples", "registry.yaml")

	res := run(t, bin, "apply", "-f", example, "--postgres", dsn)
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stdout, "Applied: ")
	res = run(t, bin, "plan", "-f", example, "--postgres", dsn, "--prune")
	require.Equal(t, 0, res.code, res.stdout+res.stderr)

	res = run(t, bin, "list", "namespaces", "--postgres", dsn, "-o", "json")
	require.Equal(t, 0, res.code, res.stderr)
	var nss []resreg.Namespace
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &nss))
	require.Len(t, nss, 2)

	res = run(t, bin, "check", "--postgres", dsn, "--user", "alice", "--resource", "ecs", "--action", "ecs:Start")
	require.Equal(t, 0, res.code, res.stderr)
	require.Equal(t, "allowed\n", res.stdout)

	res = run(t, bin, "list", "namespaces", "--postgres", "postgres://127.0.0.1:1/none?connect_timeout=2")
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "PostgreSQL")
}
