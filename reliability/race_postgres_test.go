package reliability_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/pgstore"
	"github.com/resreg/resreg/pgstore/pgtest"
	"github.com/resreg/resreg/store"
)

// The PostgreSQL race of issue 13: three processes with eight goroutines
// each share one schema. In each process three goroutines run the shared
// code workload, three the quota workload and two write grants (batches
// added and revoked whole) in a namespace of their own. Meanwhile the
// parent reads the change log and checks that the Seq it observes is
// strictly increasing and without gaps: a change never appears below one
// already seen.

const (
	racePGSchemaEnv  = "RESREG_RELIABILITY_RACE_PG_SCHEMA"
	racePGProcesses  = 3
	racePGGrantNS    = "grants"
	racePGGrantBatch = 4
)

// TestRacePostgresChild is a child of TestRacePostgresThreeProcesses; run by
// itself it skips.
func TestRacePostgresChild(t *testing.T) {
	schema := os.Getenv(racePGSchemaEnv)
	if schema == "" {
		t.Skip("a child process of TestRacePostgresThreeProcesses")
	}
	id, err := strconv.Atoi(os.Getenv(raceChildIDEnv))
	require.NoError(t, err)
	st, err := pgstore.Open(context.Background(), pgtest.DSN(), pgstore.WithSchema(schema))
	require.NoError(t, err)
	defer st.Close()
	reg := resreg.New(st, quotaLimits)
	fmt.Println("ready")
	_, err = bufio.NewReader(os.Stdin).ReadString('\n')
	require.NoError(t, err)

	ctx := raceContext(t)
	ops := raceOps("postgres")
	var shared, quota, grants *raceTally
	var wg sync.WaitGroup
	wg.Go(func() {
		shared = runWorkers(3, 100*id, func(g int) *raceTally { return sharedWorker(ctx, reg, g, ops) })
	})
	wg.Go(func() {
		quota = runWorkers(3, 100*id, func(g int) *raceTally { return quotaWorker(ctx, reg, g, ops) })
	})
	wg.Go(func() {
		grants = runWorkers(2, 100*id, func(g int) *raceTally { return grantWorker(ctx, st, g, ops) })
	})
	wg.Wait()
	shared.merge(quota)
	shared.merge(grants)
	out, err := json.Marshal(shared)
	require.NoError(t, err)
	fmt.Printf("tally %s\n", out)
}

// grantBatch is the batch of goroutine id: grants of its own subject on
// the shared resource, so batches of different goroutines never overlap.
func grantBatch(id int) []store.Grant {
	out := make([]store.Grant, racePGGrantBatch)
	for i := range out {
		out[i] = store.Grant{Namespace: racePGGrantNS, Subject: store.Subject{Type: store.SubjectUser, ID: "u" + strconv.Itoa(id)},
			ResourceCode: "doc", Action: "read", Effect: store.EffectAllow}
		if i%2 == 1 {
			out[i].Effect = store.EffectDeny
		}
		if i >= 2 {
			out[i].ResourceCode = store.Wildcard
		}
	}
	return out
}

// grantWorker adds and revokes its batch in turn and checks, after each
// write, that it sees all of the batch or none of it.
func grantWorker(ctx context.Context, st store.Store, id, ops int) *raceTally {
	t := newTally()
	batch := grantBatch(id)
	sub := batch[0].Subject
	for i := range ops {
		var err error
		if i%2 == 0 {
			err = st.AddGrants(ctx, batch)
		} else {
			err = st.RevokeGrants(ctx, batch)
		}
		t.expect("grants", err, nil)
		p, err := st.ListGrants(ctx, store.GrantFilter{Namespace: racePGGrantNS, Subject: &sub}, store.ListOptions{})
		if !t.expect("list grants", err, nil) {
			continue
		}
		want := racePGGrantBatch
		if i%2 == 1 {
			want = 0
		}
		if len(p.Items) != want {
			t.unexpected("goroutine %d saw %d of its grants after write %d, want %d", id, len(p.Items), i, want)
		}
		t.Lists++
	}
	return t
}

func TestRacePostgresThreeProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes")
	}
	st := pgtest.Open(t)
	ctx := t.Context()
	createNamespace(t, resreg.New(st), raceQuotaNS)
	require.NoError(t, st.CreateNamespace(ctx, store.Namespace{Code: racePGGrantNS, Name: "grants"}))
	doc := store.Resource{Namespace: racePGGrantNS, Code: "doc", Type: store.TypeAPI, Actions: []store.Action{{Name: "read"}}}
	require.NoError(t, st.CreateResources(ctx, []store.Resource{doc}, store.WriteOptions{}))

	type child struct {
		cmd   *exec.Cmd
		out   *bufio.Scanner
		stdin io.WriteCloser
		err   strings.Builder
	}
	children := make([]*child, racePGProcesses)
	for i := range children {
		c := &child{}
		c.cmd = exec.Command(os.Args[0], "-test.run=^TestRacePostgresChild$", "-test.count=1", "-test.timeout=10m")
		c.cmd.Env = append(os.Environ(), racePGSchemaEnv+"="+st.Schema(), raceChildIDEnv+"="+strconv.Itoa(i+1))
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
	for _, c := range children {
		require.True(t, c.out.Scan(), "child failed to start: %s", c.err.String())
		require.Equal(t, "ready", c.out.Text())
	}

	// The change-log reader follows the log while the children write.
	stop := make(chan struct{})
	var readerErr error
	var seen int64
	var reader sync.WaitGroup
	reader.Go(func() {
		var last int64
		for {
			select {
			case <-stop:
				seen = last
				return
			default:
			}
			cs, err := st.Changes(ctx, last, store.MaxChangesLimit)
			if err != nil {
				readerErr = err
				return
			}
			for _, c := range cs {
				if c.Seq != last+1 {
					readerErr = fmt.Errorf("change %d observed after %d", c.Seq, last)
					return
				}
				last = c.Seq
			}
			if len(cs) == 0 {
				time.Sleep(2 * time.Millisecond)
			}
		}
	})

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
	close(stop)
	reader.Wait()
	require.NoError(t, readerErr)
	last, err := st.LastSeq(ctx)
	require.NoError(t, err)
	require.NotZero(t, seen, "the reader saw no change")
	t.Logf("the reader followed %d of %d changes while the children wrote", seen, last)

	reg := resreg.New(st, quotaLimits)
	checkShared(t, reg, total) // includes: no unexpected error, so no ErrBusy
	checkQuota(t, reg, total)
	// Every goroutine's last write was a revoke (ops is even): no grant is
	// left, and the indexes agree.
	p, err := st.ListGrants(ctx, store.GrantFilter{Namespace: racePGGrantNS}, store.ListOptions{IncludeTotal: true})
	require.NoError(t, err)
	require.Zero(t, p.TotalCount)
}
