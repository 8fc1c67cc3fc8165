package permindex

import (
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
)

// Index is the in-process permission index. The zero value is not usable;
// call [New]. All methods are safe for concurrent use: checks share a read
// lock, writes ([Index.Update] and the helpers built on it) take the write
// lock once per call, so a batch is applied atomically.
type Index struct {
	mu sync.RWMutex

	subjIDs  map[Subject]uint32
	subjects []Subject  // subject id -> subject
	parents  [][]uint32 // member id -> parent ids, ordered by (Type, ID)
	grants   [][]entry  // subject id -> grant entries, ordered by resource id

	// resSubs lists, per resource id, the subjects holding an entry on it,
	// ascending, and resBits their allow and deny masks on it (a copy of
	// the subject-side entries, rebuilt for the resources a write touched
	// when it ends): a check intersects the principal's subjects with the
	// checked resource's and "*"'s lists and reads the hits' masks.
	resSubs [][]uint32
	resBits [][][2]uint64

	// memberGen changes on every membership write and every new subject:
	// cached expansions of an older generation are stale.
	memberGen  uint64
	policyGen  uint64 // changes on every policy attach or detach: stale principalData
	wildGen    uint64 // changes on every write of a "*" resource's entries: stale wildMasks
	seed       maphash.Seed
	expansions [expansionSlots]atomic.Pointer[expansion]

	// overflow holds grants of actions whose namespace action id is >=
	// starBit (more than 63 distinct actions in one namespace): rare, slower.
	overflow map[overflowKey]uint8

	namespaces map[string]*namespace
	resNS      []*namespace // resource id -> namespace

	strIDs map[string]uint32 // namespace names and data resource codes, for permKey

	policies map[string]*policy
	// subjPerms holds, per subject id, the compiled permissions of the
	// policies attached to it, per namespace, ordered by exact resource code.
	subjPerms [][]nsPerms
	grantN    int
}

// entry is the grants one subject holds on one resource id: a bit per
// namespace action id, starBit for the action "*".
type entry struct {
	res         uint32
	allow, deny uint64
}

const starBit = 63

type overflowKey struct{ subj, res, action uint32 }

const (
	ovAllow uint8 = 1
	ovDeny  uint8 = 2
)

type namespace struct {
	name        string
	strID       uint32 // the name's str id: data permissions name namespaces by it
	loaded      bool
	resIDs      map[string]uint32 // resource code (or "*") -> resource id
	wild        uint32            // resource id of "*"
	resources   map[string]*resource
	actionIDs   map[string]uint32
	actionNames []string
	data        map[string]*dataResource
}

type resource struct {
	rec      Resource
	id       uint32
	declLow  uint64   // declared action ids < starBit
	declHigh []uint32 // declared action ids >= starBit
	aids     []uint32 // action id of rec.Actions[i]
}

func (r *resource) declares(aid uint32) bool {
	if aid < starBit {
		return r.declLow&(1<<aid) != 0
	}
	return slices.Contains(r.declHigh, aid)
}

// New returns an empty index.
func New() *Index {
	ix := &Index{
		subjIDs:    map[Subject]uint32{},
		overflow:   map[overflowKey]uint8{},
		namespaces: map[string]*namespace{},
		strIDs:     map[string]uint32{"": 0},
		policies:   map[string]*policy{},
		seed:       maphash.MakeSeed(),
	}
	return ix
}

// Update runs fn with the write lock held: every change fn makes through the
// [Writer] is seen by checks together, after Update returns. The Writer must
// not be used after fn returns.
func (ix *Index) Update(fn func(w *Writer)) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	w := &Writer{ix: ix}
	fn(w)
	w.flush()
}

// Writer changes the index inside [Index.Update].
type Writer struct {
	ix       *Index
	dirty    map[uint32]struct{} // subjects whose entries were appended unsorted
	resDirty map[uint32]struct{} // resources whose entries changed: lists to rebuild
}

func (w *Writer) flush() {
	for s := range w.dirty {
		w.ix.normalize(s)
		w.ix.grantN += w.ix.countOf(s)
	}
	w.dirty = nil
	if len(w.resDirty) > bulkRebuild {
		w.ix.rebuildResAll(w.resDirty)
	} else {
		for r := range w.resDirty {
			w.ix.rebuildRes(r)
		}
	}
	w.resDirty = nil
}

// bulkRebuild is how many touched resources make one pass over every
// subject's entries cheaper than sorting and searching each touched list.
const bulkRebuild = 1024

// rebuildResAll rebuilds the lists of the resources in dirty from one pass
// over every subject's (sorted) entries: subjects are visited in ascending
// id, so the lists come out ordered without a sort.
func (ix *Index) rebuildResAll(dirty map[uint32]struct{}) {
	mark := make([]bool, len(ix.resSubs))
	for r := range dirty {
		mark[r] = true
		ix.resSubs[r], ix.resBits[r] = ix.resSubs[r][:0], ix.resBits[r][:0]
		if ix.resNS[r].wild == r {
			ix.wildGen++
		}
	}
	for s, es := range ix.grants {
		for _, e := range es {
			if mark[e.res] {
				ix.resSubs[e.res] = append(ix.resSubs[e.res], uint32(s))
				ix.resBits[e.res] = append(ix.resBits[e.res], [2]uint64{e.allow, e.deny})
			}
		}
	}
}

// touchRes marks resource r's lists for rebuilding when the write ends.
func (w *Writer) touchRes(r uint32) {
	if w.resDirty == nil {
		w.resDirty = map[uint32]struct{}{}
	}
	w.resDirty[r] = struct{}{}
}

// rebuildRes sorts the candidate subjects of resource r (appended in any
// order, possibly twice, possibly no longer holding anything) and copies
// each remaining one's masks from its entries, which must be sorted.
func (ix *Index) rebuildRes(r uint32) {
	l := ix.resSubs[r]
	slices.Sort(l)
	l = slices.Compact(l)
	bs := ix.resBits[r][:0]
	out := l[:0]
	for _, s := range l {
		if a, d := ix.entryBits(s, r); a|d != 0 {
			out = append(out, s)
			bs = append(bs, [2]uint64{a, d})
		}
	}
	ix.resSubs[r], ix.resBits[r] = out, bs
	if ix.resNS[r].wild == r {
		ix.wildGen++
	}
}

// sorted makes the grant entries of subject s ordered before they are searched.
func (w *Writer) sorted(s uint32) {
	if _, ok := w.dirty[s]; ok {
		w.ix.normalize(s)
		w.ix.grantN += w.ix.countOf(s)
		delete(w.dirty, s)
	}
}

// normalize sorts the entries of s by resource and merges duplicates.
func (ix *Index) normalize(s uint32) {
	es := ix.grants[s]
	slices.SortFunc(es, func(a, b entry) int { return int(a.res) - int(b.res) })
	out := es[:0]
	for _, e := range es {
		if n := len(out); n > 0 && out[n-1].res == e.res {
			out[n-1].allow |= e.allow
			out[n-1].deny |= e.deny
			continue
		}
		out = append(out, e)
	}
	clear(es[len(out):])
	ix.grants[s] = out
}

func (ix *Index) subjectID(s Subject) uint32 {
	if id, ok := ix.subjIDs[s]; ok {
		return id
	}
	id := uint32(len(ix.subjects))
	ix.subjIDs[s] = id
	ix.subjects = append(ix.subjects, s)
	ix.parents = append(ix.parents, nil)
	ix.grants = append(ix.grants, nil)
	ix.subjPerms = append(ix.subjPerms, nil)
	ix.memberGen++ // an expansion that skipped this subject as unknown is stale
	return id
}

func (ix *Index) strID(s string) uint32 {
	if id, ok := ix.strIDs[s]; ok {
		return id
	}
	id := uint32(len(ix.strIDs))
	ix.strIDs[s] = id
	return id
}

func (ix *Index) namespace(name string) *namespace {
	if n := ix.namespaces[name]; n != nil {
		return n
	}
	n := &namespace{
		name:      name,
		strID:     ix.strID(name),
		resIDs:    map[string]uint32{},
		resources: map[string]*resource{},
		actionIDs: map[string]uint32{},
		data:      map[string]*dataResource{},
	}
	n.wild = ix.resourceID(n, Wildcard)
	ix.namespaces[name] = n
	return n
}

func (ix *Index) resourceID(n *namespace, code string) uint32 {
	if id, ok := n.resIDs[code]; ok {
		return id
	}
	id := uint32(len(ix.resNS))
	n.resIDs[code] = id
	ix.resNS = append(ix.resNS, n)
	ix.resSubs = append(ix.resSubs, nil)
	ix.resBits = append(ix.resBits, nil)
	return id
}

func (n *namespace) actionID(a string) uint32 {
	if a == Wildcard {
		return starBit
	}
	if id, ok := n.actionIDs[a]; ok {
		return id
	}
	id := uint32(len(n.actionNames))
	if id >= starBit {
		id++ // starBit is the wildcard; overflow ids start above it
	}
	n.actionIDs[a] = id
	n.actionNames = append(n.actionNames, a)
	return id
}

// Loaded reports whether a namespace's records were loaded with
// [Writer.ReplaceNamespace] (and not dropped since): the Registry loads a
// namespace lazily on its first check.
func (ix *Index) Loaded(ns string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := ix.namespaces[ns]
	return n != nil && n.loaded
}

// Stats describes what the index holds.
type Stats struct {
	Subjects, Resources, Grants, Policies, PolicyPermissions int
}

// Stats returns the sizes of what the index holds. Grants counts the
// distinct (subject, resource, action, effect) grants.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := Stats{Subjects: len(ix.subjects), Policies: len(ix.policies), Grants: ix.grantN}
	for _, n := range ix.namespaces {
		st.Resources += len(n.resources)
	}
	for _, p := range ix.policies {
		st.PolicyPermissions += len(p.perms)
	}
	return st
}
