// Package sqlitestore is a store.Store kept in one SQLite database file, on
// the pure-Go driver modernc.org/sqlite (no cgo), so that a single-binary
// service can keep its resource registry on local disk.
//
// # Opening
//
// [Open] takes a plain file name, which names exactly that file ('?', '#'
// and '%' included), or a "file:" URI, the only form that carries
// parameters. It creates the file if needed, applies the schema migrations
// and returns a ready Store. It appends these driver parameters (see [DSN]);
// a URI that sets one of these pragmas itself is ErrInvalid, and the
// effective values are read back after opening (see [Store.Pragmas]):
//
//	_pragma=busy_timeout(5000)     wait up to 5 s for another writer's lock
//	_pragma=journal_mode(WAL)      readers never block the writer, nor it them
//	_pragma=synchronous(NORMAL)    or FULL with WithSynchronousFull
//
// Every write runs in a BEGIN IMMEDIATE transaction on a dedicated
// connection: the write lock is taken before anything is read, so the checks
// made inside the transaction (namespace exists, quota) hold at commit even
// when several processes share the file. Uniqueness of codes, IDs and data
// resource names is enforced by the schema's PRIMARY KEY and UNIQUE indexes.
// When the lock stays taken, a write retries until its context's deadline
// (or, without a deadline, for one busy_timeout) and then fails with
// store.ErrBusy; SQLite's own busy and constraint errors never reach the
// caller. Other failures of the storage (a read-only or full disk, an I/O
// error) are store.ErrStorage errors that keep the driver's message.
//
// # Durability
//
// With the default synchronous=NORMAL in WAL mode, a committed write
// survives a crash of the process, but a power loss or an OS crash may roll
// back the last transactions (the database stays consistent). With
// [WithSynchronousFull] every commit waits until the WAL is on the device, so
// an acknowledged write also survives a power loss; each commit then costs a
// device sync.
//
// # Sharing a *sql.DB
//
// [New] builds a Store on a *sql.DB that the caller opened on the "sqlite"
// driver and keeps owning; its own tables may live in the same file, since
// the registry's tables are all named resreg_*. New switches the file to WAL
// and, since it cannot rely on the DSN, sets busy_timeout (and synchronous,
// when WithSynchronous is given) on a connection before each write
// transaction and begins transactions with
// BEGIN IMMEDIATE itself, whatever _txlock the DSN names. Close leaves the
// *sql.DB open.
//
// # In memory
//
// [OpenMemory] gives an in-memory store for tests; Open refuses "" and
// ":memory:", so that an unset path never silently loses data. A plain
// ":memory:" DSN would give each pooled connection its own empty
// database; OpenMemory instead names a database of SQLite's memdb VFS
// ("file:/resreg-N-RANDOM?vfs=memdb") that all connections of the pool share
// with SQLite's usual locking, and holds one connection open so that the
// database lives until Close. memdb has no WAL, so it uses an in-memory
// rollback journal.
//
// # Schema
//
// The schema is a sequence of embedded migrations (migrations/*.sql), each
// applied in its own immediate transaction and recorded in the table
// resreg_schema_migrations. Opening a database written by a newer schema
// fails with [ErrSchemaTooNew]; an older one is migrated. Times are stored
// as INTEGER unix nanoseconds and read back in UTC; name translations,
// actions and ARRAY items are small length-prefixed BLOBs; a TREE is stored
// one row per node, keyed by (namespace, resource code, path). Listings use
// keyset pagination over the primary key (namespace, code).
//
// Migration versions increase but may leave a gap, reserved for a change made
// elsewhere; a migration is pending while its version is not recorded, so the
// one that later fills the gap still reaches every database.
//
// # Permissions
//
// Grants, memberships, data policies, their refs and their targets are
// tables of their own, each listing served by a keyset range search on a
// primary key or an index, the cursor a row value of the listing's order
// columns. Their invariants are kept inside the write that could break them:
// DeleteResources and an UpdateResource that removes actions delete the
// grants they orphan; DeleteDataResource and UpdateDataResource look up the
// exact refs on the data resource and refuse (ErrConflict) to drop what a
// policy names; AddMembers walks the graph with recursive queries over the
// membership keys, under the write lock, before each edge it adds, so two
// writers cannot join two allowed edges into a cycle or an overlong chain.
//
// # Change log
//
// Schema version 3 adds resreg_changes, one row per change, keyed by its
// rowid, which is the change's Seq. Rows are inserted by the write
// transaction they record, so they commit or roll back with it. A new row
// takes the largest rowid plus one while the transaction holds the write
// lock, so Seq follows commit order across every process sharing the file,
// and a WAL reader, whose snapshot always holds a prefix of the commits,
// never finds a lower Seq appear after a higher one. Pruning keeps the
// newest row, so no Seq is handed out twice, and Seq has no gaps, so the
// oldest kept row tells whether a reader has fallen behind. Rows are
// compact (op and kind as small integers, a resource as a binary record,
// other records as JSON); the JSON of a Change is built when it is read.
// [Store.ChangesNotify] wakes watchers of the same Store value after a
// commit; watchers in other processes poll.
package sqlitestore
