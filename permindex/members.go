package permindex

import (
	"slices"
	"sync"
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
// -1 for the principal's own. Expansions are pooled, so a check of an
// ordinary principal allocates nothing.
type expansion struct {
	subs []uint32
	from []int32
	seen map[uint32]struct{}
	sbuf [32]uint32
	fbuf [32]int32
}

// linearSeen is how many subjects are deduplicated by scanning before a map
// is used.
const linearSeen = 32

func (ex *expansion) add(s uint32, from int32) {
	if len(ex.subs) < linearSeen {
		if slices.Contains(ex.subs, s) {
			return
		}
	} else {
		if ex.seen == nil {
			ex.seen = make(map[uint32]struct{}, 2*len(ex.subs))
			for _, x := range ex.subs {
				ex.seen[x] = struct{}{}
			}
		}
		if _, ok := ex.seen[s]; ok {
			return
		}
		ex.seen[s] = struct{}{}
	}
	ex.subs = append(ex.subs, s)
	ex.from = append(ex.from, from)
}

// expansions recycles expansions so that a check does not allocate (an
// expansion on the stack would escape: its slices point into itself).
var expansions = sync.Pool{New: func() any { return new(expansion) }}

func getExpansion() *expansion { return expansions.Get().(*expansion) }

func putExpansion(ex *expansion) {
	if cap(ex.subs) > 1024 {
		return // do not keep an outsized one
	}
	ex.seen = nil
	expansions.Put(ex)
}

// expand fills ex with the subjects of p that the index knows (a subject
// never seen holds nothing and has no parents).
func (ix *Index) expand(p *Principal, ex *expansion) {
	if ex.subs == nil {
		ex.subs, ex.from = ex.sbuf[:0], ex.fbuf[:0]
	}
	ex.subs, ex.from = ex.subs[:0], ex.from[:0]
	if p.UserID != "" {
		if id, ok := ix.subjIDs[Subject{SubjectUser, p.UserID}]; ok {
			ex.add(id, -1)
		}
	}
	for _, s := range p.Subjects {
		if id, ok := ix.subjIDs[s]; ok {
			ex.add(id, -1)
		}
	}
	for i := 0; i < len(ex.subs); i++ {
		for _, par := range ix.parents[ex.subs[i]] {
			ex.add(par, int32(i))
		}
	}
}

// via returns the membership chain of ex.subs[i].
func (ix *Index) via(ex *expansion, i int) []Subject {
	var chain []Subject
	for j := ex.from[i]; j >= 0; j = ex.from[j] {
		chain = append(chain, ix.subjects[ex.subs[j]])
	}
	slices.Reverse(chain)
	return chain
}
