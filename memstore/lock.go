package memstore

import (
	"context"
	"errors"

	"github.com/resreg/resreg/store"
)

// The store's lock is normally held for microseconds, but an update
// function runs under it and may be slow. A caller whose context has a
// deadline or can be cancelled therefore waits for the lock only until its
// context is done. Past the deadline it gets an ErrBusy error; cancelled,
// it gets context.Canceled, as the contract asks.

// lock takes the write lock, or returns an error once ctx is done (see
// waitLock) or the Store is closed. Called with the context of the running
// batch, it takes nothing: the batch holds the lock (see joins).
func (s *Store) lock(ctx context.Context) error {
	if s.batch.Load() != nil || ctx.Value(batchKey{s}) != nil {
		if tok, ended := s.batchOf(ctx); tok != nil || ended {
			return s.joined(tok, ended)
		}
	}
	if !s.mu.TryLock() {
		if err := waitLock(ctx, s.mu.Lock, s.mu.Unlock); err != nil {
			return err
		}
	}
	if err := s.closedErr(); err != nil {
		s.mu.Unlock()
		return err
	}
	return nil
}

// rlock takes the read lock, or returns an error once ctx is done; with the
// running batch's context it takes nothing, as lock.
func (s *Store) rlock(ctx context.Context) error {
	if s.batch.Load() != nil || ctx.Value(batchKey{s}) != nil {
		if tok, ended := s.batchOf(ctx); tok != nil || ended {
			return s.joined(tok, ended)
		}
	}
	if !s.mu.TryRLock() {
		if err := waitLock(ctx, s.mu.RLock, s.mu.RUnlock); err != nil {
			return err
		}
	}
	if err := s.closedErr(); err != nil {
		s.mu.RUnlock()
		return err
	}
	return nil
}

// unlock releases what lock took with the same ctx.
func (s *Store) unlock(ctx context.Context) {
	if !s.joins(ctx) {
		s.mu.Unlock()
	}
}

// runlock releases what rlock took with the same ctx.
func (s *Store) runlock(ctx context.Context) {
	if !s.joins(ctx) {
		s.mu.RUnlock()
	}
}

// waitLock acquires with acquire unless ctx is done first: a context past
// its deadline gives an ErrBusy error, a cancelled one ctx.Err() itself. A
// context that can never be done just blocks. Otherwise a helper goroutine waits for the
// lock and hands it over; if the caller has given up by then, the helper
// releases it instead, so an abandoned wait never leaks the lock.
func waitLock(ctx context.Context, acquire, release func()) error {
	done := ctx.Done()
	if done == nil {
		acquire()
		return nil
	}
	handoff := make(chan struct{})
	go func() {
		acquire()
		select {
		case handoff <- struct{}{}:
		case <-done:
			release()
		}
	}()
	select {
	case <-handoff:
		return nil
	case <-done:
		if err := ctx.Err(); errors.Is(err, context.Canceled) {
			return err
		}
		return store.Busy(ctx.Err())
	}
}
