package resreg

import "github.com/resreg/resreg/store"

// Page sizes: 0 means DefaultPageSize; more than MaxPageSize is ErrInvalid.
const (
	DefaultPageSize = store.DefaultPageSize
	MaxPageSize     = store.MaxPageSize
)

// ListOptions asks for one page of a listing ordered by code. Page tokens
// are opaque keyset cursors, so a deep page costs what the first one does;
// a token works only for the kind of listing and the namespace that issued
// it (any other use is ErrInvalid on field pageToken).
type ListOptions = store.ListOptions

// Page is one page of a listing.
type Page[T any] = store.Page[T]
