package sqlitestore

import (
	"cmp"
	"slices"

	"github.com/resreg/resreg/store"
)

// The permission records are recorded in the change log as JSON, in the
// same transaction as the write, after the statement that makes the
// change (see insertChange). Grants carry their namespace; memberships,
// data policies and policy targets are registry-wide, so their changes
// have an empty Namespace. Each Key is the record's Key method (a
// policy's is its ID). A deletion that cascades records the deleted
// record first, then each record the cascade removes.

func (w *wtx) logPermission(op, kind, namespace, key string, record any) error {
	if w.noChangeLog {
		return nil
	}
	b, err := jsonRecord(record)
	if err != nil {
		return err
	}
	return w.insertChange(op, kind, namespace, key, b)
}

func (w *wtx) logGrant(op string, g store.Grant) error {
	g.CreatedAt = normTime(g.CreatedAt)
	return w.logPermission(op, store.KindGrant, g.Namespace, g.Key(), &g)
}

// logGrantsDeleted records grants that a statement has deleted, as they
// were, in listing order (subject, resource, action, effect): RETURNING
// gives no order, and every store records a cascade in this one. The
// namespace comes last, so that a directory deletion, whose grants span
// namespaces, has one order however many grants it removes (the sort is
// not stable).
func (w *wtx) logGrantsDeleted(grants []store.Grant) error {
	slices.SortFunc(grants, func(a, b store.Grant) int {
		return cmp.Or(cmp.Compare(a.Subject.Type, b.Subject.Type), cmp.Compare(a.Subject.ID, b.Subject.ID),
			cmp.Compare(a.ResourceCode, b.ResourceCode), cmp.Compare(a.Action, b.Action), cmp.Compare(a.Effect, b.Effect),
			cmp.Compare(a.Namespace, b.Namespace))
	})
	for _, g := range grants {
		if err := w.logGrant(store.OpDelete, g); err != nil {
			return err
		}
	}
	return nil
}

func (w *wtx) logMembership(op string, m store.Membership) error {
	m.CreatedAt = normTime(m.CreatedAt)
	return w.logPermission(op, store.KindMembership, "", m.Key(), &m)
}

func (w *wtx) logPolicy(op string, p store.DataPolicy) error {
	p.CreatedAt, p.UpdatedAt = normTime(p.CreatedAt), normTime(p.UpdatedAt)
	return w.logPermission(op, store.KindDataPolicy, "", p.ID, &p)
}

// logTargetsDeleted records targets a statement has deleted in listing
// order (policy, subject type, subject ID).
func (w *wtx) logTargetsDeleted(targets []store.PolicyTarget) error {
	slices.SortFunc(targets, func(a, b store.PolicyTarget) int {
		return cmp.Or(cmp.Compare(a.PolicyID, b.PolicyID), cmp.Compare(a.Subject.Type, b.Subject.Type), cmp.Compare(a.Subject.ID, b.Subject.ID))
	})
	for _, t := range targets {
		if err := w.logTarget(store.OpDelete, t); err != nil {
			return err
		}
	}
	return nil
}

func (w *wtx) logTarget(op string, t store.PolicyTarget) error {
	t.CreatedAt = normTime(t.CreatedAt)
	return w.logPermission(op, store.KindPolicyTarget, "", t.Key(), &t)
}
