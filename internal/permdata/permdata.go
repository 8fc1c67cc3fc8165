// Package permdata builds the synthetic permission datasets the permindex
// benchmarks and the Casbin comparison (bench/casbin) load: the same
// records for both, from a fixed seed.
package permdata

import (
	"fmt"
	"math/rand/v2"

	"github.com/resreg/resreg/permindex"
)

// Namespace is the namespace every record of a dataset lives in.
const Namespace = "bench"

// Actions are the actions every general resource declares.
var Actions = []string{"read", "write", "delete", "list"}

// Dataset is one scale of the benchmark data.
type Dataset struct {
	Grants        []permindex.Grant
	Resources     []permindex.Resource
	DataResources []permindex.DataResource
	Memberships   []permindex.Membership
	Policies      []permindex.Policy
	Targets       []permindex.PolicyTarget
	Statements    int

	// Principal is one user in 5 roles and 3 groups over 2 levels of
	// membership (2 roles direct, 3 groups direct, 3 roles through the groups).
	Principal permindex.Principal
	// Resource, Action: a general check the principal is allowed (a role
	// holds the ALLOW), so every subject's entries are searched.
	Resource, Action string
	// DeepNode is a data request 6 levels deep.
	DeepNode string
	// Batch is 100 data requests (nodes of several trees).
	Batch []string
}

// Build returns a dataset of about grants grants over grants/10 subjects and
// max(100, grants/100) resources, data trees 6 levels deep (binary, 126
// nodes each) and grants/10 policy statements.
func Build(grants int) *Dataset {
	rng := rand.New(rand.NewPCG(1, uint64(grants)))
	nSubj := max(100, grants/10)
	nRes := max(100, grants/100)
	nTrees := 100
	d := &Dataset{Resource: "res-7", Action: "write"}
	for i := range nRes {
		d.Resources = append(d.Resources, permindex.Resource{Namespace: Namespace, Code: fmt.Sprintf("res-%d", i),
			Type: "API", Description: "benchmark resource", Actions: Actions})
	}
	subject := func(i int) permindex.Subject {
		switch i % 10 {
		case 0, 1:
			return permindex.Subject{Type: "ROLE", ID: fmt.Sprintf("role-%d", i)}
		case 2:
			return permindex.Subject{Type: "GROUP", ID: fmt.Sprintf("group-%d", i)}
		}
		return permindex.Subject{Type: "USER", ID: fmt.Sprintf("user-%d", i)}
	}
	// The principal's subjects: 5 roles and 3 groups, each holding 1000
	// grants like a real role would; the rest spread over every subject.
	user := permindex.Subject{Type: "USER", ID: "bench-user"}
	var roles, groups []permindex.Subject
	for i := range 5 {
		roles = append(roles, permindex.Subject{Type: "ROLE", ID: fmt.Sprintf("bench-role-%d", i)})
	}
	for i := range 3 {
		groups = append(groups, permindex.Subject{Type: "GROUP", ID: fmt.Sprintf("bench-group-%d", i)})
	}
	d.Principal = permindex.Principal{UserID: user.ID}
	d.Memberships = append(d.Memberships,
		permindex.Membership{Parent: roles[0], Member: user}, permindex.Membership{Parent: roles[1], Member: user})
	for i, g := range groups {
		d.Memberships = append(d.Memberships, permindex.Membership{Parent: g, Member: user},
			permindex.Membership{Parent: roles[2+i], Member: g})
	}
	for i := range nSubj / 5 { // background memberships
		d.Memberships = append(d.Memberships, permindex.Membership{Parent: subject(rng.IntN(nSubj)/10*10 + 2), Member: subject(i*5 + 3)})
	}
	seen := map[permindex.Grant]bool{}
	add := func(g permindex.Grant) {
		if !seen[g] {
			seen[g] = true
			d.Grants = append(d.Grants, g)
		}
	}
	mine := append(append([]permindex.Subject{}, roles...), groups...)
	for _, s := range mine {
		for range min(1000, grants/100) {
			add(permindex.Grant{Namespace: Namespace, Subject: s, Resource: fmt.Sprintf("res-%d", rng.IntN(nRes)),
				Action: Actions[rng.IntN(len(Actions))], Effect: permindex.Allow})
		}
	}
	add(permindex.Grant{Namespace: Namespace, Subject: roles[4], Resource: d.Resource, Action: d.Action, Effect: permindex.Allow})
	for len(d.Grants) < grants {
		eff := permindex.Allow
		if rng.IntN(20) == 0 {
			eff = permindex.Deny
		}
		res := fmt.Sprintf("res-%d", rng.IntN(nRes))
		if rng.IntN(1000) == 0 {
			res = permindex.Wildcard
		}
		s := subject(rng.IntN(nSubj))
		if s.Type != "USER" && rng.IntN(4) != 0 {
			s = subject(rng.IntN(nSubj)/10*10 + 3) // keep roles from holding most grants
		}
		if eff == permindex.Deny && (res == d.Resource || res == permindex.Wildcard) {
			continue
		}
		add(permindex.Grant{Namespace: Namespace, Subject: s, Resource: res, Action: Actions[rng.IntN(len(Actions))], Effect: eff})
	}
	// Data: binary trees 6 levels deep.
	for t := range nTrees {
		dr := permindex.DataResource{Namespace: Namespace, Code: fmt.Sprintf("tree-%d", t), Type: permindex.DataTree,
			Actions: []string{"get", "put"}}
		var walk func(prefix string, depth int)
		walk = func(prefix string, depth int) {
			for _, c := range []string{"l", "r"} {
				p := prefix + c + fmt.Sprint(depth)
				dr.Nodes = append(dr.Nodes, permindex.DataNode{Path: p, Name: p, Value: p})
				if depth < 6 {
					walk(p+"/", depth+1)
				}
			}
		}
		walk("", 1)
		d.DataResources = append(d.DataResources, dr)
	}
	d.DeepNode = "tree-3/l1/r2/l3/r4/l5/r6"
	for i := range 100 {
		d.Batch = append(d.Batch, fmt.Sprintf("tree-%d/l1/r2/l3/r4/l5/r6", i%nTrees))
	}
	randPerm := func() string {
		p := fmt.Sprintf("%s/tree-%d", Namespace, rng.IntN(nTrees))
		for depth := 1; depth <= rng.IntN(7); depth++ {
			p += "/" + []string{"l", "r"}[rng.IntN(2)] + fmt.Sprint(depth)
		}
		return p + "/" + []string{"get", "put", "*"}[rng.IntN(3)]
	}
	nStatements := max(1000, grants/10)
	for i := 0; d.Statements < nStatements; i++ {
		p := permindex.Policy{ID: fmt.Sprintf("policy-%d", i)}
		for range 5 {
			eff := permindex.Allow
			if rng.IntN(20) == 0 {
				eff = permindex.Deny
			}
			p.Statements = append(p.Statements, permindex.Statement{Effect: eff, Permissions: []string{randPerm()}})
			d.Statements++
		}
		target := subject(rng.IntN(nSubj))
		if i < 8*20 { // 20 policies on each of the principal's roles and groups
			target = mine[i%8]
			if i == 0 {
				p.Statements[0] = permindex.Statement{Effect: permindex.Allow, Permissions: []string{Namespace + "/tree-*/l1/*"}}
			}
		}
		d.Policies = append(d.Policies, p)
		d.Targets = append(d.Targets, permindex.PolicyTarget{PolicyID: p.ID, Subject: target})
	}
	return d
}

// Load loads the dataset into ix in one Update.
func (d *Dataset) Load(ix *permindex.Index) {
	ix.Update(func(w *permindex.Writer) {
		w.ReplaceNamespace(Namespace, permindex.NamespaceRecords{Resources: d.Resources,
			DataResources: d.DataResources, Grants: d.Grants})
		w.AddMemberships(d.Memberships...)
		w.PutPolicies(d.Policies...)
		w.AddPolicyTargets(d.Targets...)
	})
}
