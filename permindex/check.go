package permindex

import (
	"cmp"
	"slices"
	"strings"
)

// IsActionAllowed reports whether p may take action on the general resource
// code of namespace ns: the resource exists and declares action, some
// subject of p holds an ALLOW of action or "*" on the resource or on "*",
// and none holds such a DENY. It does not allocate when the principal's
// expansion is cached (the same principal was checked since the last
// membership write).
func (ix *Index) IsActionAllowed(p Principal, ns, code, action string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := ix.namespaces[ns]
	if n == nil || code == Wildcard {
		return false
	}
	r := n.resources[code]
	if r == nil {
		return false
	}
	aid, ok := n.actionIDs[action]
	if !ok || !r.declares(aid) {
		return false
	}
	ex := ix.expand(&p)
	if aid > starBit {
		return ix.overflowAllowed(ex, r.id, n.wild, aid)
	}
	want := uint64(1)<<aid | 1<<starBit
	wm := ix.wildOf(ex, n)
	if wm.deny&want != 0 {
		return false
	}
	allowed := wm.allow&want != 0
	// Only the principal's subjects on the resource's subject list hold
	// anything on it: intersect the two ascending lists.
	list, masks, lo := ix.resSubs[r.id], ix.resBits[r.id], 0
	for _, s := range ex.sorted {
		if lo = lowerBound(list, lo, s); lo == len(list) {
			break
		}
		if list[lo] != s {
			continue
		}
		m := masks[lo]
		if m[1]&want != 0 {
			return false
		}
		if m[0]&want != 0 {
			allowed = true
		}
	}
	return allowed
}

// wildMasks are a principal's grants on the "*" resource of one namespace,
// its subjects' masks combined: the "*" list grows with the registry (one
// grant in a thousand at the benchmark's scale), so a check reads these
// instead of searching it.
type wildMasks struct {
	gen         uint64 // ix.wildGen it was built at
	ns          *namespace
	allow, deny uint64
}

// wildOf returns the principal's combined masks on n's "*", cached with its
// expansion until a write changes any "*" entry (wildGen).
func (ix *Index) wildOf(ex *expansion, n *namespace) *wildMasks {
	if wm := ex.wild.Load(); wm != nil && wm.gen == ix.wildGen && wm.ns == n {
		return wm
	}
	wm := &wildMasks{gen: ix.wildGen, ns: n}
	list, masks, lo := ix.resSubs[n.wild], ix.resBits[n.wild], 0
	for _, s := range ex.sorted {
		if lo = lowerBound(list, lo, s); lo == len(list) {
			break
		}
		if list[lo] == s {
			wm.allow |= masks[lo][0]
			wm.deny |= masks[lo][1]
		}
	}
	ex.wild.Store(wm)
	return wm
}

// lowerBound returns the first index i >= lo with list[i] >= s (len(list)
// when none).
// The halving loop has no data-dependent branch (the compiler emits a
// conditional move), so a search costs no mispredictions.
func lowerBound(list []uint32, lo int, s uint32) int {
	n := len(list) - lo
	if n <= 0 {
		return len(list)
	}
	base := lo
	for n > 1 {
		half := n >> 1
		if list[base+half] < s {
			base += half
		}
		n -= half
	}
	if list[base] < s {
		base++
	}
	return base
}

func (ix *Index) overflowAllowed(ex *expansion, rid, wild, aid uint32) bool {
	allowed := false
	for _, s := range ex.subs {
		a1, d1 := ix.entryBits(s, rid)
		a2, d2 := ix.entryBits(s, wild)
		v := ix.overflow[overflowKey{s, rid, aid}] | ix.overflow[overflowKey{s, wild, aid}]
		if (d1|d2)&(1<<starBit) != 0 || v&ovDeny != 0 {
			return false
		}
		if (a1|a2)&(1<<starBit) != 0 || v&ovAllow != 0 {
			allowed = true
		}
	}
	return allowed
}

// ExplainActionAllowed is [Index.IsActionAllowed] with the reason and every
// matching grant, DENY matches first (then by subject type and ID, policy
// and permission).
func (ix *Index) ExplainActionAllowed(p Principal, ns, code, action string) Explanation {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := ix.namespaces[ns]
	if n == nil {
		return Explanation{Reason: "no such resource"}
	}
	r := n.resources[code]
	if r == nil || code == Wildcard {
		return Explanation{Reason: "no such resource"}
	}
	aid, ok := n.actionIDs[action]
	if !ok || !r.declares(aid) {
		return Explanation{Reason: "no such action"}
	}
	ex := ix.expand(&p)
	var ms []Match
	for i, s := range ex.subs {
		for _, rc := range [2]struct {
			id   uint32
			code string
		}{{r.id, code}, {n.wild, Wildcard}} {
			a, d := ix.entryBits(s, rc.id)
			var ov uint8
			if aid > starBit {
				ov = ix.overflow[overflowKey{s, rc.id, aid}]
			}
			add := func(eff Effect, act string) {
				ms = append(ms, Match{Subject: ix.subjects[s], Via: ix.via(ex, i),
					Permission: ns + "/" + rc.code + "/" + act, Effect: eff})
			}
			if aid < starBit && d&(1<<aid) != 0 || ov&ovDeny != 0 {
				add(Deny, action)
			}
			if d&(1<<starBit) != 0 {
				add(Deny, Wildcard)
			}
			if aid < starBit && a&(1<<aid) != 0 || ov&ovAllow != 0 {
				add(Allow, action)
			}
			if a&(1<<starBit) != 0 {
				add(Allow, Wildcard)
			}
		}
	}
	return decide(ms, "no grant matches")
}

// SortMatches orders matches as every Explain call returns them: DENY first,
// then by subject type and ID, policy ID and permission; exact duplicates
// are dropped.
func SortMatches(ms []Match) []Match {
	slices.SortStableFunc(ms, compareMatch)
	return slices.CompactFunc(ms, func(a, b Match) bool { return compareMatch(a, b) == 0 })
}

func compareMatch(a, b Match) int {
	if a.Effect != b.Effect {
		if a.Effect == Deny {
			return -1
		}
		if b.Effect == Deny {
			return 1
		}
	}
	return cmp.Or(cmp.Compare(a.Subject.Type, b.Subject.Type), cmp.Compare(a.Subject.ID, b.Subject.ID),
		cmp.Compare(a.PolicyID, b.PolicyID), cmp.Compare(a.Permission, b.Permission),
		cmp.Compare(a.Effect, b.Effect))
}

// decide applies deny-over-allow to sorted matches and words the reason.
func decide(ms []Match, none string) Explanation {
	ms = SortMatches(ms)
	if len(ms) == 0 {
		return Explanation{Reason: none}
	}
	first := ms[0]
	verb := "allowed by "
	if first.Effect == Deny {
		verb = "denied by "
	}
	var b strings.Builder
	b.WriteString(verb)
	b.WriteString(string(first.Effect))
	b.WriteString(" ")
	b.WriteString(first.Permission)
	if first.PolicyID != "" {
		b.WriteString(" in policy ")
		b.WriteString(first.PolicyID)
	}
	b.WriteString(" held by ")
	b.WriteString(first.Subject.String())
	for i := len(first.Via) - 1; i >= 0; i-- {
		b.WriteString(" via ")
		b.WriteString(first.Via[i].String())
	}
	return Explanation{Allowed: first.Effect == Allow, Reason: b.String(), Matches: ms}
}

// ListAuthorizedResources returns the general resources of ns on which p may
// effectively take at least one action, each with those actions in declared
// order ("*" grants expanded to the declared actions, denies removed),
// ordered by code; resourceType, when not empty, keeps only resources of
// that type.
func (ix *Index) ListAuthorizedResources(p Principal, ns, resourceType string) []AuthorizedResource {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := ix.namespaces[ns]
	if n == nil {
		return nil
	}
	ex := ix.expand(&p)
	var cands []*resource
	wildAll := false
	for _, s := range ex.subs {
		if a, _ := ix.entryBits(s, n.wild); a != 0 {
			wildAll = true
			break
		}
	}
	if !wildAll {
		for k := range ix.overflow {
			if k.res == n.wild && ix.overflow[k]&ovAllow != 0 && slices.Contains(ex.subs, k.subj) {
				wildAll = true
				break
			}
		}
	}
	if wildAll {
		for _, r := range n.resources {
			cands = append(cands, r)
		}
	} else {
		seen := map[uint32]bool{}
		for _, s := range ex.subs {
			for _, e := range ix.grants[s] {
				if ix.resNS[e.res] == n && e.allow != 0 {
					seen[e.res] = true
				}
			}
		}
		for k, v := range ix.overflow {
			if v&ovAllow != 0 && ix.resNS[k.res] == n && slices.Contains(ex.subs, k.subj) {
				seen[k.res] = true
			}
		}
		for _, r := range n.resources {
			if seen[r.id] {
				cands = append(cands, r)
			}
		}
	}
	slices.SortFunc(cands, func(a, b *resource) int { return cmp.Compare(a.rec.Code, b.rec.Code) })
	var out []AuthorizedResource
	for _, r := range cands {
		if resourceType != "" && r.rec.Type != resourceType {
			continue
		}
		var allow, deny uint64
		for _, s := range ex.subs {
			a1, d1 := ix.entryBits(s, r.id)
			a2, d2 := ix.entryBits(s, n.wild)
			allow |= a1 | a2
			deny |= d1 | d2
		}
		var acts []string
		for i, aid := range r.aids {
			if slices.Contains(r.aids[:i], aid) {
				continue
			}
			ok := false
			if aid < starBit {
				want := uint64(1)<<aid | 1<<starBit
				ok = allow&want != 0 && deny&want == 0
			} else {
				ok = ix.overflowAllowed(ex, r.id, n.wild, aid)
			}
			if ok {
				acts = append(acts, r.rec.Actions[i])
			}
		}
		if len(acts) == 0 {
			continue
		}
		out = append(out, AuthorizedResource{Code: r.rec.Code, Type: r.rec.Type,
			Description: r.rec.Description, APIIdentifier: r.rec.APIIdentifier, Actions: acts})
	}
	return out
}
