package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

var (
	alice = store.Subject{Type: store.SubjectUser, ID: "alice"}
	bob   = store.Subject{Type: store.SubjectUser, ID: "bob"}
	carol = store.Subject{Type: store.SubjectUser, ID: "carol"}
	dave  = store.Subject{Type: store.SubjectUser, ID: "dave"}
	erin  = store.Subject{Type: store.SubjectUser, ID: "erin"}
	team  = store.Subject{Type: store.SubjectGroup, ID: "team"}
	admin = store.Subject{Type: store.SubjectRole, ID: "admin"}
)

// stamp is a distinct time with nanoseconds for each i.
func stamp(i int) time.Time {
	return time.Date(2026, 3, 4, 5, 6, 7, 100+i, time.UTC).Add(time.Duration(i) * time.Minute)
}

func testNamespace(code string) store.Namespace {
	return store.Namespace{Code: code, Name: "Namespace " + code, CreatedAt: stamp(1), UpdatedAt: stamp(2)}
}

func testGrant(ns string, who store.Subject, code, action string) store.Grant {
	return store.Grant{Namespace: ns, Subject: who, ResourceCode: code, Action: action, Effect: store.EffectAllow, CreatedAt: stamp(3)}
}

func testData(ns, code, name string, typ store.DataType) store.DataResource {
	d := store.DataResource{
		NamespaceCode: ns, ResourceCode: code, ResourceName: name, Type: typ,
		Actions: []string{"read", "write"}, CreatedAt: stamp(4), UpdatedAt: stamp(5),
	}
	switch typ {
	case store.DataTree:
		d.Struct.Tree = store.Tree{
			{Name: "Product", Code: "product", Value: "p", Children: []store.TreeNode{
				{Name: "Design", Code: "design", Value: "d"},
			}},
			{Name: "Sales", Code: "sales", Value: "s"},
		}
	case store.DataArray:
		d.Struct.Array = []string{"one", "two"}
	default:
		d.Struct.String = "/api/" + code
	}
	return d
}

func testPolicy(id, name string) store.DataPolicy {
	return store.DataPolicy{
		ID: id, Name: name, Description: "policy " + name,
		Statements: []store.Statement{{Effect: store.EffectAllow, Permissions: []string{"default/d1/product/read"}}},
		CreatedAt:  stamp(6), UpdatedAt: stamp(7),
	}
}

func testTarget(policyID string, who store.Subject) store.PolicyTarget {
	return store.PolicyTarget{PolicyID: policyID, Subject: who, Name: "target " + who.ID, CreatedAt: stamp(8)}
}

func testEntry(who store.Subject, namespace, name string) store.DirectoryEntry {
	return store.DirectoryEntry{Subject: who, Namespace: namespace, Name: name, Attributes: []byte(`{"k":"` + name + `"}`), CreatedAt: stamp(9), UpdatedAt: stamp(10)}
}

// seeded returns a Store holding some records of every kind, linked to
// each other so that the batch's writes have cascades to make and pins to
// respect.
func seeded(t testing.TB) *memstore.Store {
	t.Helper()
	s := memstore.New()
	ctx := context.Background()
	def := store.DefaultNamespace
	require.NoError(t, s.CreateNamespace(ctx, testNamespace("ns1")))
	require.NoError(t, s.CreateNamespace(ctx, testNamespace("empty")))
	require.NoError(t, s.CreateResources(ctx, []store.Resource{
		storetest.NewResource(def, "r1"), storetest.NewResource(def, "r2"), storetest.NewResource(def, "r3"), storetest.NewResource("ns1", "q1"),
	}, store.WriteOptions{}))
	require.NoError(t, s.AddGrants(ctx, []store.Grant{
		testGrant(def, alice, "r1", "r1:read"), testGrant(def, alice, "r1", "r1:write"),
		testGrant(def, bob, "r2", "r2:read"), testGrant(def, team, "r3", store.Wildcard),
		testGrant(def, dave, "r3", "r3:read"), testGrant("ns1", alice, "q1", "q1:read"),
	}))
	require.NoError(t, s.CreateDataResource(ctx, testData(def, "d1", "Data one", store.DataTree)))
	require.NoError(t, s.CreateDataResource(ctx, testData(def, "d2", "Data two", store.DataString)))
	require.NoError(t, s.CreateDataResource(ctx, testData(def, "dx", "Data x", store.DataArray)))
	require.NoError(t, s.CreateDataPolicy(ctx, testPolicy("p1", "policy one"), []store.PolicyRef{
		{Namespace: def, ResourceCode: "d1", NodePath: "product/design", Action: "read", Exact: true},
	}))
	require.NoError(t, s.CreateDataPolicy(ctx, testPolicy("p3", "policy three"), []store.PolicyRef{
		{Namespace: "ns1", ResourceCode: "", Action: "read"},
	}))
	require.NoError(t, s.AttachDataPolicies(ctx, []store.PolicyTarget{testTarget("p1", alice), testTarget("p1", dave), testTarget("p3", team)}))
	require.NoError(t, s.AddMembers(ctx, team, []store.Subject{alice, dave}, store.MembershipOptions{}))
	require.NoError(t, s.AddMembers(ctx, admin, []store.Subject{team}, store.MembershipOptions{}))
	for _, e := range []store.DirectoryEntry{
		testEntry(alice, "", "Alice"), testEntry(dave, "", "Dave"), testEntry(team, "", "Team"), testEntry(admin, def, "Admin"),
	} {
		require.NoError(t, s.PutDirectoryEntry(ctx, e, false))
	}
	return s
}

// step is one write of the batch, with a read that checks the batch sees
// it.
type step struct {
	name string
	do   func(ctx context.Context, s *memstore.Store) error
}

// batchSteps writes every kind of record, with every kind of cascade. A
// new resource type and a new locale go through the intern table.
func batchSteps() []step {
	def := store.DefaultNamespace
	seen := func(err error, what string) error {
		if err != nil {
			return fmt.Errorf("%s is not seen inside the batch: %w", what, err)
		}
		return nil
	}
	return []step{
		{"CreateNamespace", func(ctx context.Context, s *memstore.Store) error {
			if err := s.CreateNamespace(ctx, testNamespace("batchns")); err != nil {
				return err
			}
			_, err := s.GetNamespace(ctx, "batchns")
			return seen(err, "the namespace")
		}},
		{"CreateResources", func(ctx context.Context, s *memstore.Store) error {
			n1 := storetest.NewResource(def, "new1")
			n1.Type = "BATCH_ONLY_TYPE"
			n1.Name.I18nValue = map[string]string{"de_BATCH": "Neu"}
			if err := s.CreateResources(ctx, []store.Resource{n1, storetest.NewResource("batchns", "new2")}, store.WriteOptions{}); err != nil {
				return err
			}
			_, err := s.GetResourceByID(ctx, "batchns", "id-new2")
			return seen(err, "the resource")
		}},
		{"UpdateResource", func(ctx context.Context, s *memstore.Store) error {
			// Dropping r1:write takes alice's grant of it with it.
			_, err := s.UpdateResource(ctx, def, "r1", func(r *store.Resource) error {
				r.Name.DefaultValue = "renamed r1"
				r.Name.I18nValue["fr"] = "renommée"
				r.Actions = r.Actions[:1]
				r.UpdatedAt = stamp(20)
				return nil
			})
			return err
		}},
		{"DeleteResources", func(ctx context.Context, s *memstore.Store) error {
			return s.DeleteResources(ctx, def, []string{"r2"}) // and bob's grant on it
		}},
		{"AddGrants", func(ctx context.Context, s *memstore.Store) error {
			if err := s.AddGrants(ctx, []store.Grant{testGrant(def, alice, "new1", "new1:read"), testGrant(def, bob, "r3", "r3:write")}); err != nil {
				return err
			}
			p, err := s.ListGrants(ctx, store.GrantFilter{Namespace: def, ResourceCode: "new1"}, store.ListOptions{})
			if err == nil && len(p.Items) != 1 {
				err = errors.New("no grant on new1")
			}
			return seen(err, "the grant")
		}},
		{"RevokeGrants", func(ctx context.Context, s *memstore.Store) error {
			return s.RevokeGrants(ctx, []store.Grant{testGrant("ns1", alice, "q1", "q1:read")})
		}},
		{"CreateDataResource", func(ctx context.Context, s *memstore.Store) error {
			return s.CreateDataResource(ctx, testData(def, "d3", "Data three", store.DataString))
		}},
		{"UpdateDataResource", func(ctx context.Context, s *memstore.Store) error {
			if _, err := s.UpdateDataResource(ctx, def, "d2", func(d *store.DataResource) error {
				d.ResourceName = "Data two renamed"
				d.Actions = append(d.Actions, "delete")
				d.Struct.String = "/api/changed"
				return nil
			}); err != nil {
				return err
			}
			_, err := s.GetDataResourceByName(ctx, def, "Data two renamed")
			return seen(err, "the new name")
		}},
		{"CreateDataPolicy", func(ctx context.Context, s *memstore.Store) error {
			return s.CreateDataPolicy(ctx, testPolicy("p2", "policy two"), []store.PolicyRef{
				{Namespace: def, ResourceCode: "d3", Action: "write", Exact: true},
				{Namespace: "batchns", Action: "read"},
			})
		}},
		{"UpdateDataPolicy", func(ctx context.Context, s *memstore.Store) error {
			_, err := s.UpdateDataPolicy(ctx, "p1", func(p *store.DataPolicy) ([]store.PolicyRef, error) {
				p.Name = "policy one renamed"
				p.Statements[0].Permissions = []string{"default/d2/write"}
				return []store.PolicyRef{{Namespace: def, ResourceCode: "d2", Action: "write", Exact: true}}, nil
			})
			return err
		}},
		{"DeleteDataResource", func(ctx context.Context, s *memstore.Store) error {
			// p1 no longer pins d1's node: the update above moved its ref.
			return s.DeleteDataResource(ctx, def, "d1")
		}},
		{"AttachDataPolicies", func(ctx context.Context, s *memstore.Store) error {
			return s.AttachDataPolicies(ctx, []store.PolicyTarget{testTarget("p2", bob), testTarget("p1", alice)})
		}},
		{"DetachDataPolicies", func(ctx context.Context, s *memstore.Store) error {
			return s.DetachDataPolicies(ctx, []store.PolicyTarget{testTarget("p1", alice)})
		}},
		{"AddMembers", func(ctx context.Context, s *memstore.Store) error {
			if err := s.AddMembers(ctx, team, []store.Subject{bob, erin}, store.MembershipOptions{MaxDepth: 3}); err != nil {
				return err
			}
			p, err := s.ListMemberships(ctx, erin, store.ListOptions{})
			if err == nil && len(p.Items) != 1 {
				err = errors.New("erin is in no group")
			}
			return seen(err, "the membership")
		}},
		{"RemoveMembers", func(ctx context.Context, s *memstore.Store) error {
			return s.RemoveMembers(ctx, admin, []store.Subject{team})
		}},
		{"PutDirectoryEntry", func(ctx context.Context, s *memstore.Store) error {
			return s.PutDirectoryEntry(ctx, testEntry(carol, "batchns", "Carol"), false)
		}},
		{"PutDirectoryEntry replace", func(ctx context.Context, s *memstore.Store) error {
			return s.PutDirectoryEntry(ctx, testEntry(alice, "", "Alice Again"), true)
		}},
		{"DeleteDirectoryEntries", func(ctx context.Context, s *memstore.Store) error {
			// dave's membership of team, grant on r3 and target of p1 go too.
			return s.DeleteDirectoryEntries(ctx, []store.Subject{dave})
		}},
		{"UpdateNamespace", func(ctx context.Context, s *memstore.Store) error {
			_, err := s.UpdateNamespace(ctx, "ns1", func(ns *store.Namespace) error {
				ns.Description = "changed in a batch"
				ns.UpdatedAt = stamp(21)
				return nil
			})
			return err
		}},
		{"DeleteDataPolicy", func(ctx context.Context, s *memstore.Store) error {
			return s.DeleteDataPolicy(ctx, "p3") // with its target
		}},
		{"DeleteNamespace", func(ctx context.Context, s *memstore.Store) error {
			return s.DeleteNamespace(ctx, "empty")
		}},
		{"CreateNamespace again", func(ctx context.Context, s *memstore.Store) error {
			ns := testNamespace("empty")
			ns.Name = "Recreated"
			return s.CreateNamespace(ctx, ns)
		}},
		{"PruneChanges", func(ctx context.Context, s *memstore.Store) error {
			return s.PruneChanges(ctx, 5)
		}},
	}
}

// observed is everything a caller can read of a Store: every listing,
// point lookups by ID and by name (which have indexes of their own),
// including keys that only the batch writes, and the whole change log.
type observed struct {
	Snapshot storetest.Snapshot
	Lookups  []string
	Changes  []store.Change
	ChangesE string
}

func observe(t *testing.T, s *memstore.Store) observed {
	t.Helper()
	ctx := context.Background()
	o := observed{Snapshot: storetest.TakeSnapshot(t, s)}
	look := func(what string, v any, err error) {
		o.Lookups = append(o.Lookups, fmt.Sprintf("%s: %+v %v", what, v, err))
	}
	namespaces := []string{store.DefaultNamespace, "ns1", "empty", "batchns"}
	for _, ns := range namespaces {
		for _, id := range []string{"id-r1", "id-r2", "id-r3", "id-q1", "id-new1", "id-new2"} {
			r, err := s.GetResourceByID(ctx, ns, id)
			look("resource "+ns+"/"+id, r, err)
		}
		for _, name := range []string{"Data one", "Data two", "Data two renamed", "Data three", "Data x"} {
			d, err := s.GetDataResourceByName(ctx, ns, name)
			look("data "+ns+"/"+name, d, err)
		}
		node, err := s.GetDataTreeNode(ctx, ns, "d1", "product/design")
		look("node "+ns, node, err)
	}
	for _, id := range []string{"p1", "p2", "p3"} {
		p, err := s.GetDataPolicy(ctx, id)
		look("policy "+id, p, err)
		targets, err := s.ListDataPolicyTargets(ctx, id, store.ListOptions{IncludeTotal: true})
		look("targets "+id, targets, err)
	}
	for _, name := range []string{"policy one", "policy one renamed", "policy two", "policy three"} {
		p, err := s.GetDataPolicyByName(ctx, name)
		look("policy named "+name, p, err)
	}
	for _, who := range []store.Subject{alice, bob, carol, dave, erin, team, admin} {
		e, err := s.GetDirectoryEntry(ctx, who)
		look("entry "+who.String(), e, err)
		members, err := s.ListMembers(ctx, who, store.ListOptions{})
		look("members "+who.String(), members, err)
		parents, err := s.ListMemberships(ctx, who, store.ListOptions{})
		look("memberships "+who.String(), parents, err)
	}
	for since := int64(0); ; {
		page, err := s.Changes(ctx, since, store.MaxChangesLimit)
		if err != nil {
			o.ChangesE = err.Error()
			break
		}
		if len(page) == 0 {
			break
		}
		o.Changes = append(o.Changes, page...)
		since = page[len(page)-1].Seq
	}
	return o
}

var errStop = errors.New("stop here")

// TestBatchCommitsEveryWrite runs every step in one batch: all are kept,
// their changes follow each other from the expected Seq on, and the
// watchers are woken once it commits, not before.
func TestBatchCommitsEveryWrite(t *testing.T) {
	s := seeded(t)
	ctx := t.Context()
	last, err := s.LastSeq(ctx)
	require.NoError(t, err)
	wake := s.ChangesNotify()
	steps := batchSteps()
	require.NoError(t, s.Batch(ctx, last, func(ctx context.Context) error {
		for _, st := range steps {
			if err := st.do(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
			select {
			case <-wake:
				return errors.New("watchers woken before the commit, after " + st.name)
			default:
			}
		}
		return nil
	}))
	select {
	case <-wake:
	default:
		t.Fatal("the commit woke no watcher")
	}
	require.NoError(t, memstore.CheckIndexes(s))

	changes, err := s.Changes(ctx, last, store.MaxChangesLimit)
	require.NoError(t, err)
	require.NotEmpty(t, changes)
	for i, c := range changes {
		require.Equal(t, last+int64(i)+1, c.Seq, "change %d", i)
	}
	newLast, err := s.LastSeq(ctx)
	require.NoError(t, err)
	require.Equal(t, changes[len(changes)-1].Seq, newLast)

	// Spot checks of the cascades and of each kind.
	_, err = s.GetResource(ctx, store.DefaultNamespace, "r2")
	require.ErrorIs(t, err, store.ErrNotFound)
	grants, err := s.ListGrants(ctx, store.GrantFilter{Namespace: store.DefaultNamespace, Subject: &alice}, store.ListOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"new1:read", "r1:read"}, grantActions(grants.Items), "r1:write went with the action")
	r1, err := s.GetResource(ctx, store.DefaultNamespace, "r1")
	require.NoError(t, err)
	require.Equal(t, "renamed r1", r1.Name.DefaultValue)
	_, err = s.GetDataResourceByName(ctx, store.DefaultNamespace, "Data two")
	require.ErrorIs(t, err, store.ErrNotFound)
	parents, err := s.ListMemberships(ctx, dave, store.ListOptions{})
	require.NoError(t, err)
	require.Empty(t, parents.Items)
	recreated, err := s.GetNamespace(ctx, "empty")
	require.NoError(t, err)
	require.Equal(t, "Recreated", recreated.Name)
	_, err = s.Changes(ctx, 0, 1)
	require.ErrorIs(t, err, store.ErrChangesPruned, "the batch's prune is kept")
	targets, err := s.ListDataPolicyTargets(ctx, "p2", store.ListOptions{})
	require.NoError(t, err)
	require.Len(t, targets.Items, 1)
}

func grantActions(gs []store.Grant) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.Action
	}
	slices.Sort(out)
	return out
}

// TestBatchFailureLeavesNoTrace fails the batch after each number of writes
// in turn: the Store reads exactly as before, listings, lookups and change
// log alike, and its indexes are as they were, down to the intern table.
func TestBatchFailureLeavesNoTrace(t *testing.T) {
	steps := batchSteps()
	for fail := 0; fail <= len(steps); fail++ {
		name := "before any write"
		if fail > 0 {
			name = "after " + steps[fail-1].name
		}
		t.Run(strconv.Itoa(fail)+" "+name, func(t *testing.T) {
			s := seeded(t)
			ctx := t.Context()
			before, dump := observe(t, s), memstore.DumpState(s)
			last := before.Snapshot.LastSeq
			wake := s.ChangesNotify()
			err := s.Batch(ctx, last, func(ctx context.Context) error {
				for _, st := range steps[:fail] {
					if err := st.do(ctx, s); err != nil {
						return fmt.Errorf("%s: %w", st.name, err)
					}
				}
				return errStop
			})
			require.ErrorIs(t, err, errStop)
			require.Equal(t, before, observe(t, s))
			require.Equal(t, dump, memstore.DumpState(s))
			require.NoError(t, memstore.CheckIndexes(s))
			select {
			case <-wake:
				t.Fatal("a rolled-back batch woke the watchers")
			default:
			}

			// The Store carries on: the same batch now commits from the
			// same Seq.
			require.NoError(t, s.Batch(ctx, last, func(ctx context.Context) error {
				for _, st := range steps {
					if err := st.do(ctx, s); err != nil {
						return fmt.Errorf("%s: %w", st.name, err)
					}
				}
				return nil
			}))
			require.NoError(t, memstore.CheckIndexes(s))
		})
	}
}

// TestBatchRefusedWriteFailsTheBatch: a write refused inside a batch fails
// the whole batch, even when fn ignores its error, and the calls fn makes
// after it fail with the same error.
func TestBatchRefusedWriteFailsTheBatch(t *testing.T) {
	s := seeded(t)
	ctx := t.Context()
	before := memstore.DumpState(s)
	last, err := s.LastSeq(ctx)
	require.NoError(t, err)
	var refused, after error
	err = s.Batch(ctx, last, func(ctx context.Context) error {
		if err := s.CreateNamespace(ctx, testNamespace("kept")); err != nil {
			return err
		}
		refused = s.CreateResources(ctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "fresh"), storetest.NewResource(store.DefaultNamespace, "r1")}, store.WriteOptions{})
		_, after = s.GetNamespace(ctx, "kept")
		return nil // the refusal is ignored
	})
	require.ErrorIs(t, refused, store.ErrConflict)
	require.Equal(t, refused, err, "Batch returns the refused write's error")
	require.Equal(t, refused, after, "a read after the refusal fails with it")
	require.Equal(t, before, memstore.DumpState(s))
	seq, err := s.LastSeq(ctx)
	require.NoError(t, err)
	require.Equal(t, last, seq)
	require.NoError(t, memstore.CheckIndexes(s))
}

// TestBatchContextEnds: a context that ends while fn runs writes nothing,
// and one that has ended already does not even call fn.
func TestBatchContextEnds(t *testing.T) {
	s := seeded(t)
	before := observe(t, s)
	last := before.Snapshot.LastSeq

	ctx, cancel := context.WithCancel(t.Context())
	err := s.Batch(ctx, last, func(ctx context.Context) error {
		for _, st := range batchSteps()[:5] {
			if err := st.do(ctx, s); err != nil {
				return err
			}
		}
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, before, observe(t, s))

	called := false
	err = s.Batch(ctx, last, func(context.Context) error { called = true; return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, called)

	deadline, stop := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer stop()
	err = s.Batch(deadline, last, func(ctx context.Context) error {
		if err := s.CreateNamespace(ctx, testNamespace("late")); err != nil {
			return err
		}
		<-ctx.Done()
		return nil
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, before, observe(t, s))
}

// TestBatchStaleSeq: a batch made against an older (or newer) state of the
// log is refused before fn runs.
func TestBatchStaleSeq(t *testing.T) {
	s := seeded(t)
	ctx := t.Context()
	last, err := s.LastSeq(ctx)
	require.NoError(t, err)
	for _, expect := range []int64{last - 1, last + 1, 0} {
		called := false
		err := s.Batch(ctx, expect, func(context.Context) error { called = true; return nil })
		require.ErrorIs(t, err, store.ErrConflict)
		var detail *store.Error
		require.ErrorAs(t, err, &detail)
		require.Equal(t, "seq", detail.Field)
		require.False(t, called, "fn called for expectSeq %d", expect)
	}
	now, err := s.LastSeq(ctx)
	require.NoError(t, err)
	require.Equal(t, last, now)
}

// TestBatchReadsSeeItsWrites: reads with fn's context see the batch's
// writes so far, the change log included.
func TestBatchReadsSeeItsWrites(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	require.NoError(t, s.Batch(ctx, 0, func(ctx context.Context) error {
		require.NoError(t, s.CreateNamespace(ctx, testNamespace("a")))
		require.NoError(t, s.CreateResources(ctx, []store.Resource{storetest.NewResource("a", "x")}, store.WriteOptions{}))
		page, err := s.ListResources(ctx, store.ResourceFilter{Namespace: "a"}, store.ListOptions{IncludeTotal: true})
		require.NoError(t, err)
		require.Equal(t, 1, page.TotalCount)
		last, err := s.LastSeq(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(2), last)
		changes, err := s.Changes(ctx, 0, 10)
		require.NoError(t, err)
		require.Len(t, changes, 2)
		require.Equal(t, store.KindResource, changes[1].Kind)
		// A grant checks the resource the batch has just created.
		return s.AddGrants(ctx, []store.Grant{testGrant("a", alice, "x", "x:read")})
	}))
	last, err := s.LastSeq(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(3), last)
}

// TestBatchHoldsOtherCallersOff: a writer and a reader that start while a
// batch runs wait for it; the writer's change comes after the batch's, and
// the reader sees all of the batch.
func TestBatchHoldsOtherCallersOff(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	var wg sync.WaitGroup
	wrote := make(chan error, 1)
	read := make(chan int, 1)
	require.NoError(t, s.Batch(ctx, 0, func(bctx context.Context) error {
		require.NoError(t, s.CreateNamespace(bctx, testNamespace("a")))
		wg.Go(func() {
			wrote <- s.CreateResources(ctx, []store.Resource{storetest.NewResource("a", "outside")}, store.WriteOptions{})
		})
		wg.Go(func() {
			page, err := s.ListNamespaces(ctx, store.ListOptions{IncludeTotal: true})
			if err != nil {
				read <- -1
				return
			}
			read <- page.TotalCount
		})
		// Give both time to reach the lock; they must still be waiting.
		time.Sleep(20 * time.Millisecond)
		select {
		case err := <-wrote:
			return fmt.Errorf("a writer went through during the batch: %v", err)
		case n := <-read:
			return fmt.Errorf("a reader went through during the batch, saw %d namespaces", n)
		default:
		}
		require.NoError(t, s.CreateNamespace(bctx, testNamespace("b")))
		return nil
	}))
	wg.Wait()
	require.NoError(t, <-wrote)
	require.Equal(t, 3, <-read, "default, a and b: all of the batch or none, and it ran first")
	changes, err := s.Changes(ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, changes, 3)
	require.Equal(t, []string{"a", "b", "outside"}, []string{changes[0].Key, changes[1].Key, changes[2].Key})
}

// TestBatchContextAfterwards: the context of a batch that has ended fails
// every method with ErrInvalid, Batch included, and changes nothing.
func TestBatchContextAfterwards(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	var kept context.Context
	require.NoError(t, s.Batch(ctx, 0, func(bctx context.Context) error {
		kept = bctx
		return s.CreateNamespace(bctx, testNamespace("a"))
	}))
	require.ErrorIs(t, s.CreateNamespace(kept, testNamespace("b")), store.ErrInvalid)
	_, err := s.GetNamespace(kept, "a")
	require.ErrorIs(t, err, store.ErrInvalid)
	require.ErrorIs(t, s.Batch(kept, 1, func(context.Context) error { return nil }), store.ErrInvalid)

	// While a later batch runs, the old context is refused, not joined.
	require.NoError(t, s.Batch(ctx, 1, func(bctx context.Context) error {
		if err := s.CreateNamespace(kept, testNamespace("c")); !errors.Is(err, store.ErrInvalid) {
			return fmt.Errorf("the old batch context was not refused: %v", err)
		}
		return s.CreateNamespace(bctx, testNamespace("d"))
	}))
	changes, err := s.Changes(ctx, 0, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "d"}, []string{changes[0].Key, changes[1].Key})
	require.Len(t, changes, 2)
}

// TestBatchDoesNotNest: Batch with fn's context is refused, and the outer
// batch goes on.
func TestBatchDoesNotNest(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	require.NoError(t, s.Batch(ctx, 0, func(bctx context.Context) error {
		require.NoError(t, s.CreateNamespace(bctx, testNamespace("a")))
		called := false
		err := s.Batch(bctx, 1, func(context.Context) error { called = true; return nil })
		require.ErrorIs(t, err, store.ErrInvalid)
		require.False(t, called)
		derived, cancel := context.WithCancel(bctx)
		defer cancel()
		require.ErrorIs(t, s.Batch(derived, 1, func(context.Context) error { return nil }), store.ErrInvalid)
		// A derived context still joins the batch.
		return s.CreateNamespace(derived, testNamespace("b"))
	}))
	last, err := s.LastSeq(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), last)
}

// TestBatchOfTwoStores: one Store's batch context is an ordinary context to
// another Store, even inside that Store's own batch.
func TestBatchOfTwoStores(t *testing.T) {
	a, b := memstore.New(), memstore.New()
	ctx := t.Context()
	require.NoError(t, a.Batch(ctx, 0, func(actx context.Context) error {
		return b.Batch(actx, 0, func(bctx context.Context) error {
			if err := b.CreateNamespace(bctx, testNamespace("in-b")); err != nil {
				return err
			}
			return a.CreateNamespace(bctx, testNamespace("in-a"))
		})
	}))
	for _, s := range []*memstore.Store{a, b} {
		last, err := s.LastSeq(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(1), last)
	}
}

// TestBatchPanics: a panic in fn undoes the batch and unlocks the Store.
func TestBatchPanics(t *testing.T) {
	s := seeded(t)
	before := observe(t, s)
	require.PanicsWithValue(t, "boom", func() {
		_ = s.Batch(t.Context(), before.Snapshot.LastSeq, func(ctx context.Context) error {
			for _, st := range batchSteps() {
				if err := st.do(ctx, s); err != nil {
					return err
				}
			}
			panic("boom")
		})
	})
	require.Equal(t, before, observe(t, s))
	require.NoError(t, s.CreateNamespace(t.Context(), testNamespace("after")))
}

// TestBatchClosed: a closed Store refuses a batch; one closed while a batch
// runs refuses the batch's further writes and its commit, and Close waits
// for the batch to end.
func TestBatchClosed(t *testing.T) {
	s := memstore.New()
	require.NoError(t, s.Close())
	called := false
	err := s.Batch(t.Context(), 0, func(context.Context) error { called = true; return nil })
	require.ErrorIs(t, err, store.ErrClosed)
	require.False(t, called)

	s = memstore.New()
	closed := make(chan error, 1)
	err = s.Batch(t.Context(), 0, func(ctx context.Context) error {
		if err := s.CreateNamespace(ctx, testNamespace("a")); err != nil {
			return err
		}
		go func() { closed <- s.Close() }()
		for {
			err := s.CreateNamespace(ctx, testNamespace("b"))
			if errors.Is(err, store.ErrClosed) {
				_, err := s.LastSeq(ctx)
				require.ErrorIs(t, err, store.ErrClosed, "a read in the batch sees the Store closed too")
				break
			}
			if err != nil {
				return err
			}
			require.NoError(t, s.DeleteNamespace(ctx, "b"))
			time.Sleep(time.Millisecond)
		}
		select {
		case <-closed:
			return errors.New("Close returned while the batch ran")
		default:
		}
		return nil
	})
	require.ErrorIs(t, err, store.ErrClosed)
	require.NoError(t, <-closed)
	_, err = s.LastSeq(t.Context())
	require.ErrorIs(t, err, store.ErrClosed)
}

// TestBatchBusy: a batch that cannot get the lock before its deadline
// returns ErrBusy.
func TestBatchBusy(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	release := make(chan struct{})
	started := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.Batch(ctx, 0, func(context.Context) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	err := s.Batch(short, 0, func(context.Context) error { return nil })
	require.ErrorIs(t, err, store.ErrBusy)
	close(release)
	require.NoError(t, <-first)
}

// BenchmarkBatch measures a batch of one write on a Store of 100,000
// resources with a grant each, against the same write on its own: the
// batch's own cost does not grow with the Store. Every committed write adds
// to the change log, so a fixed count (-benchtime 20000x) keeps the log
// from growing with the machine's speed.
func BenchmarkBatch(b *testing.B) {
	s := memstore.New()
	ctx := context.Background()
	const n = 100_000
	resources := make([]store.Resource, n)
	grants := make([]store.Grant, n)
	for i := range resources {
		code := "res" + strconv.Itoa(i)
		resources[i] = storetest.NewResource(store.DefaultNamespace, code)
		grants[i] = testGrant(store.DefaultNamespace, alice, code, code+":read")
	}
	require.NoError(b, s.CreateResources(ctx, resources, store.WriteOptions{}))
	require.NoError(b, s.AddGrants(ctx, grants))
	flip := false
	update := func(ctx context.Context) error {
		flip = !flip
		_, err := s.UpdateNamespace(ctx, store.DefaultNamespace, func(ns *store.Namespace) error {
			ns.Description = strconv.FormatBool(flip)
			return nil
		})
		return err
	}
	seq := func() int64 {
		last, err := s.LastSeq(ctx)
		require.NoError(b, err)
		return last
	}
	b.Run("write alone", func(b *testing.B) {
		for b.Loop() {
			if err := update(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("committed batch", func(b *testing.B) {
		last := seq()
		for b.Loop() {
			if err := s.Batch(ctx, last, update); err != nil {
				b.Fatal(err)
			}
			last++
		}
	})
	b.Run("rolled-back batch", func(b *testing.B) {
		last := seq()
		for b.Loop() {
			err := s.Batch(ctx, last, func(ctx context.Context) error {
				if err := update(ctx); err != nil {
					return err
				}
				return errStop
			})
			if !errors.Is(err, errStop) {
				b.Fatal(err)
			}
		}
	})
	b.Run("rolled-back cascade", func(b *testing.B) {
		// A delete of a resource and its grant, undone.
		last := seq()
		for b.Loop() {
			err := s.Batch(ctx, last, func(ctx context.Context) error {
				if err := s.DeleteResources(ctx, store.DefaultNamespace, []string{"res500"}); err != nil {
					return err
				}
				return errStop
			})
			if !errors.Is(err, errStop) {
				b.Fatal(err)
			}
		}
	})
}
