package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logFlushEvery is the longest a log line waits in the buffer.
const logFlushEvery = 100 * time.Millisecond

// logWriter buffers the access log on its way to stderr: a write system
// call per request line was a measurable share of a request's cost under
// load. A line reaches the file when the buffer fills, within
// logFlushEvery otherwise, and before serve returns (close); only a
// process killed outright loses the last instant of its log.
type logWriter struct {
	mu     sync.Mutex
	out    io.Writer
	w      *bufio.Writer
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

func newLogWriter(out io.Writer) *logWriter {
	l := &logWriter{out: out, w: bufio.NewWriterSize(out, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go l.flushLoop()
	return l
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.out.Write(p)
	}
	return l.w.Write(p)
}

func (l *logWriter) flushLoop() {
	defer close(l.done)
	t := time.NewTicker(logFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.flush()
		case <-l.stop:
			l.flush()
			return
		}
	}
}

func (l *logWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w.Buffered() > 0 {
		_ = l.w.Flush()
	}
}

// close flushes what is buffered and stops the flushing goroutine; later
// writes go straight through.
func (l *logWriter) close() {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.w.Flush()
	l.closed = true
}
