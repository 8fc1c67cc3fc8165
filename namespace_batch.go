package resreg

import (
	"context"
	"errors"
	"strconv"

	"github.com/samber/lo"

	"github.com/resreg/resreg/store"
)

// GetNamespaces returns the namespaces with the given codes, in the order
// asked (repeats collapsed). At most Limits.MaxBatch codes; a missing code
// is ErrNamespaceNotFound listing every missing code.
func (r *Registry) GetNamespaces(ctx context.Context, codes []string) ([]Namespace, error) {
	if err := r.checkBatch("codeList", codes); err != nil {
		return nil, err
	}
	codes = lo.Uniq(codes)
	out := make([]Namespace, 0, len(codes))
	var missing []string
	for _, code := range codes {
		ns, err := r.store.GetNamespace(ctx, code)
		switch {
		case err == nil:
			out = append(out, ns)
		case isNotFound(err):
			missing = append(missing, code)
		default:
			return nil, err
		}
	}
	if len(missing) > 0 {
		return nil, &Error{Field: "codeList", Message: "namespaces do not exist", Codes: missing, Err: ErrNamespaceNotFound}
	}
	return out, nil
}

// CreateNamespaces adds every namespace or none. Each is checked as
// CreateNamespace checks it (fields "list[i].code"); codes repeated in the
// batch or already taken are ErrConflict listing them. At most
// Limits.MaxBatch namespaces.
//
// The store creates namespaces one at a time, so when a concurrent writer
// takes a code after the check, the namespaces already created by this
// call are removed again before the conflict is returned.
func (r *Registry) CreateNamespaces(ctx context.Context, list []Namespace) ([]Namespace, error) {
	if len(list) == 0 {
		return nil, store.Invalid("list", "is required")
	}
	if len(list) > r.limits.MaxBatch {
		return nil, store.Invalid("list", "a batch holds at most "+strconv.Itoa(r.limits.MaxBatch)+" items, got "+strconv.Itoa(len(list)))
	}
	now, err := r.now("createdAt")
	if err != nil {
		return nil, err
	}
	out := make([]Namespace, len(list))
	seen := make(map[string]int, len(list))
	var taken []string
	for i, ns := range list {
		f := index("list", i)
		if err := checkCode(join(f, "code"), ns.Code); err != nil {
			return nil, err
		}
		if err := checkText(join(f, "name"), ns.Name, MaxNameLen, false); err != nil {
			return nil, err
		}
		if err := checkText(join(f, "description"), ns.Description, MaxDescriptionLen, false); err != nil {
			return nil, err
		}
		if j, dup := seen[ns.Code]; dup {
			return nil, &Error{Field: join(f, "code"), Message: "repeats the code of item " + strconv.Itoa(j), Codes: []string{ns.Code}, Err: ErrConflict}
		}
		seen[ns.Code] = i
		ns.CreatedAt, ns.UpdatedAt = now, now
		out[i] = ns
	}
	for _, ns := range out {
		_, err := r.store.GetNamespace(ctx, ns.Code)
		switch {
		case err == nil:
			taken = append(taken, ns.Code)
		case !isNotFound(err):
			return nil, err
		}
	}
	if len(taken) > 0 {
		return nil, &Error{Field: "list", Message: "namespaces already exist", Codes: taken, Err: ErrConflict}
	}
	for i, ns := range out {
		if err := r.store.CreateNamespace(ctx, ns); err != nil {
			r.undoCreates(out[:i])
			return nil, err
		}
	}
	return out, nil
}

// undoCreates removes namespaces this call created, without the caller's
// context: a cancelled request must not leave half a batch behind.
func (r *Registry) undoCreates(created []Namespace) {
	for _, ns := range created {
		_ = r.store.DeleteNamespace(context.Background(), ns.Code)
	}
}

// DeleteNamespaces removes every listed namespace or none. A missing code
// is ErrNamespaceNotFound listing every missing code; the default
// namespace is ErrInvalid; a namespace that still holds records is
// ErrConflict. At most Limits.MaxBatch codes.
//
// Namespaces are removed one at a time; if one fails (a record added
// concurrently), those already removed are re-created as they were.
func (r *Registry) DeleteNamespaces(ctx context.Context, codes []string) error {
	if len(codes) == 0 {
		return store.Invalid("codeList", "is required")
	}
	codes = lo.Uniq(codes)
	for i, code := range codes {
		if code == DefaultNamespace {
			return store.Invalid(index("codeList", i), "the default namespace cannot be deleted")
		}
	}
	found, err := r.GetNamespaces(ctx, codes)
	if err != nil {
		return err
	}
	for i, ns := range found {
		if err := r.store.DeleteNamespace(ctx, ns.Code); err != nil {
			for _, back := range found[:i] {
				_ = r.store.CreateNamespace(context.Background(), back)
			}
			return err
		}
	}
	return nil
}

// NamespaceExistsQuery asks whether a namespace code or name is taken.
type NamespaceExistsQuery struct {
	Code string `json:"code,omitempty"`
	Name string `json:"name,omitempty"`
}

// NamespaceExists reports whether the code or the name of q is taken by a
// namespace: ErrInvalid when both are empty. A name is found by walking
// the namespaces, which the store lists in pages of MaxPageSize.
func (r *Registry) NamespaceExists(ctx context.Context, q NamespaceExistsQuery) (codeTaken, nameTaken bool, err error) {
	if q.Code == "" && q.Name == "" {
		return false, false, store.Invalid("code", "code or name is required")
	}
	if q.Code != "" {
		_, err := r.store.GetNamespace(ctx, q.Code)
		switch {
		case err == nil:
			codeTaken = true
		case !isNotFound(err):
			return false, false, err
		}
	}
	if q.Name == "" {
		return codeTaken, false, nil
	}
	opts := ListOptions{PageSize: MaxPageSize}
	for {
		p, err := r.store.ListNamespaces(ctx, opts)
		if err != nil {
			return false, false, err
		}
		for _, ns := range p.Items {
			if ns.Name == q.Name {
				return codeTaken, true, nil
			}
		}
		if p.NextPageToken == "" {
			return codeTaken, false, nil
		}
		opts.PageToken = p.NextPageToken
	}
}

func isNotFound(err error) bool          { return errors.Is(err, ErrNotFound) }
func isNamespaceNotFound(err error) bool { return errors.Is(err, ErrNamespaceNotFound) }

// ListNamespacesWindow reads window w of the namespaces, ordered by code.
// A non-empty keyword keeps those whose code or name contains it, ignoring
// case (Authing's keywords and query); the store has no such filter, so
// that walks every namespace in pages of MaxPageSize.
func (r *Registry) ListNamespacesWindow(ctx context.Context, keyword string, w Window) (WindowPage[Namespace], error) {
	if err := checkText("keyword", keyword, MaxKeywordLen, false); err != nil {
		return WindowPage[Namespace]{}, err
	}
	if keyword == "" {
		return ListWindow(ctx, w, r.ListNamespaces)
	}
	out := WindowPage[Namespace]{Items: []Namespace{}}
	opts := ListOptions{PageSize: MaxPageSize}
	for {
		p, err := r.store.ListNamespaces(ctx, opts)
		if err != nil {
			return WindowPage[Namespace]{}, err
		}
		for _, ns := range p.Items {
			if !store.MatchKeyword(keyword, ns.Code, ns.Name) {
				continue
			}
			if out.TotalCount >= w.Offset && len(out.Items) < w.Limit {
				out.Items = append(out.Items, ns)
			}
			out.TotalCount++
		}
		if p.NextPageToken == "" {
			return out, nil
		}
		opts.PageToken = p.NextPageToken
	}
}
