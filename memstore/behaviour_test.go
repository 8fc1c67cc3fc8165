package memstore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

func TestDefaultNamespaceIsPermanent(t *testing.T) {
	s := memstore.New()
	ns, err := s.GetNamespace(t.Context(), store.DefaultNamespace)
	require.NoError(t, err)
	require.Equal(t, store.DefaultNamespace, ns.Code)
	require.ErrorIs(t, s.DeleteNamespace(t.Context(), store.DefaultNamespace), store.ErrInvalid)
}

func TestResourceRoundTrip(t *testing.T) {
	s := memstore.New()
	in := storetest.NewResource(store.DefaultNamespace, "ecs")
	in.CreatedAt = in.CreatedAt.In(time.FixedZone("CET", 3600))
	require.NoError(t, s.CreateResources(t.Context(), []store.Resource{in}, store.WriteOptions{}))

	want := storetest.NewResource(store.DefaultNamespace, "ecs")
	got, err := s.GetResource(t.Context(), store.DefaultNamespace, "ecs")
	require.NoError(t, err)
	require.Equal(t, want, got, "times come back in UTC")
	got, err = s.GetResourceByID(t.Context(), store.DefaultNamespace, "id-ecs")
	require.NoError(t, err)
	require.Equal(t, want, got)

	// Neither the input nor an output shares memory with the store.
	in.Actions[0].Name = "changed"
	in.Name.I18nValue["fr"] = "changed"
	got.Actions[1].Name = "changed"
	got.Name.I18nValue["zh_CN"] = "changed"
	again, err := s.GetResource(t.Context(), store.DefaultNamespace, "ecs")
	require.NoError(t, err)
	require.Equal(t, want, again)
}

func TestBatchReportsEveryConflictSorted(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	require.NoError(t, s.CreateResources(ctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "b")}, store.WriteOptions{}))

	clash := storetest.NewResource(store.DefaultNamespace, "c")
	clash.ID = "id-b" // taken ID under a free code
	batch := []store.Resource{
		storetest.NewResource(store.DefaultNamespace, "z"),
		storetest.NewResource(store.DefaultNamespace, "b"), // taken code
		clash,
		storetest.NewResource(store.DefaultNamespace, "a"),
		storetest.NewResource(store.DefaultNamespace, "a"), // repeated in the batch
	}
	err := s.CreateResources(ctx, batch, store.WriteOptions{})
	var se *store.Error
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, store.ErrConflict)
	require.Equal(t, []string{"a", "b", "c"}, se.Codes)

	_, err = s.GetResource(ctx, store.DefaultNamespace, "z")
	require.ErrorIs(t, err, store.ErrNotFound, "a failed batch writes nothing")
}

func TestBatchErrorOrder(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	require.NoError(t, s.CreateResources(ctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "a")}, store.WriteOptions{}))
	limit := store.WriteOptions{MaxResourcesPerNamespace: 1}

	err := s.CreateResources(ctx, []store.Resource{
		storetest.NewResource(store.DefaultNamespace, "a"),
		storetest.NewResource("missing", "x"),
	}, limit)
	require.ErrorIs(t, err, store.ErrNamespaceNotFound, "a missing namespace comes before a conflict")

	err = s.CreateResources(ctx, []store.Resource{
		storetest.NewResource(store.DefaultNamespace, "a"),
		storetest.NewResource(store.DefaultNamespace, "b"),
	}, limit)
	require.ErrorIs(t, err, store.ErrConflict, "a conflict comes before the quota")

	err = s.CreateResources(ctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "b")}, limit)
	require.ErrorIs(t, err, store.ErrLimitExceeded)
}

func TestUpdateKeepsKeysAndDiscardsOnError(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	require.NoError(t, s.CreateResources(ctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "a")}, store.WriteOptions{}))

	boom := errors.New("boom")
	_, err := s.UpdateResource(ctx, store.DefaultNamespace, "a", func(r *store.Resource) error {
		r.Description = "half-done"
		return boom
	})
	require.Equal(t, boom, err, "the function's error is returned as it is")

	later := storetest.NewResource("", "").UpdatedAt.Add(time.Hour)
	got, err := s.UpdateResource(ctx, store.DefaultNamespace, "a", func(r *store.Resource) error {
		r.Code, r.ID, r.Namespace, r.CreatedAt = "other", "other-id", "elsewhere", later
		r.Description = "updated"
		r.UpdatedAt = later
		return nil
	})
	require.NoError(t, err)
	want := storetest.NewResource(store.DefaultNamespace, "a")
	want.Description = "updated"
	want.UpdatedAt = later
	require.Equal(t, want, got)

	byID, err := s.GetResourceByID(ctx, store.DefaultNamespace, "id-a")
	require.NoError(t, err)
	require.Equal(t, want, byID)
}

func TestDataResourceRenameConflict(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	for _, code := range []string{"one", "two"} {
		require.NoError(t, s.CreateDataResource(ctx, store.DataResource{
			NamespaceCode: store.DefaultNamespace, ResourceCode: code, ResourceName: "Name " + code,
			Type: store.DataString, Struct: store.Struct{String: code},
		}))
	}
	_, err := s.UpdateDataResource(ctx, store.DefaultNamespace, "two", func(d *store.DataResource) error {
		d.ResourceName = "Name one"
		return nil
	})
	var se *store.Error
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, store.ErrConflict)
	require.Equal(t, "resourceName", se.Field)

	_, err = s.UpdateDataResource(ctx, store.DefaultNamespace, "two", func(d *store.DataResource) error {
		d.ResourceName = "Renamed"
		return nil
	})
	require.NoError(t, err)
	got, err := s.GetDataResourceByName(ctx, store.DefaultNamespace, "Renamed")
	require.NoError(t, err)
	require.Equal(t, "two", got.ResourceCode)
	_, err = s.GetDataResourceByName(ctx, store.DefaultNamespace, "Name two")
	require.ErrorIs(t, err, store.ErrNotFound, "the old name is free again")
}

func TestListFiltersByCodesInOrder(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	batch := make([]store.Resource, 0, 50)
	for i := 49; i >= 0; i-- {
		batch = append(batch, storetest.NewResource(store.DefaultNamespace, "r"+strconv.Itoa(100+i)))
	}
	require.NoError(t, s.CreateResources(ctx, batch, store.WriteOptions{}))

	filter := store.ResourceFilter{Namespace: store.DefaultNamespace, Codes: []string{"r140", "r110", "nope", "r120", "r110"}}
	page, err := s.ListResources(ctx, filter, store.ListOptions{PageSize: 2, IncludeTotal: true})
	require.NoError(t, err)
	require.Equal(t, 3, page.TotalCount)
	require.Equal(t, []string{"r110", "r120"}, resourceCodes(page.Items))
	require.NotEmpty(t, page.NextPageToken)

	page, err = s.ListResources(ctx, filter, store.ListOptions{PageSize: 2, PageToken: page.NextPageToken})
	require.NoError(t, err)
	require.Equal(t, []string{"r140"}, resourceCodes(page.Items))
	require.Empty(t, page.NextPageToken)
}

func TestDoneContextWritesNothing(t *testing.T) {
	s := memstore.New()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.CreateResources(ctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "a")}, store.WriteOptions{})
	require.Equal(t, context.Canceled, err)
	_, err = s.GetResource(t.Context(), store.DefaultNamespace, "a")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestGetResourceAllocs(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	require.NoError(t, s.CreateResources(ctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "a")}, store.WriteOptions{}))
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := s.GetResource(ctx, store.DefaultNamespace, "a"); err != nil {
			t.Fatal(err)
		}
	})
	// One for the actions, two for the translation map (header and group).
	require.LessOrEqual(t, allocs, 3.0)
}

func resourceCodes(rs []store.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

func TestWaitForLockEndsWithBusy(t *testing.T) {
	s := memstore.New()
	ctx := t.Context()
	require.NoError(t, s.CreateResources(ctx, []store.Resource{storetest.NewResource(store.DefaultNamespace, "a")}, store.WriteOptions{}))

	inside, release := make(chan struct{}), make(chan struct{})
	updated := make(chan error, 1)
	go func() {
		_, err := s.UpdateResource(ctx, store.DefaultNamespace, "a", func(r *store.Resource) error {
			close(inside)
			<-release // hold the write lock
			r.Description = "slow"
			return nil
		})
		updated <- err
	}()
	<-inside

	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	_, err := s.GetResource(short(), store.DefaultNamespace, "a")
	require.ErrorIs(t, err, store.ErrBusy)
	err = s.DeleteResources(short(), store.DefaultNamespace, []string{"a"})
	require.ErrorIs(t, err, store.ErrBusy)

	close(release)
	require.NoError(t, <-updated)
	// The abandoned waits gave the lock back.
	got, err := s.GetResource(ctx, store.DefaultNamespace, "a")
	require.NoError(t, err)
	require.Equal(t, "slow", got.Description)
	require.NoError(t, s.DeleteResources(ctx, store.DefaultNamespace, []string{"a"}))
}
