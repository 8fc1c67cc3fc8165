// Package casbin compares the permission index with Casbin v2's
// rbac_with_deny model on the same grants, side by side in one run. It is a
// module of its own so that Casbin never becomes a dependency of resreg.
package casbin

import (
	"testing"

	casbinv2 "github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/resreg/resreg/internal/permdata"
	"github.com/resreg/resreg/permindex"
)

// rbacWithDeny is Casbin's rbac_with_deny model, with "*" accepted as a
// grant's resource and action the way the index accepts them.
const rbacWithDeny = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub, p.sub) && (r.obj == p.obj || p.obj == "*") && (r.act == p.act || p.act == "*")
`

func subjectKey(s permindex.Subject) string { return s.Type + ":" + s.ID }

func newEnforcer(tb testing.TB, d *permdata.Dataset) *casbinv2.Enforcer {
	m, err := model.NewModelFromString(rbacWithDeny)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := casbinv2.NewEnforcer(m)
	if err != nil {
		tb.Fatal(err)
	}
	rules := make([][]string, 0, len(d.Grants))
	for _, g := range d.Grants {
		rules = append(rules, []string{subjectKey(g.Subject), g.Resource, g.Action, map[permindex.Effect]string{
			permindex.Allow: "allow", permindex.Deny: "deny"}[g.Effect]})
	}
	if _, err := e.AddPolicies(rules); err != nil {
		tb.Fatal(err)
	}
	var links [][]string
	for _, m := range d.Memberships {
		links = append(links, []string{subjectKey(m.Member), subjectKey(m.Parent)})
	}
	if _, err := e.AddGroupingPolicies(links); err != nil {
		tb.Fatal(err)
	}
	return e
}

const rules = 100_000

// BenchmarkCheck runs the same allowed check on Casbin (Enforce) and on the
// index at 100,000 grants, in one run.
func BenchmarkCheck(b *testing.B) {
	d := permdata.Build(rules)
	ix := permindex.New()
	d.Load(ix)
	e := newEnforcer(b, d)
	user := subjectKey(permindex.Subject{Type: permindex.SubjectUser, ID: d.Principal.UserID})
	ok, err := e.Enforce(user, d.Resource, d.Action)
	if err != nil || !ok || !ix.IsActionAllowed(d.Principal, permdata.Namespace, d.Resource, d.Action) {
		b.Fatalf("both must allow the benchmark check: casbin %v %v", ok, err)
	}
	b.Run("casbin-enforce", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = e.Enforce(user, d.Resource, d.Action)
		}
	})
	b.Run("permindex", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ix.IsActionAllowed(d.Principal, permdata.Namespace, d.Resource, d.Action)
		}
	})
}

// TestSameAnswers checks that Casbin and the index agree on a sample of
// checks over the dataset, so the comparison is of equal work.
func TestSameAnswers(t *testing.T) {
	d := permdata.Build(10_000)
	ix := permindex.New()
	d.Load(ix)
	e := newEnforcer(t, d)
	user := subjectKey(permindex.Subject{Type: permindex.SubjectUser, ID: d.Principal.UserID})
	allowed := 0
	for i, r := range d.Resources {
		for _, a := range permdata.Actions {
			want, err := e.Enforce(user, r.Code, a)
			if err != nil {
				t.Fatal(err)
			}
			if got := ix.IsActionAllowed(d.Principal, permdata.Namespace, r.Code, a); got != want {
				t.Fatalf("resource %d %s/%s: index %v, casbin %v", i, r.Code, a, got, want)
			}
			if want {
				allowed++
			}
		}
	}
	if allowed == 0 {
		t.Fatal("no check was allowed: the comparison would prove nothing")
	}
}
