package permindex_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/permindex"
)

// world is the small universe the differential test draws from, so that
// random operations collide often.
var (
	diffNS      = []string{"ns1", "ns2"}
	diffCodes   = []string{"r0", "r1", "r2", "r3"}
	diffActions = []string{"read", "write", "del", "list"}
	diffData    = []string{"d0", "d1", "dx"}
	diffNodes   = []string{"a", "b", "ab"}
	diffSubs    = []permindex.Subject{
		{Type: "USER", ID: "u0"}, {Type: "USER", ID: "u1"}, {Type: "USER", ID: "u2"},
		{Type: "ROLE", ID: "R0"}, {Type: "ROLE", ID: "R1"}, {Type: "ROLE", ID: "R2"},
		{Type: "GROUP", ID: "G0"}, {Type: "GROUP", ID: "G1"}, {Type: "DEPARTMENT", ID: "D0"},
	}
	diffPolicies = []string{"p0", "p1", "p2", "p3"}
)

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func randActions(rng *rand.Rand) []string {
	var out []string
	for _, a := range diffActions {
		if rng.IntN(2) == 0 {
			out = append(out, a)
		}
	}
	return out
}

func randEffect(rng *rand.Rand) permindex.Effect {
	if rng.IntN(3) == 0 {
		return permindex.Deny
	}
	return permindex.Allow
}

func randSeg(rng *rand.Rand, xs []string) string {
	switch rng.IntN(6) {
	case 0:
		return "*"
	case 1:
		return pick(rng, xs)[:1] + "*"
	}
	return pick(rng, xs)
}

func randPermission(rng *rand.Rand) string {
	p := pick(rng, diffNS) + "/" + randSeg(rng, diffData)
	for range rng.IntN(4) {
		p += "/" + randSeg(rng, diffNodes)
	}
	return p + "/" + randSeg(rng, diffActions)
}

func randDataResource(rng *rand.Rand) permindex.DataResource {
	d := permindex.DataResource{Namespace: pick(rng, diffNS), Code: pick(rng, diffData),
		Actions: randActions(rng), Type: "TREE"}
	if rng.IntN(4) == 0 {
		d.Type = "STRING"
		return d
	}
	var walk func(prefix string, depth int)
	walk = func(prefix string, depth int) {
		for _, c := range diffNodes {
			if depth > 3 || rng.IntN(3) == 0 {
				continue
			}
			path := prefix + c
			d.Nodes = append(d.Nodes, permindex.DataNode{Path: path, Name: "n " + path, Value: fmt.Sprint(depth)})
			walk(path+"/", depth+1)
		}
	}
	walk("", 1)
	return d
}

func randPrincipal(rng *rand.Rand) permindex.Principal {
	p := permindex.Principal{UserID: pick(rng, diffSubs[:3]).ID}
	for range rng.IntN(3) {
		p.Subjects = append(p.Subjects, pick(rng, diffSubs[3:]))
	}
	if rng.IntN(8) == 0 {
		p.UserID = ""
	}
	return p
}

func randDataRequest(rng *rand.Rand) string {
	r := pick(rng, diffData)
	for range rng.IntN(5) {
		r += "/" + pick(rng, diffNodes)
	}
	return r
}

// step applies one random operation to both the index and the reference.
func step(rng *rand.Rand, ix *permindex.Index, rf *ref) {
	switch op := rng.IntN(12); op {
	case 0, 1, 2: // grant on an existing resource or on "*"
		ns := pick(rng, diffNS)
		code, action := "*", pick(rng, append([]string{"*"}, diffActions...))
		if rng.IntN(4) != 0 {
			code = pick(rng, diffCodes)
			res, ok := rf.resources[[2]string{ns, code}]
			if !ok {
				return
			}
			action = pick(rng, append([]string{"*"}, res.Actions...))
		}
		g := permindex.Grant{Namespace: ns, Subject: pick(rng, diffSubs), Resource: code, Action: action, Effect: randEffect(rng)}
		ix.Update(func(w *permindex.Writer) { w.AddGrants(g) })
		rf.grants[g] = true
	case 3: // revoke one held grant, or a random one
		var g permindex.Grant
		for h := range rf.grants {
			g = h
			break
		}
		if rng.IntN(3) == 0 {
			g.Subject = pick(rng, diffSubs)
		}
		ix.Update(func(w *permindex.Writer) { w.RemoveGrants(g) })
		delete(rf.grants, g)
	case 4: // membership (cycles allowed: the index must not loop)
		m := permindex.Membership{Parent: pick(rng, diffSubs[3:]), Member: pick(rng, diffSubs)}
		if rng.IntN(3) == 0 {
			ix.Update(func(w *permindex.Writer) { w.RemoveMemberships(m) })
			delete(rf.members, m)
		} else if m.Parent != m.Member {
			ix.Update(func(w *permindex.Writer) { w.AddMemberships(m) })
			rf.members[m] = true
		}
	case 5: // resource put
		res := permindex.Resource{Namespace: pick(rng, diffNS), Code: pick(rng, diffCodes),
			Type: pick(rng, []string{"API", "DATA"}), Description: "x", Actions: randActions(rng)}
		ix.Update(func(w *permindex.Writer) { w.PutResources(res) })
		rf.putResource(res)
	case 6: // resource delete
		ns, code := pick(rng, diffNS), pick(rng, diffCodes)
		ix.Update(func(w *permindex.Writer) { w.DeleteResources(ns, code) })
		rf.deleteResource(ns, code)
	case 7: // data resource put or delete
		if rng.IntN(4) == 0 {
			ns, code := pick(rng, diffNS), pick(rng, diffData)
			ix.Update(func(w *permindex.Writer) { w.DeleteDataResources(ns, code) })
			delete(rf.data, [2]string{ns, code})
			return
		}
		d := randDataResource(rng)
		ix.Update(func(w *permindex.Writer) { w.PutDataResources(d) })
		rf.data[[2]string{d.Namespace, d.Code}] = d
	case 8, 9: // policy put
		p := permindex.Policy{ID: pick(rng, diffPolicies)}
		for range 1 + rng.IntN(3) {
			st := permindex.Statement{Effect: randEffect(rng)}
			for range 1 + rng.IntN(3) {
				st.Permissions = append(st.Permissions, randPermission(rng))
			}
			p.Statements = append(p.Statements, st)
		}
		ix.Update(func(w *permindex.Writer) { w.PutPolicies(p) })
		rf.policies[p.ID] = p
	case 10: // policy delete
		id := pick(rng, diffPolicies)
		ix.Update(func(w *permindex.Writer) { w.DeletePolicies(id) })
		rf.deletePolicy(id)
	case 11: // policy target
		t := permindex.PolicyTarget{PolicyID: pick(rng, diffPolicies), Subject: pick(rng, diffSubs)}
		if _, ok := rf.policies[t.PolicyID]; !ok {
			return
		}
		if rng.IntN(3) == 0 {
			ix.Update(func(w *permindex.Writer) { w.RemovePolicyTargets(t) })
			delete(rf.targets, t)
		} else {
			ix.Update(func(w *permindex.Writer) { w.AddPolicyTargets(t) })
			rf.targets[t] = true
		}
	}
}

func requireSameExplanation(t *testing.T, want, got permindex.Explanation, msg string) {
	t.Helper()
	require.Equal(t, want.Allowed, got.Allowed, msg)
	if len(want.Matches) == 0 {
		want.Matches = nil
	}
	for i := range want.Matches {
		if len(want.Matches[i].Via) == 0 {
			want.Matches[i].Via = nil
		}
	}
	require.Equal(t, want.Matches, got.Matches, msg)
	if len(want.Reason) > 7 && want.Reason[:7] == "no such" {
		require.Equal(t, want.Reason, got.Reason, msg)
	}
}

// TestDifferential runs 20,000 random operations; after each, random checks
// answered by the index must equal the reference evaluator's.
func TestDifferential(t *testing.T) {
	steps := 20000
	if testing.Short() {
		steps = 2000
	}
	rng := rand.New(rand.NewPCG(11, 10))
	ix, rf := permindex.New(), newRef()
	allowedGeneral, allowedData, checks := 0, 0, 0
	// stable is checked after every step, so its cached expansion is reused
	// across every kind of write (memberships included) and must stay right.
	stable := permindex.Principal{UserID: "u0", Subjects: []permindex.Subject{{Type: "ROLE", ID: "R0"}}}
	for i := range steps {
		step(rng, ix, rf)
		for _, ns := range diffNS {
			code, action, req := pick(rng, diffCodes), pick(rng, diffActions), randDataRequest(rng)
			require.Equal(t, rf.explainAction(stable, ns, code, action).Allowed, ix.IsActionAllowed(stable, ns, code, action),
				"step %d: stable %s/%s/%s", i, ns, code, action)
			require.Equal(t, rf.explainData(stable, ns, req, action).Allowed, ix.IsDataActionAllowed(stable, ns, req, action),
				"step %d: stable data %s/%s %s", i, ns, req, action)
		}
		for range 3 {
			p := randPrincipal(rng)
			ns, code, action := pick(rng, diffNS), pick(rng, diffCodes), pick(rng, diffActions)
			msg := fmt.Sprintf("step %d: %+v %s/%s/%s", i, p, ns, code, action)
			want := rf.explainAction(p, ns, code, action)
			require.Equal(t, want.Allowed, ix.IsActionAllowed(p, ns, code, action), msg)
			checks++
			if want.Allowed {
				allowedGeneral++
			}
			requireSameExplanation(t, want, ix.ExplainActionAllowed(p, ns, code, action), msg)

			reqs := []string{randDataRequest(rng), randDataRequest(rng), randDataRequest(rng)}
			got := ix.CheckPermission(p, ns, action, reqs, nil)
			for j, req := range reqs {
				msg := fmt.Sprintf("step %d: %+v data %s/%s %s", i, p, ns, req, action)
				want := rf.explainData(p, ns, req, action)
				require.Equal(t, want.Allowed, got[j], msg)
				if want.Allowed {
					allowedData++
				}
				require.Equal(t, want.Allowed, ix.IsDataActionAllowed(p, ns, req, action), msg)
				requireSameExplanation(t, want, ix.ExplainPermission(p, ns, req, action), msg)
			}
		}
		if i%20 == 0 {
			p := randPrincipal(rng)
			ns := pick(rng, diffNS)
			typ := pick(rng, []string{"", "API"})
			require.Equal(t, rf.listAuthorized(p, ns, typ), ix.ListAuthorizedResources(p, ns, typ), "step %d list", i)
			code := pick(rng, diffData)
			ws, wok := rf.userStruct(p, ns, code)
			gs, gok := ix.UserResourceStruct(p, ns, code)
			require.Equal(t, wok, gok)
			require.Equal(t, ws, gs, "step %d struct %+v %s/%s", i, p, ns, code)
		}
	}
	// The universe is small enough that both answers occur (over 100 allowed answers of each kind): a test
	// that only ever compared denials would prove little.
	require.Greater(t, allowedGeneral, 100, "general allowed %d of %d", allowedGeneral, checks)
	require.Greater(t, allowedData, 100, "data allowed %d of %d", allowedData, 3*checks)
	grants := 0
	for range rf.grants {
		grants++
	}
	require.Equal(t, grants, ix.Stats().Grants)
}
