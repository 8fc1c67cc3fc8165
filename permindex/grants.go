package permindex

import (
	"math/bits"
	"slices"
)

// AddGrants adds direct grants; adding a grant already held is a no-op.
// A batch of any size is cheap: entries are appended and sorted once when
// the Update ends.
func (w *Writer) AddGrants(gs ...Grant) {
	ix := w.ix
	for _, g := range gs {
		n := ix.namespace(g.Namespace)
		s := ix.subjectID(g.Subject)
		rid := ix.resourceID(n, g.Resource)
		aid := n.actionID(g.Action)
		deny := g.Effect == Deny
		if aid > starBit {
			k := overflowKey{s, rid, aid}
			bit := ovAllow
			if deny {
				bit = ovDeny
			}
			if ix.overflow[k]&bit == 0 {
				ix.overflow[k] |= bit
				ix.grantN++
			}
			continue
		}
		if _, isDirty := w.dirty[s]; !isDirty {
			if e := ix.findEntry(s, rid); e != nil {
				if !setBit(e, aid, deny) {
					continue
				}
				ix.grantN++
				w.touchRes(rid)
				continue
			}
			if w.dirty == nil {
				w.dirty = map[uint32]struct{}{}
			}
			w.dirty[s] = struct{}{}
			// The subject's grants are counted again when normalize merges
			// the appended entries.
			ix.grantN -= ix.countOf(s)
		}
		// Dirty subject: append; normalize merges duplicates.
		var e entry
		e.res = rid
		setBit(&e, aid, deny)
		ix.grants[s] = append(ix.grants[s], e)
		ix.resSubs[rid] = append(ix.resSubs[rid], s)
		w.touchRes(rid)
	}
}

func (ix *Index) countOf(s uint32) int {
	c := 0
	for _, e := range ix.grants[s] {
		c += bits.OnesCount64(e.allow) + bits.OnesCount64(e.deny)
	}
	return c
}

// setBit sets the action bit of e and reports whether it was unset.
func setBit(e *entry, aid uint32, deny bool) bool {
	m := &e.allow
	if deny {
		m = &e.deny
	}
	b := uint64(1) << aid
	if *m&b != 0 {
		return false
	}
	*m |= b
	return true
}

// RemoveGrants removes direct grants; removing a grant not held is a no-op.
func (w *Writer) RemoveGrants(gs ...Grant) {
	ix := w.ix
	for _, g := range gs {
		n := ix.namespaces[g.Namespace]
		if n == nil {
			continue
		}
		s, ok := ix.subjIDs[g.Subject]
		if !ok {
			continue
		}
		rid, ok := n.resIDs[g.Resource]
		if !ok {
			continue
		}
		aid, ok := n.actionIDs[g.Action]
		if g.Action == Wildcard {
			aid, ok = starBit, true
		}
		if !ok {
			continue
		}
		deny := g.Effect == Deny
		if aid > starBit {
			k := overflowKey{s, rid, aid}
			bit := ovAllow
			if deny {
				bit = ovDeny
			}
			if v := ix.overflow[k]; v&bit != 0 {
				ix.grantN--
				if v &^= bit; v == 0 {
					delete(ix.overflow, k)
				} else {
					ix.overflow[k] = v
				}
			}
			continue
		}
		w.sorted(s)
		i, found := ix.searchEntry(s, rid)
		if !found {
			continue
		}
		e := &ix.grants[s][i]
		m := &e.allow
		if deny {
			m = &e.deny
		}
		if *m&(1<<aid) == 0 {
			continue
		}
		*m &^= 1 << aid
		ix.grantN--
		w.touchRes(rid)
		if e.allow == 0 && e.deny == 0 {
			ix.grants[s] = slices.Delete(ix.grants[s], i, i+1)
		}
	}
}

func (ix *Index) searchEntry(s, rid uint32) (int, bool) {
	es := ix.grants[s]
	lo, hi := 0, len(es)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if es[m].res < rid {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(es) && es[lo].res == rid
}

// findEntry returns the entry of (s, rid) or nil; it inserts nothing.
func (ix *Index) findEntry(s, rid uint32) *entry {
	if i, ok := ix.searchEntry(s, rid); ok {
		return &ix.grants[s][i]
	}
	return nil
}

// entryBits returns the allow and deny masks subject s holds on rid.
func (ix *Index) entryBits(s, rid uint32) (allow, deny uint64) {
	es := ix.grants[s]
	n := len(es)
	if n == 0 {
		return 0, 0
	}
	base := 0
	for n > 1 { // branch-free halving, as in lowerBound
		half := n >> 1
		if es[base+half].res < rid {
			base += half
		}
		n -= half
	}
	if es[base].res < rid {
		base++
	}
	if base < len(es) && es[base].res == rid {
		return es[base].allow, es[base].deny
	}
	return 0, 0
}

// dropGrantsWhere removes every grant on resource ids for which drop is true,
// restricted to the action bits in mask (all bits when mask is ^0); overflow
// grants are dropped when dropOv is true for their key. The Writer must be
// flushed first (the entries sorted, the resource lists rebuilt).
func (ix *Index) dropGrantsWhere(drop func(rid uint32) bool, mask uint64, dropOv func(k overflowKey) bool) {
	touched := map[uint32]struct{}{}
	ix.wildGen++ // "*" entries may be among those dropped
	for s := range ix.grants {
		es := ix.grants[s]
		out := es[:0]
		for _, e := range es {
			if drop(e.res) {
				ix.grantN -= bits.OnesCount64(e.allow&mask) + bits.OnesCount64(e.deny&mask)
				e.allow &^= mask
				e.deny &^= mask
				if mask != ^uint64(0) {
					touched[e.res] = struct{}{}
				}
				if e.allow == 0 && e.deny == 0 {
					continue
				}
			}
			out = append(out, e)
		}
		clear(es[len(out):])
		ix.grants[s] = out
	}
	if mask == ^uint64(0) { // every entry on a dropped resource is gone
		for r := range ix.resSubs {
			if drop(uint32(r)) {
				ix.resSubs[r], ix.resBits[r] = nil, nil
			}
		}
	}
	for r := range touched {
		ix.rebuildRes(r)
	}
	for k, v := range ix.overflow {
		if dropOv(k) {
			ix.grantN -= bits.OnesCount8(v)
			delete(ix.overflow, k)
		}
	}
}

// PutResources creates or replaces general resources. Replacing a resource
// with fewer actions removes the grants of the removed actions on it, as
// the store does in the same write (grants on "*" stay).
func (w *Writer) PutResources(rs ...Resource) {
	ix := w.ix
	for _, r := range rs {
		n := ix.namespace(r.Namespace)
		rid := ix.resourceID(n, r.Code)
		nr := &resource{rec: r, id: rid}
		nr.rec.Actions = slices.Clone(r.Actions)
		for _, a := range r.Actions {
			aid := n.actionID(a)
			nr.aids = append(nr.aids, aid)
			if aid < starBit {
				nr.declLow |= 1 << aid
			} else if !slices.Contains(nr.declHigh, aid) {
				nr.declHigh = append(nr.declHigh, aid)
			}
		}
		if old := n.resources[r.Code]; old != nil {
			w.flush()
			removedLow := old.declLow &^ nr.declLow
			var removedHigh []uint32
			for _, a := range old.declHigh {
				if !slices.Contains(nr.declHigh, a) {
					removedHigh = append(removedHigh, a)
				}
			}
			if removedLow != 0 || len(removedHigh) > 0 {
				ix.dropGrantsWhere(func(id uint32) bool { return id == rid }, removedLow,
					func(k overflowKey) bool { return k.res == rid && slices.Contains(removedHigh, k.action) })
			}
		}
		n.resources[r.Code] = nr
	}
}

// DeleteResources deletes general resources of a namespace and every grant
// on them (grants on "*" stay).
func (w *Writer) DeleteResources(ns string, codes ...string) {
	ix := w.ix
	n := ix.namespaces[ns]
	if n == nil {
		return
	}
	ids := map[uint32]bool{}
	for _, c := range codes {
		if c == Wildcard {
			continue
		}
		delete(n.resources, c)
		if id, ok := n.resIDs[c]; ok {
			ids[id] = true
		}
	}
	if len(ids) == 0 {
		return
	}
	w.flush()
	ix.dropGrantsWhere(func(id uint32) bool { return ids[id] }, ^uint64(0),
		func(k overflowKey) bool { return ids[k.res] })
}

// NamespaceRecords are the per-namespace records loaded as a unit.
type NamespaceRecords struct {
	Resources     []Resource
	DataResources []DataResource
	Grants        []Grant
}

// ReplaceNamespace drops every resource, data resource and grant of ns and
// loads recs in their place (the Namespace fields of recs are set to ns),
// then marks ns loaded. Policies and memberships are registry-wide and stay.
func (w *Writer) ReplaceNamespace(ns string, recs NamespaceRecords) {
	w.DropNamespace(ns)
	n := w.ix.namespace(ns)
	for i := range recs.Resources {
		recs.Resources[i].Namespace = ns
	}
	for i := range recs.DataResources {
		recs.DataResources[i].Namespace = ns
	}
	for i := range recs.Grants {
		recs.Grants[i].Namespace = ns
	}
	w.PutResources(recs.Resources...)
	w.PutDataResources(recs.DataResources...)
	w.AddGrants(recs.Grants...)
	n.loaded = true
}

// DropNamespace forgets every resource, data resource and grant of ns and
// marks it not loaded. Policies naming ns stay (they are registry-wide).
func (w *Writer) DropNamespace(ns string) {
	ix := w.ix
	n := ix.namespaces[ns]
	if n == nil {
		return
	}
	w.flush()
	ix.dropGrantsWhere(func(id uint32) bool { return ix.resNS[id] == n }, ^uint64(0),
		func(k overflowKey) bool { return ix.resNS[k.res] == n })
	clear(n.resources)
	clear(n.data)
	n.loaded = false
}
