-- Schema version 3: the change log. One row per record created, updated or
-- deleted, inserted in the transaction of the write it records.
--
-- seq is the rowid, so the table is its own index by seq. A new row takes
-- the largest seq plus one, under the write lock that every write holds
-- from BEGIN IMMEDIATE to COMMIT, so seq follows commit order; pruning never
-- removes the newest row, so a seq is never handed out twice.
--
-- The row is compact and its JSON is built when it is read: time and actor
-- (NULL when empty) are shared by every row of a transaction, and entry
-- holds the rest in the codec's binary form (op, kind, namespace, key and
-- the record: binary for resources, the bulk of the log, JSON for the other
-- kinds); see changes.go. Filters on namespace or kind are applied when
-- reading, so they need no columns of their own.
CREATE TABLE resreg_changes (
    seq   INTEGER PRIMARY KEY,
    time  INTEGER NOT NULL,
    actor TEXT,
    entry BLOB    NOT NULL
);
