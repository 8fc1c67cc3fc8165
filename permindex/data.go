package permindex

import (
	"cmp"
	"slices"
	"strings"
)

type dataResource struct {
	rec      DataResource
	codeID   uint32         // str id of rec.Code
	nodes    map[string]int // node path -> index in rec.Nodes
	children map[string][]int
}

// PutDataResources creates or replaces data resources.
func (w *Writer) PutDataResources(ds ...DataResource) {
	for _, d := range ds {
		n := w.ix.namespace(d.Namespace)
		dr := &dataResource{rec: d, codeID: w.ix.strID(d.Code), nodes: map[string]int{}, children: map[string][]int{}}
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
	actID  uint32 // str id of an exact action; 0 for a pattern
	res    pattern
	nodes  []pattern
	act    pattern
	// prefix is the node patterns joined by "/" when all are exact (the
	// common case): they match when the path starts with it, segment-wise.
	prefix      string
	exactPrefix bool
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

// nsPerms is one subject's compiled permissions in one namespace, ordered
// by exact resource code (0, the resource patterns, first). codes[i] is
// perms[i].code, so the search for a code reads one small array. A check
// costs a search per subject of the principal in that subject's own
// permissions: it does not grow with the number of policies of others.
type nsPerms struct {
	ns    uint32
	npat  int // perms[:npat] have a resource pattern (code 0)
	codes []uint32
	perms []*cperm
}

// permsIn returns the permissions subject s holds in namespace ns, nil when none.
func (ix *Index) permsIn(s, ns uint32) *nsPerms {
	nps := ix.subjPerms[s]
	for i := range nps {
		if nps[i].ns == ns {
			return &nps[i]
		}
	}
	return nil
}

// forCode returns the permissions of np with a resource pattern and those
// naming exactly the data resource code (str id).
func (np *nsPerms) forCode(code uint32) (pats, exact []*cperm) {
	i := np.npat
	pats = np.perms[:i]
	if code == 0 {
		return pats, nil
	}
	j := lowerBound(np.codes, i, code)
	k := j
	for k < len(np.codes) && np.codes[k] == code {
		k++
	}
	return pats, np.perms[j:k]
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
			if cp.act.kind == patExact {
				cp.actID = ix.strID(act)
			}
			cp.exactPrefix = true
			for _, nd := range nodes {
				pt := compilePattern(nd)
				cp.nodes = append(cp.nodes, pt)
				cp.exactPrefix = cp.exactPrefix && pt.kind == patExact
			}
			if cp.exactPrefix {
				cp.prefix = strings.Join(nodes, "/")
			}
			p.perms = append(p.perms, cp)
		}
	}
}

func (ix *Index) attach(p *policy, s uint32) {
	ix.policyGen++
	for _, cp := range p.perms {
		np := ix.permsIn(s, cp.ns)
		if np == nil {
			ix.subjPerms[s] = append(ix.subjPerms[s], nsPerms{ns: cp.ns})
			np = &ix.subjPerms[s][len(ix.subjPerms[s])-1]
		}
		i := lowerBound(np.codes, 0, cp.code+1) // after the permissions of the same code
		np.codes = slices.Insert(np.codes, i, cp.code)
		np.perms = slices.Insert(np.perms, i, cp)
		if cp.code == 0 {
			np.npat++
		}
	}
}

// detach removes every permission of p from subject s, keeping the order.
func (ix *Index) detach(p *policy, s uint32) {
	ix.policyGen++
	nps := ix.subjPerms[s]
	out := nps[:0]
	for _, np := range nps {
		k, npat := 0, 0
		for i, cp := range np.perms {
			if cp.policy != p {
				np.perms[k], np.codes[k] = cp, np.codes[i]
				k++
				if cp.code == 0 {
					npat++
				}
			}
		}
		np.npat = npat
		clear(np.perms[k:])
		np.perms, np.codes = np.perms[:k], np.codes[:k]
		if k > 0 {
			out = append(out, np)
		}
	}
	clear(nps[len(out):])
	ix.subjPerms[s] = out
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

// dataReq is one data request, resolved: the data resource code, the node
// path (node codes joined by "/", empty for the whole resource) and its
// depth, the action and its str id (0 when no permission names it exactly).
type dataReq struct {
	code, path, action string
	depth              int
	actID              uint32
}

func (ix *Index) newDataReq(code, path, action string) dataReq {
	r := dataReq{code: code, path: path, action: action, actID: ix.strIDs[action]}
	if path != "" {
		r.depth = strings.Count(path, "/") + 1
	}
	return r
}

// matches reports whether cp matches the request: its node patterns must
// match a prefix of the path. Exact actions compare as str ids, and a
// permission deeper than the path is refused before any string is read.
func (cp *cperm) matches(r *dataReq) bool {
	if len(cp.nodes) > r.depth {
		return false
	}
	if cp.act.kind == patExact {
		if cp.actID != r.actID {
			return false
		}
	} else if !cp.act.match(r.action) {
		return false
	}
	if cp.code == 0 && !cp.res.match(r.code) {
		return false
	}
	path := r.path
	if cp.exactPrefix {
		if cp.prefix == "" {
			return true // no node pattern: the whole data resource
		}
		return strings.HasPrefix(path, cp.prefix) && (len(path) == len(cp.prefix) || path[len(cp.prefix)] == '/')
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

// dataAllowed decides one data request for an expanded principal whose
// permissions in n are v; actID is the action's str id.
func (ix *Index) dataAllowed(v *nsPerms, n *namespace, req, action string, actID uint32) bool {
	d, code, path, reason := n.dataTarget(req, action)
	if reason != "" {
		return false
	}
	r := dataReq{code: code, path: path, action: action, actID: actID}
	if path != "" {
		r.depth = strings.Count(path, "/") + 1
	}
	allowed := false
	pats, exact := v.forCode(d.codeID)
	for _, l := range [2][]*cperm{pats, exact} {
		for _, cp := range l {
			if cp.matches(&r) {
				if cp.effect == Deny {
					return false
				}
				allowed = true
			}
		}
	}
	return allowed
}

// principalData is an expansion's permissions in one namespace, merged over
// its subjects and ordered by exact resource code (patterns first): a data
// check of the principal searches it once instead of once per subject. It is
// built on the principal's first data check in the namespace and kept with
// its cached expansion until a policy or policy target write (gen).
type principalData struct {
	gen uint64
	nsPerms
}

func (ix *Index) dataView(ex *expansion, n *namespace) *nsPerms {
	if v := ex.data.Load(); v != nil && v.gen == ix.policyGen && v.ns == n.strID {
		return &v.nsPerms
	}
	v := &principalData{gen: ix.policyGen, nsPerms: nsPerms{ns: n.strID}}
	var exact []*cperm
	for _, s := range ex.subs {
		if np := ix.permsIn(s, n.strID); np != nil {
			v.perms = append(v.perms, np.perms[:np.npat]...)
			exact = append(exact, np.perms[np.npat:]...)
		}
	}
	v.npat = len(v.perms)
	slices.SortStableFunc(exact, func(a, b *cperm) int { return cmp.Compare(a.code, b.code) })
	v.perms = append(v.perms, exact...)
	v.codes = make([]uint32, len(v.perms))
	for i, cp := range v.perms {
		v.codes[i] = cp.code
	}
	ex.data.Store(v)
	return &v.nsPerms
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
	return ix.dataAllowed(ix.dataView(ix.expand(&p), n), n, req, action, ix.strIDs[action])
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
	v, actID := ix.dataView(ix.expand(&p), n), ix.strIDs[action]
	for _, r := range reqs {
		out = append(out, ix.dataAllowed(v, n, r, action, actID))
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
	d, code, path, reason := n.dataTarget(req, action)
	if reason != "" {
		return Explanation{Reason: reason}
	}
	ex := ix.expand(&p)
	r := ix.newDataReq(code, path, action)
	var ms []Match
	for i, s := range ex.subs {
		np := ix.permsIn(s, n.strID)
		if np == nil {
			continue
		}
		pats, exact := np.forCode(d.codeID)
		for _, l := range [2][]*cperm{pats, exact} {
			for _, cp := range l {
				if cp.matches(&r) {
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
	ex := ix.expand(&p)
	var cands []*cperm
	for _, s := range ex.subs {
		if np := ix.permsIn(s, n.strID); np != nil {
			pats, exact := np.forCode(d.codeID)
			cands = append(append(cands, pats...), exact...)
		}
	}
	allowedActions := func(path string) []string {
		var acts []string
		for _, a := range d.rec.Actions {
			allow, deny := false, false
			r := ix.newDataReq(code, path, a)
			for _, cp := range cands {
				if cp.matches(&r) {
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
