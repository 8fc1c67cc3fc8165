package main

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLogWriterFlushesWithinItsInterval(t *testing.T) {
	var out syncBuffer
	l := newLogWriter(&out)
	_, err := l.Write([]byte("one\n"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return out.String() == "one\n" }, 10*time.Second, logFlushEvery/4,
		"a line reaches the file without more writes")
	l.close()
	_, err = l.Write([]byte("after\n"))
	require.NoError(t, err)
	require.Equal(t, "one\nafter\n", out.String(), "after close, writes go straight through")
}

func TestLogWriterCloseFlushesConcurrentLines(t *testing.T) {
	var out syncBuffer
	l := newLogWriter(&out)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				_, _ = l.Write([]byte("g" + strconv.Itoa(g) + " line " + strconv.Itoa(i) + "\n"))
			}
		}()
	}
	wg.Wait()
	l.close()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 8*500, "every line, none torn")
	for _, line := range lines {
		require.Regexp(t, `^g\d line \d+$`, line)
	}
}

// blockedWriter holds every write until release is closed, as a disk
// under writeback can.
type blockedWriter struct {
	syncBuffer
	release chan struct{}
}

func (b *blockedWriter) Write(p []byte) (int, error) {
	<-b.release
	return b.syncBuffer.Write(p)
}

// A stuck stderr does not hold up the loggers until the memory bound is
// reached; then they wait, and no line is lost.
func TestLogWriterStuckOutput(t *testing.T) {
	out := &blockedWriter{release: make(chan struct{})}
	l := newLogWriter(out)
	line := []byte(strings.Repeat("x", 99) + "\n")
	under := logMaxPending/len(line) - 1
	wrote := make(chan struct{})
	go func() {
		for range under {
			_, _ = l.Write(line)
		}
		close(wrote)
	}()
	select {
	case <-wrote: // taken into memory while the output is stuck
	case <-time.After(30 * time.Second):
		t.Fatal("loggers waited on a stuck output below the memory bound")
	}
	over := make(chan struct{})
	go func() {
		for range 2 * (logMaxPending / len(line)) {
			_, _ = l.Write(line)
		}
		close(over)
	}()
	select {
	case <-over:
		t.Fatal("the buffer grew past its bound")
	case <-time.After(200 * time.Millisecond):
	}
	close(out.release)
	select {
	case <-over:
	case <-time.After(30 * time.Second):
		t.Fatal("loggers still wait after the output drained")
	}
	l.close()
	require.Len(t, out.String(), (under+2*(logMaxPending/len(line)))*len(line), "every line")
}
