package permindex

import (
	"slices"
	"strings"
)

type dataResource struct {
	rec      DataResource
	nodes    map[string]int // node path -> index in rec.Nodes
	children map[string][]int
}

// PutDataResources creates or replaces data resources.
func (w *Writer) PutDataResources(ds ...DataResource) {
	for _, d := range ds {
		n := w.ix.namespace(d.Namespace)
		w.ix.strID(d.Code)
		dr := &dataResource{rec: d, nodes: map[string]int{}, children: map[string][]int{}}
		dr.rec.Actions = slices.Clone(d.Actions)
		dr.rec.Nodes = slices.Clone(d.Nodes)
		if d.Type == DataTree {
			for i := range dr.rec.Nodes {
				nd := &dr.rec.Nodes[i]
				if nd.Code == "" {
					nd.Code = nd.Path[strings.LastIndexByte(nd.Path, '/')+1:]
				}
				if _, dup := dr.nodes[nd.Path]; dup {
					continue
				}
				dr.nodes[nd.Path] = i
				parent := ""
				if j := strings.LastIndexByte(nd.Path, '/'); j >= 0 {
					parent = nd.Path[:j]
				}
				dr.children[parent] = append(dr.children[parent], i)
			}
		} else {
			dr.rec.Nodes = nil
		}
		n.data[d.Code] = dr
	}
}

// DeleteDataResources deletes data resources of a namespace. Policies naming
// them stay (the Registry refuses to delete a data resource a policy names
// exactly; a wildcard permission simply stops matching).
func (w *Writer) DeleteDataResources(ns string, codes ...string) {
	if n := w.ix.namespaces[ns]; n != nil {
		for _, c := range codes {
			delete(n.data, c)
		}
	}
}

// pattern is one compiled permission segment.
type pattern struct {
	kind uint8 // patExact, patAny, patPrefix
	s    string
}

const (
	patExact uint8 = iota
	patAny
	patPrefix
)

func compilePattern(seg string) pattern {
	switch {
	case seg == Wildcard:
		return pattern{kind: patAny}
	case strings.HasSuffix(seg, Wildcard):
		return pattern{kind: patPrefix, s: seg[:len(seg)-1]}
	}
	return pattern{kind: patExact, s: seg}
}

func (p pattern) match(s string) bool {
	switch p.kind {
	case patAny:
		return true
	case patPrefix:
		return strings.HasPrefix(s, p.s)
	}
	return p.s == s
}

// cperm is one compiled permission of one statement of one policy.
type cperm struct {
	policy *policy
	effect Effect
	raw    string
	ns     uint32
	code   uint32 // str id of an exact resource code; 0 for a pattern
	res    pattern
	nodes  []pattern
	act    pattern
}

// ParsePermission splits a permission string into its namespace, resource
// pattern, node patterns and action pattern; ok is false when it has fewer
// than three segments, an empty segment, or a wildcard namespace.
func ParsePermission(perm string) (ns, res string, nodes []string, action string, ok bool) {
	segs := strings.Split(perm, "/")
	if len(segs) < 3 || slices.Contains(segs, "") || strings.Contains(segs[0], Wildcard) {
		return "", "", nil, "", false
	}
	return segs[0], segs[1], segs[2 : len(segs)-1], segs[len(segs)-1], true
}

// permKey indexes the compiled permissions of one namespace by the subject
// that holds them (high half) and the exact resource code (low half; 0 for a
// resource pattern): one integer, so the hot lookup is the map's fast path.
func permKey(subj, code uint32) uint64 { return uint64(subj)<<32 | uint64(code) }

func (ix *Index) nsPerms(ns uint32) map[uint64][]*cperm {
	m := ix.dataPerms[ns]
	if m == nil {
		m = map[uint64][]*cperm{}
		ix.dataPerms[ns] = m
	}
	return m
}

type policy struct {
	id      string
	perms   []*cperm
	targets []uint32
}

func (ix *Index) compile(p *policy, stmts []Statement) {
	p.perms = nil
	for _, st := range stmts {
		for _, perm := range st.Permissions {
			ns, res, nodes, act, ok := ParsePermission(perm)
			if !ok {
				continue // malformed: matches nothing (the Registry refuses it)
			}
			cp := &cperm{policy: p, effect: st.Effect, raw: perm, ns: ix.strID(ns),
				res: compilePattern(res), act: compilePattern(act)}
			if cp.res.kind == patExact {
				cp.code = ix.strID(res)
			}
			for _, nd := range nodes {
				cp.nodes = append(cp.nodes, compilePattern(nd))
			}
			p.perms = append(p.perms, cp)
		}
	}
}

func (ix *Index) attach(p *policy, s uint32) {
	for _, cp := range p.perms {
		m, k := ix.nsPerms(cp.ns), permKey(s, cp.code)
		m[k] = append(m[k], cp)
	}
}

func (ix *Index) detach(p *policy, s uint32) {
	for _, cp := range p.perms {
		m, k := ix.nsPerms(cp.ns), permKey(s, cp.code)
		l := slices.DeleteFunc(m[k], func(x *cperm) bool { return x.policy == p })
		if len(l) == 0 {
			delete(m, k)
		} else {
			m[k] = l
		}
	}
}

func (ix *Index) policy(id string) *policy {
	if p := ix.policies[id]; p != nil {
		return p
	}
	p := &policy{id: id}
	ix.policies[id] = p
	return p
}

// PutPolicies creates or replaces data policies; their targets stay.
func (w *Writer) PutPolicies(ps ...Policy) {
	ix := w.ix
	for _, pol := range ps {
		p := ix.policy(pol.ID)
		for _, s := range p.targets {
			ix.detach(p, s)
		}
		ix.compile(p, pol.Statements)
		for _, s := range p.targets {
			ix.attach(p, s)
		}
	}
}

// DeletePolicies deletes data policies and detaches them from every target.
func (w *Writer) DeletePolicies(ids ...string) {
	ix := w.ix
	for _, id := range ids {
		p := ix.policies[id]
		if p == nil {
			continue
		}
		for _, s := range p.targets {
			ix.detach(p, s)
		}
		delete(ix.policies, id)
	}
}

// AddPolicyTargets attaches policies to subjects. A target may arrive before
// its policy: it takes effect when the policy is put.
func (w *Writer) AddPolicyTargets(ts ...PolicyTarget) {
	ix := w.ix
	for _, t := range ts {
		p := ix.policy(t.PolicyID)
		s := ix.subjectID(t.Subject)
		if slices.Contains(p.targets, s) {
			continue
		}
		p.targets = append(p.targets, s)
		ix.attach(p, s)
	}
}

// RemovePolicyTargets detaches policies from subjects.
func (w *Writer) RemovePolicyTargets(ts ...PolicyTarget) {
	ix := w.ix
	for _, t := range ts {
		p := ix.policies[t.PolicyID]
		s, ok := ix.subjIDs[t.Subject]
		if p == nil || !ok {
			continue
		}
		if i := slices.Index(p.targets, s); i >= 0 {
			ix.detach(p, s)
			p.targets = slices.Delete(p.targets, i, i+1)
		}
	}
}

// matches reports whether cp matches the data resource code, the node path
// (node codes joined by "/", empty for the whole resource) and the action:
// its node patterns must match a prefix of the path.
func (cp *cperm) matches(code, path, action string) bool {
	if !cp.act.match(action) || (cp.code == 0 && !cp.res.match(code)) {
		return false
	}
	rest := path
	for _, np := range cp.nodes {
		if rest == "" {
			return false
		}
		seg := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			seg, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if !np.match(seg) {
			return false
		}
	}
	return true
}

// dataTarget resolves a requested resource "code" or "code/node/child".
// reason is empty when the resource, node and action exist.
func (n *namespace) dataTarget(req, action string) (d *dataResource, code, path, reason string) {
	code, path, _ = strings.Cut(req, "/")
	d = n.data[code]
	if d == nil {
		return nil, code, path, "no such resource"
	}
	if path != "" {
		if _, ok := d.nodes[path]; !ok {
			return nil, code, path, "no such node"
		}
	}
	if !slices.Contains(d.rec.Actions, action) {
		return nil, code, path, "no such action"
	}
	return d, code, path, ""
}

// dataAllowed decides one data request for an expanded principal.
func (ix *Index) dataAllowed(ex *expansion, n *namespace, nsID uint32, req, action string) bool {
	_, code, path, reason := n.dataTarget(req, action)
	if reason != "" {
		return false
	}
	codeID := ix.strIDs[code] // present: PutDataResources interned it
	perms := ix.dataPerms[nsID]
	allowed := false
	for _, s := range ex.subs {
		for _, c := range [2]uint32{codeID, 0} {
			for _, cp := range perms[permKey(s, c)] {
				if cp.matches(code, path, action) {
					if cp.effect == Deny {
						return false
					}
					allowed = true
				}
			}
		}
	}
	return allowed
}

// IsDataActionAllowed reports whether p may take action on the data resource
// req of namespace ns; req is a data resource code or "code/node/child".
func (ix *Index) IsDataActionAllowed(p Principal, ns, req, action string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := ix.namespaces[ns]
	if n == nil {
		return false
	}
	ex := getExpansion()
	defer putExpansion(ex)
	ix.expand(&p, ex)
	return ix.dataAllowed(ex, n, ix.strIDs[ns], req, action)
}

// CheckPermission decides action on every requested data resource of ns for
// p, appending one result per request, in order, to out. The principal is
// expanded once for the whole batch.
func (ix *Index) CheckPermission(p Principal, ns, action string, reqs []string, out []bool) []bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := ix.namespaces[ns]
	if n == nil {
		for range reqs {
			out = append(out, false)
		}
		return out
	}
	ex := getExpansion()
	defer putExpansion(ex)
	ix.expand(&p, ex)
	nsID := ix.strIDs[ns]
	for _, r := range reqs {
		out = append(out, ix.dataAllowed(ex, n, nsID, r, action))
	}
	return out
}

// ExplainPermission is [Index.IsDataActionAllowed] with the reason and every
// matching statement, DENY matches first.
func (ix *Index) ExplainPermission(p Principal, ns, req, action string) Explanation {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := ix.namespaces[ns]
	if n == nil {
		return Explanation{Reason: "no such resource"}
	}
	_, code, path, reason := n.dataTarget(req, action)
	if reason != "" {
		return Explanation{Reason: reason}
	}
	ex := getExpansion()
	defer putExpansion(ex)
	ix.expand(&p, ex)
	nsID, codeID := ix.strIDs[ns], ix.strIDs[code]
	var ms []Match
	for i, s := range ex.subs {
		for _, c := range [2]uint32{codeID, 0} {
			for _, cp := range ix.dataPerms[nsID][permKey(s, c)] {
				if cp.matches(code, path, action) {
					ms = append(ms, Match{Subject: ix.subjects[s], Via: ix.via(ex, i),
						PolicyID: cp.policy.id, Permission: cp.raw, Effect: cp.effect})
				}
			}
		}
	}
	return decide(ms, "no statement matches")
}

// UserResourceStruct returns the data resource code of ns cut down to what p
// may access: for a TREE every node with at least one allowed action plus
// its ancestors, each with its allowed actions (in the data resource's
// action order); Actions holds the actions allowed on the resource as a
// whole. ok is false when the data resource does not exist.
func (ix *Index) UserResourceStruct(p Principal, ns, code string) (UserResourceStruct, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := ix.namespaces[ns]
	if n == nil || n.data[code] == nil {
		return UserResourceStruct{}, false
	}
	d := n.data[code]
	ex := getExpansion()
	defer putExpansion(ex)
	ix.expand(&p, ex)
	nsID, codeID := ix.strIDs[ns], ix.strIDs[code]
	var cands []*cperm
	for _, s := range ex.subs {
		for _, c := range [2]uint32{codeID, 0} {
			cands = append(cands, ix.dataPerms[nsID][permKey(s, c)]...)
		}
	}
	allowedActions := func(path string) []string {
		var acts []string
		for _, a := range d.rec.Actions {
			allow, deny := false, false
			for _, cp := range cands {
				if cp.matches(code, path, a) {
					if cp.effect == Deny {
						deny = true
						break
					}
					allow = true
				}
			}
			if allow && !deny && !slices.Contains(acts, a) {
				acts = append(acts, a)
			}
		}
		return acts
	}
	out := UserResourceStruct{Namespace: ns, Code: code, Type: d.rec.Type, Actions: allowedActions("")}
	var build func(parent string) []UserTreeNode
	build = func(parent string) []UserTreeNode {
		var nodes []UserTreeNode
		for _, i := range d.children[parent] {
			nd := d.rec.Nodes[i]
			kids := build(nd.Path)
			acts := allowedActions(nd.Path)
			if len(acts) == 0 && len(kids) == 0 {
				continue
			}
			nodes = append(nodes, UserTreeNode{Code: nd.Code, Name: nd.Name, Value: nd.Value,
				Actions: acts, Children: kids})
		}
		return nodes
	}
	if d.rec.Type == DataTree {
		out.Nodes = build("")
	}
	return out, true
}
