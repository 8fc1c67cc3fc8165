// Package reliability holds no code of its own: its tests prove, through the
// public API and on both stores (memstore and a sqlitestore file), that
// hostile input, storage faults, crashes, cancellation and concurrent
// writers lose or corrupt nothing.
//
//   - fault_test.go: a write that fails at the k-th row of a batch, for k
//     across the batch, leaves nothing of the batch behind, returns an
//     error, and leaves the store working.
//   - crash_test.go: a child process writing 1000-item batches to a SQLite
//     file is killed with SIGKILL at random moments; after every kill the
//     file opens, passes PRAGMA integrity_check, holds every batch whole or
//     not at all, and holds every batch the child saw acknowledged. It runs
//     unless -short is set.
//   - race_test.go: 16 goroutines (and, on SQLite, two processes) create,
//     update, delete and list the same codes; codes and IDs stay unique,
//     counts match the acknowledged writes, the quota holds, and no busy
//     error reaches a caller.
//   - exhaustion_test.go: a 100 MB body, a tree 100,000 levels deep and a
//     million-item array are rejected with ErrInvalid in bounded time and
//     memory, and the tree helpers never recurse on the input's depth.
//   - cancel_test.go: a context cancelled before or during a batch writes
//     nothing.
//
// Run everything, crash test included, with
//
//	go test -race ./reliability/
//
// and everything but the crash test with -short.
package reliability
