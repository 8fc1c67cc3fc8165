package resreg

import (
	"context"
	"strconv"

	"github.com/samber/lo"

	"github.com/resreg/resreg/store"
)

// ListAcross reads window w of the listings of several namespaces placed
// one after another, in the order given (Authing's list-common-resource
// and list-data-resources span namespaces). Each namespace is counted,
// then only the namespaces the window overlaps are read. TotalCount sums
// every namespace. At most Limits.MaxBatch namespaces.
func ListAcross[T any](ctx context.Context, r *Registry, namespaces []string, w Window, list func(ctx context.Context, namespace string, opts ListOptions) (Page[T], error)) (WindowPage[T], error) {
	if len(namespaces) > r.limits.MaxBatch {
		return WindowPage[T]{}, store.Invalid("namespaces", "at most "+strconv.Itoa(r.limits.MaxBatch)+" namespaces, got "+strconv.Itoa(len(namespaces)))
	}
	out := WindowPage[T]{Items: []T{}}
	skip, need := w.Offset, w.Limit
	for _, ns := range namespaces {
		head, err := list(ctx, ns, ListOptions{PageSize: 1, IncludeTotal: true})
		if err != nil {
			return WindowPage[T]{}, err
		}
		out.TotalCount += head.TotalCount
		switch {
		case need == 0:
			continue
		case skip >= head.TotalCount:
			skip -= head.TotalCount
			continue
		}
		part, err := ListWindow(ctx, Window{Offset: skip, Limit: need}, func(ctx context.Context, o ListOptions) (Page[T], error) {
			return list(ctx, ns, o)
		})
		if err != nil {
			return WindowPage[T]{}, err
		}
		out.Items = append(out.Items, part.Items...)
		need -= len(part.Items)
		skip = 0
	}
	return out, nil
}

// NamespaceCodes returns codes without repeats, or, when codes is empty,
// the code of every namespace. Either way at most Limits.MaxBatch codes;
// more namespaces than that must be named.
func (r *Registry) NamespaceCodes(ctx context.Context, codes []string) ([]string, error) {
	if len(codes) > 0 {
		if err := r.checkBatch("namespaces", codes); err != nil {
			return nil, err
		}
		return lo.Uniq(codes), nil
	}
	var out []string
	opts := ListOptions{PageSize: MaxPageSize}
	for {
		p, err := r.store.ListNamespaces(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, ns := range p.Items {
			out = append(out, ns.Code)
		}
		if len(out) > r.limits.MaxBatch {
			return nil, store.Invalid("namespaces", "more than "+strconv.Itoa(r.limits.MaxBatch)+" namespaces exist; name the ones to list")
		}
		if p.NextPageToken == "" {
			return out, nil
		}
		opts.PageToken = p.NextPageToken
	}
}
