package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/pgstore"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

// The restart test stops the server, so it needs to be told how: the
// commands in these variables (scripts/postgres.sh sets them) are run with
// sh -c. It takes the whole server down, so .ci/run gives it a step of its
// own rather than running it beside other packages' tests.
const (
	stopCmdEnv  = "RESREG_POSTGRES_STOP_CMD"
	startCmdEnv = "RESREG_POSTGRES_START_CMD"
)

func runShell(t *testing.T, env string) {
	t.Helper()
	out, err := exec.Command("sh", "-c", os.Getenv(env)).CombinedOutput()
	require.NoError(t, err, "%s: %s", env, out)
}

// requireTyped fails unless err is a store error of the package's kind that
// carries no driver error.
func requireTyped(t *testing.T, err error, what string) {
	t.Helper()
	require.Error(t, err, what)
	var se *store.Error
	require.True(t, errors.As(err, &se), "%s: %T is not a *store.Error: %v", what, err, err)
	var pe *pgconn.PgError
	require.False(t, errors.As(err, &pe), "%s: a driver error reached the caller: %v", what, err)
	require.True(t, errors.Is(err, pgstore.ErrUnavailable) || errors.Is(err, store.ErrBusy), "%s: %v", what, err)
	require.True(t, errors.Is(err, store.ErrStorage) || errors.Is(err, store.ErrBusy), "%s is neither a storage failure nor busy: %v", what, err)
}

func TestServerRestart(t *testing.T) {
	d := dsn(t)
	if os.Getenv(stopCmdEnv) == "" || os.Getenv(startCmdEnv) == "" {
		t.Skip("the restart test needs " + stopCmdEnv + " and " + startCmdEnv + " (scripts/postgres.sh start prints them)")
	}
	// Always bring the server back, even when an assertion fails midway.
	t.Cleanup(func() { _ = exec.Command("sh", "-c", os.Getenv(startCmdEnv)).Run() })

	schema := freshSchemaOwnPool(t, d)
	s, err := pgstore.Open(t.Context(), d, pgstore.WithSchema(schema))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	ctx := t.Context()
	require.NoError(t, s.CreateNamespace(ctx, store.Namespace{Code: "ns", Name: "NS"}))
	doc := storetest.NewResource("ns", "doc")
	doc.Actions = []store.Action{{Name: "read"}}
	require.NoError(t, s.CreateResources(ctx, []store.Resource{doc}, store.WriteOptions{}))
	// The listener starts now, so that the restart breaks its connection.
	_ = s.ChangesNotify()

	const grantBatch = 50
	grants := func(i int) []store.Grant {
		gs := make([]store.Grant, grantBatch)
		for j := range gs {
			gs[j] = store.Grant{Namespace: "ns", Subject: store.Subject{Type: store.SubjectUser, ID: fmt.Sprintf("u%04d-%04d", i, j)},
				ResourceCode: "doc", Action: "read", Effect: store.EffectAllow}
		}
		return gs
	}

	const batchSize = 200
	batch := func(i int) []store.Resource {
		rs := make([]store.Resource, batchSize)
		for j := range rs {
			rs[j] = storetest.NewResource("ns", fmt.Sprintf("b%04d-%04d", i, j))
			rs[j].ID = fmt.Sprintf("id-%04d-%04d", i, j)
		}
		return rs
	}

	// A writer keeps sending batches across the restart.
	type outcome struct {
		batch int
		err   error
	}
	var (
		mu            sync.Mutex
		outcomes      []outcome
		grantOutcomes []outcome
		stop          = make(chan struct{})
		wg            sync.WaitGroup
	)
	// A second writer sends permission batches across the restart.
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := s.AddGrants(cctx, grants(i))
			cancel()
			mu.Lock()
			grantOutcomes = append(grantOutcomes, outcome{i, err})
			mu.Unlock()
			if err != nil {
				time.Sleep(20 * time.Millisecond)
			}
		}
	})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := s.CreateResources(cctx, batch(i), store.WriteOptions{})
			cancel()
			mu.Lock()
			outcomes = append(outcomes, outcome{i, err})
			mu.Unlock()
			if err != nil {
				time.Sleep(20 * time.Millisecond)
			}
		}
	})
	time.Sleep(300 * time.Millisecond)
	runShell(t, stopCmdEnv)

	// While the server is down every kind of call fails with a typed error.
	_, err = s.GetResource(ctx, "ns", "b0000-0000")
	requireTyped(t, err, "GetResource while down")
	_, err = s.ListResources(ctx, store.ResourceFilter{Namespace: "ns"}, store.ListOptions{})
	requireTyped(t, err, "ListResources while down")
	err = s.CreateResources(ctx, batch(9999), store.WriteOptions{})
	requireTyped(t, err, "CreateResources while down")
	err = s.CreateNamespace(ctx, store.Namespace{Code: "down", Name: "Down"})
	requireTyped(t, err, "CreateNamespace while down")
	time.Sleep(300 * time.Millisecond)

	runShell(t, startCmdEnv)
	// The same Store recovers by itself: no reopen.
	require.Eventually(t, func() bool {
		_, err := s.GetNamespace(ctx, "ns")
		return err == nil
	}, 15*time.Second, 50*time.Millisecond, "the store did not recover after the server came back")
	// The listener reconnects by itself: a commit by another instance
	// wakes this one's watchers.
	woken := s.ChangesNotify()
	other, err := pgstore.Open(ctx, d, pgstore.WithSchema(schema))
	require.NoError(t, err)
	defer other.Close()
	require.Eventually(t, func() bool {
		require.NoError(t, other.CreateNamespace(ctx, store.Namespace{Code: fmt.Sprintf("after-%d", time.Now().UnixNano()), Name: "After"}))
		select {
		case <-woken:
			return true
		case <-time.After(200 * time.Millisecond):
			return false
		}
	}, 15*time.Second, 10*time.Millisecond, "no notification reached the store after the restart")
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()

	// Every permission batch is whole or absent, and so are its changes.
	var grantsOK, grantsFailed int
	for _, o := range grantOutcomes {
		page, err := s.ListGrants(ctx, store.GrantFilter{Namespace: "ns", Subject: &grants(o.batch)[0].Subject}, store.ListOptions{})
		require.NoError(t, err)
		if o.err == nil {
			grantsOK++
			require.Len(t, page.Items, 1, "grant batch %d was reported written", o.batch)
		} else {
			grantsFailed++
			requireTyped(t, o.err, fmt.Sprintf("grant batch %d", o.batch))
		}
	}
	all, err := s.ListGrants(ctx, store.GrantFilter{Namespace: "ns"}, store.ListOptions{IncludeTotal: true})
	require.NoError(t, err)
	require.Zero(t, all.TotalCount%grantBatch, "a grant batch is half-written: %d grants", all.TotalCount)
	var grantChanges int
	var prev int64
	for since := int64(0); ; {
		cs, err := s.Changes(ctx, since, store.MaxChangesLimit)
		require.NoError(t, err)
		if len(cs) == 0 {
			break
		}
		for _, c := range cs {
			require.Equal(t, prev+1, c.Seq, "the change log has a gap or a repeat")
			prev = c.Seq
			if c.Kind == store.KindGrant {
				grantChanges++
			}
		}
		since = cs[len(cs)-1].Seq
	}
	require.Equal(t, all.TotalCount, grantChanges, "every grant written has its change, and no other")
	require.NotZero(t, grantsOK, "no grant batch was written")
	t.Logf("%d grant batches written, %d failed during the restart", grantsOK, grantsFailed)

	// Every batch is in the database whole or not at all; every batch
	// reported written is there; failures were typed.
	var ok, failed int
	for _, o := range outcomes {
		n := 0
		for j := 0; j < batchSize; j++ {
			if _, err := s.GetResource(ctx, "ns", fmt.Sprintf("b%04d-%04d", o.batch, j)); err == nil {
				n++
			} else {
				require.ErrorIs(t, err, store.ErrNotFound)
			}
		}
		require.True(t, n == 0 || n == batchSize, "batch %d is half-written: %d of %d rows", o.batch, n, batchSize)
		if o.err == nil {
			ok++
			require.Equal(t, batchSize, n, "batch %d was reported written", o.batch)
		} else {
			failed++
			requireTyped(t, o.err, fmt.Sprintf("batch %d", o.batch))
		}
	}
	require.NotZero(t, failed, "no batch ran into the restart")
	require.NotZero(t, ok, "no batch was written")
	_, err = s.GetResource(ctx, "ns", "b9999-0000")
	require.ErrorIs(t, err, store.ErrNotFound, "the batch sent while down was written")
	t.Logf("%d batches written, %d failed during the restart", ok, failed)
}

// freshSchemaOwnPool is freshSchema for a test that breaks the shared
// pool's connections: it drops the schema with a pool of its own.
func freshSchemaOwnPool(t *testing.T, d string) string {
	t.Helper()
	name := fmt.Sprintf("resreg_restart_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		p, err := pgxpool.New(context.Background(), d)
		require.NoError(t, err)
		defer p.Close()
		_, err = p.Exec(context.Background(), `DROP SCHEMA IF EXISTS "`+name+`" CASCADE`)
		require.NoError(t, err)
	})
	return name
}
