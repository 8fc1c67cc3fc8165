package resreg

import (
	"context"
	"errors"
	"strconv"

	"github.com/resreg/resreg/store"
)

// MaxApplyChanges bounds the changes of a plan that [Registry.Apply]
// writes. An apply is one transaction of the store, never split, so that
// it stays all-or-nothing; a larger plan is refused with ErrLimitExceeded
// before anything is written. Plan a large registry in parts with
// PlanOptions.Namespaces.
const MaxApplyChanges = 1_000_000

// ErrUnsupported is returned by [Registry.Apply] on a store that cannot
// write many records in one transaction (one that does not implement
// [store.Batcher]). It is the standard library's errors.ErrUnsupported.
var ErrUnsupported = errors.ErrUnsupported

// ApplyResult tells what an apply wrote.
type ApplyResult struct {
	// Created, Updated and Deleted count the plan's changes by operation.
	Created int `json:"created"`
	Updated int `json:"updated"`
	Deleted int `json:"deleted"`
	// FromSeq is the change log's LastSeq the plan was made at; ToSeq the
	// one read right after the commit. An empty plan leaves both equal.
	FromSeq int64 `json:"fromSeq"`
	ToSeq   int64 `json:"toSeq"`
}

// ApplyOption configures one [Registry.Apply].
type ApplyOption func(*applyConfig)

type applyConfig struct {
	progress func(done, total int)
}

// ApplyProgress makes Apply call fn as the write proceeds, with how many of
// the plan's total changes have been written to the transaction so far.
// Nothing is visible to readers until the commit, after the last call. On
// a store that runs a transaction again after the server aborted it
// (pgstore), done can start over from 0.
func ApplyProgress(fn func(done, total int)) ApplyOption {
	return func(c *applyConfig) { c.progress = fn }
}

// Apply writes a plan made by [Registry.Plan] on this registry: every change
// and its change-log entries in one transaction of the store, or nothing.
//
// Staleness: the plan remembers the change log's LastSeq it was made at,
// and Apply checks it inside the transaction. A registry that has changed
// since, through this process or any other sharing the store, is ErrConflict
// (Field "seq"): plan again. An empty plan writes nothing and records no
// change (the second apply of a manifest), but is refused the same way when
// stale.
//
// Order: changes are written in the plan's order, parents before children
// and deletes after creates and updates (see [Plan]). A data resource update
// that removes a node or an action a data policy names is refused while the
// policy still names it, also when the same plan updates or deletes that
// policy afterwards; such a manifest change takes two applies.
//
// Errors: ErrInvalid for a plan not made by Plan on this registry (a Plan
// decoded from JSON carries no records); ErrLimitExceeded for a plan of more
// than MaxApplyChanges changes; ErrUnsupported if the store is not a
// store.Batcher; otherwise the error of the first write that failed, and
// nothing is written. A context that ends before the commit writes nothing.
func (r *Registry) Apply(ctx context.Context, p Plan, opts ...ApplyOption) (ApplyResult, error) {
	var cfg applyConfig
	for _, o := range opts {
		o(&cfg)
	}
	if err := ctx.Err(); err != nil {
		return ApplyResult{}, err
	}
	if p.origin != r.store {
		return ApplyResult{}, store.Invalid("plan", "the plan was not made by Plan on this registry")
	}
	if n := len(p.Changes); n > MaxApplyChanges {
		return ApplyResult{}, &Error{Field: "plan", Message: "a plan of " + strconv.Itoa(n) + " changes is more than one apply writes (" +
			strconv.Itoa(MaxApplyChanges) + "); plan fewer namespaces at a time", Err: ErrLimitExceeded}
	}
	res := ApplyResult{FromSeq: p.Seq, ToSeq: p.Seq}
	res.Created, res.Updated, res.Deleted = p.Counts()
	if p.Empty() {
		seq, err := r.LastSeq(ctx)
		if err != nil {
			return ApplyResult{}, err
		}
		if seq != p.Seq {
			return ApplyResult{}, staleSeq(p.Seq, seq)
		}
		return res, nil
	}
	b, ok := r.batcher()
	if !ok {
		return ApplyResult{}, &Error{Message: "the store cannot write a plan in one transaction: it does not implement store.Batcher", Err: ErrUnsupported}
	}
	err := r.batch(ctx, b, p.Seq, func(ctx context.Context) error {
		a := applier{r: r, ctx: ctx}
		return a.run(p.Changes, cfg.progress)
	})
	if err != nil {
		return ApplyResult{}, err
	}
	if res.ToSeq, err = r.LastSeq(context.WithoutCancel(ctx)); err != nil {
		// The plan is committed; only the figure is missing.
		res.ToSeq = p.Seq
	}
	return res, nil
}

// staleSeq is the error of a plan made at seq planned on a log now at last.
func staleSeq(planned, last int64) error {
	return &Error{Field: "seq", Message: "the registry changed since the plan was made (change " +
		strconv.FormatInt(planned, 10) + ", now " + strconv.FormatInt(last, 10) + "); plan again", Err: ErrConflict}
}

// targetChange is the record of a policy target change: the policy by
// name, since a policy created by the same plan has no ID until then.
type targetChange struct {
	policy  string
	subject Subject
	name    string
}

// applier writes the changes of one plan inside a store batch; ctx is the
// batch's context.
type applier struct {
	r   *Registry
	ctx context.Context
	// policyIDs caches the IDs of the policies the plan names, by name.
	policyIDs map[string]string
}

// run writes changes in order. Runs of the same operation on the same kind
// (and namespace, or parent for memberships) that the store takes as a list
// are written with one call each.
func (a *applier) run(changes []PlanChange, progress func(done, total int)) error {
	for i := 0; i < len(changes); {
		j := i + 1
		if listed(changes[i]) {
			for j < len(changes) && sameRun(changes[i], changes[j]) {
				j++
			}
		}
		if err := a.write(changes[i:j]); err != nil {
			return err
		}
		if err := a.ctx.Err(); err != nil {
			return err
		}
		if progress != nil {
			progress(j, len(changes))
		}
		i = j
	}
	return nil
}

// listed reports whether the store writes c's kind and op as a list.
func listed(c PlanChange) bool {
	switch c.Kind {
	case store.KindResource:
		return c.Op != PlanUpdate
	case store.KindGrant, store.KindMembership:
		return true
	case store.KindPolicyTarget:
		return c.Op != PlanUpdate
	}
	return false
}

// maxRun bounds the records of one store call, so that the lists a store
// checks in one statement stay moderate; a run is cut, not the batch.
const maxRun = 10_000

func sameRun(a, b PlanChange) bool {
	if a.Op != b.Op || a.Kind != b.Kind || a.Namespace != b.Namespace {
		return false
	}
	if a.Kind == store.KindMembership {
		return a.rec.(store.Membership).Parent == b.rec.(store.Membership).Parent
	}
	return true
}

// write writes one change, or a run of listed ones.
func (a *applier) write(run []PlanChange) error {
	for len(run) > maxRun {
		if err := a.write(run[:maxRun]); err != nil {
			return err
		}
		run = run[maxRun:]
	}
	c := run[0]
	var err error
	switch c.Kind {
	case store.KindNamespace:
		err = a.namespace(c)
	case store.KindResource:
		err = a.resources(run)
	case store.KindDataResource:
		err = a.dataResource(c)
	case store.KindDataPolicy:
		err = a.policy(c)
	case store.KindPolicyTarget:
		err = a.targets(run)
	case store.KindGrant:
		err = a.grants(run)
	case store.KindMembership:
		err = a.memberships(run)
	default:
		err = store.Invalid("plan", "unknown kind "+strconv.Quote(c.Kind))
	}
	if err != nil {
		return applyError(c, err)
	}
	return nil
}

// applyError says which change failed, keeping err's sentinel and details.
func applyError(c PlanChange, err error) error {
	var se *Error
	if !errors.As(err, &se) {
		return err
	}
	out := *se
	out.Message = string(c.Op) + " " + c.Kind + " " + planKey(c) + ": " + se.Message
	return &out
}

func planKey(c PlanChange) string {
	if c.Namespace == "" {
		return c.Key
	}
	return c.Namespace + "/" + c.Key
}

func (a *applier) namespace(c PlanChange) error {
	switch c.Op {
	case PlanCreate:
		mn := c.rec.(*ManifestNamespace)
		_, err := a.r.CreateNamespace(a.ctx, Namespace{Code: mn.Code, Name: mn.Name, Description: mn.Description})
		return err
	case PlanUpdate:
		mn := c.rec.(*ManifestNamespace)
		_, err := a.r.UpdateNamespace(a.ctx, mn.Code, NamespaceUpdate{Name: &mn.Name, Description: &mn.Description})
		return err
	default:
		return a.r.DeleteNamespace(a.ctx, c.Key)
	}
}

func (a *applier) resources(run []PlanChange) error {
	c := run[0]
	switch c.Op {
	case PlanCreate:
		now, err := a.r.now("createdAt")
		if err != nil {
			return err
		}
		rs := make([]Resource, len(run))
		for i, c := range run {
			rs[i] = *c.rec.(*Resource)
			if rs[i].ID == "" {
				rs[i].ID = a.r.newID()
			}
			rs[i].CreatedAt, rs[i].UpdatedAt = now, now
		}
		return a.r.store.CreateResources(a.ctx, rs, store.WriteOptions{MaxResourcesPerNamespace: a.r.limits.MaxResourcesPerNamespace})
	case PlanUpdate:
		want := c.rec.(*Resource)
		now, err := a.r.now("updatedAt")
		if err != nil {
			return err
		}
		_, err = a.r.store.UpdateResource(a.ctx, c.Namespace, c.Key, func(res *Resource) error {
			res.Type, res.Name, res.Description = want.Type, want.Name.Clone(), want.Description
			res.Actions = append([]Action(nil), want.Actions...)
			res.APIIdentifier, res.LinkedToTenant = want.APIIdentifier, want.LinkedToTenant
			res.UpdatedAt = now
			return nil
		})
		return err
	default:
		codes := make([]string, len(run))
		for i, c := range run {
			codes[i] = c.Key
		}
		return a.r.store.DeleteResources(a.ctx, c.Namespace, codes)
	}
}

func (a *applier) dataResource(c PlanChange) error {
	switch c.Op {
	case PlanCreate:
		md := c.rec.(*ManifestDataResource)
		_, err := a.r.CreateDataResource(a.ctx, CreateDataResourceInput{NamespaceCode: c.Namespace, ResourceCode: md.ResourceCode,
			ResourceName: md.ResourceName, Description: md.Description, Type: md.Type, Struct: md.Struct, Actions: md.Actions})
		return err
	case PlanUpdate:
		md := c.rec.(*ManifestDataResource)
		_, err := a.r.UpdateDataResource(a.ctx, c.Namespace, md.ResourceCode, DataResourceUpdate{ResourceName: &md.ResourceName,
			Description: &md.Description, Struct: &md.Struct, Actions: &md.Actions})
		return err
	default:
		return a.r.DeleteDataResource(a.ctx, c.Namespace, c.Key)
	}
}

func (a *applier) policy(c PlanChange) error {
	switch c.Op {
	case PlanCreate:
		mp := c.rec.(*ManifestDataPolicy)
		p, err := a.r.CreateDataPolicy(a.ctx, DataPolicyInput{PolicyName: mp.PolicyName, Description: mp.Description, StatementList: mp.StatementList})
		if err == nil {
			a.cachePolicy(p.PolicyName, p.PolicyID)
		}
		return err
	case PlanUpdate:
		mp := c.rec.(*ManifestDataPolicy)
		id, err := a.policyID(mp.PolicyName)
		if err != nil {
			return err
		}
		_, err = a.r.UpdateDataPolicy(a.ctx, id, DataPolicyUpdate{Description: &mp.Description, StatementList: &mp.StatementList})
		return err
	default:
		return a.r.DeleteDataPolicy(a.ctx, c.rec.(*store.DataPolicy).ID)
	}
}

func (a *applier) cachePolicy(name, id string) {
	if a.policyIDs == nil {
		a.policyIDs = map[string]string{}
	}
	a.policyIDs[name] = id
}

// policyID finds a policy's ID by name, in the batch: the policy may have
// been created by it.
func (a *applier) policyID(name string) (string, error) {
	if id, ok := a.policyIDs[name]; ok {
		return id, nil
	}
	p, err := a.r.store.GetDataPolicyByName(a.ctx, name)
	if err != nil {
		return "", err
	}
	a.cachePolicy(name, p.ID)
	return p.ID, nil
}

func (a *applier) targets(run []PlanChange) error {
	targets := make([]PolicyTarget, len(run))
	for i, c := range run {
		tc := c.rec.(targetChange)
		id, err := a.policyID(tc.policy)
		if err != nil {
			return err
		}
		targets[i] = PolicyTarget{PolicyID: id, Subject: tc.subject, Name: tc.name}
	}
	switch run[0].Op {
	case PlanDelete:
		return a.r.store.DetachDataPolicies(a.ctx, targets)
	case PlanUpdate:
		// A target's name is kept by an attach that finds it present, so a
		// new name takes a detach and an attach, in this transaction.
		if err := a.r.store.DetachDataPolicies(a.ctx, targets); err != nil {
			return err
		}
	}
	now, err := a.r.now("createdAt")
	if err != nil {
		return err
	}
	for i := range targets {
		targets[i].CreatedAt = now
	}
	return a.r.store.AttachDataPolicies(a.ctx, targets)
}

func (a *applier) grants(run []PlanChange) error {
	grants := make([]store.Grant, len(run))
	for i, c := range run {
		grants[i] = c.rec.(store.Grant)
	}
	if run[0].Op == PlanDelete {
		return a.r.store.RevokeGrants(a.ctx, grants)
	}
	now, err := a.r.now("createdAt")
	if err != nil {
		return err
	}
	for i := range grants {
		grants[i].CreatedAt = now
	}
	return a.r.store.AddGrants(a.ctx, grants)
}

func (a *applier) memberships(run []PlanChange) error {
	parent := run[0].rec.(store.Membership).Parent
	members := make([]Subject, len(run))
	for i, c := range run {
		members[i] = c.rec.(store.Membership).Member
	}
	// The manifest's check applied AddMembers's rules to each entry; a run
	// may join entries of one parent, so it goes to the store as one list.
	if run[0].Op == PlanDelete {
		return a.r.store.RemoveMembers(a.ctx, parent, members)
	}
	return a.r.store.AddMembers(a.ctx, parent, members, store.MembershipOptions{MaxDepth: a.r.limits.MaxMembershipDepth})
}
