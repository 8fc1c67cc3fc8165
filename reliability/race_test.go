package reliability_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/sqlitestore"
)

// Races.
//
// Goroutines (and, on SQLite, two processes) run random mixes of creates,
// batch registrations, updates, deletes and listings on a handful of shared
// codes, recording every write the registry acknowledged. Because a create
// succeeds only when the code is free and a delete only when it is taken,
// the acknowledged writes of one code alternate create, delete, create, ...
// whatever the interleaving. So at the end, for every code, acknowledged
// creates minus acknowledged deletes is 0 or 1, and it is 1 exactly when
// the code exists; the number of resources is the sum of those differences;
// and no code or ID is listed twice.
//
// In the quota variant every goroutine creates codes of its own in a
// namespace whose quota is far below the demand, and deletes some of them.
// The quota must hold in every listing taken during the run, and at the end
// the namespace must hold exactly the codes acknowledged as created and not
// deleted.
//
// The only errors a caller may see are the ones its operation implies
// (ErrConflict for a taken code, ErrNotFound for a missing one,
// ErrLimitExceeded past the quota); in particular no ErrBusy. The workers
// use a context with a deadline, as a server handling requests would: the
// SQLite store retries a locked database until the deadline.

const (
	raceGoroutines = 16
	raceQuota      = 25
	raceQuotaNS    = "quota"
	// raceChildDBEnv carries the database to a child of
	// TestRaceSQLiteTwoProcesses, raceChildIDEnv the child's number.
	raceChildDBEnv = "RESREG_RELIABILITY_RACE_DB"
	raceChildIDEnv = "RESREG_RELIABILITY_RACE_ID"
)

// raceCodes are the codes every goroutine fights over.
var raceCodes = []string{"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"}

// raceOps is how many operations each goroutine runs on a store; SQLite's
// pure-Go engine runs slowly under the race detector.
func raceOps(kind string) int {
	if kind == "memstore" {
		return 400
	}
	return 30
}

// raceTally is what goroutines saw acknowledged, and anything unexpected.
type raceTally struct {
	Creates       map[string]int      `json:"creates"`
	Deletes       map[string]int      `json:"deletes"`
	Updates       map[string][]string `json:"updates"`
	QuotaCreated  []string            `json:"quotaCreated"`
	QuotaDeleted  []string            `json:"quotaDeleted"`
	QuotaRejected int                 `json:"quotaRejected"`
	Lists         int                 `json:"lists"`
	Unexpected    []string            `json:"unexpected"`
}

func newTally() *raceTally {
	return &raceTally{Creates: map[string]int{}, Deletes: map[string]int{}, Updates: map[string][]string{}}
}

// unexpected records a problem; past the first few it records only that
// there were more.
func (t *raceTally) unexpected(format string, args ...any) {
	switch n := len(t.Unexpected); {
	case n < 10:
		t.Unexpected = append(t.Unexpected, fmt.Sprintf(format, args...))
	case n == 10:
		t.Unexpected = append(t.Unexpected, "and more")
	}
}

// merge adds o to t.
func (t *raceTally) merge(o *raceTally) {
	for c, n := range o.Creates {
		t.Creates[c] += n
	}
	for c, n := range o.Deletes {
		t.Deletes[c] += n
	}
	for c, u := range o.Updates {
		t.Updates[c] = append(t.Updates[c], u...)
	}
	t.QuotaCreated = append(t.QuotaCreated, o.QuotaCreated...)
	t.QuotaDeleted = append(t.QuotaDeleted, o.QuotaDeleted...)
	t.QuotaRejected += o.QuotaRejected
	t.Lists += o.Lists
	t.Unexpected = append(t.Unexpected, o.Unexpected...)
}

// expect records err as unexpected unless it is nil or matches allowed.
// It reports whether the write was acknowledged.
func (t *raceTally) expect(op string, err error, allowed error) bool {
	switch {
	case err == nil:
		return true
	case allowed != nil && errors.Is(err, allowed) && !errors.Is(err, resreg.ErrBusy):
		return false
	}
	t.unexpected("%s: %v", op, err)
	return false
}

// sharedWorker runs ops random operations on raceCodes.
func sharedWorker(ctx context.Context, reg *resreg.Registry, id, ops int) *raceTally {
	t := newTally()
	rng := rand.New(rand.NewPCG(uint64(id), uint64(time.Now().UnixNano())))
	pick := func(n int) []string {
		perm := rng.Perm(len(raceCodes))[:n]
		out := make([]string, n)
		for i, p := range perm {
			out[i] = raceCodes[p]
		}
		return out
	}
	for i := range ops {
		switch rng.IntN(5) {
		case 0:
			code := pick(1)[0]
			_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: code})
			if t.expect("create "+code, err, resreg.ErrConflict) {
				t.Creates[code]++
			}
		case 1:
			codes := pick(1 + rng.IntN(3))
			in := resreg.RegisterInput{Type: "device", AssignCodeToID: rng.IntN(2) == 0}
			for _, c := range codes {
				in.Resources = append(in.Resources, resreg.RegisterItem{Code: c, Name: resreg.Name("Shared")})
			}
			_, err := reg.RegisterResources(ctx, in)
			if t.expect(fmt.Sprint("register ", codes), err, resreg.ErrConflict) {
				for _, c := range codes {
					t.Creates[c]++
				}
			}
		case 2:
			code := pick(1)[0]
			desc := "w" + strconv.Itoa(id) + "-" + strconv.Itoa(i)
			_, err := reg.UpdateResource(ctx, "", code, resreg.ResourceUpdate{Description: &desc})
			if t.expect("update "+code, err, resreg.ErrNotFound) {
				t.Updates[code] = append(t.Updates[code], desc)
			}
		case 3:
			codes := pick(1 + rng.IntN(2))
			err := reg.DeleteResources(ctx, "", codes...)
			if t.expect(fmt.Sprint("delete ", codes), err, resreg.ErrNotFound) {
				for _, c := range codes {
					t.Deletes[c]++
				}
			}
		case 4:
			listChecked(ctx, reg, "", t)
		}
	}
	return t
}

// listChecked lists namespace ns in small pages while others write, and
// records a listing whose codes do not strictly increase (a code listed
// twice, or out of order) or that repeats an ID. It returns the listing.
func listChecked(ctx context.Context, reg *resreg.Registry, ns string, t *raceTally) []resreg.Resource {
	t.Lists++
	var all []resreg.Resource
	ids := map[string]bool{}
	opts := resreg.ListOptions{PageSize: 3}
	for {
		p, err := reg.ListResources(ctx, resreg.ResourceFilter{Namespace: ns}, opts)
		if !t.expect("list", err, nil) {
			return all
		}
		for _, r := range p.Items {
			if n := len(all); n > 0 && all[n-1].Code >= r.Code {
				t.unexpected("list: %q after %q", r.Code, all[n-1].Code)
			}
			if ids[r.ID] {
				t.unexpected("list: ID %q twice", r.ID)
			}
			ids[r.ID] = true
			all = append(all, r)
		}
		if opts.PageToken = p.NextPageToken; opts.PageToken == "" {
			return all
		}
	}
}

// quotaWorker creates ops codes of its own in raceQuotaNS, one or three at
// a time, deleting one of its codes every fourth step; every other step it
// checks that a listing respects the quota.
func quotaWorker(ctx context.Context, reg *resreg.Registry, id, ops int) *raceTally {
	t := newTally()
	var mine []string
	for i := range ops {
		switch {
		case i%4 == 3 && len(mine) > 0:
			code := mine[0]
			if t.expect("quota delete "+code, reg.DeleteResources(ctx, raceQuotaNS, code), nil) {
				mine = mine[1:]
				t.QuotaDeleted = append(t.QuotaDeleted, code)
			}
		case i%2 == 1:
			p, err := reg.ListResources(ctx, resreg.ResourceFilter{Namespace: raceQuotaNS}, resreg.ListOptions{PageSize: 1, IncludeTotal: true})
			if t.expect("quota count", err, nil) && p.TotalCount > raceQuota {
				t.unexpected("quota: %d resources, quota %d", p.TotalCount, raceQuota)
			}
			t.Lists++
		default:
			n := 1 + 2*(i%3/2) // 1, 1, 3, ...
			var in []resreg.CreateResourceInput
			var codes []string
			for j := range n {
				code := fmt.Sprintf("q%d-%d-%d", id, i, j)
				codes = append(codes, code)
				in = append(in, resreg.CreateResourceInput{Namespace: raceQuotaNS, Type: resreg.TypeAPI, Code: code})
			}
			_, err := reg.CreateResources(ctx, in)
			switch {
			case err == nil:
				mine = append(mine, codes...)
				t.QuotaCreated = append(t.QuotaCreated, codes...)
			case errors.Is(err, resreg.ErrLimitExceeded) && !errors.Is(err, resreg.ErrBusy):
				t.QuotaRejected++
			default:
				t.unexpected("quota create %v: %v", codes, err)
			}
		}
	}
	return t
}

// runWorkers runs n goroutines of work and merges their tallies.
func runWorkers(n, firstID int, work func(id int) *raceTally) *raceTally {
	tallies := make([]*raceTally, n)
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() { tallies[g] = work(firstID + g) })
	}
	wg.Wait()
	total := newTally()
	for _, t := range tallies {
		total.merge(t)
	}
	return total
}

// raceContext is the deadline the workers' requests carry.
func raceContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// checkShared checks the invariants of the shared-code workload on the
// default namespace.
func checkShared(t *testing.T, reg *resreg.Registry, tally *raceTally) {
	t.Helper()
	require.Empty(t, tally.Unexpected)
	final := listAll(t, reg, "")
	requireUnique(t, final)
	exists := map[string]resreg.Resource{}
	for _, r := range final {
		exists[r.Code] = r
	}
	want := 0
	for _, code := range raceCodes {
		d := tally.Creates[code] - tally.Deletes[code]
		require.True(t, d == 0 || d == 1, "code %s: %d acknowledged creates, %d deletes", code, tally.Creates[code], tally.Deletes[code])
		r, ok := exists[code]
		require.Equal(t, d == 1, ok, "code %s: %d acknowledged creates, %d deletes, exists %v", code, tally.Creates[code], tally.Deletes[code], ok)
		want += d
		if ok && r.Description != "" {
			require.Contains(t, tally.Updates[code], r.Description, "code %s holds a description no acknowledged update wrote", code)
		}
	}
	require.Len(t, final, want, "resources other than the shared codes")
	require.Equal(t, want, count(t, reg, ""))
	t.Logf("%d creates, %d deletes, %d updates acknowledged; %d listings", sum(tally.Creates), sum(tally.Deletes), len(slices.Concat(mapValues(tally.Updates)...)), tally.Lists)
}

// checkQuota checks the invariants of the quota workload.
func checkQuota(t *testing.T, reg *resreg.Registry, tally *raceTally) {
	t.Helper()
	require.Empty(t, tally.Unexpected)
	want := map[string]bool{}
	for _, c := range tally.QuotaCreated {
		require.False(t, want[c], "code %s acknowledged as created twice", c)
		want[c] = true
	}
	for _, c := range tally.QuotaDeleted {
		require.True(t, want[c], "code %s deleted but not created", c)
		delete(want, c)
	}
	final := listAll(t, reg, raceQuotaNS)
	requireUnique(t, final)
	got := map[string]bool{}
	for _, r := range final {
		got[r.Code] = true
	}
	require.Equal(t, want, got, "the namespace does not hold exactly the acknowledged creates minus deletes")
	require.LessOrEqual(t, len(final), raceQuota)
	require.Positive(t, tally.QuotaRejected, "the quota was never reached: the test proves nothing")
	t.Logf("quota: %d created, %d deleted, %d rejected, %d left", len(tally.QuotaCreated), len(tally.QuotaDeleted), tally.QuotaRejected, len(final))
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func mapValues[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

var quotaLimits = resreg.WithLimits(resreg.Limits{MaxResourcesPerNamespace: raceQuota})

func TestRaceSharedCodes(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind)
			ctx := raceContext(t)
			tally := runWorkers(raceGoroutines, 0, func(id int) *raceTally {
				return sharedWorker(ctx, e.reg, id, raceOps(kind))
			})
			checkShared(t, e.reg, tally)
		})
	}
}

func TestRaceQuota(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind, quotaLimits)
			createNamespace(t, e.reg, raceQuotaNS)
			ctx := raceContext(t)
			tally := runWorkers(raceGoroutines, 0, func(id int) *raceTally {
				return quotaWorker(ctx, e.reg, id, raceOps(kind))
			})
			checkQuota(t, e.reg, tally)
		})
	}
}

// TestRaceChild is a child process of TestRaceSQLiteTwoProcesses; run by
// itself it skips. It opens the file, says "ready", waits for a line on
// stdin, runs half the goroutines of both workloads, and prints its tally
// as JSON.
func TestRaceChild(t *testing.T) {
	path := os.Getenv(raceChildDBEnv)
	if path == "" {
		t.Skip("a child process of TestRaceSQLiteTwoProcesses")
	}
	id, err := strconv.Atoi(os.Getenv(raceChildIDEnv))
	require.NoError(t, err)
	st := openSQLite(t, path)
	reg := resreg.New(st, quotaLimits)
	fmt.Println("ready")
	_, err = bufio.NewReader(os.Stdin).ReadString('\n')
	require.NoError(t, err)

	ctx := raceContext(t)
	var shared, quota *raceTally
	var wg sync.WaitGroup
	wg.Go(func() {
		shared = runWorkers(raceGoroutines/2, 100*id, func(g int) *raceTally { return sharedWorker(ctx, reg, g, raceOps("sqlite")) })
	})
	wg.Go(func() {
		quota = runWorkers(raceGoroutines/2, 100*id, func(g int) *raceTally { return quotaWorker(ctx, reg, g, raceOps("sqlite")) })
	})
	wg.Wait()
	shared.merge(quota)
	out, err := json.Marshal(shared)
	require.NoError(t, err)
	fmt.Printf("tally %s\n", out)
}

func TestRaceSQLiteTwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	{
		st, err := sqlitestore.Open(context.Background(), path)
		require.NoError(t, err)
		createNamespace(t, resreg.New(st), raceQuotaNS)
		require.NoError(t, st.Close())
	}

	type child struct {
		cmd   *exec.Cmd
		out   *bufio.Scanner
		stdin io.WriteCloser
		err   strings.Builder
	}
	children := make([]*child, 2)
	for i := range children {
		c := &child{}
		c.cmd = exec.Command(os.Args[0], "-test.run=^TestRaceChild$", "-test.count=1", "-test.timeout=10m")
		c.cmd.Env = append(os.Environ(), raceChildDBEnv+"="+path, raceChildIDEnv+"="+strconv.Itoa(i+1))
		c.cmd.Stderr = &c.err
		stdout, err := c.cmd.StdoutPipe()
		require.NoError(t, err)
		stdin, err := c.cmd.StdinPipe()
		require.NoError(t, err)
		c.stdin = stdin
		c.out = bufio.NewScanner(stdout)
		c.out.Buffer(nil, 16<<20)
		require.NoError(t, c.cmd.Start())
		t.Cleanup(func() { _ = c.cmd.Process.Kill(); _ = c.cmd.Wait() })
		children[i] = c
	}
	// Both children have the file open before either starts writing.
	for _, c := range children {
		require.True(t, c.out.Scan(), "child failed to start: %s", c.err.String())
		require.Equal(t, "ready", c.out.Text())
	}
	for _, c := range children {
		_, err := fmt.Fprintln(c.stdin, "go")
		require.NoError(t, err)
	}

	total := newTally()
	for _, c := range children {
		var tally *raceTally
		for c.out.Scan() {
			if line, ok := strings.CutPrefix(c.out.Text(), "tally "); ok {
				require.NoError(t, json.Unmarshal([]byte(line), &tally))
			}
		}
		require.NoError(t, c.cmd.Wait(), "child failed: %s", c.err.String())
		require.NotNil(t, tally, "child printed no tally: %s", c.err.String())
		total.merge(tally)
	}

	st := openSQLite(t, path)
	reg := resreg.New(st, quotaLimits)
	checkShared(t, reg, total)
	checkQuota(t, reg, total)
}
