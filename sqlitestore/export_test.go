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
	s := &Store{db: db, ownDB: true, cfg: cfg, noChangeLog: version < changeLogVersion}
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
}
