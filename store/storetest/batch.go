package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// batch checks [store.Batcher] on a store that implements it; a store
// without it skips the group (the role is optional).
//
// fn may run more than once (see Batch), so the functions below make no
// assertion that would fail on a second run, and report what they saw
// through variables checked once Batch has returned, or with assert, which
// does not stop the goroutine inside the store's transaction.
func (h harness) batch(t *testing.T) {
	if _, ok := h.newStore(t).(store.Batcher); !ok {
		t.Skip("the store does not implement store.Batcher")
	}
	t.Run("commit", h.batchCommit)
	t.Run("failure", h.batchFailure)
	t.Run("reads", h.batchReads)
	t.Run("misuse", h.batchMisuse)
}

func batcher(s store.Store) store.Batcher { return s.(store.Batcher) }

// requireSeqs checks that changes follow after with consecutive Seq.
func requireSeqs(t *testing.T, after int64, changes []store.Change) {
	t.Helper()
	for i, c := range changes {
		require.Equal(t, after+int64(i)+1, c.Seq, "change %d (%s %s %s)", i, c.Op, c.Kind, c.Key)
	}
}

func (h harness) batchCommit(t *testing.T) {
	const def = store.DefaultNamespace

	h.run(t, "writes of every kind commit together, logged after expectSeq in write order", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(def, "keep"), NewResource(def, "gone"))
		gone, err := s.GetResource(t.Context(), def, "gone")
		require.NoError(t, err)
		seq, from := lastSeq(t, s), time.Now()
		var updated store.Resource
		ctx := store.WithActor(t.Context(), "alice")
		err = batcher(s).Batch(ctx, seq, func(ctx context.Context) error {
			if err := s.CreateNamespace(ctx, newNamespace(ns2)); err != nil {
				return err
			}
			if err := s.CreateResources(ctx, []store.Resource{NewResource(ns2, "a"), NewResource(def, "b")}, store.WriteOptions{}); err != nil {
				return err
			}
			var err error
			updated, err = s.UpdateResource(store.WithActor(ctx, "bob"), def, "keep", func(r *store.Resource) error {
				r.Description = "updated in a batch"
				return nil
			})
			if err != nil {
				return err
			}
			if err := s.AddGrants(ctx, []store.Grant{grant(ns2, alice, "a", "a:read")}); err != nil {
				return err
			}
			if err := s.CreateDataResource(ctx, newTreeData(def, "org", "Org")); err != nil {
				return err
			}
			if err := s.CreateDataPolicy(ctx, newPolicy("p1", "One"), []store.PolicyRef{exactRef(def, "org", "product", "read")}); err != nil {
				return err
			}
			if err := s.DeleteResources(ctx, def, []string{"gone"}); err != nil {
				return err
			}
			return s.AddMembers(ctx, team, []store.Subject{alice}, store.MembershipOptions{})
		})
		require.NoError(t, err)
		to := time.Now()

		require.Equal(t, "updated in a batch", updated.Description)
		getNS, err := s.GetNamespace(t.Context(), ns2)
		require.NoError(t, err)
		a, err := s.GetResource(t.Context(), ns2, "a")
		require.NoError(t, err)
		b, err := s.GetResource(t.Context(), def, "b")
		require.NoError(t, err)
		keep, err := s.GetResource(t.Context(), def, "keep")
		require.NoError(t, err)
		require.Equal(t, updated, keep)
		org, err := s.GetDataResource(t.Context(), def, "org")
		require.NoError(t, err)
		p1, err := s.GetDataPolicy(t.Context(), "p1")
		require.NoError(t, err)
		_, err = s.GetResource(t.Context(), def, "gone")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.Equal(t, []store.Grant{grant(ns2, alice, "a", "a:read")}, allGrants(t, s, store.GrantFilter{Namespace: ns2}))

		want := []wantChange{
			{store.OpCreate, store.KindNamespace, ns2, ns2, "alice", getNS},
			{store.OpCreate, store.KindResource, ns2, "a", "alice", a},
			{store.OpCreate, store.KindResource, def, "b", "alice", b},
			{store.OpUpdate, store.KindResource, def, "keep", "bob", keep},
			grantChange(store.OpCreate, "alice", grant(ns2, alice, "a", "a:read")),
			{store.OpCreate, store.KindDataResource, def, "org", "alice", org},
			policyChange(store.OpCreate, "alice", p1),
			{store.OpDelete, store.KindResource, def, "gone", "alice", gone},
			membershipChange(store.OpCreate, "alice", membershipOf(t, s, team, alice)),
		}
		changes := allChanges(t, s, seq, 4)
		requireChanges(t, want, changes, from, to)
		requireSeqs(t, seq, changes)
		require.Equal(t, seq+int64(len(want)), lastSeq(t, s))
	})

	h.run(t, "an empty batch commits nothing", func(t *testing.T, s store.Store) {
		require.NoError(t, batcher(s).Batch(t.Context(), 0, func(context.Context) error { return nil }))
		require.Zero(t, lastSeq(t, s))
		createNamespaces(t, s, ns2)
		before := TakeSnapshot(t, s)
		require.NoError(t, batcher(s).Batch(t.Context(), before.LastSeq, func(context.Context) error { return nil }))
		requireUnchanged(t, s, before)
	})

	h.run(t, "a stale expectSeq is ErrConflict with Field seq, and fn is not called", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		createResources(t, s, NewResource(ns2, "a"))
		before := TakeSnapshot(t, s)
		require.Equal(t, int64(2), before.LastSeq)
		for _, expect := range []int64{0, 1, 3, 100} {
			called := false
			err := batcher(s).Batch(t.Context(), expect, func(ctx context.Context) error {
				called = true
				return s.CreateNamespace(ctx, newNamespace("other"))
			})
			se := requireDetail(t, err, store.ErrConflict)
			require.Equal(t, "seq", se.Field, "expectSeq %d", expect)
			require.False(t, called, "fn called with expectSeq %d", expect)
		}
		requireUnchanged(t, s, before)
	})

	h.run(t, "a write from another goroutine waits for the batch and is logged after it", func(t *testing.T, s store.Store) {
		seq := lastSeq(t, s)
		var (
			once  sync.Once
			done  = make(chan error, 1)
			early bool
		)
		err := batcher(s).Batch(t.Context(), seq, func(ctx context.Context) error {
			if err := s.CreateNamespace(ctx, newNamespace(ns2)); err != nil {
				return err
			}
			once.Do(func() {
				go func() {
					wctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					defer cancel()
					done <- s.CreateNamespace(wctx, newNamespace("late"))
				}()
			})
			// Time for the other write to reach the store and wait: had
			// it not waited, it would be done by now.
			time.Sleep(200 * time.Millisecond)
			select {
			case err := <-done:
				early = true
				done <- err
			default:
			}
			return s.CreateResources(ctx, []store.Resource{NewResource(ns2, "a")}, store.WriteOptions{})
		})
		require.NoError(t, err)
		require.NoError(t, <-done)
		require.False(t, early, "a write of another goroutine committed while the batch was open")
		got := changeKinds(t, s, seq)
		require.Equal(t, []string{"create namespace " + ns2, "create resource a", "create namespace late"}, got)
		requireSeqs(t, seq, allChanges(t, s, seq, 10))
	})

	h.run(t, "watchers are woken when the batch commits", func(t *testing.T, s store.Store) {
		n, ok := s.(store.ChangeNotifier)
		if !ok {
			t.Skip("the store does not implement store.ChangeNotifier")
		}
		// A store may also wake its watchers without a change (pgstore does
		// when its listener connects), so only the wake-up after the commit
		// is checked.
		ch := n.ChangesNotify()
		require.NoError(t, batcher(s).Batch(t.Context(), 0, func(ctx context.Context) error {
			return s.CreateNamespace(ctx, newNamespace(ns2))
		}))
		select {
		case <-ch:
		case <-time.After(30 * time.Second):
			t.Fatal("no wake-up after the batch committed")
		}
		require.Equal(t, []string{"create namespace " + ns2}, changeKinds(t, s, 0))
	})
}

// failingWrite is a write that fails inside a batch, after pre, writes
// that succeed; check checks its error.
type failingWrite struct {
	name  string
	pre   func(ctx context.Context, s store.Store) error
	write func(ctx context.Context, s store.Store) error
	check func(t *testing.T, err error)
}

func failingWrites() []failingWrite {
	const def = store.DefaultNamespace
	createA := func(ctx context.Context, s store.Store) error {
		return s.CreateResources(ctx, []store.Resource{NewResource(def, "a")}, store.WriteOptions{})
	}
	fnErr := errors.New("the update function failed")
	return []failingWrite{
		{
			name: "CreateResources taking a code the batch created, after a row it could insert",
			pre:  createA,
			write: func(ctx context.Context, s store.Store) error {
				return s.CreateResources(ctx, []store.Resource{NewResource(def, "c"), NewResource(def, "a")}, store.WriteOptions{})
			},
			check: func(t *testing.T, err error) {
				se := requireDetail(t, err, store.ErrConflict)
				require.Equal(t, []string{"a"}, se.Codes)
			},
		},
		{
			name: "CreateDataPolicy taking a name the batch created",
			pre: func(ctx context.Context, s store.Store) error {
				return s.CreateDataPolicy(ctx, newPolicy("p1", "One"), nil)
			},
			write: func(ctx context.Context, s store.Store) error {
				return s.CreateDataPolicy(ctx, newPolicy("p2", "One"), nil)
			},
			check: func(t *testing.T, err error) {
				se := requireDetail(t, err, store.ErrConflict)
				require.Equal(t, "policyName", se.Field)
			},
		},
		{
			name: "CreateNamespace taking a code the batch created",
			pre: func(ctx context.Context, s store.Store) error {
				return s.CreateNamespace(ctx, newNamespace(ns2))
			},
			write: func(ctx context.Context, s store.Store) error {
				return s.CreateNamespace(ctx, newNamespace(ns2))
			},
			check: func(t *testing.T, err error) { requireDetail(t, err, store.ErrConflict) },
		},
		{
			name: "DeleteResources naming a missing code after one it could delete",
			pre:  createA,
			write: func(ctx context.Context, s store.Store) error {
				return s.DeleteResources(ctx, def, []string{"a", "missing"})
			},
			check: func(t *testing.T, err error) {
				se := requireDetail(t, err, store.ErrNotFound)
				require.Equal(t, []string{"missing"}, se.Codes)
			},
		},
		{
			name: "UpdateResource of a resource the batch deleted",
			pre: func(ctx context.Context, s store.Store) error {
				return s.DeleteResources(ctx, def, []string{"old"})
			},
			write: func(ctx context.Context, s store.Store) error {
				_, err := s.UpdateResource(ctx, def, "old", func(*store.Resource) error { return nil })
				return err
			},
			check: func(t *testing.T, err error) { requireDetail(t, err, store.ErrNotFound) },
		},
		{
			name: "UpdateResource whose function fails",
			pre:  createA,
			write: func(ctx context.Context, s store.Store) error {
				_, err := s.UpdateResource(ctx, def, "a", func(r *store.Resource) error {
					r.Description = "never stored"
					return fnErr
				})
				return err
			},
			check: func(t *testing.T, err error) { require.Same(t, fnErr, err) },
		},
		{
			name: "CreateResources refused by its argument checks",
			pre:  createA,
			write: func(ctx context.Context, s store.Store) error {
				r := NewResource(def, "c")
				r.CreatedAt = store.MinTime.Add(-time.Hour)
				return s.CreateResources(ctx, []store.Resource{r}, store.WriteOptions{})
			},
			check: func(t *testing.T, err error) { requireDetail(t, err, store.ErrInvalid) },
		},
		{
			name: "AddGrants naming a missing resource after a grant it could add",
			pre:  createA,
			write: func(ctx context.Context, s store.Store) error {
				return s.AddGrants(ctx, []store.Grant{grant(def, alice, "a", "a:read"), grant(def, alice, "nothing", "nothing:read")})
			},
			check: func(t *testing.T, err error) {
				se := requireDetail(t, err, store.ErrNotFound)
				require.Equal(t, []string{"nothing"}, se.Codes)
			},
		},
	}
}

func (h harness) batchFailure(t *testing.T) {
	const def = store.DefaultNamespace
	// fixture gives the failing writes a resource "old" to delete.
	fixture := func(t *testing.T, s store.Store) int64 {
		createResources(t, s, NewResource(def, "old"))
		return lastSeq(t, s)
	}

	h.run(t, "an error from fn is returned as it is and nothing is written", func(t *testing.T, s store.Store) {
		seq := fixture(t, s)
		before := TakeSnapshot(t, s)
		stop := errors.New("stop")
		err := batcher(s).Batch(t.Context(), seq, func(ctx context.Context) error {
			if err := s.CreateNamespace(ctx, newNamespace(ns2)); err != nil {
				return err
			}
			if err := s.CreateResources(ctx, []store.Resource{NewResource(ns2, "a"), NewResource(def, "b")}, store.WriteOptions{}); err != nil {
				return err
			}
			if err := s.DeleteResources(ctx, def, []string{"old"}); err != nil {
				return err
			}
			if err := s.CreateDataResource(ctx, newStringData(def, "api", "API")); err != nil {
				return err
			}
			return stop
		})
		require.Same(t, stop, err)
		requireUnchanged(t, s, before)
	})

	h.run(t, "a failed write whose error fn returns keeps its error contract and writes nothing", func(t *testing.T, s store.Store) {
		seq := fixture(t, s)
		before := TakeSnapshot(t, s)
		for _, c := range failingWrites() {
			var werr error
			err := batcher(s).Batch(t.Context(), seq, func(ctx context.Context) error {
				if err := c.pre(ctx, s); err != nil {
					return err
				}
				werr = c.write(ctx, s)
				return werr
			})
			require.Error(t, werr, c.name)
			c.check(t, werr)
			require.Same(t, werr, err, c.name)
			requireUnchanged(t, s, before)
		}
	})

	h.run(t, "a failed write fails the batch even if fn ignores its error", func(t *testing.T, s store.Store) {
		seq := fixture(t, s)
		before := TakeSnapshot(t, s)
		for _, c := range failingWrites() {
			var werr, preErr, laterWrite, laterRead error
			err := batcher(s).Batch(t.Context(), seq, func(ctx context.Context) error {
				preErr = s.CreateNamespace(ctx, newNamespace("early"))
				if err := c.pre(ctx, s); err != nil {
					return err
				}
				werr = c.write(ctx, s)
				laterWrite = s.CreateNamespace(ctx, newNamespace("later"))
				_, laterRead = s.GetNamespace(ctx, "early")
				return nil
			})
			require.NoError(t, preErr, c.name)
			require.Error(t, werr, c.name)
			c.check(t, werr)
			require.Same(t, werr, err, "%s: Batch returns the failed write's error", c.name)
			require.Error(t, laterWrite, "%s: a write after the failed one", c.name)
			require.Error(t, laterRead, "%s: a read after the failed write", c.name)
			requireUnchanged(t, s, before)
		}
	})

	h.run(t, "a context that ends inside fn writes nothing", func(t *testing.T, s store.Store) {
		seq := fixture(t, s)
		before := TakeSnapshot(t, s)

		ctx, cancel := context.WithCancel(t.Context())
		err := batcher(s).Batch(ctx, seq, func(ctx context.Context) error {
			if err := s.CreateNamespace(ctx, newNamespace(ns2)); err != nil {
				return err
			}
			if err := s.DeleteResources(ctx, def, []string{"old"}); err != nil {
				return err
			}
			cancel()
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		requireUnchanged(t, s, before)

		ctx, cancel = context.WithCancel(t.Context())
		var afterCancel error
		err = batcher(s).Batch(ctx, seq, func(ctx context.Context) error {
			if err := s.CreateNamespace(ctx, newNamespace(ns2)); err != nil {
				return err
			}
			cancel()
			afterCancel = s.CreateResources(ctx, []store.Resource{NewResource(ns2, "a")}, store.WriteOptions{})
			return afterCancel
		})
		require.ErrorIs(t, afterCancel, context.Canceled)
		require.ErrorIs(t, err, context.Canceled)
		requireUnchanged(t, s, before)

		done, cancel := context.WithCancel(t.Context())
		cancel()
		called := false
		err = batcher(s).Batch(done, seq, func(context.Context) error {
			called = true
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		require.False(t, called, "fn called with a done context")
	})

	h.run(t, "a write whose own context ends fails the batch", func(t *testing.T, s store.Store) {
		seq := fixture(t, s)
		before := TakeSnapshot(t, s)
		var werr error
		err := batcher(s).Batch(t.Context(), seq, func(ctx context.Context) error {
			if err := s.CreateNamespace(ctx, newNamespace(ns2)); err != nil {
				return err
			}
			wctx, cancel := context.WithCancel(ctx)
			cancel()
			werr = s.CreateResources(wctx, []store.Resource{NewResource(ns2, "a")}, store.WriteOptions{})
			return nil
		})
		require.ErrorIs(t, werr, context.Canceled)
		require.Same(t, werr, err)
		requireUnchanged(t, s, before)
	})
}

func (h harness) batchReads(t *testing.T) {
	const def = store.DefaultNamespace

	h.run(t, "reads with fn's context see the batch's writes", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(def, "gone"))
		seq := lastSeq(t, s)
		err := batcher(s).Batch(t.Context(), seq, func(ctx context.Context) error {
			writes := []func() error{
				func() error { return s.CreateNamespace(ctx, newNamespace(ns2)) },
				func() error {
					return s.CreateResources(ctx, []store.Resource{NewResource(ns2, "a"), NewResource(ns2, "b")}, store.WriteOptions{})
				},
				func() error { return s.DeleteResources(ctx, def, []string{"gone"}) },
				func() error { return s.AddGrants(ctx, []store.Grant{grant(ns2, alice, "a", "a:read")}) },
				func() error { return s.CreateDataResource(ctx, newTreeData(ns2, "org", "Org")) },
				func() error { return s.CreateDataPolicy(ctx, newPolicy("p1", "One"), nil) },
				func() error { return s.AttachDataPolicies(ctx, []store.PolicyTarget{target("p1", team)}) },
				func() error { return s.AddMembers(ctx, team, []store.Subject{alice}, store.MembershipOptions{}) },
				func() error { return s.PutDirectoryEntry(ctx, directoryEntry(alice, ns2), false) },
			}
			for _, w := range writes {
				if err := w(); err != nil {
					return err
				}
			}
			// One change per record written.
			const logged = 10

			_, err := s.GetNamespace(ctx, ns2)
			assert.NoError(t, err, "GetNamespace")
			nss, err := s.ListNamespaces(ctx, store.ListOptions{})
			if assert.NoError(t, err) {
				assert.Equal(t, []string{def, ns2}, namespaceCodes(nss.Items), "ListNamespaces")
			}

			r, err := s.GetResource(ctx, ns2, "a")
			assert.NoError(t, err, "GetResource")
			assert.Equal(t, NewResource(ns2, "a"), r)
			_, err = s.GetResourceByID(ctx, ns2, "id-b")
			assert.NoError(t, err, "GetResourceByID")
			_, err = s.GetResource(ctx, def, "gone")
			assert.ErrorIs(t, err, store.ErrNotFound, "GetResource of a resource the batch deleted")
			_, err = s.GetResource(ctx, ns2, "missing")
			assert.ErrorIs(t, err, store.ErrNotFound, "GetResource of a missing resource")
			_, err = s.GetResource(ctx, "missing", "a")
			assert.ErrorIs(t, err, store.ErrNamespaceNotFound, "GetResource in a missing namespace")
			rs, err := s.ListResources(ctx, store.ResourceFilter{Namespace: ns2}, store.ListOptions{IncludeTotal: true})
			if assert.NoError(t, err, "ListResources") {
				assert.Equal(t, []string{"a", "b"}, resourceCodes(rs.Items))
				assert.Equal(t, 2, rs.TotalCount)
			}
			rs, err = s.ListResources(ctx, store.ResourceFilter{Namespace: ns2, Codes: []string{"b"}}, store.ListOptions{})
			if assert.NoError(t, err, "ListResources by code") {
				assert.Equal(t, []string{"b"}, resourceCodes(rs.Items))
			}

			d, err := s.GetDataResource(ctx, ns2, "org")
			if assert.NoError(t, err, "GetDataResource") {
				assert.Equal(t, sampleTree(), d.Struct.Tree)
			}
			_, err = s.GetDataResourceByName(ctx, ns2, "Org")
			assert.NoError(t, err, "GetDataResourceByName")
			node, err := s.GetDataTreeNode(ctx, ns2, "org", "product/design/ux")
			if assert.NoError(t, err, "GetDataTreeNode") {
				assert.Equal(t, "ux-team", node.Value)
			}
			ds, err := s.ListDataResources(ctx, store.DataResourceFilter{Namespace: ns2}, store.ListOptions{IncludeTotal: true})
			if assert.NoError(t, err, "ListDataResources") {
				assert.Equal(t, []string{"org"}, dataCodes(ds.Items))
			}

			gs, err := s.ListGrants(ctx, store.GrantFilter{Namespace: ns2}, store.ListOptions{})
			if assert.NoError(t, err, "ListGrants") {
				assert.Equal(t, []store.Grant{grant(ns2, alice, "a", "a:read")}, gs.Items)
			}
			if sc, ok := s.(store.GrantScanner); ok {
				var scanned []store.Grant
				err := sc.ScanGrants(ctx, ns2, func(g store.Grant) error {
					scanned = append(scanned, g)
					return nil
				})
				assert.NoError(t, err, "ScanGrants")
				assert.Equal(t, []store.Grant{grant(ns2, alice, "a", "a:read")}, scanned)
			}

			_, err = s.GetDataPolicy(ctx, "p1")
			assert.NoError(t, err, "GetDataPolicy")
			_, err = s.GetDataPolicyByName(ctx, "One")
			assert.NoError(t, err, "GetDataPolicyByName")
			ps, err := s.ListDataPolicies(ctx, store.DataPolicyFilter{Keyword: "one"}, store.ListOptions{})
			if assert.NoError(t, err, "ListDataPolicies") {
				assert.Len(t, ps.Items, 1)
			}
			ts, err := s.ListDataPolicyTargets(ctx, "p1", store.ListOptions{IncludeTotal: true})
			if assert.NoError(t, err, "ListDataPolicyTargets") {
				assert.Len(t, ts.Items, 1)
				assert.Equal(t, 1, ts.TotalCount)
			}

			ms, err := s.ListMembers(ctx, team, store.ListOptions{})
			if assert.NoError(t, err, "ListMembers") {
				assert.Equal(t, []store.Subject{alice}, ms.Items)
			}
			all, err := s.ListAllMemberships(ctx, store.ListOptions{IncludeTotal: true})
			if assert.NoError(t, err, "ListAllMemberships") {
				assert.Equal(t, 1, all.TotalCount)
			}

			e, err := s.GetDirectoryEntry(ctx, alice)
			if assert.NoError(t, err, "GetDirectoryEntry") {
				assert.Equal(t, ns2, e.Namespace)
			}
			es, err := s.ListDirectoryEntries(ctx, store.DirectoryFilter{Type: store.SubjectUser}, store.ListOptions{})
			if assert.NoError(t, err, "ListDirectoryEntries") {
				assert.Equal(t, []store.Subject{alice}, entrySubjects(es.Items))
			}

			last, err := s.LastSeq(ctx)
			assert.NoError(t, err, "LastSeq")
			assert.Equal(t, seq+logged, last, "LastSeq counts the batch's changes")
			changes, err := s.Changes(ctx, seq, store.MaxChangesLimit)
			if assert.NoError(t, err, "Changes") && assert.Len(t, changes, logged) {
				for i, c := range changes {
					assert.Equal(t, seq+int64(i)+1, c.Seq, "change %d", i)
				}
				assert.Equal(t, store.KindNamespace, changes[0].Kind)
				assert.Equal(t, store.KindDirectoryEntry, changes[logged-1].Kind)
			}

			// The reads above did not fail the batch: it takes more writes.
			return s.CreateResources(ctx, []store.Resource{NewResource(ns2, "c")}, store.WriteOptions{})
		})
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b", "c"}, resourceCodes(allResources(t, s, ns2)))
		changes := allChanges(t, s, seq, store.MaxChangesLimit)
		require.Len(t, changes, 11)
		requireSeqs(t, seq, changes)
	})

	h.run(t, "reads with another context do not see the batch's writes", func(t *testing.T, s store.Store) {
		createResources(t, s, NewResource(def, "gone"))
		seq := lastSeq(t, s)
		type seen struct {
			nsErr, goneErr, seqErr error
			last                   int64
		}
		var (
			once    sync.Once
			results = make(chan seen, 1)
			during  *seen
		)
		err := batcher(s).Batch(t.Context(), seq, func(ctx context.Context) error {
			if err := s.CreateNamespace(ctx, newNamespace(ns2)); err != nil {
				return err
			}
			if err := s.DeleteResources(ctx, def, []string{"gone"}); err != nil {
				return err
			}
			once.Do(func() {
				go func() {
					rctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					defer cancel()
					var r seen
					_, r.nsErr = s.GetNamespace(rctx, ns2)
					_, r.goneErr = s.GetResource(rctx, def, "gone")
					r.last, r.seqErr = s.LastSeq(rctx)
					results <- r
				}()
			})
			// A store may make readers wait for a writer (see
			// store.Batcher); only reads done while the batch is open
			// are checked.
			select {
			case r := <-results:
				during = &r
			case <-time.After(2 * time.Second):
			}
			return nil
		})
		require.NoError(t, err)
		if during == nil {
			r := <-results
			t.Logf("the store made readers wait for the batch (namespace read: %v)", r.nsErr)
			return
		}
		require.ErrorIs(t, during.nsErr, store.ErrNamespaceNotFound, "GetNamespace outside the batch")
		require.NoError(t, during.goneErr, "GetResource outside the batch")
		require.NoError(t, during.seqErr)
		require.Equal(t, seq, during.last, "LastSeq outside the batch")
	})

	h.run(t, "a read after a write sees it when the write's context is derived from fn's", func(t *testing.T, s store.Store) {
		var got store.Namespace
		var readErr error
		err := batcher(s).Batch(t.Context(), 0, func(ctx context.Context) error {
			wctx, cancel := context.WithTimeout(store.WithActor(ctx, "bob"), time.Minute)
			defer cancel()
			if err := s.CreateNamespace(wctx, newNamespace(ns2)); err != nil {
				return err
			}
			got, readErr = s.GetNamespace(wctx, ns2)
			return nil
		})
		require.NoError(t, err)
		require.NoError(t, readErr)
		require.Equal(t, ns2, got.Code)
		changes := allChanges(t, s, 0, 10)
		require.Len(t, changes, 1)
		require.Equal(t, "bob", changes[0].Actor, "the change carries the actor of the write's context")
	})
}

func (h harness) batchMisuse(t *testing.T) {
	const def = store.DefaultNamespace

	h.run(t, "Batch with fn's context is ErrInvalid and does not call its fn", func(t *testing.T, s store.Store) {
		var nested, derived error
		called := false
		err := batcher(s).Batch(t.Context(), 0, func(ctx context.Context) error {
			inner := func(context.Context) error {
				called = true
				return nil
			}
			nested = batcher(s).Batch(ctx, 0, inner)
			dctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			derived = batcher(s).Batch(dctx, 0, inner)
			return s.CreateNamespace(ctx, newNamespace(ns2))
		})
		requireDetail(t, nested, store.ErrInvalid)
		requireDetail(t, derived, store.ErrInvalid)
		require.False(t, called, "the nested batch's fn was called")
		require.NoError(t, err, "a refused nested Batch is not a write of the batch")
		_, err = s.GetNamespace(t.Context(), ns2)
		require.NoError(t, err)
	})

	h.run(t, "fn's context after Batch returned fails every method", func(t *testing.T, s store.Store) {
		var kept context.Context
		require.NoError(t, batcher(s).Batch(t.Context(), 0, func(ctx context.Context) error {
			kept = ctx
			return nil
		}))
		// ErrInvalid, unless the store ended the context.
		requireEnded := func(err error, method string) {
			t.Helper()
			if kept.Err() != nil {
				require.ErrorIs(t, err, kept.Err(), method)
				return
			}
			requireDetail(t, err, store.ErrInvalid)
		}
		requireEnded(s.CreateNamespace(kept, newNamespace(ns2)), "CreateNamespace")
		_, err := s.GetNamespace(kept, def)
		requireEnded(err, "GetNamespace")
		_, err = s.GetNamespace(t.Context(), ns2)
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
		require.Zero(t, lastSeq(t, s))
	})

	h.run(t, "Batch on a closed store is ErrClosed", func(t *testing.T, s store.Store) {
		require.NoError(t, s.Close())
		called := false
		err := batcher(s).Batch(t.Context(), 0, func(context.Context) error {
			called = true
			return nil
		})
		requireDetail(t, err, store.ErrClosed)
		require.False(t, called)
	})
}
