package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/pgstore"
	"github.com/resreg/resreg/pgstore/pgtest"
	"github.com/resreg/resreg/store"
)

// The throughput run of issue 13: processes x 8 goroutines on one
// PostgreSQL schema, each goroutine looping over a mix of 40% GetResource,
// 30% CreateResource of a new code and 30% grant writes (a batch of 4
// grants added or revoked whole), through the Registry for resources and
// the store for grants, for a fixed time. It reports operations per second
// and the number of ErrBusy errors (the target is zero). One run measures 1
// process and then 3 processes on fresh schemas, so the scaling is compared
// within the run. It is a test, not a benchmark, because it starts
// processes; it runs only when asked:
//
//	RESREG_BENCH_PG_THROUGHPUT=10s go test -run '^TestPgThroughput$' -v ./bench
const (
	envPgThroughput       = "RESREG_BENCH_PG_THROUGHPUT"
	envPgThroughputSchema = "RESREG_BENCH_PG_THROUGHPUT_SCHEMA"
	envPgThroughputID     = "RESREG_BENCH_PG_THROUGHPUT_ID"
	pgThroughputGoroutine = 8
	pgThroughputSeeded    = 1000
)

// TestPgThroughputChild is one process of TestPgThroughput; alone it skips.
func TestPgThroughputChild(t *testing.T) {
	schema := os.Getenv(envPgThroughputSchema)
	if schema == "" {
		t.Skip("a child process of TestPgThroughput")
	}
	d, err := time.ParseDuration(os.Getenv(envPgThroughput))
	if err != nil {
		t.Fatal(err)
	}
	id := os.Getenv(envPgThroughputID)
	st, err := pgstore.Open(context.Background(), pgtest.DSN(), pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := resreg.New(st)
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	var ops, busy, failed atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for g := range pgThroughputGoroutine {
		wg.Go(func() {
			sub := store.Subject{Type: store.SubjectUser, ID: id + "-" + strconv.Itoa(g)}
			batch := make([]store.Grant, 4)
			for i := range batch {
				batch[i] = store.Grant{Namespace: store.DefaultNamespace, Subject: sub, ResourceCode: code("seed", i),
					Action: "read", Effect: store.EffectAllow}
			}
			added := false
			for i := 0; time.Now().Before(deadline); i++ {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				var err error
				switch i % 10 {
				case 0, 1, 2, 3:
					_, err = reg.GetResource(ctx, "", code("seed", (i*7919+g)%pgThroughputSeeded))
				case 4, 5, 6:
					_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeAPI,
						Code: fmt.Sprintf("p%s-g%d-%d", id, g, i)})
				default:
					if added {
						err = st.RevokeGrants(ctx, batch)
					} else {
						err = st.AddGrants(ctx, batch)
					}
					added = !added
				}
				cancel()
				switch {
				case err == nil:
					ops.Add(1)
				case errors.Is(err, store.ErrBusy):
					busy.Add(1)
				default:
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		})
	}
	wg.Wait()
	fmt.Printf("result %d %d %d\n", ops.Load(), busy.Load(), failed.Load())
	if e := firstErr.Load(); e != nil {
		t.Fatalf("first error: %v", e)
	}
}

func TestPgThroughput(t *testing.T) {
	d := os.Getenv(envPgThroughput)
	if d == "" {
		t.Skip("set " + envPgThroughput + " (e.g. 10s) to run the PostgreSQL throughput measurement")
	}
	pgtest.SkipUnlessEnabled(t)
	dur, err := time.ParseDuration(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, procs := range []int{1, 3} {
		st := pgtest.Open(t)
		seed := make([]store.Resource, pgThroughputSeeded)
		for i := range seed {
			seed[i] = store.Resource{Namespace: store.DefaultNamespace, Code: code("seed", i), ID: code("seed", i), Type: store.TypeAPI,
				Actions: []store.Action{{Name: "read", Description: "read"}}}
		}
		if err := st.CreateResources(context.Background(), seed, store.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		ops, busy, failed := runPgThroughput(t, st.Schema(), procs, d)
		t.Logf("%d process(es) x %d goroutines, %v: %d operations, %.0f ops/s, %d busy, %d other errors",
			procs, pgThroughputGoroutine, dur, ops, float64(ops)/dur.Seconds(), busy, failed)
		if busy != 0 || failed != 0 {
			t.Errorf("%d busy and %d other errors reached callers", busy, failed)
		}
	}
}

func runPgThroughput(t *testing.T, schema string, procs int, d string) (ops, busy, failed int64) {
	type child struct {
		cmd *exec.Cmd
		out *bufio.Scanner
		in  interface{ Write([]byte) (int, error) }
		err strings.Builder
	}
	children := make([]*child, procs)
	for i := range children {
		c := &child{}
		c.cmd = exec.Command(os.Args[0], "-test.run=^TestPgThroughputChild$", "-test.count=1", "-test.timeout=10m")
		c.cmd.Env = append(os.Environ(), envPgThroughputSchema+"="+schema, envPgThroughputID+"="+strconv.Itoa(i), envPgThroughput+"="+d)
		c.cmd.Stderr = &c.err
		stdout, err := c.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdin, err := c.cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		c.in, c.out = stdin, bufio.NewScanner(stdout)
		if err := c.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.cmd.Process.Kill(); _ = c.cmd.Wait() })
		children[i] = c
	}
	for _, c := range children {
		if !c.out.Scan() || c.out.Text() != "ready" {
			t.Fatalf("child did not start: %s", c.err.String())
		}
	}
	for _, c := range children {
		if _, err := c.in.Write([]byte("go\n")); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range children {
		got := false
		for c.out.Scan() {
			var o, b, f int64
			if n, _ := fmt.Sscanf(c.out.Text(), "result %d %d %d", &o, &b, &f); n == 3 {
				ops, busy, failed, got = ops+o, busy+b, failed+f, true
			}
		}
		if err := c.cmd.Wait(); err != nil || !got {
			t.Fatalf("child failed (%v): %s", err, c.err.String())
		}
	}
	return ops, busy, failed
}
