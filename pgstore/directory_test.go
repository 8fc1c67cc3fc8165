package pgstore_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// Writers that put the same new subject at once, replacing, all succeed:
// the insert of one wins and the others, after waiting for it, update the
// row it committed. The log holds one creation, then an update per other
// writer, and the entry keeps the first CreatedAt.
func TestConcurrentReplacingPutsOfOneSubject(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	u := store.Subject{Type: store.SubjectUser, ID: "u"}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	const writers = 8
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			created := at.Add(time.Duration(i) * time.Hour)
			errs[i] = s.PutDirectoryEntry(ctx, store.DirectoryEntry{Subject: u, Name: "w" + strconv.Itoa(i), CreatedAt: created, UpdatedAt: created}, true)
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "writer %d", i)
	}
	changes, err := s.Changes(ctx, 0, store.MaxChangesLimit)
	require.NoError(t, err)
	var ops []string
	for _, c := range changes {
		if c.Kind == store.KindDirectoryEntry {
			ops = append(ops, c.Op)
		}
	}
	require.Len(t, ops, writers)
	require.Equal(t, store.OpCreate, ops[0])
	for _, op := range ops[1:] {
		require.Equal(t, store.OpUpdate, op)
	}
	e, err := s.GetDirectoryEntry(ctx, u)
	require.NoError(t, err)
	first := changes[len(changes)-writers]
	require.Contains(t, string(first.Record), e.CreatedAt.Format(time.RFC3339Nano), "the creation's CreatedAt is kept")
}

// Deleting a subject while other writers grant to it, attach policies to
// it and add it to groups ends with every write done (no deadlock is left
// unretried) and the deletion's cascades recorded after it.
func TestDeleteEntryRacingWritesNamingIt(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	u := store.Subject{Type: store.SubjectUser, ID: "u"}
	require.NoError(t, s.PutDirectoryEntry(ctx, store.DirectoryEntry{Subject: u, Name: "U"}, false))
	require.NoError(t, s.CreateDataPolicy(ctx, store.DataPolicy{ID: "p", Name: "P"}, nil))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	wg.Go(func() { errs[0] = s.DeleteDirectoryEntries(ctx, []store.Subject{u}) })
	wg.Go(func() {
		errs[1] = s.AddGrants(ctx, []store.Grant{{Namespace: store.DefaultNamespace, Subject: u, ResourceCode: store.Wildcard, Action: "read", Effect: store.EffectAllow}})
	})
	wg.Go(func() { errs[2] = s.AttachDataPolicies(ctx, []store.PolicyTarget{{PolicyID: "p", Subject: u}}) })
	wg.Go(func() {
		errs[3] = s.AddMembers(ctx, store.Subject{Type: store.SubjectGroup, ID: "g"}, []store.Subject{u}, store.MembershipOptions{})
	})
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "writer %d", i)
	}
	_, err := s.GetDirectoryEntry(ctx, u)
	require.ErrorIs(t, err, store.ErrNotFound)
	changes, err := s.Changes(ctx, 0, store.MaxChangesLimit)
	require.NoError(t, err)
	// Each record naming u is either removed by the deletion (its
	// creation before the entry's deletion, its removal after) or added
	// after it and still present.
	deletedAt := -1
	for i, c := range changes {
		if c.Kind == store.KindDirectoryEntry && c.Op == store.OpDelete {
			deletedAt = i
		}
	}
	require.GreaterOrEqual(t, deletedAt, 0)
	for _, c := range changes {
		if c.Kind == store.KindDirectoryEntry || c.Kind == store.KindDataPolicy {
			continue
		}
		created, removed := -1, -1
		for j, d := range changes {
			if d.Kind == c.Kind && d.Key == c.Key {
				if d.Op == store.OpCreate {
					created = j
				} else if d.Op == store.OpDelete {
					removed = j
				}
			}
		}
		if created < deletedAt {
			require.Greater(t, removed, deletedAt, "%s %s created before the deletion is removed by it", c.Kind, c.Key)
		} else {
			require.Equal(t, -1, removed, "%s %s created after the deletion stays", c.Kind, c.Key)
		}
	}
}
