package reliability_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/sqlitestore"
)

// Crash safety.
//
// TestCrashSQLite starts this test binary again as a child process that
// runs TestCrashChild: it opens a SQLite registry file with synchronous=FULL
// and registers 1000-item batches in a loop, printing "committed N" once
// batch N is acknowledged. The parent kills the child with SIGKILL
// (os.Process.Kill) at a random moment, most often while a batch is being
// written, and then checks the file; it does so crashRounds times on the
// same file, crashRoundsPerFile rounds in a row, so that later rounds also
// recover from earlier crashes. (A new file every few rounds keeps the
// checks, which read the whole file, fast under the race detector.)
//
// A process kill loses nothing the kernel has been given, so the
// "acknowledged means present" check holds with synchronous=NORMAL too; FULL
// is what extends it to power loss, which a test cannot simulate.

const (
	// crashRounds is how many times the child is killed in one run.
	crashRounds = 30
	// crashRoundsPerFile is how many crashes one file goes through.
	crashRoundsPerFile = 6
	// crashBatch is the size of the child's batches.
	crashBatch = 1000
	// crashChildEnv carries the database path to the child; its presence
	// makes TestCrashChild act.
	crashChildEnv = "RESREG_RELIABILITY_CRASH_DB"
	// crashRoundEnv carries the round number, which the child puts in its
	// codes.
	crashRoundEnv = "RESREG_RELIABILITY_CRASH_ROUND"
)

// crashCode is the code of item i of batch b of round r. The first 9
// characters ("r07-b0003") name the batch.
func crashCode(r, b, i int) string { return fmt.Sprintf("r%02d-b%04d-%04d", r, b, i) }

const crashBatchKeyLen = len("r00-b0000")

// TestCrashChild is the child process of TestCrashSQLite; run by itself it
// skips.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("the child process of TestCrashSQLite")
	}
	round, err := strconv.Atoi(os.Getenv(crashRoundEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad round:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, path, sqlitestore.WithSynchronousFull())
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	reg := resreg.New(st)
	// os.Stdout is not buffered: each line is written before the next
	// batch starts.
	fmt.Println("ready")
	for b := 0; ; b++ {
		in := resreg.RegisterInput{Type: "crash", Resources: make([]resreg.RegisterItem, crashBatch)}
		for i := range in.Resources {
			in.Resources[i] = resreg.RegisterItem{Code: crashCode(round, b, i), Name: resreg.Name("Batch " + strconv.Itoa(b))}
		}
		if _, err := reg.RegisterResources(ctx, in); err != nil {
			fmt.Fprintf(os.Stderr, "batch %d: %v\n", b, err)
			os.Exit(3)
		}
		fmt.Printf("committed %d\n", b)
	}
}

// crashChild is one run of the child.
type crashChild struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	lines  chan string // stdout lines; closed at EOF
	start  time.Time
}

func startCrashChild(t *testing.T, path string, round int) *crashChild {
	t.Helper()
	c := &crashChild{lines: make(chan string, 64)}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=2m")
	c.cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashRoundEnv+"="+strconv.Itoa(round))
	c.cmd.Stderr = &c.stderr
	out, err := c.cmd.StdoutPipe()
	require.NoError(t, err)
	c.start = time.Now()
	require.NoError(t, c.cmd.Start())
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	return c
}

// crashOutcome is what the parent saw of one child.
type crashOutcome struct {
	lastCommitted int // -1 when no batch was reported
	readyAfter    time.Duration
	batchTimes    []time.Duration
	beforeReady   bool // killed before the child reported ready
}

// runUntilKilled reads the child's reports and kills it with SIGKILL
// killAt(false) after its start or, if it reports ready before that,
// killAt(true) after it did; then it collects what the child printed before
// dying.
func (c *crashChild) runUntilKilled(t *testing.T, killAt func(ready bool) time.Duration) crashOutcome {
	t.Helper()
	o := crashOutcome{lastCommitted: -1}
	ready, killed := false, false
	var mark time.Time // when the child got ready
	last := time.Time{}
	deadline := time.NewTimer(killAt(false))
	defer deadline.Stop()
	handle := func(line string) {
		switch {
		case line == "ready":
			ready = true
			mark = time.Now()
			last = mark
			o.readyAfter = mark.Sub(c.start)
			if !killed {
				// Since Go 1.23 Reset needs no draining of the channel.
				deadline.Reset(killAt(true))
			}
		case strings.HasPrefix(line, "committed "):
			n, err := strconv.Atoi(strings.TrimPrefix(line, "committed "))
			require.NoError(t, err, line)
			require.Equal(t, o.lastCommitted+1, n, "batches reported out of order")
			o.lastCommitted = n
			now := time.Now()
			o.batchTimes = append(o.batchTimes, now.Sub(last))
			last = now
		default:
			t.Fatalf("child printed %q", line)
		}
	}
loop:
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				err := c.cmd.Wait()
				t.Fatalf("child exited before it was killed: %v\n%s", err, c.stderr.String())
			}
			handle(line)
		case <-deadline.C:
			break loop
		}
	}
	o.beforeReady = !ready
	killed = true
	require.NoError(t, c.cmd.Process.Kill())
	// Lines printed before the kill are still in the pipe: they count.
	for line := range c.lines {
		handle(line)
	}
	err := c.cmd.Wait()
	require.Error(t, err, "the child was killed")
	return o
}

// crashBatches returns, per round, the set of batches present in the file,
// after checking that each is whole.
func crashBatches(t *testing.T, st *sqlitestore.Store) map[int]map[int]bool {
	t.Helper()
	rows, err := st.DB().Query(`SELECT substr(code, 1, ?) AS batch, count(*) FROM resreg_resources GROUP BY batch`, crashBatchKeyLen)
	require.NoError(t, err)
	defer rows.Close()
	out := make(map[int]map[int]bool)
	for rows.Next() {
		var key string
		var n int
		require.NoError(t, rows.Scan(&key, &n))
		var r, b int
		_, err := fmt.Sscanf(key, "r%02d-b%04d", &r, &b)
		require.NoError(t, err, "unexpected code prefix %q", key)
		require.Equal(t, crashBatch, n, "batch %s is partly present", key)
		if out[r] == nil {
			out[r] = make(map[int]bool)
		}
		out[r][b] = true
	}
	require.NoError(t, rows.Err())
	return out
}

func TestCrashSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: kills a child process 30 times; runs without -short")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	dir := t.TempDir()
	var path string

	// Running estimates of how long the child takes to get ready and to
	// write one batch, which spread the kill moments over the writes.
	startup, batch := 2*time.Second, 500*time.Millisecond
	// present[r] is how many batches of round r are in the file.
	var present map[int]int
	var midBatch, afterCommit, duringOpen int

	for round := range crashRounds {
		if round%crashRoundsPerFile == 0 {
			path = filepath.Join(dir, fmt.Sprintf("crash-%02d.db", round/crashRoundsPerFile))
			present = make(map[int]int)
		}
		child := startCrashChild(t, path, round)
		earlyKill := round%5 == 4 // every fifth kill lands while the child opens the file
		o := child.runUntilKilled(t, func(ready bool) time.Duration {
			switch {
			case !ready && earlyKill:
				return time.Duration(rng.Int64N(int64(startup)))
			case !ready:
				return time.Minute // wait for ready
			default:
				return time.Duration(rng.Int64N(int64(batch) * 5 / 2))
			}
		})
		if !o.beforeReady {
			startup = (startup + o.readyAfter) / 2
		}
		for _, d := range o.batchTimes {
			batch = (3*batch + d) / 4
		}

		st, err := sqlitestore.Open(context.Background(), path)
		require.NoError(t, err, "round %d: the file does not open after the kill", round)
		var check []string
		rows, err := st.DB().Query(`PRAGMA integrity_check`)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			check = append(check, s)
		}
		require.NoError(t, rows.Err())
		rows.Close()
		require.Equal(t, []string{"ok"}, check, "round %d: integrity_check", round)

		batches := crashBatches(t, st)
		// This round's child wrote batches 0, 1, ... one at a time, so
		// what is present is a prefix holding every reported batch and
		// at most the one it was writing when killed.
		got := len(batches[round])
		for b := range got {
			require.True(t, batches[round][b], "round %d: batch %d is missing but a later one is present", round, b)
		}
		require.GreaterOrEqual(t, got, o.lastCommitted+1, "round %d: an acknowledged batch is missing", round)
		require.LessOrEqual(t, got, o.lastCommitted+2, "round %d: more batches than were written", round)
		present[round] = got
		// Earlier rounds' batches are exactly as they were.
		for r, n := range present {
			require.Len(t, batches[r], n, "round %d changed after round %d's crash", r, round)
		}
		require.Len(t, batches, countNonZero(present), "batches of unknown rounds")

		// The Registry reads the file, too.
		reg := resreg.New(st)
		if got > 0 {
			res, err := reg.GetResource(context.Background(), "", crashCode(round, got-1, crashBatch-1))
			require.NoError(t, err)
			require.Equal(t, "Batch "+strconv.Itoa(got-1), res.Name.DefaultValue)
		}
		require.NoError(t, st.Close())

		switch {
		case o.beforeReady:
			duringOpen++
		case got == o.lastCommitted+1:
			midBatch++ // killed before the batch it was writing committed
		default:
			afterCommit++ // committed, killed before it could report it
		}
	}
	t.Logf("%d kills: %d while opening, %d before a batch committed, %d after a commit it could not report; batch time %v",
		crashRounds, duringOpen, midBatch, afterCommit, batch)

	// The file still takes writes after all the crashes.
	st := openSQLite(t, path)
	reg := resreg.New(st)
	_, err := reg.RegisterResources(context.Background(), registerBatch("", "after", crashBatch))
	require.NoError(t, err)
	require.Equal(t, crashBatch, countNamespacePrefix(t, st, "after-"))
}

func countNonZero(m map[int]int) int {
	n := 0
	for _, v := range m {
		if v > 0 {
			n++
		}
	}
	return n
}

// countNamespacePrefix counts the rows whose code starts with prefix.
func countNamespacePrefix(t *testing.T, st *sqlitestore.Store, prefix string) int {
	t.Helper()
	var n int
	require.NoError(t, st.DB().QueryRow(`SELECT count(*) FROM resreg_resources WHERE substr(code, 1, ?) = ?`, len(prefix), prefix).Scan(&n))
	return n
}
