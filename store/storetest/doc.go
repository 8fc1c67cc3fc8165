// Package storetest is the conformance suite for [store.Store]
// implementations. An implementation proves that it keeps the storage
// contract by running it from one test:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return mystore.New() })
//	}
//
// Run calls the factory once per subtest, from subtests that run in
// parallel, so every call must return an independent store holding only
// [store.DefaultNamespace]. A factory that needs cleanup (closing a database,
// removing a file) registers it with t.Cleanup.
//
// The suite stores only records the Registry would accept, since checking
// input is not a Store's job. It relies on the sentinels, [store.Error.Codes]
// and [store.Error.Field] that the contract promises, never on messages.
//
// Subtests are grouped by topic: namespaces, resources, resource filters,
// quota, data resources, data trees, pagination, copy safety, done context
// and concurrency. A listing is read page by page wherever the suite needs
// all of it, so every listing is held to the paging rules: pages are full
// until the last, and the page holding the last record has no
// NextPageToken.
package storetest
