package resreg

import (
	"context"

	"github.com/resreg/resreg/store"
)

// batchKey marks the context of a write batch the Registry runs, so that
// its own store wrappers know the writes may still roll back.
type batchKey struct{}

func inBatch(ctx context.Context) bool { return ctx.Value(batchKey{}) != nil }

// batcher returns the store's Batcher, if it has one.
func (r *Registry) batcher() (store.Batcher, bool) {
	b, ok := r.inner.(store.Batcher)
	return b, ok
}

// batch runs fn in one transaction of b (see store.Batcher): fn makes its
// writes through r.store with the context it is given. The permission
// index learns of them from the change log once the batch has ended,
// committed or not.
func (r *Registry) batch(ctx context.Context, b store.Batcher, expectSeq int64, fn func(ctx context.Context) error) error {
	defer r.retain(ctx)
	defer r.authz.writes.Add(1)
	return b.Batch(ctx, expectSeq, func(ctx context.Context) error {
		return fn(context.WithValue(ctx, batchKey{}, true))
	})
}
