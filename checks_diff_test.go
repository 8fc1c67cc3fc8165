package resreg_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// refSnapshot is everything the reference evaluator reads, taken from the
// store's listings.
type refSnapshot struct {
	resources map[string]store.Resource
	data      map[string]store.DataResource
	grants    []store.Grant
	parents   map[store.Subject][]store.Subject
	policies  map[string]store.DataPolicy
	targets   []store.PolicyTarget
}

func listAll[T any](t *testing.T, list func(store.ListOptions) (store.Page[T], error)) []T {
	t.Helper()
	var out []T
	opts := store.ListOptions{PageSize: store.MaxPageSize}
	for {
		page, err := list(opts)
		require.NoError(t, err)
		out = append(out, page.Items...)
		if page.NextPageToken == "" {
			return out
		}
		opts.PageToken = page.NextPageToken
	}
}

func snapshot(t *testing.T, s store.Store, ns string) refSnapshot {
	ctx := context.Background()
	snap := refSnapshot{resources: map[string]store.Resource{}, data: map[string]store.DataResource{},
		parents: map[store.Subject][]store.Subject{}, policies: map[string]store.DataPolicy{}}
	for _, r := range listAll(t, func(o store.ListOptions) (store.Page[store.Resource], error) {
		return s.ListResources(ctx, store.ResourceFilter{Namespace: ns}, o)
	}) {
		snap.resources[r.Code] = r
	}
	for _, d := range listAll(t, func(o store.ListOptions) (store.Page[store.DataResource], error) {
		return s.ListDataResources(ctx, store.DataResourceFilter{Namespace: ns}, o)
	}) {
		snap.data[d.ResourceCode] = d
	}
	snap.grants = listAll(t, func(o store.ListOptions) (store.Page[store.Grant], error) {
		return s.ListGrants(ctx, store.GrantFilter{Namespace: ns}, o)
	})
	for _, m := range listAll(t, func(o store.ListOptions) (store.Page[store.Membership], error) { return s.ListAllMemberships(ctx, o) }) {
		snap.parents[m.Member] = append(snap.parents[m.Member], m.Parent)
	}
	for _, p := range listAll(t, func(o store.ListOptions) (store.Page[store.DataPolicy], error) {
		return s.ListDataPolicies(ctx, store.DataPolicyFilter{}, o)
	}) {
		snap.policies[p.ID] = p
	}
	snap.targets = listAll(t, func(o store.ListOptions) (store.Page[store.PolicyTarget], error) {
		return s.ListAllPolicyTargets(ctx, o)
	})
	return snap
}

// subjectsOf is rule 1: the principal's own subjects and every ancestor.
func (s refSnapshot) subjectsOf(p resreg.Principal) map[store.Subject]bool {
	out := map[store.Subject]bool{}
	todo := p.Own()
	for len(todo) > 0 {
		x := todo[0]
		todo = todo[1:]
		if out[x] {
			continue
		}
		out[x] = true
		todo = append(todo, s.parents[x]...)
	}
	return out
}

// refMatch is a match without its membership chain.
type refMatch struct {
	Subject        store.Subject
	PolicyID, Perm string
	Effect         store.Effect
}

func refDecide(ms []refMatch) bool {
	allowed := false
	for _, m := range ms {
		if m.Effect == store.EffectDeny {
			return false
		}
		allowed = true
	}
	return allowed
}

// allowed evaluates a general check by rules 2 to 4.
func (s refSnapshot) allowed(p resreg.Principal, ns, code, action string) (bool, []refMatch) {
	r, ok := s.resources[code]
	if !ok || !slices.ContainsFunc(r.Actions, func(a store.Action) bool { return a.Name == action }) {
		return false, nil
	}
	subs := s.subjectsOf(p)
	var ms []refMatch
	for _, g := range s.grants {
		if subs[g.Subject] && (g.ResourceCode == code || g.ResourceCode == "*") && (g.Action == action || g.Action == "*") {
			ms = append(ms, refMatch{Subject: g.Subject, Perm: ns + "/" + g.ResourceCode + "/" + g.Action, Effect: g.Effect})
		}
	}
	return refDecide(ms), ms
}

func segMatch(pattern, seg string) bool {
	if pattern == "*" {
		return true
	}
	if strings.HasSuffix(pattern, "*") {
		return strings.HasPrefix(seg, strings.TrimSuffix(pattern, "*"))
	}
	return pattern == seg
}

// dataAllowed evaluates a data check by rules 2 to 4.
func (s refSnapshot) dataAllowed(p resreg.Principal, ns, req, action string) (bool, []refMatch) {
	segs := strings.Split(req, "/")
	d, ok := s.data[segs[0]]
	if !ok || !slices.Contains(d.Actions, action) {
		return false, nil
	}
	path := segs[1:]
	if len(path) > 0 {
		if d.Type != store.DataTree {
			return false, nil
		}
		found := false
		for _, n := range d.Struct.Tree.Flatten() {
			if n.Path == strings.Join(path, "/") {
				found = true
			}
		}
		if !found {
			return false, nil
		}
	}
	subs := s.subjectsOf(p)
	var ms []refMatch
	for _, tg := range s.targets {
		if !subs[tg.Subject] {
			continue
		}
		pol := s.policies[tg.PolicyID]
		for _, st := range pol.Statements {
			for _, perm := range st.Permissions {
				ps := strings.Split(perm, "/")
				pns, pres, pnodes, pact := ps[0], ps[1], ps[2:len(ps)-1], ps[len(ps)-1]
				if pns != ns || !segMatch(pres, segs[0]) || len(pnodes) > len(path) || (pact != "*" && pact != action) {
					continue
				}
				ok := true
				for i, np := range pnodes {
					ok = ok && segMatch(np, path[i])
				}
				if ok {
					ms = append(ms, refMatch{Subject: tg.Subject, PolicyID: pol.ID, Perm: perm, Effect: st.Effect})
				}
			}
		}
	}
	return refDecide(ms), ms
}

func sortedRefMatches(ms []refMatch) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s %s %s %s", m.Subject, m.PolicyID, m.Perm, m.Effect))
	}
	slices.Sort(out)
	// Two statements of one policy with the same permission and effect are
	// one match: a Match names no statement index.
	return slices.Compact(out)
}

func explainedMatches(e resreg.Explanation) []string {
	out := []string{}
	for _, m := range e.Matches {
		out = append(out, fmt.Sprintf("%s %s %s %s", m.Subject, m.PolicyID, m.Permission, m.Effect))
	}
	slices.Sort(out)
	return out
}

// diffWorld is the small universe the random operations draw from, so that
// they collide often.
type diffWorld struct {
	rng      *rand.Rand
	users    []store.Subject
	parents  []store.Subject
	codes    []string
	actions  []string
	paths    []string // requested data resources
	policies []string // IDs of the policies created
	n        int
}

func (w *diffWorld) pick(list []string) string { return list[w.rng.IntN(len(list))] }
func (w *diffWorld) subject() store.Subject {
	if w.rng.IntN(2) == 0 {
		return w.users[w.rng.IntN(len(w.users))]
	}
	return w.parents[w.rng.IntN(len(w.parents))]
}

func (w *diffWorld) actionsSubset() []resreg.Action {
	var out []resreg.Action
	for _, a := range w.actions[:3] {
		if w.rng.IntN(2) == 0 {
			out = append(out, resreg.Action{Name: a, Description: a})
		}
	}
	if len(out) == 0 {
		out = append(out, resreg.Action{Name: "r", Description: "r"})
	}
	return out
}

func (w *diffWorld) permission() string {
	res := []string{"t1", "t*", "*", "s1"}[w.rng.IntN(4)]
	var nodes []string
	if res != "s1" {
		switch w.rng.IntN(3) {
		case 1:
			nodes = strings.Split(w.pick([]string{"a", "a/b", "a/b/c", "x", "a/bb"}), "/")
		case 2:
			nodes = []string{w.pick([]string{"*", "a", "a*"}), w.pick([]string{"*", "b*", "b"})}
		}
	}
	act := []string{"get", "put", "*"}[w.rng.IntN(3)]
	return strings.Join(append(append([]string{"app", res}, nodes...), act), "/")
}

func (w *diffWorld) statements() []resreg.Statement {
	var out []resreg.Statement
	for range 1 + w.rng.IntN(2) {
		e := resreg.Allow
		if w.rng.IntN(3) == 0 {
			e = resreg.Deny
		}
		out = append(out, resreg.Statement{Effect: e, Permissions: []string{w.permission()}})
	}
	return out
}

// step makes one random write through reg. Refusals the rules foresee
// (missing records, cycles, pinned refs) are part of the game.
func (w *diffWorld) step(ctx context.Context, reg *resreg.Registry) (string, error) {
	s := w.subject()
	switch op := w.rng.IntN(100); {
	case op < 30, op < 45:
		code := w.pick(append(w.codes, "*"))
		acts := []string{w.pick(w.actions[:3])}
		if w.rng.IntN(4) == 0 {
			acts = []string{"*"}
		}
		e := resreg.Allow
		if w.rng.IntN(3) == 0 {
			e = resreg.Deny
		}
		in := resreg.AuthorizeResourcesInput{Namespace: "app", List: []resreg.AuthorizeItem{{TargetType: s.Type, TargetIdentifiers: []string{s.ID},
			Resources: []resreg.ResourceActions{{Code: code, Actions: acts, Effect: e}}}}}
		if op < 30 {
			return fmt.Sprintf("grant %s %s %v %s", s, code, acts, e), reg.AuthorizeResources(ctx, in)
		}
		return fmt.Sprintf("revoke %s %s %v %s", s, code, acts, e), reg.RevokeResources(ctx, in)
	case op < 55:
		p := w.parents[w.rng.IntN(len(w.parents))]
		return fmt.Sprintf("add %s to %s", s, p), reg.AddMembers(ctx, p, s)
	case op < 62:
		p := w.parents[w.rng.IntN(len(w.parents))]
		return fmt.Sprintf("remove %s from %s", s, p), reg.RemoveMembers(ctx, p, s)
	case op < 68 && len(w.policies) < 30: // a bounded universe keeps each step's snapshot small
		w.n++
		p, err := reg.CreateDataPolicy(ctx, resreg.DataPolicyInput{PolicyName: fmt.Sprintf("p%d", w.n), StatementList: w.statements()})
		if err == nil {
			w.policies = append(w.policies, p.PolicyID)
		}
		return "create policy", err
	case len(w.policies) == 0:
		return "nothing", nil
	case op < 71, op < 68:
		st := w.statements()
		_, err := reg.UpdateDataPolicy(ctx, w.pick(w.policies), resreg.DataPolicyUpdate{StatementList: &st})
		return "update policy", err
	case op < 74:
		i := w.rng.IntN(len(w.policies))
		err := reg.DeleteDataPolicy(ctx, w.policies[i])
		if err == nil {
			w.policies = slices.Delete(w.policies, i, i+1)
		}
		return "delete policy", err
	case op < 82:
		return "attach policy", reg.AuthorizeDataPolicies(ctx, resreg.AuthorizeDataPoliciesInput{PolicyIDs: []string{w.pick(w.policies)},
			TargetList: []resreg.Target{{ID: s.ID, Type: s.Type}}})
	case op < 86:
		return "detach policy", reg.RevokeDataPolicy(ctx, resreg.RevokeDataPolicyInput{PolicyID: w.pick(w.policies),
			TargetList: []resreg.Target{{ID: s.ID, Type: s.Type}}})
	case op < 91:
		code := w.pick(w.codes)
		_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Namespace: "app", Type: resreg.TypeAPI, Code: code, Actions: w.actionsSubset()})
		return "create resource " + code, err
	case op < 96:
		code := w.pick(w.codes)
		acts := w.actionsSubset()
		_, err := reg.UpdateResource(ctx, "app", code, resreg.ResourceUpdate{Actions: &acts})
		return fmt.Sprintf("update resource %s %v", code, acts), err
	case op < 98:
		code := w.pick(w.codes)
		return "delete resource " + code, reg.DeleteResources(ctx, "app", code)
	default:
		acts := [][]string{{"get", "put", "del"}, {"get", "put"}, {"get", "del"}}[w.rng.IntN(3)]
		_, err := reg.UpdateDataResource(ctx, "app", "t1", resreg.DataResourceUpdate{Actions: &acts})
		return fmt.Sprintf("data actions %v", acts), err
	}
}

// diffSteps is 20,000, or with -short or -race a number that keeps a
// -race run under a minute per store on a loaded 2-core machine;
// RESREG_DIFF_STEPS overrides both.
func diffSteps(s store.Store) int {
	if n, err := strconv.Atoi(os.Getenv("RESREG_DIFF_STEPS")); err == nil && n > 0 {
		return n
	}
	switch {
	case !testing.Short() && !raceEnabled:
		return 20_000
	case isMemstoreKind(s):
		return 1500
	default:
		return 600 // each SQLite step commits and reads the listings back
	}
}

func isMemstoreKind(s store.Store) bool { return sameKind(s, memstore.New()) }

// TestDifferentialAgainstReference runs random writes through the Registry
// and, after each, checks answered by the Registry (and, where the store's
// change log carries permission writes, by a second Registry that learns
// them only from it) and by the reference evaluator above, written from the
// decision rule and reading the store's listings: identical every time,
// matches included.
func TestDifferentialAgainstReference(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		// A writer that may answer from an index an hour old: only
		// read-your-writes keeps it right.
		reg := resreg.New(s, resreg.WithCheckStaleness(time.Hour))
		_, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "app"})
		require.NoError(t, err)
		_, err = reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{NamespaceCode: "app", ResourceCode: "t1", ResourceName: "Tree",
			Type: resreg.DataTree, Actions: []string{"get", "put", "del"}, Struct: resreg.TreeStruct(
				resreg.Node("a", "A", "", resreg.Node("b", "B", "", resreg.Node("c", "C", "")), resreg.Node("bb", "BB", "")),
				resreg.Node("x", "X", ""))})
		require.NoError(t, err)
		_, err = reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{NamespaceCode: "app", ResourceCode: "s1", ResourceName: "S",
			Type: resreg.DataString, Struct: resreg.StringStruct("v"), Actions: []string{"get", "put"}})
		require.NoError(t, err)
		w := &diffWorld{rng: rand.New(rand.NewPCG(11, 7)),
			users:   []store.Subject{resreg.User("u1"), resreg.User("u2"), resreg.User("u3")},
			parents: []store.Subject{resreg.Group("g1"), resreg.Group("g2"), resreg.Role("r1"), resreg.Role("r2"), resreg.Department("d1")},
			codes:   []string{"c1", "c2", "c3", "c4"},
			actions: []string{"r", "w", "x", "z"},
			paths:   []string{"t1", "t1/a", "t1/a/b", "t1/a/b/c", "t1/a/bb", "t1/x", "t1/zz", "s1", "s1/a", "t9"},
		}
		var reader *resreg.Registry
		steps := diffSteps(s)
		for i := range steps {
			what, err := w.step(ctx, reg)
			if err != nil && !errors.Is(err, resreg.ErrInvalid) && !errors.Is(err, resreg.ErrNotFound) && !errors.Is(err, resreg.ErrConflict) {
				require.NoError(t, err, "step %d: %s", i, what)
			}
			if i == 50 && logsPermissions(t, s) {
				reader = resreg.New(s)
			}
			snap := snapshot(t, s, "app")
			regs := []*resreg.Registry{reg}
			if reader != nil {
				regs = append(regs, reader)
			}
			for range 3 {
				p := resreg.Principal{UserID: w.users[w.rng.IntN(len(w.users))].ID}
				if w.rng.IntN(4) == 0 {
					p.Subjects = []store.Subject{w.parents[w.rng.IntN(len(w.parents))]}
				}
				code, action := w.pick(w.codes), w.pick(w.actions)
				want, wantMs := snap.allowed(p, "app", code, action)
				req, dact := w.pick(w.paths), w.pick([]string{"get", "put", "del", "zz"})
				wantData, wantDataMs := snap.dataAllowed(p, "app", req, dact)
				for ri, r := range regs {
					ex, err := r.ExplainActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: p, Namespace: "app", Resource: code, Action: action})
					require.NoError(t, err)
					require.Equal(t, want, ex.Allowed, "step %d (%s), registry %d: %+v %s %s", i, what, ri, p, code, action)
					require.Equal(t, sortedRefMatches(wantMs), explainedMatches(ex), "step %d (%s) registry %d", i, what, ri)
					ok, err := r.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: p, Namespace: "app", Resource: code, Action: action})
					require.NoError(t, err)
					require.Equal(t, want, ok)

					exs, err := r.ExplainPermission(ctx, resreg.CheckPermissionInput{Principal: p, NamespaceCode: "app", Action: dact, Resources: []string{req}})
					require.NoError(t, err)
					require.Equal(t, wantData, exs[0].Allowed, "step %d (%s) registry %d: %+v %s %s", i, what, ri, p, req, dact)
					require.Equal(t, sortedRefMatches(wantDataMs), explainedMatches(exs[0]), "step %d (%s) registry %d", i, what, ri)
					res, err := r.CheckPermission(ctx, resreg.CheckPermissionInput{Principal: p, NamespaceCode: "app", Action: dact, Resources: []string{req}})
					require.NoError(t, err)
					require.Equal(t, wantData, res.CheckResultList[0].Enabled)
				}
			}
		}
		t.Logf("%d steps; second registry through the change log: %v", steps, reader != nil)
	})
}
