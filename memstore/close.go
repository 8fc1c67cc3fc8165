package memstore

import "github.com/resreg/resreg/store"

// Close marks the Store closed and drops its records; later calls return
// store.ErrClosed. Closing twice returns nil.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	// Take the write lock so that no call in progress sees its indexes
	// vanish; calls waiting behind it see the flag once they get the lock.
	s.mu.Lock()
	defer s.mu.Unlock()
	s.namespaces.Clear(false)
	s.byCode = map[string]*namespace{}
	s.strs = map[string]string{}
	return nil
}

// closedErr returns the ErrClosed error once Close has been called. The
// lock helpers check it after taking the lock, so every method does.
func (s *Store) closedErr() error {
	if s.closed.Load() {
		return store.Closed()
	}
	return nil
}
