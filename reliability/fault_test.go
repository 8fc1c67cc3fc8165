package reliability_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// Fault injection.
//
// On SQLite a batch is written row by row inside one transaction, so a
// fault can strike after some rows are written. A trigger installed through
// the store's DB() makes the k-th INSERT, DELETE or UPDATE fail with
// RAISE(ABORT), for k at the first row, the second, the middle and the
// last; every time, nothing of the batch may remain and the same batch must
// then go through.
//
// memstore checks a whole batch under its lock before it changes anything,
// and nothing can fail between its first and its last insert: there is no
// k-th write for a fault to hit from outside. What can fail at item k on
// both stores is what the store is given: an ID already taken at item k of
// a create, a missing code at item k of a delete, a batch that passes the
// quota, and an update function that edits the record and then fails. Those
// run on both stores; on SQLite each of them, too, fails in the middle of
// the transaction.

// batchSize is the size of the batches faults are injected into.
const batchSize = 1000

// faultRows are the rows (1-based) at which a fault is injected.
var faultRows = []int{1, 2, batchSize / 2, batchSize}

// faultPlan arms triggers on the resources table of a SQLite store.
type faultPlan struct {
	db *sql.DB
}

// installFaults creates the plan table and one trigger per kind of write:
// each counts the rows it sees in the plan and aborts the statement on row
// fail_at. fail_at 0 disarms them.
func installFaults(t *testing.T, e *env) *faultPlan {
	t.Helper()
	db := e.sql.DB()
	stmts := []string{
		`CREATE TABLE reliability_fault_plan (op TEXT NOT NULL PRIMARY KEY, fail_at INTEGER NOT NULL, seen INTEGER NOT NULL)`,
		`INSERT INTO reliability_fault_plan VALUES ('INSERT', 0, 0), ('DELETE', 0, 0), ('UPDATE', 0, 0)`,
	}
	for _, op := range []string{"INSERT", "DELETE", "UPDATE"} {
		stmts = append(stmts, `CREATE TRIGGER reliability_fault_`+op+` BEFORE `+op+` ON resreg_resources
			BEGIN
				UPDATE reliability_fault_plan SET seen = seen + 1 WHERE op = '`+op+`';
				SELECT RAISE(ABORT, 'injected fault at `+op+`') FROM reliability_fault_plan
					WHERE op = '`+op+`' AND fail_at > 0 AND seen = fail_at;
			END`)
	}
	for _, s := range stmts {
		_, err := db.Exec(s)
		require.NoError(t, err, s)
	}
	return &faultPlan{db: db}
}

// arm makes the k-th row of the next op fail (0 disarms) and resets the
// row count.
func (p *faultPlan) arm(t *testing.T, op string, k int) {
	t.Helper()
	_, err := p.db.Exec(`UPDATE reliability_fault_plan SET fail_at = ?, seen = 0 WHERE op = ?`, k, op)
	require.NoError(t, err)
}

// seen returns how many rows of op the triggers counted in committed
// transactions since the last arm.
func (p *faultPlan) seen(t *testing.T, op string) int {
	t.Helper()
	var n int
	require.NoError(t, p.db.QueryRow(`SELECT seen FROM reliability_fault_plan WHERE op = ?`, op).Scan(&n))
	return n
}

// requireStorageFault requires err to be the injected fault, reported as
// a failure of the store and not as the caller's mistake.
func requireStorageFault(t *testing.T, err error, op string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorContains(t, err, "injected fault at "+op)
	for _, sentinel := range []error{resreg.ErrInvalid, resreg.ErrNotFound, resreg.ErrConflict, resreg.ErrLimitExceeded, resreg.ErrBusy} {
		require.NotErrorIs(t, err, sentinel)
	}
	require.Equal(t, 500, resreg.StatusCode(err))
}

// rawCount counts the rows of namespace ns in the resources table,
// bypassing the store.
func rawCount(t *testing.T, e *env, ns string) int {
	t.Helper()
	var n int
	require.NoError(t, e.sql.DB().QueryRow(`SELECT count(*) FROM resreg_resources WHERE namespace = ?`, ns).Scan(&n))
	return n
}

// within returns a context that gives up after half a minute, so that a
// write lock left behind by a failed batch shows up as ErrBusy instead of
// a hang. A 1000-row batch takes well under a second alone, but several
// seconds under -race on a 2-core machine running every package's tests at
// once, so the bound leaves room for that.
func within(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestFaultSQLiteInsertAtRowK(t *testing.T) {
	for _, call := range []struct {
		name string
		run  func(ctx context.Context, reg *resreg.Registry, ns string) error
	}{
		{"RegisterResources", func(ctx context.Context, reg *resreg.Registry, ns string) error {
			_, err := reg.RegisterResources(ctx, registerBatch(ns, "b", batchSize))
			return err
		}},
		{"CreateResources", func(ctx context.Context, reg *resreg.Registry, ns string) error {
			_, err := reg.CreateResources(ctx, createBatch(ns, "b", batchSize))
			return err
		}},
	} {
		t.Run(call.name, func(t *testing.T) {
			e := newEnv(t, "sqlite")
			plan := installFaults(t, e)
			_, err := e.reg.RegisterResources(within(t), registerBatch("", "kept", 10))
			require.NoError(t, err)
			kept := listAll(t, e.reg, "")

			for _, k := range faultRows {
				// Each k writes its batch to a namespace of its own.
				ns := "k" + strconv.Itoa(k)
				createNamespace(t, e.reg, ns)
				plan.arm(t, "INSERT", k)
				err := call.run(within(t), e.reg, ns)
				requireStorageFault(t, err, "INSERT")
				require.Zero(t, count(t, e.reg, ns), "rows of the failed batch are visible")
				require.Zero(t, rawCount(t, e, ns), "rows of the failed batch are in the table")
				// The trigger's own counter was written in the same
				// transaction: it is back to 0 only if the rows before
				// row k were rolled back with the failing one.
				require.Zero(t, plan.seen(t, "INSERT"), "the transaction was not rolled back as a whole")
				require.Equal(t, kept, listAll(t, e.reg, ""), "records outside the batch changed")

				// The store still works, and the write lock is free
				// (within gives up with ErrBusy otherwise): the same
				// batch, fault disarmed, goes through whole.
				plan.arm(t, "INSERT", 0)
				require.NoError(t, call.run(within(t), e.reg, ns))
				require.Equal(t, batchSize, count(t, e.reg, ns))
			}
		})
	}
}

func TestFaultSQLiteDeleteAtRowK(t *testing.T) {
	e := newEnv(t, "sqlite")
	plan := installFaults(t, e)
	for _, k := range faultRows {
		ns := "d" + strconv.Itoa(k)
		createNamespace(t, e.reg, ns)
		_, err := e.reg.RegisterResources(within(t), registerBatch(ns, "b", batchSize))
		require.NoError(t, err)
		codes := make([]string, batchSize)
		for i := range codes {
			codes[i] = batchCode("b", i)
		}

		plan.arm(t, "DELETE", k)
		requireStorageFault(t, e.reg.DeleteResources(within(t), ns, codes...), "DELETE")
		require.Equal(t, batchSize, count(t, e.reg, ns), "a failed delete removed something")
		require.Equal(t, batchSize, rawCount(t, e, ns))
		require.Zero(t, plan.seen(t, "DELETE"))

		plan.arm(t, "DELETE", 0)
		require.NoError(t, e.reg.DeleteResources(within(t), ns, codes...))
		require.Zero(t, count(t, e.reg, ns))
	}
}

func TestFaultSQLiteUpdate(t *testing.T) {
	e := newEnv(t, "sqlite")
	plan := installFaults(t, e)
	ctx := within(t)
	orig, err := e.reg.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: "u", Description: "before"})
	require.NoError(t, err)

	plan.arm(t, "UPDATE", 1)
	after := "after"
	_, err = e.reg.UpdateResource(ctx, "", "u", resreg.ResourceUpdate{Description: &after})
	requireStorageFault(t, err, "UPDATE")
	got, err := e.reg.GetResource(ctx, "", "u")
	require.NoError(t, err)
	require.Equal(t, orig, got)

	plan.arm(t, "UPDATE", 0)
	got, err = e.reg.UpdateResource(ctx, "", "u", resreg.ResourceUpdate{Description: &after})
	require.NoError(t, err)
	require.Equal(t, "after", got.Description)
}

// idGen makes resource IDs "gen-1", "gen-2", ... except that its collideAt-th
// call after a reset returns the ID "taken".
type idGen struct {
	mu        sync.Mutex
	n         int
	collideAt int
}

func (g *idGen) next() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	if g.n == g.collideAt {
		return "taken"
	}
	return "gen-" + strconv.Itoa(g.n) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

func (g *idGen) reset(collideAt int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n, g.collideAt = 0, collideAt
}

func TestFaultTakenIDAtItemK(t *testing.T) {
	// Item k of a 1000-item batch gets an ID that another resource holds.
	// On SQLite the k-th INSERT breaks the ID index after k-1 rows went
	// in; memstore finds the conflict before writing. Either way the
	// batch is a conflict naming item k's code, and leaves nothing.
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			gen := &idGen{}
			e := newEnv(t, kind, resreg.WithIDGenerator(gen.next))
			for _, k := range faultRows {
				ns := "t" + strconv.Itoa(k)
				createNamespace(t, e.reg, ns)
				gen.reset(1)
				holder, err := e.reg.CreateResource(within(t), resreg.CreateResourceInput{Namespace: ns, Type: resreg.TypeAPI, Code: "holder"})
				require.NoError(t, err)
				require.Equal(t, "taken", holder.ID)

				gen.reset(k)
				_, err = e.reg.CreateResources(within(t), createBatch(ns, "b", batchSize))
				require.ErrorIs(t, err, resreg.ErrConflict)
				var re *resreg.Error
				require.ErrorAs(t, err, &re)
				require.Equal(t, []string{batchCode("b", k-1)}, re.Codes)
				require.Equal(t, "["+strconv.Itoa(k-1)+"].code", re.Field)
				require.Equal(t, []resreg.Resource{holder}, listAll(t, e.reg, ns), "a conflicting batch left something behind")

				gen.reset(0)
				_, err = e.reg.CreateResources(within(t), createBatch(ns, "b", batchSize))
				require.NoError(t, err)
				require.Equal(t, batchSize+1, count(t, e.reg, ns))
			}
		})
	}
}

func TestFaultMissingCodeAtItemK(t *testing.T) {
	// A delete of 1000 codes whose k-th does not exist: on SQLite the
	// first k-1 rows are deleted before the missing one is seen.
	forEachStore(t, func(t *testing.T, e *env) {
		for _, k := range faultRows {
			ns := "m" + strconv.Itoa(k)
			createNamespace(t, e.reg, ns)
			_, err := e.reg.RegisterResources(within(t), registerBatch(ns, "b", batchSize))
			require.NoError(t, err)
			codes := make([]string, batchSize)
			for i := range codes {
				codes[i] = batchCode("b", i)
			}
			codes[k-1] = "absent"

			err = e.reg.DeleteResources(within(t), ns, codes...)
			require.ErrorIs(t, err, resreg.ErrNotFound)
			var re *resreg.Error
			require.ErrorAs(t, err, &re)
			require.Equal(t, []string{"absent"}, re.Codes)
			require.Equal(t, batchSize, count(t, e.reg, ns), "a failed delete removed something")

			codes[k-1] = batchCode("b", k-1)
			require.NoError(t, e.reg.DeleteResources(within(t), ns, codes...))
			require.Zero(t, count(t, e.reg, ns))
		}
	})
}

func TestFaultQuotaPassedByBatch(t *testing.T) {
	// 600 resources exist and the quota is 1500: a 1000-item batch passes
	// it. SQLite inserts all 1000 rows before it counts; memstore counts
	// first. Neither keeps any of it, and a batch that fits goes through.
	forEachStore(t, func(t *testing.T, e *env) {
		_, err := e.reg.RegisterResources(within(t), registerBatch("", "seed", 600))
		require.NoError(t, err)
		before := listAll(t, e.reg, "")

		_, err = e.reg.RegisterResources(within(t), registerBatch("", "over", batchSize))
		require.ErrorIs(t, err, resreg.ErrLimitExceeded)
		require.Equal(t, before, listAll(t, e.reg, ""))

		_, err = e.reg.RegisterResources(within(t), registerBatch("", "fits", 900))
		require.NoError(t, err)
		require.Len(t, listAll(t, e.reg, ""), 1500)
	}, resreg.WithLimits(resreg.Limits{MaxResourcesPerNamespace: 1500}))
}

// errInjected is the error the failing update functions return.
var errInjected = errors.New("injected update failure")

// failingUpdates wraps a store so that the update functions the Registry
// passes run to completion (the Registry's edits and checks), then vandalise
// the record they were given, and then fail. A store that handed the
// function its stored record rather than a copy, or that kept a record its
// function rejected, would show the vandalism.
type failingUpdates struct {
	store.Store
}

func (f failingUpdates) UpdateResource(ctx context.Context, namespace, code string, fn func(*store.Resource) error) (store.Resource, error) {
	return f.Store.UpdateResource(ctx, namespace, code, func(r *store.Resource) error {
		if err := fn(r); err != nil {
			return err
		}
		r.Description = "vandalised"
		r.Name.DefaultValue = "vandalised"
		r.Actions = append(r.Actions[:0], store.Action{Name: "vandal", Description: "vandal"})
		if r.Name.I18nValue != nil {
			r.Name.I18nValue["en_US"] = "vandalised"
		}
		return errInjected
	})
}

func (f failingUpdates) UpdateDataResource(ctx context.Context, namespace, code string, fn func(*store.DataResource) error) (store.DataResource, error) {
	return f.Store.UpdateDataResource(ctx, namespace, code, func(d *store.DataResource) error {
		if err := fn(d); err != nil {
			return err
		}
		d.ResourceName = "vandalised"
		if len(d.Struct.Tree) > 0 {
			d.Struct.Tree[0].Name = "vandalised"
			d.Struct.Tree[0].Children = nil
		}
		d.Actions[0] = "vandal"
		return errInjected
	})
}

func TestFaultUpdateFunctionFails(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := within(t)
		reg := e.reg
		faulty := resreg.New(failingUpdates{e.store})

		res, err := reg.CreateResource(ctx, resreg.CreateResourceInput{
			Type: resreg.TypeAPI, Code: "r", Description: "kept",
			Name:    resreg.I18nName{DefaultValue: "Kept", I18nValue: map[string]string{"en_US": "Kept"}},
			Actions: []resreg.Action{{Name: "read", Description: "Read"}},
		})
		require.NoError(t, err)
		data, err := reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
			NamespaceCode: resreg.DefaultNamespace, ResourceCode: "d", ResourceName: "Kept", Type: resreg.DataTree,
			Struct:  resreg.TreeStruct(resreg.Node("a", "A", "", resreg.Node("b", "B", ""))),
			Actions: []string{"get"},
		})
		require.NoError(t, err)

		desc := "changed"
		_, err = faulty.UpdateResource(ctx, "", "r", resreg.ResourceUpdate{Description: &desc})
		require.ErrorIs(t, err, errInjected)
		got, err := reg.GetResource(ctx, "", "r")
		require.NoError(t, err)
		require.Equal(t, res, got)

		name := "Changed"
		_, err = faulty.UpdateDataResource(ctx, "", "d", resreg.DataResourceUpdate{ResourceName: &name})
		require.ErrorIs(t, err, errInjected)
		gotData, err := reg.GetDataResource(ctx, "", "d")
		require.NoError(t, err)
		require.Equal(t, data, gotData)
		_, err = reg.FindTreeNode(ctx, "", "d", "a/b")
		require.NoError(t, err, "the tree lost a node to a failed update")

		// The store still takes updates.
		got, err = reg.UpdateResource(ctx, "", "r", resreg.ResourceUpdate{Description: &desc})
		require.NoError(t, err)
		require.Equal(t, "changed", got.Description)
		require.Equal(t, fmt.Sprint(res.Actions), fmt.Sprint(got.Actions))
	})
}
