package permindex_test

import (
	"slices"
	"sort"
	"strings"

	"github.com/resreg/resreg/permindex"
)

// ref is the plain reference evaluator: sets of records and the decision
// rule of the package docs applied by brute force, nothing indexed.
type ref struct {
	grants    map[permindex.Grant]bool
	members   map[permindex.Membership]bool
	resources map[[2]string]permindex.Resource
	data      map[[2]string]permindex.DataResource
	policies  map[string]permindex.Policy
	targets   map[permindex.PolicyTarget]bool
}

func newRef() *ref {
	return &ref{
		grants:    map[permindex.Grant]bool{},
		members:   map[permindex.Membership]bool{},
		resources: map[[2]string]permindex.Resource{},
		data:      map[[2]string]permindex.DataResource{},
		policies:  map[string]permindex.Policy{},
		targets:   map[permindex.PolicyTarget]bool{},
	}
}

func (r *ref) putResource(res permindex.Resource) {
	for g := range r.grants {
		if g.Namespace == res.Namespace && g.Resource == res.Code && g.Action != "*" &&
			!slices.Contains(res.Actions, g.Action) {
			if _, existed := r.resources[[2]string{res.Namespace, res.Code}]; existed {
				delete(r.grants, g)
			}
		}
	}
	r.resources[[2]string{res.Namespace, res.Code}] = res
}

func (r *ref) deleteResource(ns, code string) {
	delete(r.resources, [2]string{ns, code})
	for g := range r.grants {
		if g.Namespace == ns && g.Resource == code {
			delete(r.grants, g)
		}
	}
}

func (r *ref) deletePolicy(id string) {
	delete(r.policies, id)
	for t := range r.targets {
		if t.PolicyID == id {
			delete(r.targets, t)
		}
	}
}

type refSubject struct {
	s   permindex.Subject
	via []permindex.Subject
}

// expand walks memberships breadth first, parents in type-then-ID order.
func (r *ref) expand(p permindex.Principal) []refSubject {
	var own []permindex.Subject
	if p.UserID != "" {
		own = append(own, permindex.Subject{Type: "USER", ID: p.UserID})
	}
	own = append(own, p.Subjects...)
	var out []refSubject
	seen := map[permindex.Subject]bool{}
	for _, s := range own {
		if !seen[s] {
			seen[s] = true
			out = append(out, refSubject{s: s})
		}
	}
	for i := 0; i < len(out); i++ {
		var ps []permindex.Subject
		for m := range r.members {
			if m.Member == out[i].s {
				ps = append(ps, m.Parent)
			}
		}
		sort.Slice(ps, func(a, b int) bool {
			if ps[a].Type != ps[b].Type {
				return ps[a].Type < ps[b].Type
			}
			return ps[a].ID < ps[b].ID
		})
		for _, par := range ps {
			if !seen[par] {
				seen[par] = true
				via := append(slices.Clone(out[i].via), out[i].s)
				out = append(out, refSubject{s: par, via: via})
			}
		}
	}
	return out
}

func refDecide(ms []permindex.Match, none string) permindex.Explanation {
	ms = permindex.SortMatches(ms)
	if len(ms) == 0 {
		return permindex.Explanation{Reason: none}
	}
	return permindex.Explanation{Allowed: ms[0].Effect == permindex.Allow, Matches: ms}
}

func (r *ref) explainAction(p permindex.Principal, ns, code, action string) permindex.Explanation {
	res, ok := r.resources[[2]string{ns, code}]
	if !ok || code == "*" {
		return permindex.Explanation{Reason: "no such resource"}
	}
	if !slices.Contains(res.Actions, action) {
		return permindex.Explanation{Reason: "no such action"}
	}
	var ms []permindex.Match
	for _, rs := range r.expand(p) {
		for g := range r.grants {
			if g.Namespace == ns && g.Subject == rs.s && (g.Resource == code || g.Resource == "*") &&
				(g.Action == action || g.Action == "*") {
				ms = append(ms, permindex.Match{Subject: rs.s, Via: rs.via,
					Permission: ns + "/" + g.Resource + "/" + g.Action, Effect: g.Effect})
			}
		}
	}
	return refDecide(ms, "no grant matches")
}

func segMatch(pat, s string) bool {
	if pat == "*" {
		return true
	}
	if strings.HasSuffix(pat, "*") {
		return strings.HasPrefix(s, pat[:len(pat)-1])
	}
	return pat == s
}

func (r *ref) explainData(p permindex.Principal, ns, req, action string) permindex.Explanation {
	parts := strings.Split(req, "/")
	code, nodes := parts[0], parts[1:]
	d, ok := r.data[[2]string{ns, code}]
	if !ok {
		return permindex.Explanation{Reason: "no such resource"}
	}
	if len(nodes) > 0 {
		found := false
		for _, n := range d.Nodes {
			if d.Type == "TREE" && n.Path == strings.Join(nodes, "/") {
				found = true
			}
		}
		if !found {
			return permindex.Explanation{Reason: "no such node"}
		}
	}
	if !slices.Contains(d.Actions, action) {
		return permindex.Explanation{Reason: "no such action"}
	}
	var ms []permindex.Match
	for _, rs := range r.expand(p) {
		for t := range r.targets {
			pol, ok := r.policies[t.PolicyID]
			if t.Subject != rs.s || !ok {
				continue
			}
			for _, st := range pol.Statements {
				for _, perm := range st.Permissions {
					segs := strings.Split(perm, "/")
					pn := segs[2 : len(segs)-1]
					if segs[0] != ns || !segMatch(segs[1], code) || !segMatch(segs[len(segs)-1], action) ||
						len(pn) > len(nodes) {
						continue
					}
					match := true
					for i := range pn {
						match = match && segMatch(pn[i], nodes[i])
					}
					if match {
						ms = append(ms, permindex.Match{Subject: rs.s, Via: rs.via, PolicyID: pol.ID,
							Permission: perm, Effect: st.Effect})
					}
				}
			}
		}
	}
	return refDecide(ms, "no statement matches")
}

func (r *ref) listAuthorized(p permindex.Principal, ns, typ string) []permindex.AuthorizedResource {
	var out []permindex.AuthorizedResource
	for _, res := range r.resources {
		if res.Namespace != ns || (typ != "" && res.Type != typ) {
			continue
		}
		var acts []string
		for _, a := range res.Actions {
			if !slices.Contains(acts, a) && r.explainAction(p, ns, res.Code, a).Allowed {
				acts = append(acts, a)
			}
		}
		if len(acts) > 0 {
			out = append(out, permindex.AuthorizedResource{Code: res.Code, Type: res.Type,
				Description: res.Description, APIIdentifier: res.APIIdentifier, Actions: acts})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Code < out[b].Code })
	return out
}

func (r *ref) userStruct(p permindex.Principal, ns, code string) (permindex.UserResourceStruct, bool) {
	d, ok := r.data[[2]string{ns, code}]
	if !ok {
		return permindex.UserResourceStruct{}, false
	}
	allowed := func(req string) []string {
		var acts []string
		for _, a := range d.Actions {
			if !slices.Contains(acts, a) && r.explainData(p, ns, req, a).Allowed {
				acts = append(acts, a)
			}
		}
		return acts
	}
	out := permindex.UserResourceStruct{Namespace: ns, Code: code, Type: d.Type, Actions: allowed(code)}
	var build func(parent string) []permindex.UserTreeNode
	build = func(parent string) []permindex.UserTreeNode {
		var nodes []permindex.UserTreeNode
		seen := map[string]bool{}
		for _, n := range d.Nodes {
			par := ""
			if i := strings.LastIndex(n.Path, "/"); i >= 0 {
				par = n.Path[:i]
			}
			if par != parent || seen[n.Path] {
				continue
			}
			seen[n.Path] = true
			kids := build(n.Path)
			acts := allowed(code + "/" + n.Path)
			if len(acts) > 0 || len(kids) > 0 {
				c := n.Path[strings.LastIndex(n.Path, "/")+1:]
				nodes = append(nodes, permindex.UserTreeNode{Code: c, Name: n.Name, Value: n.Value,
					Actions: acts, Children: kids})
			}
		}
		return nodes
	}
	if d.Type == "TREE" {
		out.Nodes = build("")
	}
	return out, true
}
