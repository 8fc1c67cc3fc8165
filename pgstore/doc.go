// Package pgstore is a [store.Store] kept in PostgreSQL, for services that
// run many instances on one database.
//
// [Open] connects with a DSN (a postgres:// URL or a keyword string such as
// "host=127.0.0.1 port=5432 dbname=app"); [New] works on a *pgxpool.Pool the
// caller owns. Both apply the embedded migrations in order, each version
// recorded in resreg_schema_migrations, under a transaction-level advisory
// lock, so instances that start at once apply each migration exactly once.
// [WithSchema] keeps the registry's tables (all named resreg_*) in a schema
// of their own, created if missing.
//
// PostgreSQL does the enforcing, so the guarantees hold across instances:
// codes, IDs and data resource names are unique by constraint; every write
// that changes how many resources a namespace holds first locks that
// namespace's row, whose resource_count column it updates and checks inside
// the same transaction, so the quota holds under any concurrency; a batch is
// one transaction sent as one statement.
//
// The change log ([Store.Changes]) is numbered from a counter row that
// every write recording changes locks as its last statement before COMMIT,
// so Seq follows commit order across instances and has no gaps (see
// changes.go for why). The same round trip queues a NOTIFY on the schema's
// channel; [Store.ChangesNotify] listens on a connection of its own and
// reopens it after a failure, so other instances learn of a commit at once
// while the log stays the source of truth.
//
// Grants, memberships, data policies (with their refs and pins) and policy
// targets keep the cascades and conflicts of the [store.Grants],
// [store.Memberships] and [store.DataPolicies] contracts inside the write:
// grant and target batches take transaction advisory locks per namespace
// and per policy, graph writes lock a counter row before their cycle and
// depth checks, and refs lock the data resources they name.
//
// The [store.Directory] keeps one row per subject. Deleting entries locks
// their rows, then takes the graph's counter row and the advisory locks of
// the namespaces and policies holding the subjects' grants and targets, the
// locks the writes of those records take, before removing everything that
// names the subjects; indexes that start with the subject make each removal
// a search, not a scan.
//
// [Store.RenameNamespace] updates every table keyed by the namespace, the
// rows naming its roles and the policies naming it in one transaction,
// holding the namespace's row and the locks of those records' writers (see
// rename.go).
//
// Errors are translated once, in errors.go, by SQLSTATE and error type,
// never by message text. Serialization failures and deadlocks are retried
// with backoff until the context's deadline (30 s when it has none) and then
// reported as store.ErrBusy; a server that cannot be reached is
// [ErrUnavailable] and any other database failure [ErrDatabase], both
// matching store.ErrStorage; no error of the driver reaches a caller.
package pgstore
