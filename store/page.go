package store

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Page sizes. A page size of 0 means DefaultPageSize (Authing's default);
// more than MaxPageSize (EnOS's batch size) or less than 0 is ErrInvalid.
const (
	DefaultPageSize = 10
	MaxPageSize     = 1000
)

// ListOptions asks for one page of a listing ordered by code.
type ListOptions struct {
	PageSize int `json:"pageSize,omitempty"`
	// PageToken is the NextPageToken of the previous page; empty for the
	// first page.
	PageToken string `json:"pageToken,omitempty"`
	// IncludeTotal asks for Page.TotalCount, which costs a count of every
	// matching record.
	IncludeTotal bool `json:"includeTotal,omitempty"`
}

// Page is one page of a listing.
type Page[T any] struct {
	Items []T `json:"items"`
	// NextPageToken continues the listing; empty on the last page.
	NextPageToken string `json:"nextPageToken,omitempty"`
	// TotalCount is the number of matching records, set only when
	// ListOptions.IncludeTotal was.
	TotalCount int `json:"totalCount,omitempty"`
}

// Cursor is a decoded page request: how many items to return and the code
// after which to start ("" for the first page).
type Cursor struct {
	Limit int
	After string
}

// Listing kinds, the first argument of [ListOptions.CursorFor] and
// [EncodePageTokenFor]. A store that adds a listing adds its own kind (any
// string without a NUL byte).
const (
	KindNamespaces    = "namespaces"
	KindResources     = "resources"
	KindDataResources = "dataResources"
)

// tokenPrefix versions the token format so that it can change without old
// tokens being misread. Version 2 binds a token to its listing.
const tokenPrefix = "k2:"

// tokenSep separates the parts of a token; kinds and namespace codes never
// hold it.
const tokenSep = "\x00"

// CursorFor validates the options and decodes the page token of a listing
// of kind (one of the Kind constants) in namespace ("" for listings that
// are not in a namespace, such as namespaces themselves). It returns an
// ErrInvalid error on field pageSize or pageToken; a token issued by
// another kind of listing or for another namespace is ErrInvalid too, so a
// token cannot be replayed against a listing it was not made for.
func (o ListOptions) CursorFor(kind, namespace string) (Cursor, error) {
	switch {
	case o.PageSize < 0:
		return Cursor{}, Invalid("pageSize", "page size must not be negative, got "+strconv.Itoa(o.PageSize))
	case o.PageSize > MaxPageSize:
		return Cursor{}, Invalid("pageSize", "page size must be at most "+strconv.Itoa(MaxPageSize)+", got "+strconv.Itoa(o.PageSize))
	}
	c := Cursor{Limit: o.PageSize, After: ""}
	if c.Limit == 0 {
		c.Limit = DefaultPageSize
	}
	if o.PageToken == "" {
		return c, nil
	}
	after, err := DecodePageTokenFor(kind, namespace, o.PageToken)
	if err != nil {
		return Cursor{}, err
	}
	c.After = after
	return c, nil
}

// EncodePageTokenFor returns the opaque token that continues the listing of
// kind in namespace after the record with key lastKey. kind and namespace
// must not hold a NUL byte; lastKey may hold anything but must not be empty.
func EncodePageTokenFor(kind, namespace, lastKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + kind + tokenSep + namespace + tokenSep + lastKey))
}

// DecodePageTokenFor returns the key a token of the listing of kind in
// namespace continues after. A token not made by EncodePageTokenFor with the
// same kind and namespace is an ErrInvalid error on field pageToken.
func DecodePageTokenFor(kind, namespace, token string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", Invalid("pageToken", "page token is malformed")
	}
	rest, ok := strings.CutPrefix(string(raw), tokenPrefix)
	if !ok || !utf8.ValidString(rest) {
		return "", Invalid("pageToken", "page token is malformed")
	}
	parts := strings.SplitN(rest, tokenSep, 3)
	if len(parts) != 3 || parts[2] == "" {
		return "", Invalid("pageToken", "page token is malformed")
	}
	if parts[0] != kind || parts[1] != namespace {
		return "", Invalid("pageToken", "page token belongs to another listing")
	}
	return parts[2], nil
}
