package store

import "context"

// GrantScanner is implemented by a store that can hand over every grant of a
// namespace in one pass, without the pages of [Grants.ListGrants]: no page
// tokens, no per-page transaction, no sort for the caller. A Registry finds
// it by type assertion when it loads its permission index and falls back to
// ListGrants on a store that does not implement it, so a store need not.
type GrantScanner interface {
	// ScanGrants calls fn once with each grant of namespace, all read from
	// one consistent snapshot of the store: a write committed while the
	// scan runs is either wholly seen or not at all. The order is the
	// store's own (ListGrants order is not promised). Grants passed to fn
	// may share their strings with one another; fn may keep them.
	//
	// fn must not call the store: the scan may hold a lock or a connection
	// that such a call would wait for. If fn returns an error, the scan
	// stops and ScanGrants returns that error as it is.
	//
	// Errors: ErrNamespaceNotFound if the namespace does not exist;
	// ctx.Err() if ctx ends before or during the scan (a scan checks ctx at
	// least once every [ScanCheckEvery] grants, so fn may be called up to
	// that many times more after ctx ends); ErrClosed on a closed store.
	ScanGrants(ctx context.Context, namespace string, fn func(Grant) error) error
}

// ScanCheckEvery bounds how many grants a [GrantScanner] passes to fn
// between two checks of its context: checking at every row would cost a
// lock per grant on a scan of millions.
const ScanCheckEvery = 256
