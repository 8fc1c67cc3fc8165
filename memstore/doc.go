// Package memstore is an in-memory [store.Store]: the storage for tests,
// for caches in front of a durable store, and for ephemeral registries whose
// contents are rebuilt at start-up.
//
// It keeps the whole contract of package store: codes, IDs and data resource
// names are unique within a namespace, batches are all-or-nothing, the
// per-namespace quota is enforced inside the write, records are copied on
// the way in and out, and every method is safe for concurrent use.
//
// Each namespace keeps its resources and data resources in B-trees ordered
// by code, so a page of a listing seeks to its cursor instead of sorting the
// namespace, and in hash maps keyed by code, ID and name for point lookups.
//
// Grants live per namespace in a B-tree in listing order, with a map by
// identity and one by resource code, so the cascades of a resource delete
// or update read only that resource's grants. Memberships are kept twice,
// parent-first and member-first, so both directions of the graph are range
// scans. Data policies keep their refs with two reverse indexes (policies by
// namespace named, policies by data resource pinned), so a delete that a
// policy refuses reads only the policies concerned.
//
// Every write appends its changes to an in-memory change log under the same
// lock (see [store.ChangeLog]); the log grows with every write until it is
// pruned, by PruneChanges or a Registry's retention. [Store.ChangesNotify]
// wakes watchers as soon as a write commits.
//
// [Store.Batch] runs many writes as one: it holds the write lock for the
// whole batch, the writes made with its context run under that lock, and
// each records how to undo its changes, so that a batch that fails is
// unwound in time proportional to its own writes, whatever the size of the
// Store. Its changes reach the log's readers and wake the watchers only
// when it commits.
//
// Nothing is persisted: everything a Store holds is lost when the process
// exits.
package memstore
