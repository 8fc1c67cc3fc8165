package pgstore

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// The hot queries are served by an index, in the order the listing needs:
// no sort node, no sequential scan. Sequential and bitmap scans are off for the
// check because on a table this small the planner would rightly prefer
// them; what is checked is that an index can serve each query.
func TestQueriesUseIndexes(t *testing.T) {
	dsn := os.Getenv("RESREG_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("PostgreSQL tests need RESREG_POSTGRES_DSN")
	}
	ctx := context.Background()
	schema := "resreg_plan_" + strings.ReplaceAll(t.Name(), "/", "_")
	s, err := Open(ctx, dsn, WithSchema(schema))
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = s.pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		s.Close()
	})
	cases := []struct {
		name  string
		query string
		args  []any
		// index, when set, is the index the plan must search: an index
		// scan of another key with a filter would pass the checks below.
		index string
	}{
		{"list resources", s.q.res.list, []any{"default", "a", 100}, ""},
		{"get resource", s.q.res.get, []any{"default", "a"}, ""},
		{"get resource by ID", s.q.res.getByID, []any{"default", "a"}, ""},
		{"resources by codes", s.q.res.byCode, []any{"default", []string{"a", "b"}}, ""},
		{"list data resources", s.q.data.list, []any{"default", "a", 100}, ""},
		{"data resource by name", s.q.data.getByName, []any{"default", "a"}, ""},
		{"tree node by path", s.q.tree.get, []any{"default", "a", "x/y"}, ""},
		{"load trees", s.q.tree.load, []any{"default", []string{"a"}}, ""},
		{"list namespaces", s.q.ns.list, []any{"a", 100}, ""},
		{"changes after a seq", s.q.changes.list, []any{int64(5), 100}, ""},
		{"grants of a namespace, next page", s.q.perm.grantsByNamespace.next, []any{"default", "USER", "u", "a", "read", "ALLOW", 100}, ""},
		{"grants of a subject, next page", s.q.perm.grantsBySubject.next, []any{"default", "USER", "u", "a", "read", "ALLOW", 100}, ""},
		{"grants on a resource, next page", s.q.perm.grantsByResource.next, []any{"default", "a", "USER", "u", "read", "ALLOW", 100}, ""},
		{"members of a subject, next page", s.q.perm.membersOf.next, []any{"GROUP", "g", "USER", "u", 100}, ""},
		{"parents of a subject, next page", s.q.perm.parentsOf.next, []any{"USER", "u", "GROUP", "g", 100}, ""},
		{"all memberships, next page", s.q.perm.allMemberships.next, []any{"GROUP", "g", "USER", "u", 100}, ""},
		{"policies by name, next page", s.q.perm.policiesByName.next, []any{"p", 100}, ""},
		{"targets of a policy, next page", s.q.perm.targetsOf.next, []any{"p", "USER", "u", 100}, ""},
		{"all targets, next page", s.q.perm.allTargets.next, []any{"p", "USER", "u", 100}, ""},
		{"exact refs on a data resource", s.q.perm.exactRefs, []any{"default", "a"}, ""},
		{"directory entry", s.q.dir.get, []any{"USER", "u"}, "resreg_directory_pkey"},
		{"entries of a type, next page", s.q.dir.ofType.next, []any{"USER", "u", 100}, ""},
		{"entries of a namespace, next page", s.q.dir.ofNamespace.next, []any{"ROLE", "default", "r", 100}, "resreg_directory_namespace"},
		{"namespaces of deleted subjects' grants", s.q.dir.grantNamespaces, []any{[]string{"USER"}, []string{"u"}}, "resreg_grants_subject"},
		{"policies of deleted subjects' targets", s.q.dir.targetPolicies, []any{[]string{"USER"}, []string{"u"}}, "resreg_policy_targets_subject"},
		{"delete a subject's parent edges", s.q.dir.deleteParents, []any{"USER", "u"}, "resreg_memberships_member"},
		{"delete a subject's member edges", s.q.dir.deleteMembers, []any{"GROUP", "g"}, "resreg_memberships_pkey"},
		{"delete a subject's grants", s.q.dir.deleteGrants, []any{"USER", "u"}, "resreg_grants_subject"},
		{"delete a subject's targets", s.q.dir.deleteTargets, []any{"USER", "u"}, "resreg_policy_targets_subject"},
		{"rename a namespace", s.q.rename.namespace, []any{"a", "b", "n", "d", int64(1)}, "resreg_namespaces_pkey"},
		{"rename resources", s.q.rename.tables[0], []any{"a", "b"}, ""},
		{"rename data resources", s.q.rename.tables[1], []any{"a", "b"}, ""},
		{"rename tree nodes", s.q.rename.tables[2], []any{"a", "b"}, ""},
		{"rename grants", s.q.rename.tables[3], []any{"a", "b"}, ""},
		{"rename directory entries", s.q.rename.directory, []any{"a", "b"}, "resreg_directory_namespace"},
		{"rename policy refs", s.q.rename.refs, []any{"a", "b"}, "resreg_policy_refs_target"},
		{"lock renamed policies", s.q.rename.lockStatements, []any{[]string{"p"}}, "resreg_data_policies_pkey"},
	}
	cases = append(cases, []struct {
		name  string
		query string
		args  []any
		index string
	}{
		{"role namespaces of a rename", s.q.rename.roleNamespaces, []any{"@a", "ROLE"}, "resreg_grants_subject"},
		{"role policies of a rename", s.q.rename.rolePolicies, []any{"@a", "ROLE"}, "resreg_policy_targets_subject"},
		{"role entries of a rename", s.q.rename.lockRoles, []any{"@a", "ROLE"}, "resreg_directory_pkey"},
	}...)
	for i := range s.q.rename.namesRole {
		name := subjectColumns[i].table + "." + subjectColumns[i].id
		cases = append(cases, struct {
			name  string
			query string
			args  []any
			index string
		}{"names a role in " + name, s.q.rename.namesRole[i], []any{"@a", "ROLE"}, ""}, struct {
			name  string
			query string
			args  []any
			index string
		}{"renames roles in " + name, s.q.rename.renameRole[i], []any{"@a", "ROLE", "@b"}, ""})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := s.pool.Begin(ctx)
			require.NoError(t, err)
			defer tx.Rollback(ctx) //nolint:errcheck // read-only
			_, err = tx.Exec(ctx, "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
			require.NoError(t, err)
			rows, err := tx.Query(ctx, "EXPLAIN "+c.query, c.args...)
			require.NoError(t, err)
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			require.NoError(t, err)
			plan := strings.Join(lines, "\n")
			require.Contains(t, plan, "Index", plan)
			require.NotContains(t, plan, "Seq Scan", plan)
			if c.index != "" {
				require.Contains(t, plan, " using "+c.index+" ", plan)
			}
			if strings.Contains(c.query, "ORDER BY") && !strings.Contains(c.query, "ANY(") {
				require.NotContains(t, plan, "Sort", plan)
			}
		})
	}
}
