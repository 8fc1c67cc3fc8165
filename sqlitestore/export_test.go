package sqlitestore

import (
	"context"
	"database/sql"
)

// OpenAtVersion opens path like Open but migrates the schema only up to
// version, to build databases as older releases left them.
func OpenAtVersion(ctx context.Context, path string, version int) (*Store, error) {
	cfg := newConfig(nil)
	db, err := sql.Open(DriverName, dsn(path, cfg, false))
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, ownDB: true, cfg: cfg, noChangeLog: version < changeLogVersion, noDirectory: version < directoryVersion}
	if err := s.migrate(ctx, version); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// PlannedQueries are the list, get and get-by-path queries, by name, whose
// plans must reach every table through an index.
var PlannedQueries = map[string]string{
	"list namespaces":           sqlListNamespaces,
	"get resource":              sqlGetResource,
	"get resource by id":        sqlGetResourceByID,
	"list resources":            sqlListResources,
	"scan resources":            sqlScanResources,
	"count resources":           sqlCountResources,
	"get data resource":         sqlGetData,
	"get data resource by name": sqlGetDataByName,
	"list data resources":       sqlListDataResources,
	"get tree node":             sqlGetTreeNode,
	"load tree":                 sqlLoadTree,
	"delete tree":               sqlDeleteTree,

	"resource actions":       sqlResourceActsIn(3),
	"delete grant":           sqlDeleteGrant,
	"delete resource grants": sqlDeleteResourceGrants,
	"delete action grants":   sqlDeleteActionGrants,
	"namespace has grants":   sqlNamespaceHasGrants,
	"membership exists":      sqlMembershipExists,
	"delete membership":      sqlDeleteMembership,
	"get policy":             sqlGetPolicy,
	"get policy by name":     sqlGetPolicyName,
	"scan policies after":    sqlScanPoliciesAfter,
	"delete refs":            sqlDeleteRefs,
	"ref target":             sqlDataRefTarget,
	"tree node in":           sqlTreeNodeIn,
	"exact refs":             sqlExactRefs,
	"namespace has refs":     sqlNamespaceHasRefs,
	"delete target":          sqlDeleteTarget,
	"delete policy targets":  sqlDeletePolicyTargets,
	"policy exists":          sqlPolicyExists,

	"rename namespace":      sqlRenameNamespace,
	"rename resources":      sqlRenameResources,
	"rename data resources": sqlRenameData,
	"rename tree nodes":     sqlRenameTreeNodes,
	"rename grants":         sqlRenameGrants,
	"rename refs":           sqlRenameRefs,
	"next subject type":     sqlNextSubjectType,
	"rename directory":      sqlRenameDirectory,
	"policy statements":     sqlPolicyStatements,
	"rename statements":     sqlRenameStatements,
}

func init() {
	for c, col := range subjectColumns {
		PlannedQueries["names a role in "+col.table+"."+col.id] = sqlNamesRoleIn(c)
		PlannedQueries["rename roles in "+col.table+"."+col.id] = sqlRenameRoleIn(c)
	}
}

// keysets are the keyset listings of the permission tables, by name.
var keysets = map[string]*keyset{
	"grants by namespace":        &grantsByNamespace,
	"grants by subject":          &grantsBySubject,
	"grants by subject resource": &grantsBySubjectResource,
	"grants by resource":         &grantsByResource,
	"members of":                 &membersOf,
	"parents of":                 &parentsOf,
	"targets of":                 &targetsOf,
}

// The listings over a whole table (every membership, every target) and the
// policy scan from the start of the name index walk their key from its
// start; their plans are SCANs of an index, never of a table, and never
// sort.
var (
	allKeysets = map[string]*keyset{
		"all memberships":  &allMemberships,
		"all targets":      &allTargets,
		"policies by name": &policiesByName,
	}
	ScanQueries = map[string]string{
		"scan policies": sqlScanPolicies,
	}
)

// RecursiveQueries walk the membership graph; each step must be a search of
// the membership table's keys.
var RecursiveQueries = map[string]string{
	"is ancestor":  sqlIsAncestor,
	"height above": sqlHeightAbove,
	"height below": sqlHeightBelow,
}

func init() {
	for name, k := range keysets {
		PlannedQueries[name+" first"] = k.first
		PlannedQueries[name+" next"] = k.next
		PlannedQueries[name+" count"] = k.count
	}
	for name, k := range allKeysets {
		ScanQueries[name+" first"] = k.first
		PlannedQueries[name+" next"] = k.next
	}
}
