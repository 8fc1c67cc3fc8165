package storetest

import (
	"encoding/base64"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// Row counts for the paging tests. Resources are made in one batch, so they
// are cheap; namespaces and data resources are made one by one. 250 is a
// multiple of every page size below, so the last page is full; the others
// are not, so the last page is short.
const (
	resourceRows  = 250
	namespaceRows = 120 // plus the default namespace
	dataRows      = 123
)

var pageSizes = []int{1, 2, 0, store.MaxPageSize}

// listing is one kind of paged listing under test: how to fill a store and
// how to read it back.
type listing struct {
	name string
	// kind and namespace are what the listing's page tokens are bound to.
	kind, namespace string
	// seed fills s and returns the codes the listing must yield, sorted.
	seed func(t *testing.T, s store.Store) []string
	// read returns the listing's code list for page requests.
	read func(t *testing.T, s store.Store, opts store.ListOptions) ([]string, []int)
	// readOne returns one page of the listing.
	readOne func(t *testing.T, s store.Store, opts store.ListOptions) ([]string, string, error)
}

func listings() []listing {
	return []listing{
		{
			name: "namespaces",
			kind: store.KindNamespaces,
			seed: func(t *testing.T, s store.Store) []string {
				cs := codes("ns-", namespaceRows)
				createNamespaces(t, s, shuffled(cs)...)
				cs = append(cs, store.DefaultNamespace)
				slices.Sort(cs)
				return cs
			},
			read: func(t *testing.T, s store.Store, o store.ListOptions) ([]string, []int) {
				items, totals := collect(t, namespaceLister(s), o)
				return namespaceCodes(items), totals
			},
			readOne: func(t *testing.T, s store.Store, o store.ListOptions) ([]string, string, error) {
				p, err := s.ListNamespaces(t.Context(), o)
				return namespaceCodes(p.Items), p.NextPageToken, err
			},
		},
		{
			name:      "resources",
			kind:      store.KindResources,
			namespace: store.DefaultNamespace,
			seed: func(t *testing.T, s store.Store) []string {
				cs := codes("r-", resourceRows)
				createResources(t, s, resourcesIn(store.DefaultNamespace, shuffled(cs)...)...)
				return cs
			},
			read: func(t *testing.T, s store.Store, o store.ListOptions) ([]string, []int) {
				items, totals := collect(t, resourceLister(s, store.ResourceFilter{Namespace: store.DefaultNamespace}), o)
				return resourceCodes(items), totals
			},
			readOne: func(t *testing.T, s store.Store, o store.ListOptions) ([]string, string, error) {
				p, err := s.ListResources(t.Context(), store.ResourceFilter{Namespace: store.DefaultNamespace}, o)
				return resourceCodes(p.Items), p.NextPageToken, err
			},
		},
		{
			name:      "data resources",
			kind:      store.KindDataResources,
			namespace: store.DefaultNamespace,
			seed: func(t *testing.T, s store.Store) []string {
				cs := codes("d-", dataRows)
				for _, c := range shuffled(cs) {
					createData(t, s, newStringData(store.DefaultNamespace, c, "name "+c))
				}
				return cs
			},
			read: func(t *testing.T, s store.Store, o store.ListOptions) ([]string, []int) {
				items, totals := collect(t, dataLister(s, store.DataResourceFilter{Namespace: store.DefaultNamespace}), o)
				return dataCodes(items), totals
			},
			readOne: func(t *testing.T, s store.Store, o store.ListOptions) ([]string, string, error) {
				p, err := s.ListDataResources(t.Context(), store.DataResourceFilter{Namespace: store.DefaultNamespace}, o)
				return dataCodes(p.Items), p.NextPageToken, err
			},
		},
	}
}

// token returns the page token of l that resumes after key.
func (l listing) token(key string) string {
	return store.EncodePageTokenFor(l.kind, l.namespace, key)
}

func (h harness) pagination(t *testing.T) {
	for _, l := range listings() {
		t.Run(l.name, func(t *testing.T) { h.paginate(t, l) })
	}
	t.Run("filtered", h.filteredPagination)
}

func (h harness) paginate(t *testing.T, l listing) {
	for _, size := range pageSizes {
		h.run(t, "page size "+strconv.Itoa(size)+" returns every row once in code order", func(t *testing.T, s store.Store) {
			want := l.seed(t, s)
			got, totals := l.read(t, s, store.ListOptions{PageSize: size})
			require.Equal(t, want, got)
			for _, n := range totals {
				require.Zero(t, n, "TotalCount set although IncludeTotal was not")
			}
		})
	}

	h.run(t, "include total counts every row on every page", func(t *testing.T, s store.Store) {
		want := l.seed(t, s)
		got, totals := l.read(t, s, store.ListOptions{PageSize: 7, IncludeTotal: true})
		require.Equal(t, want, got)
		for _, n := range totals {
			require.Equal(t, len(want), n, "TotalCount")
		}
	})

	h.run(t, "token from EncodePageTokenFor resumes after that code", func(t *testing.T, s store.Store) {
		want := l.seed(t, s)
		mid := len(want) / 2
		// An existing code and a key that falls between two codes both
		// resume at the next code.
		for _, after := range []string{want[mid-1], want[mid-1] + "~"} {
			got, _, err := l.readOne(t, s, store.ListOptions{PageSize: 3, PageToken: l.token(after)})
			require.NoError(t, err)
			require.Equal(t, want[mid:mid+3], got, "after %q", after)
		}
		got, _ := l.read(t, s, store.ListOptions{PageSize: 4, PageToken: l.token(want[mid-1])})
		require.Equal(t, want[mid:], got)
	})

	h.run(t, "token of another listing or namespace is invalid", func(t *testing.T, s store.Store) {
		want := l.seed(t, s)
		after := want[len(want)/2]
		// The same key, from every other kind of listing and from another
		// namespace: each would resume somewhere if tokens were not bound.
		var foreign []string
		for _, kind := range []string{store.KindNamespaces, store.KindResources, store.KindDataResources} {
			if kind != l.kind {
				foreign = append(foreign, store.EncodePageTokenFor(kind, l.namespace, after), store.EncodePageTokenFor(kind, store.DefaultNamespace, after), store.EncodePageTokenFor(kind, "", after))
			}
		}
		foreign = append(foreign, store.EncodePageTokenFor(l.kind, "other", after))
		if l.namespace != "" {
			foreign = append(foreign, store.EncodePageTokenFor(l.kind, "", after))
		}
		for _, token := range foreign {
			_, _, err := l.readOne(t, s, store.ListOptions{PageToken: token})
			require.ErrorIs(t, err, store.ErrInvalid, "token %q", token)
			var se *store.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, "pageToken", se.Field)
		}
		// A token a listing issued continues that listing only.
		_, next, err := l.readOne(t, s, store.ListOptions{PageSize: 1})
		require.NoError(t, err)
		require.NotEmpty(t, next)
		for _, other := range listings() {
			if other.kind == l.kind {
				continue
			}
			_, _, err := other.readOne(t, s, store.ListOptions{PageToken: next})
			require.ErrorIs(t, err, store.ErrInvalid, "a %s token given to %s", l.name, other.name)
		}
	})

	h.run(t, "token past the last code gives an empty last page", func(t *testing.T, s store.Store) {
		want := l.seed(t, s)
		got, next, err := l.readOne(t, s, store.ListOptions{PageToken: l.token(want[len(want)-1])})
		require.NoError(t, err)
		require.Empty(t, got)
		require.Empty(t, next)
	})

	h.run(t, "page size out of range is invalid", func(t *testing.T, s store.Store) {
		l.seed(t, s)
		for _, size := range []int{-1, store.MaxPageSize + 1} {
			_, _, err := l.readOne(t, s, store.ListOptions{PageSize: size})
			require.ErrorIs(t, err, store.ErrInvalid, "page size %d", size)
		}
	})

	h.run(t, "garbage token is invalid", func(t *testing.T, s store.Store) {
		l.seed(t, s)
		enc := base64.RawURLEncoding.EncodeToString
		for _, token := range []string{
			"!!!not base64!!!",
			enc([]byte("r-0001")),    // no version prefix
			enc([]byte("k9:r-0001")), // unknown version
			enc([]byte("k1:r-0001")), // old, unbound version
			enc([]byte("k2:" + l.kind + "\x00" + l.namespace + "\x00")),         // no key
			enc([]byte("k2:" + l.kind + "\x00" + l.namespace + "\x00\xff\xfe")), // key not UTF-8
			enc([]byte("k2:" + l.kind + "\x00r-0001")),                          // no namespace part
			l.token("x")[1:], // truncated
		} {
			_, _, err := l.readOne(t, s, store.ListOptions{PageToken: token})
			require.ErrorIs(t, err, store.ErrInvalid, "token %q", token)
		}
	})
}

// filteredPagination pages through a filtered resource listing: pages hold
// matching rows only, so a store that filters after cutting a page fails.
func (h harness) filteredPagination(t *testing.T) {
	seed := func(t *testing.T, s store.Store) []string {
		rs := resourcesIn(store.DefaultNamespace, codes("r-", resourceRows)...)
		var want []string
		for i := range rs {
			if i%3 == 0 {
				rs[i].Type = store.TypeMenu
				rs[i].Name.DefaultValue = "Menu entry " + rs[i].Code
				want = append(want, rs[i].Code)
			}
		}
		createResources(t, s, shuffled(rs)...)
		return want
	}
	filters := map[string]store.ResourceFilter{
		"type":    {Namespace: store.DefaultNamespace, Types: []string{store.TypeMenu}},
		"keyword": {Namespace: store.DefaultNamespace, Keyword: "MENU ENTRY"},
	}
	for name, f := range filters {
		for _, size := range pageSizes {
			h.run(t, name+" filter with page size "+strconv.Itoa(size), func(t *testing.T, s store.Store) {
				want := seed(t, s)
				// Totals cost a count per page; small pages skip them, as
				// the filter tables check totals on later pages already.
				withTotal := size == 0 || size == store.MaxPageSize
				items, totals := collect(t, resourceLister(s, f), store.ListOptions{PageSize: size, IncludeTotal: withTotal})
				require.Equal(t, want, resourceCodes(items))
				for _, n := range totals {
					if !withTotal {
						require.Zero(t, n, "TotalCount set although IncludeTotal was not")
						continue
					}
					require.Equal(t, len(want), n, "TotalCount")
				}
			})
		}
	}

	h.run(t, "filtered data resources with page size 2", func(t *testing.T, s store.Store) {
		var want []string
		for i, c := range shuffled(codes("d-", 41)) {
			d := newStringData(store.DefaultNamespace, c, "name "+c)
			if i%2 == 0 {
				d = newTreeData(store.DefaultNamespace, c, "name "+c)
				want = append(want, c)
			}
			createData(t, s, d)
		}
		slices.Sort(want)
		f := store.DataResourceFilter{Namespace: store.DefaultNamespace, Types: []store.DataType{store.DataTree}}
		items, totals := collect(t, dataLister(s, f), store.ListOptions{PageSize: 2, IncludeTotal: true})
		require.Equal(t, want, dataCodes(items))
		for _, n := range totals {
			require.Equal(t, len(want), n, "TotalCount")
		}
	})
}
