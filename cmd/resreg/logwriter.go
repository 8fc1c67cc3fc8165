package main

import (
	"io"
	"sync"
	"time"
)

const (
	// logFlushEvery is the longest a log line waits in memory.
	logFlushEvery = 100 * time.Millisecond
	// logFlushAt is how much buffered log wakes the writer early.
	logFlushAt = 64 << 10
	// logMaxPending bounds the log waiting in memory besides the part
	// being written: past it, a request that logs waits for the writer
	// instead of growing the buffer.
	logMaxPending = 4 << 20
)

// logWriter takes the access log off the request path on its way to
// stderr. A request appends its line to memory; one goroutine writes what
// has gathered to stderr every logFlushEvery (sooner past logFlushAt),
// outside the lock, so that neither a system call per line nor a slow
// disk holds up requests. Lines keep their order, a full buffer makes
// loggers wait rather than drop lines, and close writes everything out
// before serve returns; only a process killed outright loses the last
// instant of its log.
type logWriter struct {
	out io.Writer

	mu      sync.Mutex
	drained *sync.Cond // signalled after each write to out
	buf     []byte
	closed  bool

	wake chan struct{}
	stop chan struct{}
	done chan struct{}
}

func newLogWriter(out io.Writer) *logWriter {
	l := &logWriter{out: out, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	l.drained = sync.NewCond(&l.mu)
	go l.run()
	return l
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for !l.closed && len(l.buf) >= logMaxPending {
		l.drained.Wait()
	}
	if l.closed {
		return l.out.Write(p)
	}
	l.buf = append(l.buf, p...)
	if len(l.buf) >= logFlushAt {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

func (l *logWriter) run() {
	defer close(l.done)
	t := time.NewTicker(logFlushEvery)
	defer t.Stop()
	var spare []byte
	for {
		select {
		case <-t.C:
		case <-l.wake:
		case <-l.stop:
			return
		}
		spare = l.writeOut(spare)
	}
}

// writeOut swaps the buffer for spare, writes it to out without the
// lock, and returns it emptied as the next spare.
func (l *logWriter) writeOut(spare []byte) []byte {
	l.mu.Lock()
	b := l.buf
	l.buf = spare[:0]
	l.mu.Unlock()
	if len(b) > 0 {
		_, _ = l.out.Write(b)
	}
	l.mu.Lock()
	l.drained.Broadcast()
	l.mu.Unlock()
	if cap(b) > logMaxPending {
		return nil // a burst does not pin its buffer
	}
	return b[:0]
}

// close writes out what is buffered and stops the writer goroutine;
// later writes go straight to out.
func (l *logWriter) close() {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		_, _ = l.out.Write(l.buf)
	}
	l.buf, l.closed = nil, true
	l.drained.Broadcast()
}
