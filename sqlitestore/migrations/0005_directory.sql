-- Schema version 5: the directory of users, roles and groups.
--
-- One row per subject. The primary key lists the entries of one type in
-- subject order; the namespace index lists the roles of one namespace in
-- the same order. attributes is the entry's JSON object as given (NULL
-- when none).
CREATE TABLE resreg_directory (
    subject_type TEXT    NOT NULL,
    subject_id   TEXT    NOT NULL,
    namespace    TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    attributes   BLOB,
    created_at   INTEGER,
    updated_at   INTEGER,
    PRIMARY KEY (subject_type, subject_id)
) WITHOUT ROWID;

CREATE INDEX resreg_directory_namespace ON resreg_directory (subject_type, namespace, subject_id);

-- Deleting an entry removes the subject's grants in every namespace and its
-- policy targets in the same transaction; the grants' and targets' primary
-- keys start with the namespace and the policy, so these indexes make each
-- removal a prefix search instead of a scan.
CREATE INDEX resreg_grants_subject ON resreg_grants (subject_type, subject_id);
CREATE INDEX resreg_policy_targets_subject ON resreg_policy_targets (subject_type, subject_id);
