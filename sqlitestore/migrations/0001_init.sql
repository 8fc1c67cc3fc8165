-- Schema version 1: namespaces, resources, data resources and the nodes of
-- TREE data resources. Every table is prefixed with resreg_ so that the
-- registry can share a database file with the application's own tables.
--
-- Times are INTEGER unix nanoseconds (NULL for the zero time.Time). Name
-- translations, actions and ARRAY items are compact length-prefixed BLOBs
-- (see codec.go), NULL when empty.

CREATE TABLE resreg_namespaces (
    code        TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    created_at  INTEGER,
    updated_at  INTEGER
) WITHOUT ROWID;

-- The primary key (namespace, code) enforces code uniqueness and serves the
-- keyset pagination of listings; the second unique index enforces IDs. An
-- empty ID is stored as NULL: it names no resource and never conflicts.
CREATE TABLE resreg_resources (
    namespace        TEXT    NOT NULL,
    code             TEXT    NOT NULL,
    id               TEXT,
    type             TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    name_i18n        BLOB,
    description      TEXT    NOT NULL,
    actions          BLOB,
    api_identifier   TEXT    NOT NULL,
    linked_to_tenant INTEGER NOT NULL,
    created_at       INTEGER,
    updated_at       INTEGER,
    PRIMARY KEY (namespace, code)
) WITHOUT ROWID;

CREATE UNIQUE INDEX resreg_resources_id ON resreg_resources (namespace, id);

-- shape is the Struct shape (STRING, ARRAY or TREE), kept apart from type so
-- that a record round-trips exactly. items holds ARRAY items; tree_size is
-- NULL when the struct holds no tree and the number of nodes otherwise.
CREATE TABLE resreg_data_resources (
    namespace   TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    shape       TEXT    NOT NULL,
    string      TEXT    NOT NULL,
    items       BLOB,
    tree_size   INTEGER,
    actions     BLOB,
    created_at  INTEGER,
    updated_at  INTEGER,
    PRIMARY KEY (namespace, code)
) WITHOUT ROWID;

CREATE UNIQUE INDEX resreg_data_resources_name ON resreg_data_resources (namespace, name);

-- One row per node of a TREE data resource, keyed by its path so that a node
-- is found without loading the tree. seq is the node's pre-order position.
CREATE TABLE resreg_tree_nodes (
    namespace     TEXT    NOT NULL,
    resource_code TEXT    NOT NULL,
    path          TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    depth         INTEGER NOT NULL,
    code          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    value         TEXT    NOT NULL,
    PRIMARY KEY (namespace, resource_code, path)
) WITHOUT ROWID;
