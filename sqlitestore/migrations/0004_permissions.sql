-- Schema version 4: permission records. (Version 3 is the change log.)
--
-- Every listing the store serves walks one of these keys in order from a
-- keyset cursor, and every cascade or pin check is a search on a key prefix.

-- A grant is identified by all of its key columns: an ALLOW and a DENY of
-- the same action for the same subject are two rows. The primary key orders
-- ListGrants (by subject, resource, action, effect) within a namespace; the
-- second index serves ListGrants on one resource code, in the same order,
-- and the cascades of DeleteResources and UpdateResource.
CREATE TABLE resreg_grants (
    namespace     TEXT    NOT NULL,
    subject_type  TEXT    NOT NULL,
    subject_id    TEXT    NOT NULL,
    resource_code TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    effect        TEXT    NOT NULL,
    created_at    INTEGER,
    PRIMARY KEY (namespace, subject_type, subject_id, resource_code, action, effect)
) WITHOUT ROWID;

CREATE INDEX resreg_grants_resource ON resreg_grants (namespace, resource_code, subject_type, subject_id, action, effect);

-- One row per direct membership edge. The primary key lists a parent's
-- members in order and walks the graph downwards; the member index lists a
-- member's parents in order and walks it upwards (cycle and depth checks).
CREATE TABLE resreg_memberships (
    parent_type TEXT    NOT NULL,
    parent_id   TEXT    NOT NULL,
    member_type TEXT    NOT NULL,
    member_id   TEXT    NOT NULL,
    created_at  INTEGER,
    PRIMARY KEY (parent_type, parent_id, member_type, member_id)
) WITHOUT ROWID;

CREATE UNIQUE INDEX resreg_memberships_member ON resreg_memberships (member_type, member_id, parent_type, parent_id);

-- Statements are one length-prefixed BLOB (see policies.go); the refs the
-- Registry parsed from them are rows of resreg_policy_refs. Names are
-- unique registry-wide, and the name index orders ListDataPolicies.
CREATE TABLE resreg_data_policies (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    statements  BLOB,
    created_at  INTEGER,
    updated_at  INTEGER
) WITHOUT ROWID;

CREATE UNIQUE INDEX resreg_data_policies_name ON resreg_data_policies (name);

-- One row per permission of a policy; seq is the ref's position in the list
-- the Registry gave. resource_code, node_path and action are '' where the
-- permission holds a wildcard. The target index answers "which policies pin
-- this data resource (or name this namespace)" with a covering search.
CREATE TABLE resreg_policy_refs (
    policy_id     TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    namespace     TEXT    NOT NULL,
    resource_code TEXT    NOT NULL,
    node_path     TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    exact         INTEGER NOT NULL,
    PRIMARY KEY (policy_id, seq)
) WITHOUT ROWID;

CREATE INDEX resreg_policy_refs_target ON resreg_policy_refs (namespace, resource_code, exact, policy_id, node_path, action);

-- A policy attached to a subject. The primary key lists a policy's targets
-- in subject order and every target in (policy, subject) order.
CREATE TABLE resreg_policy_targets (
    policy_id    TEXT    NOT NULL,
    subject_type TEXT    NOT NULL,
    subject_id   TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    created_at   INTEGER,
    PRIMARY KEY (policy_id, subject_type, subject_id)
) WITHOUT ROWID;
