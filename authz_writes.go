package resreg

import (
	"context"

	"github.com/resreg/resreg/permindex"
	"github.com/resreg/resreg/store"
)

// indexedStore is the store a Registry writes through: every write marks
// the permission index dirty once it returns (so the next check catches up
// with it, whatever the staleness allowed), and a permission write is also
// applied to the index directly, holding the index's lock across the write
// and its application so that no catch-up runs in between (a catch-up that
// ran between them could apply a later change first, and the direct
// application would then undo it).
type indexedStore struct {
	store.Store
	a *authz
}

// batched runs a write of a batch (see Registry.batch): it is not applied
// to the index, since the batch may still roll back, and it does not hold
// the index's lock, which a catch-up holds while it reads the store (on
// memstore that read waits for the batch's lock). The batch marks the
// index dirty once it ends.
func (s indexedStore) batched(write func() error) error {
	defer s.written()
	return write()
}

// written marks the index dirty after a write, whatever its outcome (a
// failed write may still have committed, as after a lost reply).
func (s indexedStore) written() { s.a.writes.Add(1) }

// direct runs write holding the index lock and, when it succeeds and the
// records it touches are loaded, applies it to the index.
func (s indexedStore) direct(ctx context.Context, global bool, ns string, write func() error, apply func(w *permindex.Writer)) error {
	if inBatch(ctx) {
		return s.batched(write)
	}
	a := s.a
	a.mu.Lock()
	defer a.mu.Unlock()
	defer s.written()
	if err := write(); err != nil {
		return err
	}
	if (global && a.global.Load()) || (!global && a.loaded[ns]) {
		a.ix.Load().Update(apply)
	}
	return nil
}

func (s indexedStore) AddGrants(ctx context.Context, grants []store.Grant) error {
	return s.grants(ctx, grants, func() error { return s.Store.AddGrants(ctx, grants) }, func(w *permindex.Writer, g permindex.Grant) { w.AddGrants(g) })
}

func (s indexedStore) RevokeGrants(ctx context.Context, grants []store.Grant) error {
	return s.grants(ctx, grants, func() error { return s.Store.RevokeGrants(ctx, grants) }, func(w *permindex.Writer, g permindex.Grant) { w.RemoveGrants(g) })
}

// grants runs a grant write; its grants are all of one namespace (the
// Registry's calls take one), but each is checked.
func (s indexedStore) grants(ctx context.Context, grants []store.Grant, write func() error, one func(*permindex.Writer, permindex.Grant)) error {
	if inBatch(ctx) {
		return s.batched(write)
	}
	a := s.a
	a.mu.Lock()
	defer a.mu.Unlock()
	defer s.written()
	if err := write(); err != nil {
		return err
	}
	a.ix.Load().Update(func(w *permindex.Writer) {
		for _, g := range grants {
			if a.loaded[g.Namespace] {
				one(w, indexGrant(g))
			}
		}
	})
	return nil
}

func (s indexedStore) AddMembers(ctx context.Context, parent store.Subject, members []store.Subject, opts store.MembershipOptions) error {
	return s.direct(ctx, true, "", func() error { return s.Store.AddMembers(ctx, parent, members, opts) }, func(w *permindex.Writer) {
		for _, m := range members {
			w.AddMemberships(permindex.Membership{Parent: permindex.Subject(parent), Member: permindex.Subject(m)})
		}
	})
}

func (s indexedStore) RemoveMembers(ctx context.Context, parent store.Subject, members []store.Subject) error {
	return s.direct(ctx, true, "", func() error { return s.Store.RemoveMembers(ctx, parent, members) }, func(w *permindex.Writer) {
		for _, m := range members {
			w.RemoveMemberships(permindex.Membership{Parent: permindex.Subject(parent), Member: permindex.Subject(m)})
		}
	})
}

func (s indexedStore) CreateDataPolicy(ctx context.Context, p store.DataPolicy, refs []store.PolicyRef) error {
	return s.direct(ctx, true, "", func() error { return s.Store.CreateDataPolicy(ctx, p, refs) }, func(w *permindex.Writer) {
		w.PutPolicies(indexPolicy(p))
	})
}

func (s indexedStore) UpdateDataPolicy(ctx context.Context, id string, fn func(*store.DataPolicy) ([]store.PolicyRef, error)) (store.DataPolicy, error) {
	var out store.DataPolicy
	err := s.direct(ctx, true, "", func() error {
		var err error
		out, err = s.Store.UpdateDataPolicy(ctx, id, fn)
		return err
	}, func(w *permindex.Writer) { w.PutPolicies(indexPolicy(out)) })
	return out, err
}

func (s indexedStore) DeleteDataPolicy(ctx context.Context, id string) error {
	return s.direct(ctx, true, "", func() error { return s.Store.DeleteDataPolicy(ctx, id) }, func(w *permindex.Writer) {
		w.DeletePolicies(id)
	})
}

func (s indexedStore) AttachDataPolicies(ctx context.Context, targets []store.PolicyTarget) error {
	return s.direct(ctx, true, "", func() error { return s.Store.AttachDataPolicies(ctx, targets) }, func(w *permindex.Writer) {
		for _, t := range targets {
			w.AddPolicyTargets(permindex.PolicyTarget{PolicyID: t.PolicyID, Subject: permindex.Subject(t.Subject)})
		}
	})
}

func (s indexedStore) DetachDataPolicies(ctx context.Context, targets []store.PolicyTarget) error {
	return s.direct(ctx, true, "", func() error { return s.Store.DetachDataPolicies(ctx, targets) }, func(w *permindex.Writer) {
		for _, t := range targets {
			w.RemovePolicyTargets(permindex.PolicyTarget{PolicyID: t.PolicyID, Subject: permindex.Subject(t.Subject)})
		}
	})
}

// The other writes reach the index through the change log; they only mark
// it dirty.

func (s indexedStore) CreateNamespace(ctx context.Context, ns store.Namespace) error {
	defer s.written()
	return s.Store.CreateNamespace(ctx, ns)
}

func (s indexedStore) UpdateNamespace(ctx context.Context, code string, fn func(*store.Namespace) error) (store.Namespace, error) {
	defer s.written()
	return s.Store.UpdateNamespace(ctx, code, fn)
}

// RenameNamespace moves records and rewrites policies; the index follows
// it through its change (see authz.catchUp).
func (s indexedStore) RenameNamespace(ctx context.Context, code, newCode string, fn func(*store.Namespace) error) (store.Namespace, error) {
	defer s.written()
	return s.Store.RenameNamespace(ctx, code, newCode, fn)
}

func (s indexedStore) DeleteNamespace(ctx context.Context, code string) error {
	defer s.written()
	return s.Store.DeleteNamespace(ctx, code)
}

func (s indexedStore) CreateResources(ctx context.Context, rs []store.Resource, opts store.WriteOptions) error {
	defer s.written()
	return s.Store.CreateResources(ctx, rs, opts)
}

func (s indexedStore) UpdateResource(ctx context.Context, namespace, code string, fn func(*store.Resource) error) (store.Resource, error) {
	defer s.written()
	return s.Store.UpdateResource(ctx, namespace, code, fn)
}

func (s indexedStore) DeleteResources(ctx context.Context, namespace string, codes []string) error {
	defer s.written()
	return s.Store.DeleteResources(ctx, namespace, codes)
}

func (s indexedStore) CreateDataResource(ctx context.Context, d store.DataResource) error {
	defer s.written()
	return s.Store.CreateDataResource(ctx, d)
}

func (s indexedStore) UpdateDataResource(ctx context.Context, namespace, code string, fn func(*store.DataResource) error) (store.DataResource, error) {
	defer s.written()
	return s.Store.UpdateDataResource(ctx, namespace, code, fn)
}

func (s indexedStore) DeleteDataResource(ctx context.Context, namespace, code string) error {
	defer s.written()
	return s.Store.DeleteDataResource(ctx, namespace, code)
}

// DeleteDirectoryEntries removes memberships, grants and policy targets
// by cascade; the store records each removal in the change log, so the
// write only marks the index dirty and the next check catches up with
// those changes.
func (s indexedStore) DeleteDirectoryEntries(ctx context.Context, subjects []store.Subject) error {
	return s.direct(ctx, true, "", func() error { return s.Store.DeleteDirectoryEntries(ctx, subjects) }, func(*permindex.Writer) {})
}
