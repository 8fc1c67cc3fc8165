package reliability_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

// Cancellation.
//
// A context that is cancelled (or past its deadline) before a call, while
// the call waits for the store's lock, or while a batch is being written,
// writes nothing, and the call returns the context's error.

// seedCancel fills a registry with records for the calls to change.
func seedCancel(t *testing.T, reg *resreg.Registry) {
	t.Helper()
	ctx := context.Background()
	createNamespace(t, reg, "ns1")
	_, err := reg.RegisterResources(ctx, registerBatch("", "seed", 10))
	require.NoError(t, err)
	_, err = reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
		NamespaceCode: resreg.DefaultNamespace, ResourceCode: "d", ResourceName: "D", Type: resreg.DataTree,
		Struct: resreg.TreeStruct(resreg.Node("a", "A", "")), Actions: []string{"get"},
	})
	require.NoError(t, err)
}

// everyWrite calls each writing method of the Registry with ctx and
// returns the errors by method.
func everyWrite(ctx context.Context, reg *resreg.Registry) map[string]error {
	errs := map[string]error{}
	desc := "changed"
	name := "Changed"
	_, errs["CreateResource"] = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: "new"})
	_, errs["CreateResources"] = reg.CreateResources(ctx, createBatch("", "c", batchSize))
	_, errs["RegisterResources"] = reg.RegisterResources(ctx, registerBatch("", "r", batchSize))
	_, errs["UpdateResource"] = reg.UpdateResource(ctx, "", batchCode("seed", 0), resreg.ResourceUpdate{Description: &desc})
	errs["DeleteResources"] = reg.DeleteResources(ctx, "", batchCode("seed", 0), batchCode("seed", 1))
	_, errs["CreateDataResource"] = reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
		NamespaceCode: resreg.DefaultNamespace, ResourceCode: "s", ResourceName: "S", Type: resreg.DataString,
		Struct: resreg.StringStruct("x"), Actions: []string{"get"},
	})
	_, errs["UpdateDataResource"] = reg.UpdateDataResource(ctx, "", "d", resreg.DataResourceUpdate{ResourceName: &name})
	errs["DeleteDataResource"] = reg.DeleteDataResource(ctx, "", "d")
	_, errs["CreateNamespace"] = reg.CreateNamespace(ctx, resreg.Namespace{Code: "ns2", Name: "Two"})
	_, errs["UpdateNamespace"] = reg.UpdateNamespace(ctx, "ns1", resreg.NamespaceUpdate{Description: &desc})
	errs["DeleteNamespace"] = reg.DeleteNamespace(ctx, "ns1")
	return errs
}

func TestCancelBeforeCall(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, c := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"cancelled", cancelled, context.Canceled},
		{"expired", expired, context.DeadlineExceeded},
	} {
		t.Run(c.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				seedCancel(t, e.reg)
				before := storetest.TakeSnapshot(t, e.reg.Store())
				for method, err := range everyWrite(c.ctx, e.reg) {
					require.ErrorIs(t, err, c.want, method)
				}
				require.Equal(t, before, storetest.TakeSnapshot(t, e.reg.Store()), "a call with a done context wrote something")
				// The same calls with a live context all succeed.
				for method, err := range everyWrite(context.Background(), e.reg) {
					require.NoError(t, err, method)
				}
			})
		})
	}
}

// The SQLite function reliability_hook(code) runs cancelHook, if set, from
// triggers on the resources table: it lets a test act at the moment a given
// row is written, inside the store's transaction.
var (
	registerHook sync.Once
	cancelHook   atomic.Pointer[func(code string)]
)

func installCancelHook(t *testing.T) {
	t.Helper()
	registerHook.Do(func() {
		require.NoError(t, sqlite.RegisterScalarFunction("reliability_hook", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			if fn := cancelHook.Load(); fn != nil {
				code, _ := args[0].(string)
				(*fn)(code)
			}
			return nil, nil
		}))
	})
}

func TestCancelDuringBatchSQLite(t *testing.T) {
	// The context is cancelled by a trigger as row k of the batch is
	// written, for k across the batch; the last case cancels after the
	// last row, just before COMMIT.
	installCancelHook(t) // before the store opens its connections
	e := newEnv(t, "sqlite")
	for _, s := range []string{
		`CREATE TRIGGER reliability_hook_insert AFTER INSERT ON resreg_resources BEGIN SELECT reliability_hook(NEW.code); END`,
		`CREATE TRIGGER reliability_hook_delete AFTER DELETE ON resreg_resources BEGIN SELECT reliability_hook(OLD.code); END`,
	} {
		_, err := e.sql.DB().Exec(s)
		require.NoError(t, err)
	}
	t.Cleanup(func() { cancelHook.Store(nil) })

	// cancelAt returns a context cancelled when the row of code is written.
	cancelAt := func(code string) (context.Context, *atomic.Bool) {
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		fired := &atomic.Bool{}
		fn := func(c string) {
			if c == code {
				fired.Store(true)
				cancel()
			}
		}
		cancelHook.Store(&fn)
		return ctx, fired
	}

	for _, k := range faultRows {
		ns := "c" + strconv.Itoa(k)
		createNamespace(t, e.reg, ns)
		code := batchCode("b", k-1)

		t.Run("RegisterResources row "+strconv.Itoa(k), func(t *testing.T) {
			ctx, fired := cancelAt(code)
			_, err := e.reg.RegisterResources(ctx, registerBatch(ns, "b", batchSize))
			require.True(t, fired.Load(), "the cancel did not happen during the batch")
			require.ErrorIs(t, err, context.Canceled)
			require.Zero(t, count(t, e.reg, ns))
			require.Zero(t, rawCount(t, e, ns))
		})
		t.Run("CreateResources row "+strconv.Itoa(k), func(t *testing.T) {
			ctx, fired := cancelAt(code)
			_, err := e.reg.CreateResources(ctx, createBatch(ns, "b", batchSize))
			require.True(t, fired.Load())
			require.ErrorIs(t, err, context.Canceled)
			require.Zero(t, count(t, e.reg, ns))
		})

		cancelHook.Store(nil)
		_, err := e.reg.RegisterResources(within(t), registerBatch(ns, "b", batchSize))
		require.NoError(t, err, "the store does not work after a cancelled batch")

		t.Run("DeleteResources row "+strconv.Itoa(k), func(t *testing.T) {
			codes := make([]string, batchSize)
			for i := range codes {
				codes[i] = batchCode("b", i)
			}
			ctx, fired := cancelAt(code)
			err := e.reg.DeleteResources(ctx, ns, codes...)
			require.True(t, fired.Load())
			require.ErrorIs(t, err, context.Canceled)
			require.Equal(t, batchSize, count(t, e.reg, ns))
		})
		cancelHook.Store(nil)
	}
}

func TestCancelRacingBatch(t *testing.T) {
	// A cancel from another goroutine at a random moment around a
	// 1000-item batch: the batch is written whole and acknowledged, or
	// not written at all and reported cancelled. Nothing in between.
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind)
			rounds := 40
			if kind == "sqlite" {
				rounds = 8
			}
			// Cancels land anywhere from before the call to after it: in
			// validation, in the store's checks, between rows (SQLite) or
			// after the commit.
			start := time.Now()
			_, err := e.reg.RegisterResources(context.Background(), registerBatch("", "timing", batchSize))
			require.NoError(t, err)
			spread := 2 * time.Since(start)
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
			var written, cancelled int
			for i := range rounds {
				ns := "r" + strconv.Itoa(i)
				createNamespace(t, e.reg, ns)
				ctx, cancel := context.WithCancel(context.Background())
				timer := time.AfterFunc(time.Duration(rng.Int64N(int64(spread))), cancel)
				_, err := e.reg.RegisterResources(ctx, registerBatch(ns, "b", batchSize))
				timer.Stop()
				cancel()
				switch n := count(t, e.reg, ns); {
				case err == nil:
					require.Equal(t, batchSize, n, "acknowledged batch is not whole")
					written++
				case errors.Is(err, context.Canceled):
					require.Zero(t, n, "cancelled batch left rows")
					cancelled++
				default:
					t.Fatalf("unexpected error: %v", err)
				}
			}
			t.Logf("%d batches written, %d cancelled", written, cancelled)
		})
	}
}

// blockingUpdates wraps a store so that UpdateResource holds the store's
// write lock (memstore's mutex, SQLite's write transaction) until release
// is closed.
type blockingUpdates struct {
	store.Store
	holding chan struct{}
	release chan struct{}
}

func (b blockingUpdates) UpdateResource(ctx context.Context, namespace, code string, fn func(*store.Resource) error) (store.Resource, error) {
	return b.Store.UpdateResource(ctx, namespace, code, func(r *store.Resource) error {
		close(b.holding)
		<-b.release
		return fn(r)
	})
}

func TestCancelWhileWaitingForLock(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind)
			seedCancel(t, e.reg)
			block := blockingUpdates{Store: e.store, holding: make(chan struct{}), release: make(chan struct{})}
			holder := resreg.New(block)
			desc := "held"
			updated := make(chan error, 1)
			go func() {
				_, err := holder.UpdateResource(context.Background(), "", batchCode("seed", 0), resreg.ResourceUpdate{Description: &desc})
				updated <- err
			}()
			<-block.holding

			ctx, cancel := context.WithCancel(context.Background())
			result := make(chan error, 1)
			go func() {
				_, err := e.reg.RegisterResources(ctx, registerBatch("", "w", batchSize))
				result <- err
			}()
			time.Sleep(50 * time.Millisecond) // let it queue for the lock
			cancel()
			start := time.Now()
			err := <-result
			t.Logf("returned %v after the cancel", time.Since(start))
			require.ErrorIs(t, err, context.Canceled)
			require.NotErrorIs(t, err, resreg.ErrBusy)

			close(block.release)
			require.NoError(t, <-updated)
			require.Zero(t, countCodes(t, e.reg, "w-"), "the cancelled batch was written after the lock was freed")
			require.Len(t, listAll(t, e.reg, ""), 10)
		})
	}
}

// countCodes counts the default namespace's resources whose code starts
// with prefix.
func countCodes(t *testing.T, reg *resreg.Registry, prefix string) int {
	t.Helper()
	n := 0
	for _, r := range listAll(t, reg, "") {
		if len(r.Code) >= len(prefix) && r.Code[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}
