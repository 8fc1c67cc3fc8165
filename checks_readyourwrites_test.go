package resreg_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// slowChanges is a store whose change log answers slowly, as SQLite does
// on a busy machine: it widens the time a catch-up takes.
type slowChanges struct {
	store.Store
	delay time.Duration
}

func (s slowChanges) Changes(ctx context.Context, since int64, limit int) ([]store.Change, error) {
	time.Sleep(s.delay)
	return s.Store.Changes(ctx, since, limit)
}

// Every check that starts after a write through the Registry has returned
// sees it, also while another check is still catching up with it: with a
// staleness bound, checks that arrive during the catch-up wait for it
// instead of answering from the index as it was before the write.
func TestChecksDuringACatchUpSeeTheWrite(t *testing.T) {
	ctx := context.Background()
	reg := resreg.New(slowChanges{memstore.New(), 50 * time.Millisecond}, resreg.WithCheckStaleness(time.Hour))
	_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "first", Name: resreg.Name("first"),
		Actions: []resreg.Action{{Name: "read", Description: "read"}}})
	require.NoError(t, err)
	me := resreg.Principal{UserID: "alice"}
	_, err = reg.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: me, Resource: "first", Action: "read"})
	require.NoError(t, err, "the namespace is loaded and the index fresh")

	// A resource (caught up from the change log) and a grant on it.
	_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "later", Name: resreg.Name("later"),
		Actions: []resreg.Action{{Name: "read", Description: "read"}}})
	require.NoError(t, err)
	require.NoError(t, reg.AuthorizeResources(ctx, resreg.AuthorizeResourcesInput{List: []resreg.AuthorizeItem{{
		TargetType: resreg.SubjectUser, TargetIdentifiers: []string{"alice"},
		Resources: []resreg.ResourceActions{{Code: "later", Actions: []string{"read"}}}}}}))

	var denied atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range 5 {
				ok, err := reg.IsActionAllowed(ctx, resreg.IsActionAllowedInput{Principal: me, Resource: "later", Action: "read"})
				if err != nil || !ok {
					denied.Add(1)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	close(start)
	wg.Wait()
	require.Zero(t, denied.Load(), "checks after the write answered from the index before it")
}

// gatedChanges counts the change log reads and, once armed, holds the
// first read until release is closed.
type gatedChanges struct {
	store.Store
	reads   atomic.Int64
	armed   atomic.Bool
	release chan struct{}
}

func (s *gatedChanges) Changes(ctx context.Context, since int64, limit int) ([]store.Change, error) {
	s.reads.Add(1)
	if s.armed.CompareAndSwap(true, false) {
		<-s.release
	}
	return s.Store.Changes(ctx, since, limit)
}

// The checks that queue behind a catch-up answer from the index it
// brought up to date, instead of each reading the change log again in
// turn (with 64 connections, 64 reads of the log one after the other
// once per staleness period or write).
func TestQueuedChecksShareACatchUp(t *testing.T) {
	ctx := context.Background()
	st := &gatedChanges{Store: memstore.New(), release: make(chan struct{})}
	reg := resreg.New(st, resreg.WithCheckStaleness(time.Hour))
	_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "r", Name: resreg.Name("r"),
		Actions: []resreg.Action{{Name: "read", Description: "read"}}})
	require.NoError(t, err)
	in := resreg.IsActionAllowedInput{Principal: resreg.Principal{UserID: "alice"}, Resource: "r", Action: "read"}
	_, err = reg.IsActionAllowed(ctx, in)
	require.NoError(t, err)
	require.NoError(t, reg.AuthorizeResources(ctx, resreg.AuthorizeResourcesInput{List: []resreg.AuthorizeItem{{
		TargetType: resreg.SubjectUser, TargetIdentifiers: []string{"alice"},
		Resources: []resreg.ResourceActions{{Code: "r", Actions: []string{"read"}}}}}}))

	st.reads.Store(0)
	st.armed.Store(true)
	var wg sync.WaitGroup
	var denied atomic.Int64
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := reg.IsActionAllowed(ctx, in); err != nil || !ok {
				denied.Add(1)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // the checks queue behind the held read
	close(st.release)
	wg.Wait()
	require.Zero(t, denied.Load())
	require.EqualValues(t, 1, st.reads.Load(), "one catch-up for all the checks after the write")
}
