package resreg

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"

	"github.com/resreg/resreg/store"
)

// PlanOptions scopes a plan.
type PlanOptions struct {
	// Prune plans the deletion of every record in scope that the manifest
	// does not name. Without it a plan never deletes.
	Prune bool `json:"prune,omitempty"`
	// Namespaces, when set, limits the plan to these namespaces: the
	// manifest's other namespaces are ignored, stored namespaces outside
	// the list are never pruned, and data policies and memberships, which
	// are registry-wide, are left out. At most MaxManifestNamespaces codes.
	Namespaces []string `json:"namespaces,omitempty"`
}

// PlanOp is what a planned change does to its record.
type PlanOp string

// The three operations of a plan.
const (
	PlanCreate PlanOp = "create"
	PlanUpdate PlanOp = "update"
	PlanDelete PlanOp = "delete"
)

// PlanChange is one record a plan would create, update or delete.
type PlanChange struct {
	Op PlanOp `json:"op"`
	// Kind is a change log kind: store.KindNamespace, KindResource, ...
	Kind string `json:"kind"`
	// Namespace is the record's namespace; empty for data policies, their
	// targets and memberships, which are registry-wide.
	Namespace string `json:"namespace,omitempty"`
	// Key identifies the record within its kind and namespace: a code, a
	// policy name, a grant's key ("ROLE:admin/ecs/ecs:Start/ALLOW"), a
	// policy target's "policy name/TYPE:id", a membership's
	// "PARENT_TYPE:id/MEMBER_TYPE:id".
	Key string `json:"key"`
	// Fields lists what an update changes, in a fixed order per kind.
	Fields []FieldChange `json:"fields,omitempty"`

	// rec is what Apply writes: the declared record of a create or an
	// update, the stored one of a delete (see apply.go for each kind).
	rec any
}

// FieldChange is one field an update changes, each value in JSON.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Plan is what it takes to converge a registry to a manifest: every
// change, creates and updates first (parents before children), then
// deletes (children before parents), each group ordered by namespace and
// key, so the same registry and manifest always give the same plan.
type Plan struct {
	// Seq is the change log's LastSeq when the plan was made: a registry
	// whose log has moved past it has changed since.
	Seq     int64        `json:"seq"`
	Options PlanOptions  `json:"options"`
	Changes []PlanChange `json:"changes"`

	// manifest is what the plan was made from, origin the store it was
	// compared with: Apply writes a plan only to that store.
	manifest Manifest
	origin   store.Store
}

// Empty reports whether the plan changes nothing.
func (p Plan) Empty() bool { return len(p.Changes) == 0 }

// Counts returns how many records the plan creates, updates and deletes.
func (p Plan) Counts() (create, update, del int) {
	for _, c := range p.Changes {
		switch c.Op {
		case PlanCreate:
			create++
		case PlanUpdate:
			update++
		default:
			del++
		}
	}
	return create, update, del
}

// Manifest returns the manifest the plan was made from.
func (p Plan) Manifest() Manifest { return p.manifest }

// Plan compares m with the registry and lists the changes that would make
// the registry hold exactly what m declares (and, with opts.Prune, nothing
// more in scope). It writes nothing. m is checked first with the
// Registry's limits (a *ManifestError); grants are checked against the
// resources the registry would hold afterwards: a granted code must be
// declared by the manifest or, unless pruned, exist already (ErrNotFound),
// and must declare the granted actions (ErrInvalid). A declared ID that
// differs from the stored resource's, or a data resource whose type
// changes, is ErrConflict: neither can be updated in place.
func (r *Registry) Plan(ctx context.Context, m Manifest, opts PlanOptions) (Plan, error) {
	if err := checkBound("namespaces", len(opts.Namespaces), MaxManifestNamespaces); err != nil {
		return Plan{}, err
	}
	if err := checkList("namespaces", opts.Namespaces, checkCode); err != nil {
		return Plan{}, err
	}
	if err := r.checkManifest(m); err != nil {
		return Plan{}, err
	}
	// The sequence is read before the records: a write between the two is
	// then seen as a change since the plan, never missed.
	seq, err := r.LastSeq(ctx)
	if err != nil {
		return Plan{}, err
	}
	pl := &planner{r: r, m: m, opts: opts}
	if err := pl.namespaces(ctx); err != nil {
		return Plan{}, m.errorAt(err)
	}
	if len(opts.Namespaces) == 0 {
		if err := pl.policies(ctx); err != nil {
			return Plan{}, m.errorAt(err)
		}
		if err := pl.memberships(ctx); err != nil {
			return Plan{}, m.errorAt(err)
		}
	}
	slices.SortStableFunc(pl.out, comparePlanChanges)
	return Plan{Seq: seq, Options: PlanOptions{Prune: opts.Prune, Namespaces: slices.Clone(opts.Namespaces)}, Changes: pl.out, manifest: m, origin: r.store}, nil
}

// kindRank orders kinds parent first.
var kindRank = map[string]int{
	store.KindNamespace: 0, store.KindResource: 1, store.KindDataResource: 2,
	store.KindDataPolicy: 3, store.KindPolicyTarget: 4, store.KindGrant: 5, store.KindMembership: 6,
}

func comparePlanChanges(a, b PlanChange) int {
	ra, rb := kindRank[a.Kind], kindRank[b.Kind]
	if (a.Op == PlanDelete) != (b.Op == PlanDelete) {
		if a.Op == PlanDelete {
			return 1
		}
		return -1
	}
	if a.Op == PlanDelete {
		ra, rb = -ra, -rb
	}
	if ra != rb {
		return ra - rb
	}
	if a.Namespace != b.Namespace {
		if a.Namespace < b.Namespace {
			return -1
		}
		return 1
	}
	switch {
	case a.Key < b.Key:
		return -1
	case a.Key > b.Key:
		return 1
	}
	return 0
}

// planner collects the changes of one plan.
type planner struct {
	r    *Registry
	m    Manifest
	opts PlanOptions
	out  []PlanChange
}

// add records a change with the record Apply needs to write it.
func (pl *planner) add(rec any, op PlanOp, kind, ns, key string, fields ...FieldChange) {
	pl.out = append(pl.out, PlanChange{Op: op, Kind: kind, Namespace: ns, Key: key, Fields: fields, rec: rec})
}

func (pl *planner) inScope(ns string) bool {
	return len(pl.opts.Namespaces) == 0 || slices.Contains(pl.opts.Namespaces, ns)
}

// listAll reads every page of a listing.
func listAll[T any](ctx context.Context, list func(ListOptions) (Page[T], error)) ([]T, error) {
	var out []T
	opts := ListOptions{PageSize: store.MaxPageSize}
	for {
		page, err := list(opts)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextPageToken == "" {
			return out, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		opts.PageToken = page.NextPageToken
	}
}

// fieldDiff appends a FieldChange when old and new differ.
func fieldDiff[T any](out []FieldChange, field string, old, new T, equal func(a, b T) bool) []FieldChange {
	if equal(old, new) {
		return out
	}
	return append(out, FieldChange{Field: field, Old: jsonText(old), New: jsonText(new)})
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

func eq[T comparable](a, b T) bool { return a == b }

func sameName(a, b I18nName) bool {
	return a.DefaultValue == b.DefaultValue && maps.Equal(a.I18nValue, b.I18nValue)
}

func sameJSON[T any](a, b T) bool { return jsonText(a) == jsonText(b) }

func (pl *planner) namespaces(ctx context.Context) error {
	stored, err := listAll(ctx, func(o ListOptions) (Page[Namespace], error) { return pl.r.store.ListNamespaces(ctx, o) })
	if err != nil {
		return err
	}
	byCode := make(map[string]Namespace, len(stored))
	for _, ns := range stored {
		byCode[ns.Code] = ns
	}
	declared := make(map[string]bool, len(pl.m.Namespaces))
	for i := range pl.m.Namespaces {
		mn := &pl.m.Namespaces[i]
		declared[mn.Code] = true
		if !pl.inScope(mn.Code) {
			continue
		}
		old, exists := byCode[mn.Code]
		if !exists {
			pl.add(mn, PlanCreate, store.KindNamespace, mn.Code, mn.Code)
		} else {
			var f []FieldChange
			f = fieldDiff(f, "name", old.Name, mn.Name, eq)
			f = fieldDiff(f, "description", old.Description, mn.Description, eq)
			if len(f) > 0 {
				pl.add(mn, PlanUpdate, store.KindNamespace, mn.Code, mn.Code, f...)
			}
		}
		if err := pl.namespaceRecords(ctx, index("namespaces", i), mn, exists); err != nil {
			return err
		}
	}
	if !pl.opts.Prune {
		return nil
	}
	for _, ns := range stored {
		if declared[ns.Code] || !pl.inScope(ns.Code) || ns.Code == DefaultNamespace {
			if ns.Code == DefaultNamespace && !declared[ns.Code] && pl.inScope(ns.Code) {
				// The default namespace is never deleted, but what it holds
				// is pruned like any namespace's.
				if err := pl.namespaceRecords(ctx, "", &ManifestNamespace{Code: ns.Code}, true); err != nil {
					return err
				}
			}
			continue
		}
		if err := pl.namespaceRecords(ctx, "", &ManifestNamespace{Code: ns.Code}, true); err != nil {
			return err
		}
		pl.add(nil, PlanDelete, store.KindNamespace, ns.Code, ns.Code)
	}
	return nil
}

// namespaceRecords plans the resources, data resources and grants of one
// namespace; exists says whether the store has it (if not, there is
// nothing to read). at is the namespace's path in the manifest.
func (pl *planner) namespaceRecords(ctx context.Context, at string, mn *ManifestNamespace, exists bool) error {
	var stored []Resource
	var storedData []DataResource
	var storedGrants []store.Grant
	if exists {
		var err error
		if stored, err = listAll(ctx, func(o ListOptions) (Page[Resource], error) {
			return pl.r.store.ListResources(ctx, ResourceFilter{Namespace: mn.Code}, o)
		}); err != nil {
			return err
		}
		if storedData, err = listAll(ctx, func(o ListOptions) (Page[DataResource], error) {
			return pl.r.store.ListDataResources(ctx, DataResourceFilter{Namespace: mn.Code}, o)
		}); err != nil {
			return err
		}
		if storedGrants, err = listAll(ctx, func(o ListOptions) (Page[store.Grant], error) {
			return pl.r.store.ListGrants(ctx, store.GrantFilter{Namespace: mn.Code}, o)
		}); err != nil {
			return err
		}
	}
	after, err := pl.resources(at, mn, stored)
	if err != nil {
		return err
	}
	if err := pl.dataResources(at, mn, storedData); err != nil {
		return err
	}
	return pl.grants(at, mn, storedGrants, after)
}

// resources plans one namespace's resources and returns the resources it
// would hold afterwards, by code.
func (pl *planner) resources(at string, mn *ManifestNamespace, stored []Resource) (map[string]*Resource, error) {
	after := make(map[string]*Resource, max(len(stored), len(mn.Resources)))
	for i := range stored {
		after[stored[i].Code] = &stored[i]
	}
	declared := make(map[string]bool, len(mn.Resources))
	for i := range mn.Resources {
		mr := &mn.Resources[i]
		declared[mr.Code] = true
		old, exists := after[mr.Code]
		want := mr.resource(mn.Code)
		if !exists {
			pl.add(&want, PlanCreate, store.KindResource, mn.Code, mr.Code)
			after[mr.Code] = &want
			continue
		}
		if mr.ID != "" && mr.ID != old.ID {
			return nil, &Error{Field: join(index(join(at, "resources"), i), "id"), Codes: []string{mr.Code},
				Message: "resource " + strconv.Quote(mr.Code) + " has ID " + strconv.Quote(old.ID) + "; an ID never changes", Err: ErrConflict}
		}
		var f []FieldChange
		f = fieldDiff(f, "type", old.Type, want.Type, eq)
		f = fieldDiff(f, "name", old.Name, want.Name, sameName)
		f = fieldDiff(f, "description", old.Description, want.Description, eq)
		f = fieldDiff(f, "actions", old.Actions, want.Actions, slices.Equal)
		f = fieldDiff(f, "apiIdentifier", old.APIIdentifier, want.APIIdentifier, eq)
		f = fieldDiff(f, "linkedToTenant", old.LinkedToTenant, want.LinkedToTenant, eq)
		want.ID = old.ID
		if len(f) > 0 {
			pl.add(&want, PlanUpdate, store.KindResource, mn.Code, mr.Code, f...)
		}
		after[mr.Code] = &want
	}
	if pl.opts.Prune {
		for i := range stored {
			if !declared[stored[i].Code] {
				pl.add(nil, PlanDelete, store.KindResource, mn.Code, stored[i].Code)
				delete(after, stored[i].Code)
			}
		}
	}
	return after, nil
}

func (pl *planner) dataResources(at string, mn *ManifestNamespace, stored []DataResource) error {
	byCode := make(map[string]*DataResource, len(stored))
	for i := range stored {
		byCode[stored[i].ResourceCode] = &stored[i]
	}
	declared := make(map[string]bool, len(mn.DataResources))
	for i := range mn.DataResources {
		md := &mn.DataResources[i]
		declared[md.ResourceCode] = true
		old, exists := byCode[md.ResourceCode]
		if !exists {
			pl.add(md, PlanCreate, store.KindDataResource, mn.Code, md.ResourceCode)
			continue
		}
		if old.Type != md.Type {
			return &Error{Field: join(index(join(at, "dataResources"), i), "type"), Codes: []string{md.ResourceCode},
				Message: "data resource " + strconv.Quote(md.ResourceCode) + " is a " + string(old.Type) + "; a data resource's type never changes", Err: ErrConflict}
		}
		var f []FieldChange
		f = fieldDiff(f, "resourceName", old.ResourceName, md.ResourceName, eq)
		f = fieldDiff(f, "description", old.Description, md.Description, eq)
		f = fieldDiff(f, "struct", old.Struct, md.Struct, sameJSON)
		f = fieldDiff(f, "actions", old.Actions, md.Actions, slices.Equal)
		if len(f) > 0 {
			pl.add(md, PlanUpdate, store.KindDataResource, mn.Code, md.ResourceCode, f...)
		}
	}
	if pl.opts.Prune {
		for i := range stored {
			if !declared[stored[i].ResourceCode] {
				pl.add(nil, PlanDelete, store.KindDataResource, mn.Code, stored[i].ResourceCode)
			}
		}
	}
	return nil
}

// grants plans one namespace's grants against after, the resources the
// namespace would hold once the plan is applied.
func (pl *planner) grants(at string, mn *ManifestNamespace, stored []store.Grant, after map[string]*Resource) error {
	want := map[string]store.Grant{}
	if len(mn.Grants) > 0 {
		_, grants, err := pl.r.expandGrants(AuthorizeResourcesInput{Namespace: mn.Code, List: mn.Grants})
		if err != nil {
			return rebase(err, "list", join(at, "grants"))
		}
		if err := checkGrantTargets(join(at, "grants"), mn, after); err != nil {
			return err
		}
		for _, g := range grants {
			want[g.Key()] = g
		}
	}
	have := make(map[string]bool, len(stored))
	for _, g := range stored {
		k := g.Key()
		have[k] = true
		if _, wanted := want[k]; !wanted && (pl.opts.Prune || grantGoes(g, after)) {
			pl.add(g, PlanDelete, store.KindGrant, mn.Code, k)
		}
	}
	for k, g := range want {
		if !have[k] {
			pl.add(g, PlanCreate, store.KindGrant, mn.Code, k)
		}
	}
	return nil
}

// grantGoes reports whether the store deletes g along with a planned
// change to its resource, pruning or not: a resource deleted, or an
// action its update no longer declares.
func grantGoes(g store.Grant, after map[string]*Resource) bool {
	if g.ResourceCode == Wildcard {
		return false
	}
	res, ok := after[g.ResourceCode]
	return !ok || g.Action != Wildcard && !declares(*res, g.Action)
}

// checkGrantTargets applies AuthorizeResources's existence rules to the
// resources the namespace would hold after the plan.
func checkGrantTargets(at string, mn *ManifestNamespace, after map[string]*Resource) error {
	for i, it := range mn.Grants {
		for k, ra := range it.Resources {
			if ra.Code == Wildcard {
				continue
			}
			field := index(join(index(at, i), "resources"), k)
			res, ok := after[ra.Code]
			if !ok {
				return &Error{Field: join(field, "code"), Codes: []string{ra.Code}, Message: "resource " + strconv.Quote(ra.Code) + " is neither declared in namespace " + strconv.Quote(mn.Code) + " nor kept there", Err: ErrNotFound}
			}
			if ra.ResourceType != "" && ra.ResourceType != res.Type {
				return store.Invalid(join(field, "resourceType"), "resource "+strconv.Quote(ra.Code)+" is of type "+strconv.Quote(res.Type)+", not "+strconv.Quote(ra.ResourceType))
			}
			for m, a := range ra.Actions {
				if a != Wildcard && !declares(*res, a) {
					return &Error{Field: index(join(field, "actions"), m), Codes: []string{a}, Message: "resource " + strconv.Quote(ra.Code) + " declares no action " + strconv.Quote(a), Err: ErrInvalid}
				}
			}
		}
	}
	return nil
}

func (pl *planner) policies(ctx context.Context) error {
	stored, err := listAll(ctx, func(o ListOptions) (Page[store.DataPolicy], error) {
		return pl.r.store.ListDataPolicies(ctx, DataPolicyFilter{}, o)
	})
	if err != nil {
		return err
	}
	byName := make(map[string]*store.DataPolicy, len(stored))
	for i := range stored {
		byName[stored[i].Name] = &stored[i]
	}
	declared := make(map[string]bool, len(pl.m.DataPolicies))
	for i := range pl.m.DataPolicies {
		mp := &pl.m.DataPolicies[i]
		declared[mp.PolicyName] = true
		old, exists := byName[mp.PolicyName]
		var targets []PolicyTarget
		if exists {
			var f []FieldChange
			f = fieldDiff(f, "description", old.Description, mp.Description, eq)
			f = fieldDiff(f, "statementList", old.Statements, mp.StatementList, sameJSON)
			if len(f) > 0 {
				pl.add(mp, PlanUpdate, store.KindDataPolicy, "", mp.PolicyName, f...)
			}
			if targets, err = listAll(ctx, func(o ListOptions) (Page[PolicyTarget], error) {
				return pl.r.store.ListDataPolicyTargets(ctx, old.ID, o)
			}); err != nil {
				return err
			}
		} else {
			pl.add(mp, PlanCreate, store.KindDataPolicy, "", mp.PolicyName)
		}
		pl.policyTargets(mp, targets)
	}
	if !pl.opts.Prune {
		return nil
	}
	for i := range stored {
		p := &stored[i]
		if declared[p.Name] {
			continue
		}
		targets, err := listAll(ctx, func(o ListOptions) (Page[PolicyTarget], error) {
			return pl.r.store.ListDataPolicyTargets(ctx, p.ID, o)
		})
		if err != nil {
			return err
		}
		pl.policyTargets(&ManifestDataPolicy{PolicyName: p.Name}, targets)
		pl.add(p, PlanDelete, store.KindDataPolicy, "", p.Name)
	}
	return nil
}

// policyTargets plans the targets of one policy; a target's name is its
// only field that can change.
func (pl *planner) policyTargets(mp *ManifestDataPolicy, stored []PolicyTarget) {
	have := make(map[Subject]string, len(stored))
	for _, t := range stored {
		have[t.Subject] = t.Name
	}
	want := make(map[Subject]bool, len(mp.TargetList))
	for _, t := range mp.TargetList {
		s := Subject{Type: t.Type, ID: t.ID}
		if s.Type == targetTypeORG {
			s.Type = SubjectDepartment
		}
		want[s] = true
		key := mp.PolicyName + "/" + s.String()
		name, exists := have[s]
		switch {
		case !exists:
			pl.add(targetChange{policy: mp.PolicyName, subject: s, name: t.Name}, PlanCreate, store.KindPolicyTarget, "", key)
		case name != t.Name:
			pl.add(targetChange{policy: mp.PolicyName, subject: s, name: t.Name}, PlanUpdate, store.KindPolicyTarget, "", key, FieldChange{Field: "name", Old: jsonText(name), New: jsonText(t.Name)})
		}
	}
	if pl.opts.Prune {
		for _, t := range stored {
			if !want[t.Subject] {
				pl.add(targetChange{policy: mp.PolicyName, subject: t.Subject}, PlanDelete, store.KindPolicyTarget, "", mp.PolicyName+"/"+t.Subject.String())
			}
		}
	}
}

func (pl *planner) memberships(ctx context.Context) error {
	stored, err := listAll(ctx, func(o ListOptions) (Page[store.Membership], error) {
		return pl.r.store.ListAllMemberships(ctx, o)
	})
	if err != nil {
		return err
	}
	have := make(map[string]bool, len(stored))
	for _, m := range stored {
		have[m.Key()] = true
	}
	want := map[string]bool{}
	for _, mm := range pl.m.Memberships {
		for _, s := range mm.Members {
			ms := store.Membership{Parent: mm.Parent, Member: s}
			k := ms.Key()
			want[k] = true
			if !have[k] {
				pl.add(ms, PlanCreate, store.KindMembership, "", k)
			}
		}
	}
	if pl.opts.Prune {
		for _, m := range stored {
			if k := m.Key(); !want[k] {
				pl.add(m, PlanDelete, store.KindMembership, "", k)
			}
		}
	}
	return nil
}
