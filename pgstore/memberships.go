package pgstore

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

const (
	sqlMembershipCols   = `parent_type, parent_id, member_type, member_id, created_at`
	sqlInsertMembership = `INSERT INTO {s}resreg_memberships (` + sqlMembershipCols + `) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`
	sqlRemoveMembers    = `DELETE FROM {s}resreg_memberships AS m USING unnest($3::text[], $4::text[]) AS r(t, i)
		WHERE m.parent_type = $1 AND m.parent_id = $2 AND m.member_type = r.t AND m.member_id = r.i RETURNING ` +
		`m.parent_type, m.parent_id, m.member_type, m.member_id, m.created_at`
	// sqlEdgeCheck answers, for the edge parent ($1, $2) <- member ($3,
	// $4), in one round trip: whether it exists, whether member is parent
	// or one of its ancestors (a cycle), and the longest chains above
	// parent and below member, counted up to the caps $5 and $6 (the
	// caller only needs to know whether a chain would pass the limit). The
	// cycle walk (anc) has no cap and visits each ancestor once. UNION visits each
	// (subject, depth) once, so the walks are bounded.
	sqlEdgeCheck = `WITH RECURSIVE
		anc(t, i) AS (
			SELECT $1::text COLLATE "C", $2::text COLLATE "C"
			UNION
			SELECT m.parent_type, m.parent_id FROM anc JOIN {s}resreg_memberships AS m ON m.member_type = anc.t AND m.member_id = anc.i),
		up(t, i, d) AS (
			SELECT $1::text COLLATE "C", $2::text COLLATE "C", 0
			UNION
			SELECT m.parent_type, m.parent_id, up.d + 1 FROM up JOIN {s}resreg_memberships AS m ON m.member_type = up.t AND m.member_id = up.i
			WHERE up.d < $5),
		down(t, i, d) AS (
			SELECT $3::text COLLATE "C", $4::text COLLATE "C", 0
			UNION
			SELECT m.member_type, m.member_id, down.d + 1 FROM down JOIN {s}resreg_memberships AS m ON m.parent_type = down.t AND m.parent_id = down.i
			WHERE down.d < $6)
		SELECT EXISTS (SELECT 1 FROM {s}resreg_memberships WHERE parent_type = $1 AND parent_id = $2 AND member_type = $3 AND member_id = $4),
			EXISTS (SELECT 1 FROM anc WHERE t = $3 AND i = $4),
			(SELECT max(d) FROM up), (SELECT max(d) FROM down)`
)

type membershipQueries struct {
	insertMembership, removeMembers, edgeCheck string
	membersOf, parentsOf, allMemberships       keyset
}

func newMembershipQueries(q func(string) string) membershipQueries {
	return membershipQueries{
		insertMembership: q(sqlInsertMembership), removeMembers: q(sqlRemoveMembers), edgeCheck: q(sqlEdgeCheck),
		membersOf: newKeyset(q, "resreg_memberships", sqlMembershipCols, []string{"parent_type", "parent_id"},
			[]string{"member_type", "member_id"}),
		parentsOf: newKeyset(q, "resreg_memberships", sqlMembershipCols, []string{"member_type", "member_id"},
			[]string{"parent_type", "parent_id"}),
		allMemberships: newKeyset(q, "resreg_memberships", sqlMembershipCols, nil,
			[]string{"parent_type", "parent_id", "member_type", "member_id"}),
	}
}

func scanMembership(row pgx.Row) (store.Membership, error) {
	var m store.Membership
	var created *int64
	if err := row.Scan(&m.Parent.Type, &m.Parent.ID, &m.Member.Type, &m.Member.ID, &created); err != nil {
		return store.Membership{}, err
	}
	m.CreatedAt = decodeTime(created)
	return m, nil
}

// lockMemberships takes the 'memberships' counter row for the rest of the
// write. Every write of the graph takes it first, so a cycle or depth check
// sees a graph that no other transaction changes before this one commits:
// two edges that are each allowed but together close a cycle cannot both
// be added. Reads do not take it.
func (s *Store) lockMemberships(ctx context.Context, tx *wtx) error {
	var v int64
	return tx.QueryRow(ctx, s.q.changes.lockMembers).Scan(&v)
}

// AddMembers adds the edges one by one, each checked against the graph as
// the previous ones left it, under the membership lock.
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
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if err := s.lockMemberships(ctx, tx); err != nil {
			return err
		}
		now := normTime(time.Now())
		maxDepth := opts.MaxDepth
		// Without a depth limit the height walks stay where they start.
		up, down := max(maxDepth, 0), max(maxDepth, 0)
		for i, m := range members {
			if err := ctx.Err(); err != nil {
				return err
			}
			field := "members[" + strconv.Itoa(i) + "]"
			if m == parent {
				return store.MemberIsParent(field, m)
			}
			var present, cycle bool
			var above, below *int
			if err := tx.QueryRow(ctx, s.q.perm.edgeCheck, parent.Type, parent.ID, m.Type, m.ID, up, down).Scan(&present, &cycle, &above, &below); err != nil {
				return err
			}
			if present {
				continue
			}
			if cycle {
				return store.MembershipCycle(field, parent, m)
			}
			if maxDepth > 0 && deref(above)+1+deref(below) > maxDepth {
				return store.MembershipTooDeep(field, parent, m, maxDepth)
			}
			if _, err := tx.Exec(ctx, s.q.perm.insertMembership, parent.Type, parent.ID, m.Type, m.ID, encodeTime(now)); err != nil {
				return err
			}
			if err := tx.logMembership(store.OpCreate, store.Membership{Parent: parent, Member: m, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// RemoveMembers deletes every listed edge that exists with one statement,
// recording the removals in the order the members were given.
func (s *Store) RemoveMembers(ctx context.Context, parent store.Subject, members []store.Subject) (err error) {
	defer s.failBatch(ctx, &err)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(members) == 0 {
		return nil
	}
	types, ids := make([]string, len(members)), make([]string, len(members))
	for i, m := range members {
		types[i], ids[i] = m.Type, m.ID
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if err := s.lockMemberships(ctx, tx); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, s.q.perm.removeMembers, parent.Type, parent.ID, types, ids)
		if err != nil {
			return err
		}
		removed, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Membership, error) { return scanMembership(r) })
		if err != nil {
			return err
		}
		gone := make(map[store.Subject]store.Membership, len(removed))
		for _, m := range removed {
			gone[m.Member] = m
		}
		for _, m := range members {
			if r, ok := gone[m]; ok {
				delete(gone, m)
				if err := tx.logMembership(store.OpDelete, r); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// ListMembers pages through the primary key from parent.
func (s *Store) ListMembers(ctx context.Context, parent store.Subject, opts store.ListOptions) (store.Page[store.Subject], error) {
	return s.listSubjects(ctx, &s.q.perm.membersOf, store.KindMembers, parent, opts, func(m *store.Membership) store.Subject { return m.Member })
}

// ListMemberships pages through the member index from member.
func (s *Store) ListMemberships(ctx context.Context, member store.Subject, opts store.ListOptions) (store.Page[store.Subject], error) {
	return s.listSubjects(ctx, &s.q.perm.parentsOf, store.KindMemberships, member, opts, func(m *store.Membership) store.Subject { return m.Parent })
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
	return s.listMemberships(ctx, &s.q.perm.allMemberships, store.KindAllMemberships, "", nil, opts, func(m *store.Membership) []string {
		return []string{m.Parent.Type, m.Parent.ID, m.Member.Type, m.Member.ID}
	})
}

func (s *Store) listMemberships(ctx context.Context, k *keyset, kind, scope string, args []any, opts store.ListOptions, key func(*store.Membership) []string) (store.Page[store.Membership], error) {
	cur, err := opts.CursorFor(kind, scope)
	if err != nil {
		return store.Page[store.Membership]{}, err
	}
	var page store.Page[store.Membership]
	err = s.read(ctx, func(ctx context.Context) error {
		page, err = listKeyset(ctx, s, k, args, cur, kind, scope, opts.IncludeTotal, scanMembership, key)
		return err
	})
	if err != nil {
		return store.Page[store.Membership]{}, err
	}
	return page, nil
}
