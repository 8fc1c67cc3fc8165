package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/sqlitestore"
)

// buildBinary builds resreg into a temporary directory once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "resreg")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, bin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{code, stdout.String(), stderr.String()}
}

// seedDB writes a small registry into a new SQLite file.
func seedDB(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	r := resreg.New(s)
	_, err = r.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "ecs", Name: resreg.Name("Server"), Description: "Server",
		Actions: []resreg.Action{{Name: "ecs:Start", Description: "Start ECS server"}}})
	require.NoError(t, err)
	_, err = r.RegisterResources(ctx, resreg.RegisterInput{Type: "your_resource_type", AssignCodeToID: true,
		Resources: []resreg.RegisterItem{{Code: "r1", Name: resreg.Name("One")}}})
	require.NoError(t, err)
	require.NoError(t, r.AuthorizeResources(ctx, resreg.AuthorizeResourcesInput{List: []resreg.AuthorizeItem{{
		TargetType: "ROLE", TargetIdentifiers: []string{"admin"}, Resources: []resreg.ResourceActions{{Code: "ecs", Actions: []string{"ecs:Start"}}}}}}))
	require.NoError(t, r.AddMembers(ctx, resreg.Role("admin"), resreg.User("alice")))
}

func TestCLIDrivesTheBinary(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "registry.db")
	example := filepath.Join("..", "..", "examples", "registry.yaml")

	t.Run("help on every command, with an example", func(t *testing.T) {
		for _, name := range []string{"plan", "apply", "export", "get", "list", "changes", "check", "serve"} {
			res := run(t, bin, name, "--help")
			require.Equal(t, 0, res.code, name)
			require.Contains(t, res.stderr, "usage: resreg "+name, name)
			if name != "serve" {
				require.Contains(t, res.stderr, "example:", name)
			}
		}
	})

	t.Run("plan against a file that does not exist", func(t *testing.T) {
		missing := filepath.Join(dir, "missing.db")
		res := run(t, bin, "plan", "-f", example, "--db", missing)
		require.Equal(t, 3, res.code, res.stderr)
		require.Contains(t, res.stdout, "+ namespace examplePermissionNamespace")
		require.NotContains(t, res.stdout, "\x1b[", "no colour with NO_COLOR or off a terminal")
		_, err := os.Stat(missing)
		require.ErrorIs(t, err, os.ErrNotExist, "plan must not create the database")
		res = run(t, bin, "list", "namespaces", "--db", missing, "-o", "json")
		require.Equal(t, 0, res.code, res.stderr)
		_, err = os.Stat(missing)
		require.ErrorIs(t, err, os.ErrNotExist, "list must not create the database")
	})

	seedDB(t, db)

	t.Run("export, then plan the export: nothing pending", func(t *testing.T) {
		res := run(t, bin, "export", "--db", db, "-o", "json")
		require.Equal(t, 0, res.code, res.stderr)
		m, err := resreg.DecodeManifest(strings.NewReader(res.stdout))
		require.NoError(t, err)
		require.Len(t, m.Namespaces[0].Resources, 2)
		exported := filepath.Join(dir, "exported.json")
		require.NoError(t, os.WriteFile(exported, []byte(res.stdout), 0o644))
		res = run(t, bin, "plan", "-f", exported, "--db", db, "--prune")
		require.Equal(t, 0, res.code, res.stdout+res.stderr)
		require.Contains(t, res.stdout, "No changes")

		yamlOut := run(t, bin, "export", "--db", db)
		require.Equal(t, 0, yamlOut.code)
		require.Contains(t, yamlOut.stdout, "- code: ecs")
	})

	t.Run("plan with changes pending, as json", func(t *testing.T) {
		res := run(t, bin, "plan", "-f", example, "--db", db, "--prune", "-o", "json")
		require.Equal(t, 3, res.code, res.stderr)
		var p resreg.Plan
		require.NoError(t, json.Unmarshal([]byte(res.stdout), &p))
		require.NotEmpty(t, p.Changes)
		require.Positive(t, p.Seq)
		ops := map[resreg.PlanOp]bool{}
		for _, c := range p.Changes {
			ops[c.Op] = true
		}
		require.True(t, ops[resreg.PlanCreate] && ops[resreg.PlanUpdate] && ops[resreg.PlanDelete], res.stdout)
	})

	t.Run("get and list", func(t *testing.T) {
		res := run(t, bin, "get", "resource", "default", "ecs", "--db", db, "-o", "json")
		require.Equal(t, 0, res.code, res.stderr)
		var got resreg.Resource
		require.NoError(t, json.Unmarshal([]byte(res.stdout), &got))
		require.Equal(t, "ecs", got.Code)

		res = run(t, bin, "get", "resource", "default", "nope", "--db", db)
		require.Equal(t, 1, res.code)
		require.Empty(t, res.stdout)
		require.Contains(t, res.stderr, "not found")

		res = run(t, bin, "list", "resources", "--db", db, "--keyword", "ECS", "-o", "json")
		require.Equal(t, 0, res.code, res.stderr)
		var list []resreg.Resource
		require.NoError(t, json.Unmarshal([]byte(res.stdout), &list))
		require.Len(t, list, 1)

		res = run(t, bin, "list", "resources", "--db", db)
		require.Equal(t, 0, res.code, res.stderr)
		require.Contains(t, res.stdout, "CODE")
		require.Contains(t, res.stdout, "r1")

		res = run(t, bin, "list", "namespaces", "--db", db, "-o", "yaml")
		require.Equal(t, 0, res.code, res.stderr)
		require.Contains(t, res.stdout, "code: default")
	})

	t.Run("changes", func(t *testing.T) {
		res := run(t, bin, "changes", "--db", db, "-o", "json")
		require.Equal(t, 0, res.code, res.stderr)
		var changes []resreg.Change
		require.NoError(t, json.Unmarshal([]byte(res.stdout), &changes))
		require.Len(t, changes, 4)
		res = run(t, bin, "changes", "--db", db, "--since", "1", "-o", "json")
		require.NoError(t, json.Unmarshal([]byte(res.stdout), &changes))
		require.Len(t, changes, 3)
		require.Equal(t, "r1", changes[0].Key)
	})

	t.Run("check", func(t *testing.T) {
		res := run(t, bin, "check", "--db", db, "--user", "alice", "--resource", "ecs", "--action", "ecs:Start")
		require.Equal(t, 0, res.code, res.stderr)
		require.Equal(t, "allowed\n", res.stdout)
		res = run(t, bin, "check", "--db", db, "--user", "bob", "--resource", "ecs", "--action", "ecs:Start", "-o", "json")
		require.Equal(t, 0, res.code, res.stderr)
		require.JSONEq(t, `{"allowed": false}`, res.stdout)
		res = run(t, bin, "check", "--db", db, "--user", "alice", "--namespace", "default", "--resource", "ecs", "--action", "ecs:Start", "--explain")
		require.Equal(t, 0, res.code, res.stderr)
		require.Contains(t, res.stdout, "allowed")
		require.Contains(t, res.stdout, "ROLE:admin via USER:alice")
		res = run(t, bin, "check", "--db", db, "--user", "alice")
		require.Equal(t, 2, res.code)
	})

	t.Run("usage errors exit 2, failures 1", func(t *testing.T) {
		for _, args := range [][]string{
			{"plan"},
			{"plan", "-f", example, "--bogus"},
			{"list"},
			{"list", "widgets"},
			{"get", "resource", "default"},
			{"export", "-o", "xml"},
		} {
			res := run(t, bin, args...)
			require.Equal(t, 2, res.code, "%q: %s", args, res.stderr)
			require.Empty(t, res.stdout, "%q", args)
		}
		bad := filepath.Join(dir, "bad.yaml")
		require.NoError(t, os.WriteFile(bad, []byte("namespaces:\n  - code: 'a b'\n"), 0o644))
		res := run(t, bin, "plan", "-f", bad, "--db", db)
		require.Equal(t, 1, res.code)
		require.Contains(t, res.stderr, "line 2, column 11: namespaces[0].code")
	})
}
