package storetest

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// baseTime has nanoseconds and no monotonic reading, so a store that rounds
// times or keeps them in another zone fails require.Equal.
var baseTime = time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)

// at returns a distinct time for each i, each with a different nanosecond.
func at(i int) time.Time {
	return baseTime.Add(time.Duration(i)*time.Hour + time.Duration(i)*time.Nanosecond)
}

func newNamespace(code string) store.Namespace {
	return store.Namespace{
		Code:        code,
		Name:        "Namespace " + code,
		Description: "holds " + code,
		CreatedAt:   at(1),
		UpdatedAt:   at(2),
	}
}

// NewResource returns a resource in namespace ns with every field set: two
// actions, two translations, times with nanoseconds in UTC. Its ID is "id-"
// followed by its code, so IDs are unique whenever codes are. Tests of a
// store's own behaviour can use it as their fixture.
func NewResource(ns, code string) store.Resource {
	return store.Resource{
		ID:        "id-" + code,
		Namespace: ns,
		Code:      code,
		Type:      store.TypeAPI,
		Name: store.I18nName{
			DefaultValue: "Resource " + code,
			I18nValue:    map[string]string{"zh_CN": "资源 " + code, "fr": "Ressource " + code},
		},
		Description: "protects " + code,
		Actions: []store.Action{
			{Name: code + ":read", Description: "Read " + code},
			{Name: code + ":write", Description: "Write " + code},
		},
		APIIdentifier:  "https://api.example.com/" + code,
		LinkedToTenant: true,
		CreatedAt:      at(3),
		UpdatedAt:      at(4),
	}
}

func newStringData(ns, code, name string) store.DataResource {
	return store.DataResource{
		NamespaceCode: ns,
		ResourceCode:  code,
		ResourceName:  name,
		Description:   "string " + code,
		Type:          store.DataString,
		Struct:        store.Struct{String: "/api/" + code},
		Actions:       []string{"read", "write"},
		CreatedAt:     at(5),
		UpdatedAt:     at(6),
	}
}

func newArrayData(ns, code, name string) store.DataResource {
	d := newStringData(ns, code, name)
	d.Description = "array " + code
	d.Type = store.DataArray
	d.Struct = store.Struct{Array: []string{"card-1", "card-2", code}}
	return d
}

func newTreeData(ns, code, name string) store.DataResource {
	d := newStringData(ns, code, name)
	d.Description = "tree " + code
	d.Type = store.DataTree
	d.Struct = store.Struct{Tree: sampleTree()}
	return d
}

// sampleTree has three levels, a node without a value and siblings, so that
// a path lookup has to pick the right branch. Leaves have nil Children: an
// empty non-nil slice is not something every encoding keeps.
func sampleTree() store.Tree {
	return store.Tree{
		{Name: "Product", Code: "product", Value: "p", Children: []store.TreeNode{
			{Name: "Product Manager", Code: "productManager", Value: "pm"},
			{Name: "Design", Code: "design", Children: []store.TreeNode{
				{Name: "UX", Code: "ux", Value: "ux-team"},
			}},
		}},
		{Name: "Sales", Code: "sales", Value: "s"},
	}
}

// codes returns n codes with the given prefix, zero-padded so that their
// byte order is their numeric order.
func codes(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + pad(i)
	}
	return out
}

func pad(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// shuffled returns a fixed permutation of in, so that stores are given
// records out of code order and must sort them themselves.
func shuffled[T any](in []T) []T {
	out := slices.Clone(in)
	for i := range out {
		j := (i*7919 + 13) % len(out)
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func createNamespaces(t *testing.T, s store.Store, nss ...string) {
	t.Helper()
	for _, ns := range nss {
		require.NoError(t, s.CreateNamespace(t.Context(), newNamespace(ns)), "create namespace %q", ns)
	}
}

func createResources(t *testing.T, s store.Store, rs ...store.Resource) {
	t.Helper()
	require.NoError(t, s.CreateResources(t.Context(), rs, store.WriteOptions{}))
}

func createData(t *testing.T, s store.Store, ds ...store.DataResource) {
	t.Helper()
	for _, d := range ds {
		require.NoError(t, s.CreateDataResource(t.Context(), d), "create data resource %q", d.ResourceCode)
	}
}

// requireDetail checks that err matches sentinel and is a *store.Error, and
// returns the latter for checks on Codes and Field.
func requireDetail(t *testing.T, err, sentinel error) *store.Error {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	var se *store.Error
	require.ErrorAs(t, err, &se, "want a *store.Error wrapping %v", sentinel)
	return se
}

// requireCodes checks that got names exactly the codes of want, in any order
// and allowing repeats.
func requireCodes(t *testing.T, want, got []string) {
	t.Helper()
	want, got = slices.Clone(want), slices.Clone(got)
	slices.Sort(want)
	slices.Sort(got)
	require.Equal(t, slices.Compact(want), slices.Compact(got), "codes named by the error")
}

// lister reads one page of some listing.
type lister[T any] func(ctx context.Context, opts store.ListOptions) (store.Page[T], error)

func namespaceLister(s store.Store) lister[store.Namespace] {
	return s.ListNamespaces
}

func resourceLister(s store.Store, f store.ResourceFilter) lister[store.Resource] {
	return func(ctx context.Context, o store.ListOptions) (store.Page[store.Resource], error) {
		return s.ListResources(ctx, f, o)
	}
}

func dataLister(s store.Store, f store.DataResourceFilter) lister[store.DataResource] {
	return func(ctx context.Context, o store.ListOptions) (store.Page[store.DataResource], error) {
		return s.ListDataResources(ctx, f, o)
	}
}

// collect reads a whole listing page by page and checks the paging rules:
// no page is larger than the page size, a page with a successor is full, and
// no page after the first is empty (the page holding the last record has no
// NextPageToken). It returns every item and the TotalCount of each page.
func collect[T any](t *testing.T, list lister[T], opts store.ListOptions) (items []T, totals []int) {
	t.Helper()
	limit := opts.PageSize
	if limit == 0 {
		limit = store.DefaultPageSize
	}
	for n := 0; ; n++ {
		require.Less(t, n, 100000, "listing never ends")
		page, err := list(t.Context(), opts)
		require.NoError(t, err, "page %d", n)
		require.LessOrEqual(t, len(page.Items), limit, "page %d is larger than the page size", n)
		if n > 0 {
			require.NotEmpty(t, page.Items, "page %d is empty although the previous page had a NextPageToken", n)
		}
		if page.NextPageToken != "" {
			require.Len(t, page.Items, limit, "page %d has a NextPageToken but is not full", n)
		}
		items = append(items, page.Items...)
		totals = append(totals, page.TotalCount)
		if page.NextPageToken == "" {
			return items, totals
		}
		opts.PageToken = page.NextPageToken
	}
}

func listAll[T any](t *testing.T, list lister[T]) []T {
	t.Helper()
	items, _ := collect(t, list, store.ListOptions{PageSize: store.MaxPageSize})
	return items
}

func allResources(t *testing.T, s store.Store, ns string) []store.Resource {
	t.Helper()
	return listAll(t, resourceLister(s, store.ResourceFilter{Namespace: ns}))
}

func allData(t *testing.T, s store.Store, ns string) []store.DataResource {
	t.Helper()
	return listAll(t, dataLister(s, store.DataResourceFilter{Namespace: ns}))
}

func namespaceCodes(items []store.Namespace) []string {
	out := make([]string, len(items))
	for i, n := range items {
		out[i] = n.Code
	}
	return out
}

func resourceCodes(items []store.Resource) []string {
	out := make([]string, len(items))
	for i, r := range items {
		out[i] = r.Code
	}
	return out
}

func dataCodes(items []store.DataResource) []string {
	out := make([]string, len(items))
	for i, d := range items {
		out[i] = d.ResourceCode
	}
	return out
}

// Snapshot is everything a store holds, read through its listings;
// Resources and Data are keyed by namespace code. Tests of code built on a
// store compare snapshots to show that a failed call changed nothing.
type Snapshot struct {
	Namespaces []store.Namespace
	Resources  map[string][]store.Resource
	Data       map[string][]store.DataResource
	// Grants is keyed by namespace code; the permission records that are
	// registry-wide follow.
	Grants      map[string][]store.Grant
	Memberships []store.Membership
	Policies    []store.DataPolicy
	Targets     []store.PolicyTarget
	// Directory holds the USER, ROLE and GROUP entries, in that order.
	Directory []store.DirectoryEntry
	// LastSeq is the store's newest change: a failed write records none.
	LastSeq int64
}

// TakeSnapshot reads the whole store; comparing snapshots taken before and
// after a failed write shows that the write changed nothing.
func TakeSnapshot(t *testing.T, s store.Store) Snapshot {
	t.Helper()
	snap := Snapshot{
		Namespaces: listAll(t, namespaceLister(s)),
		Resources:  map[string][]store.Resource{},
		Data:       map[string][]store.DataResource{},
		Grants:     map[string][]store.Grant{},

		Memberships: listAll(t, s.ListAllMemberships),
		Policies:    allPolicies(t, s),
		Targets:     listAll(t, s.ListAllPolicyTargets),
	}
	for _, typ := range []string{store.SubjectUser, store.SubjectRole, store.SubjectGroup} {
		snap.Directory = append(snap.Directory, listAll(t, directoryLister(s, store.DirectoryFilter{Type: typ}))...)
	}
	var err error
	snap.LastSeq, err = s.LastSeq(t.Context())
	require.NoError(t, err)
	for _, ns := range snap.Namespaces {
		snap.Resources[ns.Code] = allResources(t, s, ns.Code)
		snap.Data[ns.Code] = allData(t, s, ns.Code)
		snap.Grants[ns.Code] = allGrants(t, s, store.GrantFilter{Namespace: ns.Code})
	}
	return snap
}

// requireUnchanged checks that the store still holds exactly before.
func requireUnchanged(t *testing.T, s store.Store, before Snapshot) {
	t.Helper()
	require.Equal(t, before, TakeSnapshot(t, s), "a failed write changed the store")
}
