package storetest

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

func (h harness) grants(t *testing.T) {
	t.Run("add and revoke", h.addRevokeGrants)
	t.Run("errors", h.grantErrors)
	t.Run("filters", h.grantFilters)
	t.Run("cascades", h.grantCascades)
}

// grantFixture makes resources a and b (actions a:read, a:write, b:read,
// b:write) in the default namespace and in ns2.
func grantFixture(t *testing.T, s store.Store) {
	t.Helper()
	createNamespaces(t, s, ns2)
	createResources(t, s, NewResource(store.DefaultNamespace, "a"), NewResource(store.DefaultNamespace, "b"), NewResource(ns2, "a"))
}

func (h harness) addRevokeGrants(t *testing.T) {
	const def = store.DefaultNamespace
	h.run(t, "grants read back in subject, resource, action, effect order", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		want := []store.Grant{
			grant(def, admins, "*", "*"),
			grant(def, admins, "a", "a:read"),
			grant(def, alice, "a", "a:read"),
			deny(grant(def, alice, "a", "a:read")),
			grant(def, alice, "a", "a:write"),
			grant(def, alice, "b", "*"),
			grant(def, bob, "a", "a:read"),
		}
		zone := time.FixedZone("UTC+3", 3*3600)
		in := shuffled(want)
		for i := range in {
			in[i].CreatedAt = in[i].CreatedAt.In(zone)
		}
		addGrants(t, s, in...)
		addGrants(t, s, grant(ns2, alice, "a", "a:read"))
		require.Equal(t, want, allGrants(t, s, store.GrantFilter{Namespace: def}))
		require.Equal(t, []store.Grant{grant(ns2, alice, "a", "a:read")}, allGrants(t, s, store.GrantFilter{Namespace: ns2}))
	})

	h.run(t, "adding a present grant keeps its CreatedAt", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		first := grant(def, alice, "a", "a:read")
		addGrants(t, s, first)
		again := first
		again.CreatedAt = at(20)
		addGrants(t, s, again, again, grant(def, alice, "b", "b:read"))
		require.Equal(t, []store.Grant{first, grant(def, alice, "b", "b:read")}, allGrants(t, s, store.GrantFilter{Namespace: def}))
	})

	h.run(t, "allow and deny of one action are two grants", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		g := grant(def, alice, "a", "a:read")
		addGrants(t, s, g, deny(g))
		require.NoError(t, s.RevokeGrants(t.Context(), []store.Grant{g}))
		require.Equal(t, []store.Grant{deny(g)}, allGrants(t, s, store.GrantFilter{Namespace: def}))
	})

	h.run(t, "wildcard resource takes any action, wildcard action any resource", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		gs := []store.Grant{grant(def, alice, "*", "*"), grant(def, alice, "*", "undeclared:anywhere"), grant(def, alice, "a", "*")}
		addGrants(t, s, gs...)
		require.Equal(t, gs, allGrants(t, s, store.GrantFilter{Namespace: def}))
	})

	h.run(t, "revoke removes the present grants and skips the rest", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		keep, gone := grant(def, alice, "a", "a:read"), grant(def, alice, "a", "a:write")
		addGrants(t, s, keep, gone, grant(def, alice, "*", "*"))
		// CreatedAt is not part of a grant's identity.
		gone.CreatedAt = at(30)
		require.NoError(t, s.RevokeGrants(t.Context(), []store.Grant{
			gone, gone, deny(keep), grant(def, bob, "a", "a:read"), grant(def, alice, "*", "*"),
			grant(def, alice, "no-such-resource", "x"),
		}))
		require.Equal(t, []store.Grant{keep}, allGrants(t, s, store.GrantFilter{Namespace: def}))
		require.NoError(t, s.RevokeGrants(t.Context(), nil))
		require.NoError(t, s.AddGrants(t.Context(), nil))
	})
}

func (h harness) grantErrors(t *testing.T) {
	const def = store.DefaultNamespace
	cases := []struct {
		name     string
		batch    []store.Grant
		sentinel error
		codes    []string
	}{
		{"missing namespace", []store.Grant{grant(def, alice, "a", "a:read"), grant("nowhere", alice, "a", "a:read")},
			store.ErrNamespaceNotFound, []string{"nowhere"}},
		{"missing namespace before missing resource", []store.Grant{grant(def, alice, "zz", "a:read"), grant("nowhere", alice, "a", "a:read")},
			store.ErrNamespaceNotFound, []string{"nowhere"}},
		{"missing resources, sorted without repeats", []store.Grant{
			grant(def, alice, "y", "y:read"), grant(def, alice, "a", "a:read"), grant(def, bob, "x", "x:read"), grant(def, alice, "y", "*"),
		}, store.ErrNotFound, []string{"x", "y"}},
		{"missing resource before undeclared action", []store.Grant{grant(def, alice, "a", "a:fly"), grant(def, alice, "x", "x:read")},
			store.ErrNotFound, []string{"x"}},
		{"undeclared actions, sorted without repeats", []store.Grant{
			grant(def, alice, "b", "b:fly"), grant(def, alice, "a", "a:read"), grant(def, alice, "a", "a:fly"), grant(def, bob, "b", "b:fly"),
		}, store.ErrInvalid, []string{"a:fly", "b:fly"}},
		{"another resource's action", []store.Grant{grant(def, alice, "a", "b:read")}, store.ErrInvalid, []string{"b:read"}},
		{"resource of another namespace", []store.Grant{grant(ns2, alice, "b", "b:read")}, store.ErrNotFound, []string{"b"}},
	}
	for _, c := range cases {
		h.run(t, "add: "+c.name+" writes nothing", func(t *testing.T, s store.Store) {
			grantFixture(t, s)
			addGrants(t, s, grant(def, bob, "b", "b:read"))
			before := TakeSnapshot(t, s)
			err := s.AddGrants(t.Context(), c.batch)
			require.Equal(t, c.codes, requireDetail(t, err, c.sentinel).Codes)
			if c.sentinel != store.ErrNamespaceNotFound {
				require.NotErrorIs(t, err, store.ErrNamespaceNotFound)
			}
			requireUnchanged(t, s, before)
		})
	}

	h.run(t, "revoke in a missing namespace removes nothing", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		g := grant(def, alice, "a", "a:read")
		addGrants(t, s, g)
		before := TakeSnapshot(t, s)
		err := s.RevokeGrants(t.Context(), []store.Grant{g, grant("nowhere", alice, "a", "a:read")})
		requireDetail(t, err, store.ErrNamespaceNotFound)
		requireUnchanged(t, s, before)
	})

	h.run(t, "listing a missing namespace", func(t *testing.T, s store.Store) {
		_, err := s.ListGrants(t.Context(), store.GrantFilter{Namespace: "nowhere"}, store.ListOptions{})
		require.ErrorIs(t, err, store.ErrNamespaceNotFound)
	})

	h.run(t, "namespace holding grants cannot be deleted", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		// A wildcard grant needs no resource and still holds the namespace.
		addGrants(t, s, grant(ns2, alice, "*", "*"))
		before := TakeSnapshot(t, s)
		requireDetail(t, s.DeleteNamespace(t.Context(), ns2), store.ErrConflict)
		requireUnchanged(t, s, before)
		require.NoError(t, s.RevokeGrants(t.Context(), []store.Grant{grant(ns2, alice, "*", "*")}))
		require.NoError(t, s.DeleteNamespace(t.Context(), ns2))
	})
}

func (h harness) grantFilters(t *testing.T) {
	const def = store.DefaultNamespace
	all := []store.Grant{
		grant(def, admins, "*", "*"),
		grant(def, admins, "a", "a:read"),
		grant(def, alice, "*", "a:read"),
		grant(def, alice, "a", "a:read"),
		deny(grant(def, alice, "a", "a:read")),
		grant(def, alice, "b", "b:write"),
		grant(def, bob, "a", "*"),
	}
	cases := []struct {
		name   string
		filter store.GrantFilter
		want   []store.Grant
	}{
		{"everything", store.GrantFilter{Namespace: def}, all},
		{"subject", store.GrantFilter{Namespace: def, Subject: &alice}, all[2:6]},
		{"subject of another type, same ID", store.GrantFilter{Namespace: def, Subject: &store.Subject{Type: store.SubjectGroup, ID: alice.ID}}, nil},
		{"resource", store.GrantFilter{Namespace: def, ResourceCode: "a"}, []store.Grant{all[1], all[3], all[4], all[6]}},
		{"wildcard resource", store.GrantFilter{Namespace: def, ResourceCode: "*"}, []store.Grant{all[0], all[2]}},
		{"subject and resource", store.GrantFilter{Namespace: def, Subject: &alice, ResourceCode: "a"}, all[3:5]},
		{"no match", store.GrantFilter{Namespace: def, ResourceCode: "zz"}, nil},
	}
	for _, c := range cases {
		for _, size := range []int{1, 2, 0} {
			h.run(t, c.name+" page size "+strconv.Itoa(size), func(t *testing.T, s store.Store) {
				grantFixture(t, s)
				addGrants(t, s, shuffled(all)...)
				got, totals := collect(t, grantLister(s, c.filter), store.ListOptions{PageSize: size, IncludeTotal: true})
				require.Equal(t, c.want, got)
				for _, n := range totals {
					require.Equal(t, len(c.want), n, "TotalCount")
				}
			})
		}
	}
}

func (h harness) grantCascades(t *testing.T) {
	const def = store.DefaultNamespace
	h.run(t, "deleting resources deletes their grants only", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		createResources(t, s, NewResource(def, "c"))
		addGrants(t, s,
			grant(def, alice, "a", "a:read"), deny(grant(def, bob, "a", "*")),
			grant(def, alice, "b", "b:read"), grant(def, alice, "c", "c:read"),
			grant(def, alice, "*", "*"), grant(ns2, alice, "a", "a:read"))
		require.NoError(t, s.DeleteResources(t.Context(), def, []string{"a", "c"}))
		require.Equal(t, []store.Grant{grant(def, alice, "*", "*"), grant(def, alice, "b", "b:read")},
			allGrants(t, s, store.GrantFilter{Namespace: def}))
		require.Equal(t, []store.Grant{grant(ns2, alice, "a", "a:read")}, allGrants(t, s, store.GrantFilter{Namespace: ns2}))
		// A resource made again under the code starts with no grants.
		createResources(t, s, NewResource(def, "a"))
		require.Empty(t, allGrants(t, s, store.GrantFilter{Namespace: def, ResourceCode: "a"}))
	})

	h.run(t, "removing an action deletes the grants of that action only", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		addGrants(t, s,
			grant(def, alice, "a", "a:read"), deny(grant(def, bob, "a", "a:read")),
			grant(def, alice, "a", "a:write"), grant(def, alice, "a", "*"),
			grant(def, alice, "b", "b:read"), grant(def, alice, "*", "a:read"))
		_, err := s.UpdateResource(t.Context(), def, "a", func(r *store.Resource) error {
			r.Actions = []store.Action{{Name: "a:write"}, {Name: "a:new"}}
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, []store.Grant{
			grant(def, alice, "*", "a:read"), grant(def, alice, "a", "*"),
			grant(def, alice, "a", "a:write"), grant(def, alice, "b", "b:read"),
		}, allGrants(t, s, store.GrantFilter{Namespace: def}))
	})

	h.run(t, "an update keeping every action keeps every grant", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		gs := []store.Grant{grant(def, alice, "a", "a:read"), grant(def, alice, "a", "a:write")}
		addGrants(t, s, gs...)
		_, err := s.UpdateResource(t.Context(), def, "a", func(r *store.Resource) error { r.Description = "new"; return nil })
		require.NoError(t, err)
		require.Equal(t, gs, allGrants(t, s, store.GrantFilter{Namespace: def}))
	})

	h.run(t, "a failed update deletes no grant", func(t *testing.T, s store.Store) {
		grantFixture(t, s)
		addGrants(t, s, grant(def, alice, "a", "a:read"))
		before := TakeSnapshot(t, s)
		_, err := s.UpdateResource(t.Context(), def, "a", func(r *store.Resource) error {
			r.Actions = nil
			return store.Invalid("actions", "refused by the caller")
		})
		require.ErrorIs(t, err, store.ErrInvalid)
		requireUnchanged(t, s, before)
	})
}
