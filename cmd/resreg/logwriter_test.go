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
