package permindex_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/permindex"
)

// cacheFixture: ROLE reader holds read on app/books and a data policy
// allowing get on app/t1; nobody is a member of anything yet.
func cacheFixture() *permindex.Index {
	ix := permindex.New()
	reader := permindex.Subject{Type: "ROLE", ID: "reader"}
	ix.Update(func(w *permindex.Writer) {
		w.ReplaceNamespace("app", permindex.NamespaceRecords{
			Resources:     []permindex.Resource{{Code: "books", Type: "API", Actions: []string{"read"}}},
			DataResources: []permindex.DataResource{{Code: "t1", Type: "TREE", Actions: []string{"get"}, Nodes: []permindex.DataNode{{Path: "a"}}}},
			Grants:        []permindex.Grant{{Subject: reader, Resource: "books", Action: "read", Effect: permindex.Allow}},
		})
		w.PutPolicies(permindex.Policy{ID: "p", Statements: []permindex.Statement{{Effect: permindex.Allow, Permissions: []string{"app/t1/get"}}}})
		w.AddPolicyTargets(permindex.PolicyTarget{PolicyID: "p", Subject: reader})
	})
	return ix
}

func requireAnswers(t *testing.T, ix *permindex.Index, p permindex.Principal, want bool, msg string) {
	t.Helper()
	require.Equal(t, want, ix.IsActionAllowed(p, "app", "books", "read"), msg+": general")
	require.Equal(t, []bool{want}, ix.CheckPermission(p, "app", "get", []string{"t1/a"}, nil), msg+": data")
	require.Equal(t, want, ix.ExplainActionAllowed(p, "app", "books", "read").Allowed, msg+": explain")
}

// The same principal is checked before and after each membership write: a
// check must never answer from the expansion computed before the write.
func TestRepeatedChecksSeeMembershipChanges(t *testing.T) {
	ix := cacheFixture()
	alice := permindex.Principal{UserID: "alice"}
	user := permindex.Subject{Type: "USER", ID: "alice"}
	reader := permindex.Subject{Type: "ROLE", ID: "reader"}
	staff := permindex.Subject{Type: "GROUP", ID: "staff"}
	steps := []struct {
		name string
		fn   func(w *permindex.Writer)
		want bool
	}{
		{"no membership", func(w *permindex.Writer) {}, false},
		{"direct member", func(w *permindex.Writer) { w.AddMemberships(permindex.Membership{Parent: reader, Member: user}) }, true},
		{"removed", func(w *permindex.Writer) { w.RemoveMemberships(permindex.Membership{Parent: reader, Member: user}) }, false},
		{"through a group", func(w *permindex.Writer) {
			w.AddMemberships(permindex.Membership{Parent: staff, Member: user}, permindex.Membership{Parent: reader, Member: staff})
		}, true},
		{"group link removed", func(w *permindex.Writer) { w.RemoveMemberships(permindex.Membership{Parent: reader, Member: staff}) }, false},
		{"group link back", func(w *permindex.Writer) { w.AddMemberships(permindex.Membership{Parent: reader, Member: staff}) }, true},
	}
	for _, st := range steps {
		ix.Update(st.fn)
		requireAnswers(t, ix, alice, st.want, st.name)
		requireAnswers(t, ix, alice, st.want, st.name+" (again)")
	}
}

// A principal checked while its user (or a given subject) was unknown to the
// index must see that subject's first grant.
func TestRepeatedChecksSeeNewSubjects(t *testing.T) {
	ix := cacheFixture()
	bob := permindex.Principal{UserID: "bob"}
	requireAnswers(t, ix, bob, false, "unknown user")
	ix.Update(func(w *permindex.Writer) {
		w.AddMemberships(permindex.Membership{Parent: permindex.Subject{Type: "ROLE", ID: "reader"}, Member: permindex.Subject{Type: "USER", ID: "bob"}})
	})
	requireAnswers(t, ix, bob, true, "user became a member")

	tok := permindex.Principal{Subjects: []permindex.Subject{{Type: "ROLE", ID: "new-role"}}}
	require.False(t, ix.IsActionAllowed(tok, "app", "books", "read"))
	ix.Update(func(w *permindex.Writer) {
		w.AddGrants(permindex.Grant{Namespace: "app", Subject: permindex.Subject{Type: "ROLE", ID: "new-role"},
			Resource: "books", Action: "read", Effect: permindex.Allow})
	})
	require.True(t, ix.IsActionAllowed(tok, "app", "books", "read"), "given subject got its first grant")
}

// More principals than the expansion cache has slots, and principals that
// differ only in their given subjects (10,000 users, each checked with and
// without a role: same-user pairs collide in a slot several times per run):
// evictions and collisions must never hand one principal another's expansion.
func TestManyPrincipalsShareNoExpansion(t *testing.T) {
	ix := cacheFixture()
	const users = 10000
	ix.Update(func(w *permindex.Writer) {
		for i := 1; i < users; i += 2 {
			w.AddGrants(permindex.Grant{Namespace: "app", Subject: permindex.Subject{Type: "USER", ID: fmt.Sprint("u", i)},
				Resource: "books", Action: "read", Effect: permindex.Deny})
		}
	})
	reader := permindex.Subject{Type: "ROLE", ID: "reader"}
	for round := range 2 {
		for i := range users {
			p := permindex.Principal{UserID: fmt.Sprint("u", i), Subjects: []permindex.Subject{reader}}
			require.Equal(t, i%2 == 0, ix.IsActionAllowed(p, "app", "books", "read"), "round %d user %d with reader", round, i)
			p.Subjects = nil
			require.False(t, ix.IsActionAllowed(p, "app", "books", "read"), "round %d user %d alone", round, i)
			p.UserID, p.Subjects = "", []permindex.Subject{reader}
			require.True(t, ix.IsActionAllowed(p, "app", "books", "read"), "round %d reader alone", round)
		}
	}
}

// Steady-state checks of one principal allocate nothing.
func TestRepeatedChecksDoNotAllocate(t *testing.T) {
	ix := cacheFixture()
	ix.Update(func(w *permindex.Writer) {
		w.AddMemberships(permindex.Membership{Parent: permindex.Subject{Type: "ROLE", ID: "reader"}, Member: permindex.Subject{Type: "USER", ID: "alice"}})
	})
	p := permindex.Principal{UserID: "alice"}
	reqs, out := []string{"t1/a"}, make([]bool, 0, 1)
	require.True(t, ix.IsActionAllowed(p, "app", "books", "read"))
	require.Zero(t, testing.AllocsPerRun(100, func() { ix.IsActionAllowed(p, "app", "books", "read") }))
	require.Zero(t, testing.AllocsPerRun(100, func() { out = ix.CheckPermission(p, "app", "get", reqs, out[:0]) }))
	require.Equal(t, []bool{true}, out)
}

// One write touching more resources than bulkRebuild (the index then
// rebuilds the per-resource subject lists in one pass) must answer like the
// reference, and so must small writes after it.
func TestBulkLoadMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ix, rf := permindex.New(), newRef()
	var res []permindex.Resource
	var grants []permindex.Grant
	for i := range 1500 {
		r := permindex.Resource{Namespace: "ns1", Code: fmt.Sprint("b", i), Type: "API", Actions: diffActions}
		res = append(res, r)
		rf.putResource(r)
	}
	for range 6000 {
		code := fmt.Sprint("b", rng.IntN(1500))
		if rng.IntN(200) == 0 {
			code = permindex.Wildcard
		}
		g := permindex.Grant{Namespace: "ns1", Subject: pick(rng, diffSubs), Resource: code,
			Action: pick(rng, append([]string{"*"}, diffActions...)), Effect: randEffect(rng)}
		grants = append(grants, g)
		rf.grants[g] = true
	}
	ms := []permindex.Membership{{Parent: diffSubs[3], Member: diffSubs[0]}, {Parent: diffSubs[6], Member: diffSubs[1]}, {Parent: diffSubs[4], Member: diffSubs[6]}}
	for _, m := range ms {
		rf.members[m] = true
	}
	ix.Update(func(w *permindex.Writer) {
		w.PutResources(res...)
		w.AddGrants(grants...)
		w.AddMemberships(ms...)
	})
	check := func(when string) {
		for _, u := range []string{"u0", "u1", "u2"} {
			p := permindex.Principal{UserID: u}
			for i := 0; i < 1500; i += 7 {
				code := fmt.Sprint("b", i)
				for _, a := range diffActions {
					require.Equal(t, rf.explainAction(p, "ns1", code, a).Allowed, ix.IsActionAllowed(p, "ns1", code, a),
						"%s: %s %s/%s", when, u, code, a)
				}
			}
		}
	}
	check("after the bulk load")
	for i := range 50 {
		g := grants[rng.IntN(len(grants))]
		ix.Update(func(w *permindex.Writer) { w.RemoveGrants(g) })
		delete(rf.grants, g)
		if i%10 == 0 {
			check(fmt.Sprint("after removal ", i))
		}
	}
}
