package pgstore

// queries holds every statement of a Store with its schema filled in, built
// once by Open; one group per record kind, defined next to its methods.
type queries struct {
	ns      namespaceQueries
	res     resourceQueries
	data    dataQueries
	tree    treeQueries
	changes changeQueries
	perm    permQueries
	dir     directoryQueries
	rename  renameQueries
}

func newQueries(schema string) queries {
	q := func(sql string) string { return inSchema(schema, sql) }
	return queries{
		ns:      newNamespaceQueries(q),
		res:     newResourceQueries(q),
		data:    newDataQueries(q),
		tree:    newTreeQueries(q),
		changes: newChangeQueries(q),
		perm:    newPermQueries(q),
		dir:     newDirectoryQueries(q),
		rename:  newRenameQueries(q),
	}
}
