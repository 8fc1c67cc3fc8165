-- Schema version 2: the change log and the permission records.

-- resreg_counters holds rows that writers lock to order themselves:
--   'changes'      the last Seq handed out. Every write that records
--                  changes adds to it with UPDATE ... RETURNING as its last
--                  statement before COMMIT, which locks the row until the
--                  commit. The next writer's UPDATE waits for that commit and
--                  then reads the committed value, so Seq ranges are handed
--                  out in commit order (see changes.go).
--   'memberships'  locked FOR UPDATE by every write of the membership graph,
--                  so that cycle and depth checks see a graph no concurrent
--                  writer can change before the commit.
CREATE TABLE {s}resreg_counters (
    name  text COLLATE "C" NOT NULL PRIMARY KEY,
    value bigint NOT NULL
);
INSERT INTO {s}resreg_counters (name, value) VALUES ('changes', 0), ('memberships', 0);

-- One row per record created, updated or deleted. seq is the primary key,
-- so reading after a seq is a range search. record is the record's JSON,
-- kept as bytes exactly as written. actor is NULL when empty.
CREATE TABLE {s}resreg_changes (
    seq       bigint NOT NULL PRIMARY KEY,
    time      bigint NOT NULL,
    actor     text,
    op        text   NOT NULL,
    kind      text   NOT NULL,
    namespace text   NOT NULL,
    key       text   NOT NULL,
    record    bytea  NOT NULL
);
-- PruneChangesOlderThan walks the primary key from the oldest row to the
-- first change at or after its cutoff: its cost is what it removes.

-- A grant is identified by all of its key columns. The primary key orders
-- ListGrants within a namespace; the resource index serves ListGrants on one
-- resource code and the cascades of DeleteResources and UpdateResource.
CREATE TABLE {s}resreg_grants (
    namespace     text COLLATE "C" NOT NULL,
    subject_type  text COLLATE "C" NOT NULL,
    subject_id    text COLLATE "C" NOT NULL,
    resource_code text COLLATE "C" NOT NULL,
    action        text COLLATE "C" NOT NULL,
    effect        text COLLATE "C" NOT NULL,
    created_at    bigint,
    PRIMARY KEY (namespace, subject_type, subject_id, resource_code, action, effect)
);
CREATE INDEX resreg_grants_resource ON {s}resreg_grants (namespace, resource_code, subject_type, subject_id, action, effect);

-- One row per direct membership edge; the primary key walks the graph
-- downwards and lists members, the member index walks it upwards.
CREATE TABLE {s}resreg_memberships (
    parent_type text COLLATE "C" NOT NULL,
    parent_id   text COLLATE "C" NOT NULL,
    member_type text COLLATE "C" NOT NULL,
    member_id   text COLLATE "C" NOT NULL,
    created_at  bigint,
    PRIMARY KEY (parent_type, parent_id, member_type, member_id)
);
CREATE UNIQUE INDEX resreg_memberships_member ON {s}resreg_memberships (member_type, member_id, parent_type, parent_id);

-- Statements are JSON text (NULL for none); names are unique registry-wide
-- and their index orders ListDataPolicies.
CREATE TABLE {s}resreg_data_policies (
    id          text COLLATE "C" NOT NULL PRIMARY KEY,
    name        text COLLATE "C" NOT NULL,
    description text NOT NULL,
    statements  text,
    created_at  bigint,
    updated_at  bigint
);
CREATE UNIQUE INDEX resreg_data_policies_name ON {s}resreg_data_policies (name);

-- One row per permission of a policy, in the order the Registry gave them;
-- '' where the permission holds a wildcard. The target index answers which
-- policies pin a data resource or name a namespace.
CREATE TABLE {s}resreg_policy_refs (
    policy_id     text COLLATE "C" NOT NULL,
    seq           integer NOT NULL,
    namespace     text COLLATE "C" NOT NULL,
    resource_code text COLLATE "C" NOT NULL,
    node_path     text COLLATE "C" NOT NULL,
    action        text COLLATE "C" NOT NULL,
    exact         boolean NOT NULL,
    PRIMARY KEY (policy_id, seq)
);
CREATE INDEX resreg_policy_refs_target ON {s}resreg_policy_refs (namespace, resource_code, exact, policy_id, node_path, action);

CREATE TABLE {s}resreg_policy_targets (
    policy_id    text COLLATE "C" NOT NULL,
    subject_type text COLLATE "C" NOT NULL,
    subject_id   text COLLATE "C" NOT NULL,
    name         text NOT NULL,
    created_at   bigint,
    PRIMARY KEY (policy_id, subject_type, subject_id)
);
