package pgstore

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/store"
)

var _ store.ChangeNotifier = (*Store)(nil)

// notifier wakes the watchers of a Store. Its own commits wake them at
// once; commits of other instances arrive through LISTEN on a dedicated
// connection, which a goroutine started by the first ChangesNotify keeps
// open and reopens after a failure. Every (re)connection wakes the watchers
// too, since notifications sent while it was down are lost: a watcher then
// rereads the log, which stays the source of truth, so a missed
// notification only delays it.
type notifier struct {
	mu      sync.Mutex
	ch      chan struct{}
	started bool
	stop    context.CancelFunc
	done    chan struct{}
}

// ChangesNotify returns a channel closed when a change is next committed by
// any instance sharing the schema (or when the listening connection is
// re-established, after which a watcher rereads the log).
func (s *Store) ChangesNotify() <-chan struct{} {
	n := &s.notify
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	if !n.started && !s.closed.Load() {
		n.started = true
		ctx, cancel := context.WithCancel(context.Background())
		n.stop, n.done = cancel, make(chan struct{})
		go s.listen(ctx)
	}
	return n.ch
}

func (n *notifier) wake() {
	n.mu.Lock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
	n.mu.Unlock()
}

// close stops the listener, if one runs, and waits for it.
func (n *notifier) close() {
	n.mu.Lock()
	stop, done := n.stop, n.done
	n.started = true // no listener starts after Close
	n.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	n.wake()
}

// Reconnection backoff of the listening connection.
const (
	listenFirstBackoff = 50 * time.Millisecond
	listenMaxBackoff   = 2 * time.Second
)

// listen holds the LISTEN connection until ctx ends. It connects with the
// pool's connection settings, outside the pool, so that a watcher never
// takes a connection from the writers.
func (s *Store) listen(ctx context.Context) {
	defer close(s.notify.done)
	backoff := listenFirstBackoff
	channel := pgx.Identifier{notifyChannel(s.cfg.schema)}.Sanitize()
	for ctx.Err() == nil {
		conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
		if err == nil {
			if _, err = conn.Exec(ctx, "LISTEN "+channel); err == nil {
				backoff = listenFirstBackoff
				s.notify.wake() // whatever was missed while not listening
				for err == nil {
					_, err = conn.WaitForNotification(ctx)
					if err == nil {
						s.notify.wake()
					}
				}
			}
			closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = conn.Close(closeCtx)
			cancel()
		}
		if ctx.Err() != nil {
			return
		}
		if sleep(ctx, backoff) != nil {
			return
		}
		backoff = min(backoff*2, listenMaxBackoff)
	}
}
