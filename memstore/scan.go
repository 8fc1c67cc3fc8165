package memstore

import (
	"context"

	"github.com/resreg/resreg/store"
)

var _ store.GrantScanner = (*Store)(nil)

// ScanGrants walks the namespace's grants in listing order under the read
// lock, so the walk sees one state of the store; writers wait until it ends.
func (s *Store) ScanGrants(ctx context.Context, namespace string, fn func(store.Grant) error) error {
	ns, err := s.readNamespace(ctx, namespace)
	if err != nil {
		return err
	}
	defer s.runlock(ctx)
	n := 0
	ns.grants.tree.Ascend(func(item *keyed[store.Grant]) bool {
		if n%store.ScanCheckEvery == 0 {
			if err = ctx.Err(); err != nil {
				return false
			}
		}
		n++
		err = fn(item.val)
		return err == nil
	})
	return err
}
