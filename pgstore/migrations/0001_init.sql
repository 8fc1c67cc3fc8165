-- Schema version 1: namespaces, resources, data resources and the nodes of
-- TREE data resources. {s} is the schema the Store was opened on.
--
-- Key columns use the "C" collation so that listings are in byte order
-- whatever the database's locale. Times are bigint unix nanoseconds (NULL for
-- the zero time.Time): timestamptz keeps only microseconds. Name
-- translations, actions and ARRAY items are JSON text, NULL when empty.

-- resource_count is the number of resources in the namespace. Every write
-- that adds or removes resources updates it, which locks the row until the
-- write commits: that serialises the writers of one namespace and lets the
-- quota be checked against a count no concurrent transaction can change.
CREATE TABLE {s}resreg_namespaces (
    code           text COLLATE "C" NOT NULL PRIMARY KEY,
    name           text   NOT NULL,
    description    text   NOT NULL,
    created_at     bigint,
    updated_at     bigint,
    resource_count bigint NOT NULL DEFAULT 0 CHECK (resource_count >= 0)
);

-- The primary key (namespace, code) enforces code uniqueness and serves
-- keyset pages; the unique index enforces IDs. An empty ID is NULL: it names
-- no resource and never conflicts.
CREATE TABLE {s}resreg_resources (
    namespace        text COLLATE "C" NOT NULL,
    code             text COLLATE "C" NOT NULL,
    id               text COLLATE "C",
    type             text    NOT NULL,
    name             text    NOT NULL,
    name_i18n        text,
    description      text    NOT NULL,
    actions          text,
    api_identifier   text    NOT NULL,
    linked_to_tenant boolean NOT NULL,
    created_at       bigint,
    updated_at       bigint,
    CONSTRAINT resreg_resources_pkey PRIMARY KEY (namespace, code)
);

CREATE UNIQUE INDEX resreg_resources_id ON {s}resreg_resources (namespace, id);

-- shape is the Struct shape (STRING, ARRAY or TREE), kept apart from type so
-- that a record round-trips exactly. tree_size is NULL when the struct holds
-- no tree and its node count otherwise.
CREATE TABLE {s}resreg_data_resources (
    namespace   text COLLATE "C" NOT NULL,
    code        text COLLATE "C" NOT NULL,
    name        text COLLATE "C" NOT NULL,
    description text   NOT NULL,
    type        text   NOT NULL,
    shape       text   NOT NULL,
    string      text   NOT NULL,
    items       text,
    tree_size   bigint,
    actions     text,
    created_at  bigint,
    updated_at  bigint,
    CONSTRAINT resreg_data_resources_pkey PRIMARY KEY (namespace, code)
);

CREATE UNIQUE INDEX resreg_data_resources_name ON {s}resreg_data_resources (namespace, name);

-- One row per node of a TREE data resource, keyed by its path so that a node
-- is found without loading the tree. seq is the node's pre-order position;
-- its index loads a whole tree in order with one range scan.
CREATE TABLE {s}resreg_tree_nodes (
    namespace     text COLLATE "C" NOT NULL,
    resource_code text COLLATE "C" NOT NULL,
    path          text COLLATE "C" NOT NULL,
    seq           integer NOT NULL,
    depth         integer NOT NULL,
    code          text    NOT NULL,
    name          text    NOT NULL,
    value         text    NOT NULL,
    CONSTRAINT resreg_tree_nodes_pkey PRIMARY KEY (namespace, resource_code, path)
);

CREATE UNIQUE INDEX resreg_tree_nodes_order ON {s}resreg_tree_nodes (namespace, resource_code, seq);
