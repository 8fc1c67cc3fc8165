package storetest

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// permRows is the row count of each permission listing under test: not a
// multiple of the page sizes, so the last page is short.
const permRows = 123

// pagedListing is one permission listing: seed fills the store and returns
// what the listing must yield, in order.
type pagedListing[T any] struct {
	name string
	seed func(t *testing.T, s store.Store) []T
	list func(s store.Store) lister[T]
}

// permSubjects returns n subjects of mixed types, in listing order.
func permSubjects(n int) []store.Subject {
	types := []string{store.SubjectDepartment, store.SubjectGroup, store.SubjectRole}
	out := make([]store.Subject, n)
	for i := range out {
		out[i] = store.Subject{Type: types[i%len(types)], ID: "s-" + pad(i)}
	}
	slices.SortFunc(out, store.CompareSubjects)
	return out
}

func checkPaging[T any](h harness, t *testing.T, l pagedListing[T]) {
	t.Run(l.name, func(t *testing.T) {
		for _, size := range pageSizes {
			h.run(t, "page size "+strconv.Itoa(size)+" returns every row once in order", func(t *testing.T, s store.Store) {
				want := l.seed(t, s)
				require.Len(t, want, permRows)
				got, totals := collect(t, l.list(s), store.ListOptions{PageSize: size, IncludeTotal: size == 2})
				require.Equal(t, want, got)
				for _, n := range totals {
					if size == 2 {
						require.Equal(t, permRows, n, "TotalCount")
					} else {
						require.Zero(t, n, "TotalCount set although IncludeTotal was not")
					}
				}
			})
		}
		h.run(t, "bad page size and token are invalid", func(t *testing.T, s store.Store) {
			l.seed(t, s)
			for _, o := range []store.ListOptions{{PageSize: -1}, {PageSize: store.MaxPageSize + 1}, {PageToken: "!!"}} {
				_, err := l.list(s)(t.Context(), o)
				require.ErrorIs(t, err, store.ErrInvalid, "options %+v", o)
			}
		})
	})
}

func (h harness) permissionPagination(t *testing.T) {
	const def = store.DefaultNamespace
	checkPaging(h, t, pagedListing[store.Grant]{
		name: "grants",
		seed: func(t *testing.T, s store.Store) []store.Grant {
			createResources(t, s, NewResource(def, "a"))
			var want []store.Grant
			for i, who := range permSubjects(permRows / 3) {
				want = append(want, grant(def, who, "*", strconv.Itoa(i)), grant(def, who, "a", "a:read"), deny(grant(def, who, "a", "a:read")))
			}
			addGrants(t, s, shuffled(want)...)
			return want
		},
		list: func(s store.Store) lister[store.Grant] { return grantLister(s, store.GrantFilter{Namespace: def}) },
	})
	checkPaging(h, t, pagedListing[store.Grant]{
		name: "grants of one resource",
		seed: func(t *testing.T, s store.Store) []store.Grant {
			createResources(t, s, NewResource(def, "a"), NewResource(def, "b"))
			var want, other []store.Grant
			for _, who := range permSubjects(permRows) {
				want = append(want, grant(def, who, "a", "a:write"))
				other = append(other, grant(def, who, "b", "b:write"))
			}
			addGrants(t, s, shuffled(append(other, want...))...)
			return want
		},
		list: func(s store.Store) lister[store.Grant] {
			return grantLister(s, store.GrantFilter{Namespace: def, ResourceCode: "a"})
		},
	})
	checkPaging(h, t, pagedListing[store.Grant]{
		name: "grants of one subject",
		seed: func(t *testing.T, s store.Store) []store.Grant {
			var want []store.Grant
			for i := range permRows {
				want = append(want, grant(def, team, "*", "act-"+pad(i)))
			}
			addGrants(t, s, shuffled(want)...)
			addGrants(t, s, grant(def, admins, "*", "*"), grant(def, sales, "*", "*"))
			return want
		},
		list: func(s store.Store) lister[store.Grant] {
			return grantLister(s, store.GrantFilter{Namespace: def, Subject: &team})
		},
	})
	checkPaging(h, t, pagedListing[store.Subject]{
		name: "members",
		seed: func(t *testing.T, s store.Store) []store.Subject {
			want := permSubjects(permRows)
			addMembers(t, s, sales, shuffled(want)...)
			addMembers(t, s, team, alice) // a neighbouring parent
			return want
		},
		list: func(s store.Store) lister[store.Subject] { return memberLister(s, sales) },
	})
	checkPaging(h, t, pagedListing[store.Subject]{
		name: "memberships",
		seed: func(t *testing.T, s store.Store) []store.Subject {
			want := permSubjects(permRows)
			for _, p := range shuffled(want) {
				addMembers(t, s, p, alice)
			}
			addMembers(t, s, team, bob)
			return want
		},
		list: func(s store.Store) lister[store.Subject] { return membershipLister(s, alice) },
	})
	checkPaging(h, t, pagedListing[[2]store.Subject]{
		name: "all memberships",
		seed: func(t *testing.T, s store.Store) [][2]store.Subject {
			var want [][2]store.Subject
			subs := permSubjects(permRows / 3)
			for _, p := range subs {
				for _, m := range []store.Subject{alice, bob, {Type: store.SubjectUser, ID: "carol"}} {
					want = append(want, [2]store.Subject{p, m})
				}
			}
			for _, p := range shuffled(subs) {
				addMembers(t, s, p, bob, alice, store.Subject{Type: store.SubjectUser, ID: "carol"})
			}
			return want
		},
		list: func(s store.Store) lister[[2]store.Subject] {
			return func(ctx context.Context, o store.ListOptions) (store.Page[[2]store.Subject], error) {
				p, err := s.ListAllMemberships(ctx, o)
				out := store.Page[[2]store.Subject]{NextPageToken: p.NextPageToken, TotalCount: p.TotalCount}
				for _, m := range p.Items {
					out.Items = append(out.Items, [2]store.Subject{m.Parent, m.Member})
				}
				return out, err
			}
		},
	})
	checkPaging(h, t, pagedListing[store.DataPolicy]{
		name: "data policies",
		seed: func(t *testing.T, s store.Store) []store.DataPolicy {
			var want []store.DataPolicy
			for _, c := range codes("policy ", permRows) {
				want = append(want, newPolicy("id of "+c, c))
			}
			for _, p := range shuffled(want) {
				createPolicy(t, s, p)
			}
			return want
		},
		list: func(s store.Store) lister[store.DataPolicy] { return policyLister(s, store.DataPolicyFilter{}) },
	})
	checkPaging(h, t, pagedListing[store.PolicyTarget]{
		name: "targets of one policy",
		seed: func(t *testing.T, s store.Store) []store.PolicyTarget {
			createPolicy(t, s, newPolicy("p", "p"))
			createPolicy(t, s, newPolicy("q", "q"))
			var want []store.PolicyTarget
			for _, who := range permSubjects(permRows) {
				want = append(want, target("p", who))
			}
			require.NoError(t, s.AttachDataPolicies(t.Context(), append(shuffled(want), target("q", alice))))
			return want
		},
		list: func(s store.Store) lister[store.PolicyTarget] { return targetLister(s, "p") },
	})
	checkPaging(h, t, pagedListing[store.PolicyTarget]{
		name: "all targets",
		seed: func(t *testing.T, s store.Store) []store.PolicyTarget {
			var want []store.PolicyTarget
			for _, id := range []string{"p", "p2", "q"} {
				createPolicy(t, s, newPolicy(id, id))
				for _, who := range permSubjects(permRows / 3) {
					want = append(want, target(id, who))
				}
			}
			require.NoError(t, s.AttachDataPolicies(t.Context(), shuffled(want)))
			return want
		},
		list: func(s store.Store) lister[store.PolicyTarget] { return s.ListAllPolicyTargets },
	})
}
