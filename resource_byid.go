package resreg

import (
	"context"
	"slices"
	"strconv"

	"github.com/samber/lo"

	"github.com/resreg/resreg/store"
)

// GetResources returns the resources with the given codes in namespace, in
// the order asked (repeats collapsed). At most Limits.MaxBatch codes. A
// code that does not exist is ErrNotFound listing every missing code; a
// missing namespace is ErrNamespaceNotFound.
func (r *Registry) GetResources(ctx context.Context, namespace string, codes []string) ([]Resource, error) {
	if err := r.checkBatch("codeList", codes); err != nil {
		return nil, err
	}
	codes = lo.Uniq(codes)
	ns := namespaceOrDefault(namespace)
	out := make([]Resource, 0, len(codes))
	var missing []string
	for _, code := range codes {
		res, err := r.store.GetResource(ctx, ns, code)
		switch {
		case err == nil:
			out = append(out, res)
		case isRecordNotFound(err):
			missing = append(missing, code)
		default:
			return nil, err
		}
	}
	if len(missing) > 0 {
		return nil, store.NotFound("resources do not exist", missing...)
	}
	return out, nil
}

// UpdateResourceByID is UpdateResource addressed by ID, as EnOS addresses
// resources. The store applies the change only while the resource it
// resolved still carries id, so a resource deleted and re-created under
// the same code in between is not touched: that is ErrNotFound, like a
// missing ID.
func (r *Registry) UpdateResourceByID(ctx context.Context, namespace, id string, upd ResourceUpdate) (Resource, error) {
	if id == "" {
		return Resource{}, store.Invalid("id", "is required")
	}
	ns := namespaceOrDefault(namespace)
	cur, err := r.store.GetResourceByID(ctx, ns, id)
	if err != nil {
		return Resource{}, err
	}
	return r.updateResource(ctx, ns, cur.Code, upd, func(res *Resource) error {
		if res.ID != id {
			return store.NotFound("resource "+strconv.Quote(id)+" does not exist", id)
		}
		return nil
	})
}

// DeleteResourcesByID removes the resources with the given IDs and codes
// in namespace, every one or none (EnOS resource/delete takes both). At
// most Limits.MaxBatch IDs plus codes. A missing ID or code is ErrNotFound
// listing them all.
//
// IDs are resolved to codes first; the delete then names codes, so a
// resource deleted and re-created under the same code between the two
// steps would be removed in its place. Closing that window needs a delete
// by ID in the store contract.
func (r *Registry) DeleteResourcesByID(ctx context.Context, namespace string, ids, codes []string) error {
	if err := r.checkBatch("ids", ids); err != nil {
		return err
	}
	if err := r.checkBatch("codes", codes); err != nil {
		return err
	}
	if n := len(ids) + len(codes); n > r.limits.MaxBatch {
		return store.Invalid("ids", "ids and codes together hold at most "+strconv.Itoa(r.limits.MaxBatch)+" items, got "+strconv.Itoa(n))
	}
	ns := namespaceOrDefault(namespace)
	all := slices.Clone(codes)
	var missing []string
	for _, id := range lo.Uniq(ids) {
		res, err := r.store.GetResourceByID(ctx, ns, id)
		switch {
		case err == nil:
			all = append(all, res.Code)
		case isRecordNotFound(err):
			missing = append(missing, id)
		default:
			return err
		}
	}
	if len(missing) > 0 {
		return store.NotFound("resources do not exist", missing...)
	}
	if len(all) == 0 {
		return store.Invalid("ids", "ids or codes are required")
	}
	return r.store.DeleteResources(ctx, ns, lo.Uniq(all))
}

// checkBatch bounds a list of keys and checks that each is non-empty.
func (r *Registry) checkBatch(field string, keys []string) error {
	if len(keys) > r.limits.MaxBatch {
		return store.Invalid(field, "a batch holds at most "+strconv.Itoa(r.limits.MaxBatch)+" items, got "+strconv.Itoa(len(keys)))
	}
	for i, k := range keys {
		if k == "" {
			return store.Invalid(index(field, i), "is required")
		}
	}
	return nil
}

// isRecordNotFound reports a missing record in an existing namespace.
func isRecordNotFound(err error) bool {
	return isNotFound(err) && !isNamespaceNotFound(err)
}

// ListResourcesWindow reads window w of the resources matching filter
// (EnOS resource/list). Each of filter's lists holds at most
// Limits.MaxBatch entries (fields "types", "codes", "ids").
func (r *Registry) ListResourcesWindow(ctx context.Context, filter ResourceFilter, w Window) (WindowPage[Resource], error) {
	for _, l := range []struct {
		field string
		keys  []string
	}{{"types", filter.Types}, {"codes", filter.Codes}, {"ids", filter.IDs}} {
		if err := r.checkBatch(l.field, l.keys); err != nil {
			return WindowPage[Resource]{}, err
		}
	}
	return ListWindow(ctx, w, func(ctx context.Context, o ListOptions) (Page[Resource], error) {
		return r.ListResources(ctx, filter, o)
	})
}
