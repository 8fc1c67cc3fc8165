package permindex

import (
	"hash/maphash"
	"slices"
	"sync/atomic"
)

// AddMemberships adds memberships; adding one already held is a no-op.
// The Registry refuses cycles and over-long chains; the index stays correct
// (and terminates) on such data anyway, because expansion visits each
// subject once.
func (w *Writer) AddMemberships(ms ...Membership) {
	ix := w.ix
	for _, m := range ms {
		p := ix.subjectID(m.Parent)
		c := ix.subjectID(m.Member)
		ps := ix.parents[c]
		i, found := slices.BinarySearchFunc(ps, p, ix.cmpSubject)
		if !found {
			ix.parents[c] = slices.Insert(ps, i, p)
			ix.memberGen++
		}
	}
}

// RemoveMemberships removes memberships; removing a missing one is a no-op.
func (w *Writer) RemoveMemberships(ms ...Membership) {
	ix := w.ix
	for _, m := range ms {
		p, ok1 := ix.subjIDs[m.Parent]
		c, ok2 := ix.subjIDs[m.Member]
		if !ok1 || !ok2 {
			continue
		}
		ps := ix.parents[c]
		if i, found := slices.BinarySearchFunc(ps, p, ix.cmpSubject); found {
			ix.parents[c] = slices.Delete(ps, i, i+1)
			ix.memberGen++
		}
	}
}

func (ix *Index) cmpSubject(a, b uint32) int {
	sa, sb := ix.subjects[a], ix.subjects[b]
	switch {
	case sa == sb:
		return 0
	case sa.less(sb):
		return -1
	}
	return 1
}

// expansion is a principal's subjects: its own first, then ancestors in
// breadth-first order (parents of each subject ordered by type, then ID).
// from[i] is the index of the subject through which subs[i] was reached,
// -1 for the principal's own; sorted holds the same ids ascending, for
// intersecting with the per-resource subject lists. An expansion is
// immutable once built: it is shared by every check of the same principal
// until a membership write or a new subject makes it stale (gen).
type expansion struct {
	gen    uint64
	user   string
	given  []Subject
	subs   []uint32
	from   []int32
	sorted []uint32
	// data is the principal's permissions in the namespace of its last
	// data check; rebuilt when stale or for another namespace.
	data atomic.Pointer[principalData]
	// wild is the principal's masks on the "*" of the namespace of its last
	// general check.
	wild atomic.Pointer[wildMasks]
}

// expansionSlots is the size of the direct-mapped expansion cache: a
// principal whose slot holds another principal is expanded again (and
// replaces it), so the cache costs a fixed 8 KiB whatever the traffic.
const expansionSlots = 1024

func (ix *Index) principalHash(p *Principal) uint64 {
	if len(p.Subjects) == 0 {
		return maphash.String(ix.seed, p.UserID)
	}
	var h maphash.Hash
	h.SetSeed(ix.seed)
	h.WriteString(p.UserID)
	for _, s := range p.Subjects {
		h.WriteByte(0)
		h.WriteString(s.Type)
		h.WriteByte(0)
		h.WriteString(s.ID)
	}
	return h.Sum64()
}

// expand returns the expansion of p, from the cache when the same principal
// was expanded since the last membership change. The caller holds the read
// lock (or the write lock): memberGen and the graph do not change under it.
func (ix *Index) expand(p *Principal) *expansion {
	slot := &ix.expansions[ix.principalHash(p)%expansionSlots]
	if ex := slot.Load(); ex != nil && ex.gen == ix.memberGen && ex.user == p.UserID &&
		slices.Equal(ex.given, p.Subjects) {
		return ex
	}
	ex := ix.expandFresh(p)
	slot.Store(ex)
	return ex
}

// expandFresh walks the membership graph from p's own subjects that the index
// knows (a subject never seen holds nothing and has no parents).
func (ix *Index) expandFresh(p *Principal) *expansion {
	ex := &expansion{gen: ix.memberGen, user: p.UserID, given: slices.Clone(p.Subjects)}
	var seen map[uint32]struct{} // past linearSeen subjects
	add := func(s uint32, from int32) {
		if seen == nil {
			if slices.Contains(ex.subs, s) {
				return
			}
			if len(ex.subs) >= linearSeen {
				seen = make(map[uint32]struct{}, 2*len(ex.subs))
				for _, x := range ex.subs {
					seen[x] = struct{}{}
				}
			}
		} else if _, ok := seen[s]; ok {
			return
		}
		if seen != nil {
			seen[s] = struct{}{}
		}
		ex.subs = append(ex.subs, s)
		ex.from = append(ex.from, from)
	}
	if p.UserID != "" {
		if id, ok := ix.subjIDs[Subject{SubjectUser, p.UserID}]; ok {
			add(id, -1)
		}
	}
	for _, s := range p.Subjects {
		if id, ok := ix.subjIDs[s]; ok {
			add(id, -1)
		}
	}
	for i := 0; i < len(ex.subs); i++ {
		for _, par := range ix.parents[ex.subs[i]] {
			add(par, int32(i))
		}
	}
	ex.sorted = slices.Clone(ex.subs)
	slices.Sort(ex.sorted)
	return ex
}

// linearSeen is how many subjects are deduplicated by scanning before a map
// is used.
const linearSeen = 32

// via returns the membership chain of ex.subs[i].
func (ix *Index) via(ex *expansion, i int) []Subject {
	var chain []Subject
	for j := ex.from[i]; j >= 0; j = ex.from[j] {
		chain = append(chain, ix.subjects[ex.subs[j]])
	}
	slices.Reverse(chain)
	return chain
}
