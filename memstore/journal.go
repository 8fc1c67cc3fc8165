package memstore

// journal lets a failed batch put the Store back as it was. While a batch
// runs, every change its writes make to an index is recorded with the
// change that reverses it, and a rollback replays those in reverse order;
// the change log and the intern ring, which only grow, are saved whole when
// the batch starts instead.
//
// Undoing costs time in proportion to the batch's writes, not to the
// Store's size. A snapshot would cost the second: updates overwrite
// records in place and the hash indexes are not copy-on-write, so a
// restorable copy would have to duplicate every record and map.
//
// Every mutation of an index goes through a method that records its
// reversal (grantIndex.add, namespace.putResource, Store.addNamespace...),
// so no write has to know that it runs in a batch. The journal is only
// touched under the write lock.
type journal struct {
	// on is set while a batch runs; the recording methods check it first,
	// so that a write outside a batch allocates no undo closure.
	on   bool
	undo []func()
	// wake is set when the batch logs a change: the watchers are woken at
	// commit, never for changes that are rolled back.
	wake bool

	// What the batch started from, restored as a whole.
	entries []changeEntry
	lastSeq int64
	recent  [4]string
	next    int
}

// record adds the reversal of a change just made. The caller has checked
// j.on.
func (j *journal) record(undo func()) { j.undo = append(j.undo, undo) }

// begin starts recording. The caller holds the write lock.
func (s *Store) begin() {
	s.j = journal{
		on:      true,
		entries: s.log.entries,
		lastSeq: s.log.lastSeq,
		recent:  s.recent,
		next:    s.next,
	}
}

// rollback undoes every change recorded since begin. Undoing goes through
// the same index methods, which record nothing once on is cleared.
//
// The change log gets back its old slice: entries the batch appended lie
// past its length (or in an array a prune or a regrowth made), where no
// reader outside the batch has looked, since readers take the lock and
// their window ends at the length they saw. Those past its length are
// zeroed, so that they hold no undone record until the log grows over
// them.
func (s *Store) rollback() {
	j := &s.j
	j.on = false
	for i := len(j.undo) - 1; i >= 0; i-- {
		j.undo[i]()
	}
	if appended := s.log.lastSeq - j.lastSeq; appended > 0 {
		tail := j.entries[len(j.entries):cap(j.entries)]
		clear(tail[:min(int64(len(tail)), appended)])
	}
	s.log.entries, s.log.lastSeq = j.entries, j.lastSeq
	s.recent, s.next = j.recent, j.next
	*j = journal{}
}

// commit keeps the batch's changes and wakes the watchers if it logged
// any.
func (s *Store) commit() {
	wake := s.j.wake
	s.j = journal{}
	if wake {
		s.wakeWatchers()
	}
}
