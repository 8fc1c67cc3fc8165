package memstore

import (
	"context"
	"strconv"
	"time"

	"github.com/google/btree"

	"github.com/resreg/resreg/store"
)

// membershipIndex holds the membership graph twice over, as B-trees keyed
// parent-then-member and member-then-parent: each direction is a range
// scan, for the listings and for the walks that check cycles and depth.
type membershipIndex struct {
	byParent *btree.BTreeG[*keyed[store.Membership]] // parent \0 member
	byMember *btree.BTreeG[*keyed[store.Membership]] // member \0 parent

	j *journal // the Store's
}

func newMembershipIndex(j *journal) membershipIndex {
	return membershipIndex{byParent: newKeyedTree[store.Membership](), byMember: newKeyedTree[store.Membership](), j: j}
}

func edgeKeys(parent, member store.Subject) (byParent, byMember string) {
	p, m := subjectKey(parent), subjectKey(member)
	return p + keySep + m, m + keySep + p
}

func (mi *membershipIndex) has(parent, member store.Subject) bool {
	k, _ := edgeKeys(parent, member)
	return mi.byParent.Has(&keyed[store.Membership]{key: k})
}

// add indexes m, an edge not yet present.
func (mi *membershipIndex) add(m store.Membership) {
	kp, km := edgeKeys(m.Parent, m.Member)
	mi.byParent.ReplaceOrInsert(&keyed[store.Membership]{key: kp, val: m})
	mi.byMember.ReplaceOrInsert(&keyed[store.Membership]{key: km, val: m})
	if mi.j.on {
		mi.j.record(func() { mi.remove(m.Parent, m.Member) })
	}
}

// remove deletes the membership parent <- member and returns it as it was.
func (mi *membershipIndex) remove(parent, member store.Subject) (store.Membership, bool) {
	kp, km := edgeKeys(parent, member)
	item, found := mi.byParent.Delete(&keyed[store.Membership]{key: kp})
	mi.byMember.Delete(&keyed[store.Membership]{key: km})
	if !found {
		return store.Membership{}, false
	}
	if mi.j.on {
		mi.j.record(func() { mi.add(item.val) })
	}
	return item.val, true
}

// neighbours calls fn with every direct parent (up) or direct member of s.
func (mi *membershipIndex) neighbours(s store.Subject, up bool, fn func(store.Subject)) {
	tree := mi.byParent
	if up {
		tree = mi.byMember
	}
	for item := range rangeSource(tree, subjectKey(s)+keySep, "").all {
		if up {
			fn(item.val.Parent)
		} else {
			fn(item.val.Member)
		}
	}
}

// reaches reports whether to is s itself or an ancestor of s.
func (mi *membershipIndex) reaches(s, to store.Subject) bool {
	seen := map[store.Subject]bool{s: true}
	stack := []store.Subject{s}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if cur == to {
			return true
		}
		mi.neighbours(cur, true, func(p store.Subject) {
			if !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		})
	}
	return false
}

// longest returns the number of edges of the longest chain above s (up) or
// below it. The graph has no cycle, so memoising on the subject is exact.
func (mi *membershipIndex) longest(s store.Subject, up bool, memo map[store.Subject]int) int {
	if n, ok := memo[s]; ok {
		return n
	}
	best := 0
	mi.neighbours(s, up, func(next store.Subject) {
		best = max(best, 1+mi.longest(next, up, memo))
	})
	memo[s] = best
	return best
}

// AddMembers adds each new membership after checking, against the graph as
// it stands with the batch's earlier edges in it, that it closes no cycle
// and makes no chain longer than opts.MaxDepth. On a refusal the edges
// already added by this call are taken out again, so the call writes all or
// nothing.
func (s *Store) AddMembers(ctx context.Context, parent store.Subject, members []store.Subject, opts store.MembershipOptions) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if parent.Type == store.SubjectUser {
		return store.UserCannotHaveMembers()
	}
	if len(members) == 0 {
		return nil
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	mi := &s.members
	now := time.Now().UTC()
	var added []store.Subject
	undo := func() {
		for _, m := range added {
			mi.remove(parent, m)
		}
	}
	for i, m := range members {
		field := "members[" + strconv.Itoa(i) + "]"
		switch {
		case m == parent:
			undo()
			return store.MemberIsParent(field, m)
		case mi.has(parent, m):
			continue
		case mi.reaches(parent, m):
			undo()
			return store.MembershipCycle(field, parent, m)
		}
		if opts.MaxDepth > 0 {
			depth := mi.longest(parent, true, map[store.Subject]int{}) + 1 + mi.longest(m, false, map[store.Subject]int{})
			if depth > opts.MaxDepth {
				undo()
				return store.MembershipTooDeep(field, parent, m, opts.MaxDepth)
			}
		}
		mi.add(store.Membership{Parent: parent, Member: m, CreatedAt: now})
		added = append(added, m)
	}
	// Only now can the write no longer fail; its changes follow the order
	// of the members.
	at := changeTime()
	for _, m := range added {
		ms := store.Membership{Parent: parent, Member: m, CreatedAt: now}
		s.logChange(ctx, at, store.OpCreate, store.KindMembership, "", ms.Key(), &ms)
	}
	return nil
}

// RemoveMembers removes every listed membership of parent that exists.
func (s *Store) RemoveMembers(ctx context.Context, parent store.Subject, members []store.Subject) (err error) {
	defer s.noteFailure(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(members) == 0 {
		return nil
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.unlock(ctx)
	now := changeTime()
	for _, m := range members {
		if ms, found := s.members.remove(parent, m); found {
			s.logChange(ctx, now, store.OpDelete, store.KindMembership, "", ms.Key(), &ms)
		}
	}
	return nil
}

// ListMembers lists the direct members of parent by type, then ID.
func (s *Store) ListMembers(ctx context.Context, parent store.Subject, opts store.ListOptions) (store.Page[store.Subject], error) {
	return s.listEdges(ctx, parent, false, opts)
}

// ListMemberships lists the direct parents of member by type, then ID.
func (s *Store) ListMemberships(ctx context.Context, member store.Subject, opts store.ListOptions) (store.Page[store.Subject], error) {
	return s.listEdges(ctx, member, true, opts)
}

func (s *Store) listEdges(ctx context.Context, of store.Subject, up bool, opts store.ListOptions) (store.Page[store.Subject], error) {
	if err := ctx.Err(); err != nil {
		return store.Page[store.Subject]{}, err
	}
	kind := store.KindMembers
	if up {
		kind = store.KindMemberships
	}
	cur, err := opts.CursorFor(kind, of.String())
	if err != nil {
		return store.Page[store.Subject]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[store.Subject]{}, err
	}
	defer s.runlock(ctx)
	tree, out := s.members.byParent, func(item *keyed[store.Membership]) store.Subject { return item.val.Member }
	if up {
		tree, out = s.members.byMember, func(item *keyed[store.Membership]) store.Subject { return item.val.Parent }
	}
	prefix := subjectKey(of) + keySep
	return page(rangeSource(tree, prefix, cur.After), listing[*keyed[store.Membership], store.Subject]{
		key: keyWithin[store.Membership](prefix), out: out, cursor: cur, kind: kind, namespace: of.String(), total: opts.IncludeTotal,
	}), nil
}

// ListAllMemberships lists every membership by parent, then member.
func (s *Store) ListAllMemberships(ctx context.Context, opts store.ListOptions) (store.Page[store.Membership], error) {
	if err := ctx.Err(); err != nil {
		return store.Page[store.Membership]{}, err
	}
	cur, err := opts.CursorFor(store.KindAllMemberships, "")
	if err != nil {
		return store.Page[store.Membership]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[store.Membership]{}, err
	}
	defer s.runlock(ctx)
	return page(rangeSource(s.members.byParent, "", cur.After), listing[*keyed[store.Membership], store.Membership]{
		key:    keyWithin[store.Membership](""),
		out:    func(item *keyed[store.Membership]) store.Membership { return item.val },
		cursor: cur,
		kind:   store.KindAllMemberships,
		total:  opts.IncludeTotal,
	}), nil
}
