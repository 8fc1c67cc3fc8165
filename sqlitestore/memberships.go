package sqlitestore

import (
	"context"
	"strconv"
	"time"

	"github.com/resreg/resreg/store"
)

const (
	sqlMembershipCols   = `parent_type, parent_id, member_type, member_id, created_at`
	sqlInsertMembership = `INSERT INTO resreg_memberships (` + sqlMembershipCols + `) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	sqlDeleteMembership = `DELETE FROM resreg_memberships WHERE parent_type = ? AND parent_id = ? AND member_type = ? AND member_id = ?
		RETURNING ` + sqlMembershipCols
	sqlMembershipExists = `SELECT 1 FROM resreg_memberships WHERE parent_type = ? AND parent_id = ? AND member_type = ? AND member_id = ?`
	// sqlIsAncestor reports whether the subject in the last two arguments
	// is the one in the first two or one of its ancestors, walking the
	// member index upwards. UNION (not UNION ALL) visits each subject once,
	// so the walk is bounded by the size of the ancestry.
	sqlIsAncestor = `WITH RECURSIVE up(t, i) AS (
		SELECT ?, ?
		UNION
		SELECT m.parent_type, m.parent_id FROM up JOIN resreg_memberships AS m ON m.member_type = up.t AND m.member_id = up.i
	) SELECT 1 FROM up WHERE t = ? AND i = ? LIMIT 1`
	// sqlHeightAbove and sqlHeightBelow give the longest chain of edges
	// above and below a subject, counted up to the cap in the last argument:
	// the caller only needs to know whether a chain would pass it.
	sqlHeightAbove = `WITH RECURSIVE up(t, i, d) AS (
		SELECT ?, ?, 0
		UNION
		SELECT m.parent_type, m.parent_id, up.d + 1 FROM up JOIN resreg_memberships AS m ON m.member_type = up.t AND m.member_id = up.i
		WHERE up.d < ?
	) SELECT max(d) FROM up`
	sqlHeightBelow = `WITH RECURSIVE down(t, i, d) AS (
		SELECT ?, ?, 0
		UNION
		SELECT m.member_type, m.member_id, down.d + 1 FROM down JOIN resreg_memberships AS m ON m.parent_type = down.t AND m.parent_id = down.i
		WHERE down.d < ?
	) SELECT max(d) FROM down`
)

var (
	membersOf = newKeyset("resreg_memberships", sqlMembershipCols, []string{"parent_type", "parent_id"},
		[]string{"member_type", "member_id"})
	parentsOf = newKeyset("resreg_memberships INDEXED BY resreg_memberships_member", sqlMembershipCols, []string{"member_type", "member_id"},
		[]string{"parent_type", "parent_id"})
	allMemberships = newKeyset("resreg_memberships", sqlMembershipCols, nil,
		[]string{"parent_type", "parent_id", "member_type", "member_id"})
)

func scanMembership(sc rowScanner) (store.Membership, error) {
	var m store.Membership
	var created any
	if err := sc.Scan(&m.Parent.Type, &m.Parent.ID, &m.Member.Type, &m.Member.ID, &created); err != nil {
		return store.Membership{}, err
	}
	m.CreatedAt = timeOf(created)
	return m, nil
}

// AddMembers adds the edges one by one, each checked against the graph as
// the previous ones left it, all under the write lock: no other writer can
// add an edge between a check and the commit.
func (s *Store) AddMembers(ctx context.Context, parent store.Subject, members []store.Subject, opts store.MembershipOptions) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if parent.Type == store.SubjectUser {
		return store.UserCannotHaveMembers()
	}
	if len(members) == 0 {
		return nil
	}
	return s.write(ctx, func(w *wtx) error {
		now := normTime(time.Now())
		for i, m := range members {
			if err := w.canceled(); err != nil {
				return err
			}
			field := "members[" + strconv.Itoa(i) + "]"
			if m == parent {
				return store.MemberIsParent(field, m)
			}
			present, err := w.exists(sqlMembershipExists, parent.Type, parent.ID, m.Type, m.ID)
			if err != nil {
				return err
			}
			if present {
				continue
			}
			if err := w.checkEdge(parent, m, opts.MaxDepth, field); err != nil {
				return err
			}
			if _, err := w.exec(sqlInsertMembership, parent.Type, parent.ID, m.Type, m.ID, encodeTime(now)); err != nil {
				return err
			}
			if err := w.logMembership(store.OpCreate, store.Membership{Parent: parent, Member: m, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkEdge refuses the edge parent <- member if member is already an
// ancestor of parent (a cycle) or if the longest chain through the edge
// would be longer than maxDepth (0: no limit).
func (w *wtx) checkEdge(parent, member store.Subject, maxDepth int, field string) error {
	cycle, err := w.exists(sqlIsAncestor, parent.Type, parent.ID, member.Type, member.ID)
	if err != nil {
		return err
	}
	if cycle {
		return store.MembershipCycle(field, parent, member)
	}
	if maxDepth <= 0 {
		return nil
	}
	var above, below int
	if err := w.queryRow(sqlHeightAbove, parent.Type, parent.ID, maxDepth).Scan(&above); err != nil {
		return err
	}
	if member.Type != store.SubjectUser { // a user has no members
		if err := w.queryRow(sqlHeightBelow, member.Type, member.ID, maxDepth).Scan(&below); err != nil {
			return err
		}
	}
	if above+1+below > maxDepth {
		return store.MembershipTooDeep(field, parent, member, maxDepth)
	}
	return nil
}

// RemoveMembers deletes every listed edge that exists.
func (s *Store) RemoveMembers(ctx context.Context, parent store.Subject, members []store.Subject) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(members) == 0 {
		return nil
	}
	return s.write(ctx, func(w *wtx) error {
		del, err := w.prepare(sqlDeleteMembership)
		if err != nil {
			return err
		}
		defer del.Close()
		for _, m := range members {
			if err := w.canceled(); err != nil {
				return err
			}
			rows, err := del.QueryContext(w.bg, parent.Type, parent.ID, m.Type, m.ID)
			if err != nil {
				return err
			}
			var removed []store.Membership
			for rows.Next() {
				ms, err := scanMembership(rows)
				if err != nil {
					rows.Close()
					return err
				}
				removed = append(removed, ms)
			}
			if err := rows.Err(); err != nil {
				rows.Close()
				return err
			}
			if err := rows.Close(); err != nil {
				return err
			}
			for _, ms := range removed {
				if err := w.logMembership(store.OpDelete, ms); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// ListMembers pages through the primary key from parent.
func (s *Store) ListMembers(ctx context.Context, parent store.Subject, opts store.ListOptions) (store.Page[store.Subject], error) {
	return s.listSubjects(ctx, &membersOf, store.KindMembers, parent, opts, func(m *store.Membership) store.Subject { return m.Member })
}

// ListMemberships pages through the member index from member.
func (s *Store) ListMemberships(ctx context.Context, member store.Subject, opts store.ListOptions) (store.Page[store.Subject], error) {
	return s.listSubjects(ctx, &parentsOf, store.KindMemberships, member, opts, func(m *store.Membership) store.Subject { return m.Parent })
}

func (s *Store) listSubjects(ctx context.Context, k *keyset, kind string, from store.Subject, opts store.ListOptions, pick func(*store.Membership) store.Subject) (store.Page[store.Subject], error) {
	page, err := s.listMemberships(ctx, k, kind, from.String(), []any{from.Type, from.ID}, opts, func(m *store.Membership) []string {
		sub := pick(m)
		return []string{sub.Type, sub.ID}
	})
	if err != nil {
		return store.Page[store.Subject]{}, err
	}
	out := store.Page[store.Subject]{Items: make([]store.Subject, len(page.Items)), NextPageToken: page.NextPageToken, TotalCount: page.TotalCount}
	for i := range page.Items {
		out.Items[i] = pick(&page.Items[i])
	}
	return out, nil
}

// ListAllMemberships pages through the whole primary key.
func (s *Store) ListAllMemberships(ctx context.Context, opts store.ListOptions) (store.Page[store.Membership], error) {
	return s.listMemberships(ctx, &allMemberships, store.KindAllMemberships, "", nil, opts, func(m *store.Membership) []string {
		return []string{m.Parent.Type, m.Parent.ID, m.Member.Type, m.Member.ID}
	})
}

func (s *Store) listMemberships(ctx context.Context, k *keyset, kind, scope string, args []any, opts store.ListOptions, key func(*store.Membership) []string) (store.Page[store.Membership], error) {
	var page store.Page[store.Membership]
	cur, err := opts.CursorFor(kind, scope)
	if err != nil {
		return page, err
	}
	err = s.read(ctx, func(tx rtx) error {
		page, err = listKeyset(ctx, tx, k, args, cur, kind, scope, opts.IncludeTotal, scanMembership, key)
		return err
	})
	if err != nil {
		return store.Page[store.Membership]{}, err
	}
	if page.Items == nil {
		page.Items = []store.Membership{}
	}
	return page, nil
}
