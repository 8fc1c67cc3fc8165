package resreg

import (
	"context"
	"strconv"

	"github.com/resreg/resreg/store"
)

// Offset paging, as the wire APIs number their pages. The store pages by
// keyset cursor; a window at an offset walks the cursor pages before it,
// so the offset is bounded to keep a request's cost bounded.
const (
	// AuthingDefaultLimit and AuthingMaxLimit are Authing's page sizes:
	// limit defaults to 10 and may be at most 50; pages count from 1.
	AuthingDefaultLimit = 10
	AuthingMaxLimit     = 50
	// EnOSMaxPageSize is EnOS's page size, default and maximum; pages
	// count from 0.
	EnOSMaxPageSize = 1000
	// MaxOffset is the most records a window may skip.
	MaxOffset = 100_000
)

// Window is a slice of a listing: Offset records skipped, at most Limit
// returned.
type Window struct {
	Offset int
	Limit  int
}

// AuthingWindow turns Authing's page (from 1) and limit (0 means 10, at
// most 50) into a Window. Fields are named "page" and "limit".
func AuthingWindow(page, limit int) (Window, error) {
	if page == 0 {
		page = 1
	}
	if limit == 0 {
		limit = AuthingDefaultLimit
	}
	switch {
	case page < 1:
		return Window{}, store.Invalid("page", "must be at least 1, got "+strconv.Itoa(page))
	case limit < 1 || limit > AuthingMaxLimit:
		return Window{}, store.Invalid("limit", "must be between 1 and "+strconv.Itoa(AuthingMaxLimit)+", got "+strconv.Itoa(limit))
	}
	return window("page", page-1, limit)
}

// EnOSWindow turns EnOS's pageNo (from 0) and pageSize (0 means 1000, at
// most 1000) into a Window. Fields are named "pagination.pageNo" and
// "pagination.pageSize".
func EnOSWindow(pageNo, pageSize int) (Window, error) {
	if pageSize == 0 {
		pageSize = EnOSMaxPageSize
	}
	switch {
	case pageNo < 0:
		return Window{}, store.Invalid("pagination.pageNo", "must not be negative, got "+strconv.Itoa(pageNo))
	case pageSize < 1 || pageSize > EnOSMaxPageSize:
		return Window{}, store.Invalid("pagination.pageSize", "must be between 1 and "+strconv.Itoa(EnOSMaxPageSize)+", got "+strconv.Itoa(pageSize))
	}
	return window("pagination.pageNo", pageNo, pageSize)
}

func window(field string, pageIndex, limit int) (Window, error) {
	if pageIndex > MaxOffset/limit {
		return Window{}, store.Invalid(field, "skips more than "+strconv.Itoa(MaxOffset)+" records")
	}
	return Window{Offset: pageIndex * limit, Limit: limit}, nil
}

// WindowPage is one window of a listing and the count of every matching
// record.
type WindowPage[T any] struct {
	TotalCount int
	Items      []T
}

// ListWindow reads window w of a keyset listing: it walks the cursor pages
// before the offset (at most MaxPageSize records per call) and counts the
// matches once, on the first call.
func ListWindow[T any](ctx context.Context, w Window, list func(context.Context, ListOptions) (Page[T], error)) (WindowPage[T], error) {
	if w.Offset < 0 || w.Limit < 1 || w.Limit > MaxPageSize || w.Offset > MaxOffset {
		return WindowPage[T]{}, store.Invalid("page", "window offset "+strconv.Itoa(w.Offset)+" limit "+strconv.Itoa(w.Limit)+" is out of range")
	}
	out := WindowPage[T]{Items: []T{}}
	opts := ListOptions{IncludeTotal: true}
	skip := w.Offset
	for skip > 0 {
		opts.PageSize = min(skip, MaxPageSize)
		p, err := list(ctx, opts)
		if err != nil {
			return WindowPage[T]{}, err
		}
		if opts.IncludeTotal {
			out.TotalCount, opts.IncludeTotal = p.TotalCount, false
		}
		skip -= len(p.Items)
		if p.NextPageToken == "" || len(p.Items) == 0 {
			return out, nil // the window starts past the end
		}
		opts.PageToken = p.NextPageToken
	}
	opts.PageSize = w.Limit
	p, err := list(ctx, opts)
	if err != nil {
		return WindowPage[T]{}, err
	}
	if opts.IncludeTotal {
		out.TotalCount = p.TotalCount
	}
	out.Items = append(out.Items, p.Items...)
	return out, nil
}
