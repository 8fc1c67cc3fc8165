-- Schema version 3: the change log. One row per record created, updated or
-- deleted, inserted in the transaction of the write it records.
--
-- seq is the rowid, so the table is its own index by seq. A new row takes
-- the largest seq plus one, under the write lock that every write holds
-- from BEGIN IMMEDIATE to COMMIT, so seq follows commit order; pruning never
-- removes the newest row, so a seq is never handed out twice.
--
-- The row is compact and its JSON is built when it is read: op and kind are
-- small integers (see changes.go), actor is NULL when empty, and record is
-- the record in a binary form for resources (the bulk of the log) and JSON
-- for the other kinds.
CREATE TABLE resreg_changes (
    seq       INTEGER PRIMARY KEY,
    time      INTEGER NOT NULL,
    op        INTEGER NOT NULL,
    kind      INTEGER NOT NULL,
    namespace TEXT    NOT NULL,
    key       TEXT    NOT NULL,
    actor     TEXT,
    record    BLOB    NOT NULL
);
