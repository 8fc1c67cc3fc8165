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

// tokenPrefix versions the token format so that it can change without old
// tokens being misread.
const tokenPrefix = "k1:"

// Cursor validates the options and decodes the page token. It returns an
// ErrInvalid error on field pageSize or pageToken.
func (o ListOptions) Cursor() (Cursor, error) {
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
	after, err := DecodePageToken(o.PageToken)
	if err != nil {
		return Cursor{}, err
	}
	c.After = after
	return c, nil
}

// EncodePageToken returns the opaque token that continues a listing after
// the record with key lastKey.
func EncodePageToken(lastKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + lastKey))
}

// DecodePageToken returns the key a token continues after. A token not made
// by EncodePageToken is an ErrInvalid error on field pageToken.
func DecodePageToken(token string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", Invalid("pageToken", "page token is malformed")
	}
	key, ok := strings.CutPrefix(string(raw), tokenPrefix)
	if !ok || key == "" || !utf8.ValidString(key) {
		return "", Invalid("pageToken", "page token is malformed")
	}
	return key, nil
}
