package memstore

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/btree"

	"github.com/resreg/resreg/store"
)

// The hooks below let the external tests look inside a Store: a rolled-back
// batch must leave every index as it was, including those no listing shows
// (the intern table, the reverse indexes of policy refs).

// DumpState renders every index of s, one line per entry, maps in key
// order, trees in their order. Two states that dump alike hold the same
// records in the same indexes.
func DumpState(s *Store) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	s.namespaces.Ascend(func(ns *namespace) bool {
		add("namespace %+v", ns.meta)
		return true
	})
	for _, code := range slices.Sorted(maps.Keys(s.byCode)) {
		ns := s.byCode[code]
		add("byCode %s %+v", code, ns.meta)
		ns.resources.Ascend(func(rec *resource) bool {
			add("  resource %+v", *rec)
			return true
		})
		for _, k := range slices.Sorted(maps.Keys(ns.resByCode)) {
			add("  resByCode %s %+v", k, *ns.resByCode[k])
		}
		for _, k := range slices.Sorted(maps.Keys(ns.resByID)) {
			add("  resByID %s %s", k, ns.resByID[k].code)
		}
		ns.data.Ascend(func(d *store.DataResource) bool {
			add("  data %+v", *d)
			return true
		})
		for _, k := range slices.Sorted(maps.Keys(ns.dataByCode)) {
			add("  dataByCode %s %+v", k, *ns.dataByCode[k])
		}
		for _, k := range slices.Sorted(maps.Keys(ns.dataByName)) {
			add("  dataByName %s %s", k, ns.dataByName[k].ResourceCode)
		}
		dumpKeyed(ns.grants.tree, func(k string, v any) { add("  grant %s %+v", k, v) })
		for _, k := range slices.Sorted(maps.Keys(ns.grants.byKey)) {
			add("  grantByKey %s %+v", k, ns.grants.byKey[k].val)
		}
		for _, code := range slices.Sorted(maps.Keys(ns.grants.byResource)) {
			add("  grantsOf %s %v", code, slices.Sorted(maps.Keys(ns.grants.byResource[code])))
		}
	}

	pi := &s.policies
	pi.byName.Ascend(func(item *keyed[*policy]) bool {
		add("policy %s %+v %+v", item.key, item.val.p, item.val.refs)
		return true
	})
	for _, id := range slices.Sorted(maps.Keys(pi.byID)) {
		add("policyByID %s %s", id, pi.byID[id].p.Name)
	}
	for _, name := range slices.Sorted(maps.Keys(pi.names)) {
		add("policyByName %s %s", name, pi.names[name].p.ID)
	}
	dumpKeyed(pi.targets, func(k string, v any) { add("target %s %+v", k, v) })
	for _, ns := range slices.Sorted(maps.Keys(pi.namespaces)) {
		add("policiesNaming %s %v", ns, pi.namespaces[ns])
	}
	refs := slices.SortedFunc(maps.Keys(pi.exactOnData), func(a, b dataRef) int {
		return strings.Compare(a.ns+"\x00"+a.code, b.ns+"\x00"+b.code)
	})
	for _, r := range refs {
		add("policiesPinning %s/%s %v", r.ns, r.code, pi.exactOnData[r])
	}

	dumpKeyed(s.members.byParent, func(k string, v any) { add("byParent %q %+v", k, v) })
	dumpKeyed(s.members.byMember, func(k string, v any) { add("byMember %q %+v", k, v) })
	dumpKeyed(s.directory.tree, func(k string, v any) { add("directory %q %+v", k, v) })

	add("strs %q", slices.Sorted(maps.Keys(s.strs)))
	add("recent %q next %d", s.recent, s.next)
	add("lastSeq %d entries %d", s.log.lastSeq, len(s.log.entries))
	// Slots past the log's length hold nothing: an undone batch leaves no
	// record there.
	for _, e := range s.log.entries[len(s.log.entries):cap(s.log.entries)] {
		if e.seq != 0 {
			add("stale entry %d past the log's end", e.seq)
		}
	}
	for i := range s.log.entries {
		c, err := s.log.entries[i].export()
		add("change %+v %s %v", c, c.Record, err)
	}
	add("journal on=%v undo=%d wake=%v batch=%v", s.j.on, len(s.j.undo), s.j.wake, s.batch.Load())
	return out
}

func dumpKeyed[T any](tree *btree.BTreeG[*keyed[T]], add func(string, any)) {
	tree.Ascend(func(item *keyed[T]) bool {
		add(item.key, item.val)
		return true
	})
}

// CheckIndexes returns an error if two indexes of s disagree: a record in
// one map and not in its tree, a reverse index that its refs do not
// produce, a membership kept in one direction only.
func CheckIndexes(s *Store) error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if s.namespaces.Len() != len(s.byCode) {
		fail("%d namespaces in the tree, %d by code", s.namespaces.Len(), len(s.byCode))
	}
	s.namespaces.Ascend(func(ns *namespace) bool {
		if s.byCode[ns.meta.Code] != ns {
			fail("namespace %s: tree and byCode differ", ns.meta.Code)
		}
		code := ns.meta.Code
		ids := 0
		if ns.resources.Len() != len(ns.resByCode) {
			fail("%s: %d resources in the tree, %d by code", code, ns.resources.Len(), len(ns.resByCode))
		}
		ns.resources.Ascend(func(rec *resource) bool {
			if ns.resByCode[rec.code] != rec {
				fail("%s/%s: tree and resByCode differ", code, rec.code)
			}
			if rec.id != "" {
				ids++
				if ns.resByID[rec.id] != rec {
					fail("%s/%s: resByID differs", code, rec.code)
				}
			}
			return true
		})
		if ids != len(ns.resByID) {
			fail("%s: %d IDs, %d in resByID", code, ids, len(ns.resByID))
		}
		if ns.data.Len() != len(ns.dataByCode) || ns.data.Len() != len(ns.dataByName) {
			fail("%s: %d data resources, %d by code, %d by name", code, ns.data.Len(), len(ns.dataByCode), len(ns.dataByName))
		}
		ns.data.Ascend(func(d *store.DataResource) bool {
			if ns.dataByCode[d.ResourceCode] != d || ns.dataByName[d.ResourceName] != d {
				fail("%s/%s: data indexes differ", code, d.ResourceCode)
			}
			return true
		})
		gi := &ns.grants
		n := 0
		gi.tree.Ascend(func(item *keyed[store.Grant]) bool {
			if gi.byKey[item.key] != item || gi.byResource[item.val.ResourceCode][item.key] != item {
				fail("%s: grant %s: indexes differ", code, item.key)
			}
			if _, ok := ns.resByCode[item.val.ResourceCode]; !ok && item.val.ResourceCode != "*" {
				fail("%s: grant %s on a missing resource", code, item.key)
			}
			return true
		})
		for _, m := range gi.byResource {
			if len(m) == 0 {
				fail("%s: an empty grantsOf entry", code)
			}
			n += len(m)
		}
		if n != gi.tree.Len() || len(gi.byKey) != gi.tree.Len() {
			fail("%s: %d grants, %d by key, %d by resource", code, gi.tree.Len(), len(gi.byKey), n)
		}
		return true
	})

	pi := &s.policies
	rebuilt := newPolicyIndex(&journal{})
	pi.byName.Ascend(func(item *keyed[*policy]) bool {
		rec := item.val
		if pi.byID[rec.p.ID] != rec || pi.names[rec.p.Name] != rec || item.key != rec.p.Name {
			fail("policy %s: indexes differ", rec.p.ID)
		}
		rebuilt.indexRefs(rec.p.ID, rec.refs, 1)
		return true
	})
	if pi.byName.Len() != len(pi.byID) || pi.byName.Len() != len(pi.names) {
		fail("%d policies, %d by ID, %d by name", pi.byName.Len(), len(pi.byID), len(pi.names))
	}
	if fmt.Sprint(rebuilt.namespaces) != fmt.Sprint(pi.namespaces) {
		fail("policiesNaming %v, refs give %v", pi.namespaces, rebuilt.namespaces)
	}
	if fmt.Sprint(rebuilt.exactOnData) != fmt.Sprint(pi.exactOnData) {
		fail("policiesPinning %v, refs give %v", pi.exactOnData, rebuilt.exactOnData)
	}
	pi.targets.Ascend(func(item *keyed[store.PolicyTarget]) bool {
		if _, ok := pi.byID[item.val.PolicyID]; !ok {
			fail("target %q of a missing policy", item.key)
		}
		return true
	})

	if s.members.byParent.Len() != s.members.byMember.Len() {
		fail("%d memberships by parent, %d by member", s.members.byParent.Len(), s.members.byMember.Len())
	}
	s.members.byParent.Ascend(func(item *keyed[store.Membership]) bool {
		_, km := edgeKeys(item.val.Parent, item.val.Member)
		if got, ok := s.members.byMember.Get(&keyed[store.Membership]{key: km}); !ok || got.val != item.val {
			fail("membership %q: byMember differs", item.key)
		}
		return true
	})
	return errors.Join(errs...)
}
