-- Schema version 3: the directory of users, roles and groups.
--
-- One row per subject. The primary key lists the entries of one type in
-- subject order; the namespace index lists the roles of one namespace in
-- the same order. attributes is the entry's JSON object as bytes exactly as
-- given (NULL when none): jsonb would reorder and respace it.
CREATE TABLE {s}resreg_directory (
    subject_type text COLLATE "C" NOT NULL,
    subject_id   text COLLATE "C" NOT NULL,
    namespace    text COLLATE "C" NOT NULL,
    name         text NOT NULL,
    attributes   bytea,
    created_at   bigint,
    updated_at   bigint,
    PRIMARY KEY (subject_type, subject_id)
);
CREATE INDEX resreg_directory_namespace ON {s}resreg_directory (subject_type, namespace, subject_id);

-- Deleting an entry removes the subject's grants in every namespace and its
-- policy targets in the same transaction. The grants' and the targets'
-- primary keys start with the namespace and the policy, so without these
-- indexes each removal would scan its whole table.
CREATE INDEX resreg_grants_subject ON {s}resreg_grants (subject_type, subject_id);
CREATE INDEX resreg_policy_targets_subject ON {s}resreg_policy_targets (subject_type, subject_id);
