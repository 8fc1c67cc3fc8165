package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// times checks that a store keeps exactly the times in [MinTime, MaxTime]
// (and the zero time), and refuses any other with ErrInvalid naming the
// field, writing nothing, so that every store agrees.
func (h harness) times(t *testing.T) {
	edges := []time.Time{store.MinTime, store.MaxTime, {}}
	outside := map[string]time.Time{
		"year 1600":              time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
		"1ns before MinTime":     store.MinTime.Add(-1),
		"1ns past MaxTime":       store.MaxTime.Add(1),
		"year 3000":              time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
		"year 3000 in Shanghai ": time.Date(3000, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)),
	}

	h.run(t, "the edges of the range read back exactly", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for i, at := range edges {
			r := NewResource(store.DefaultNamespace, "r"+pad(i))
			r.CreatedAt, r.UpdatedAt = at, at
			require.NoError(t, s.CreateResources(ctx, []store.Resource{r}, store.WriteOptions{}))
			got, err := s.GetResource(ctx, store.DefaultNamespace, r.Code)
			require.NoError(t, err)
			require.Equal(t, at, got.CreatedAt)
			require.Equal(t, at, got.UpdatedAt)

			got, err = s.UpdateResource(ctx, store.DefaultNamespace, r.Code, func(r *store.Resource) error {
				r.UpdatedAt = edges[(i+1)%len(edges)]
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, edges[(i+1)%len(edges)], got.UpdatedAt)
		}
	})

	h.run(t, "permission records keep the edges of the range", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createResources(t, s, NewResource(store.DefaultNamespace, "r"))
		for i, at := range edges {
			g := grant(store.DefaultNamespace, store.Subject{Type: store.SubjectUser, ID: "u" + pad(i)}, "r", "r:read")
			g.CreatedAt = at
			addGrants(t, s, g)
			require.Equal(t, []store.Grant{g}, allGrants(t, s, store.GrantFilter{Namespace: store.DefaultNamespace, Subject: &g.Subject}))

			p := newPolicy("p"+pad(i), "P"+pad(i))
			p.CreatedAt, p.UpdatedAt = at, at
			createPolicy(t, s, p)
			got, err := s.GetDataPolicy(ctx, p.ID)
			require.NoError(t, err)
			require.Equal(t, p, got)
			got, err = s.UpdateDataPolicy(ctx, p.ID, func(p *store.DataPolicy) ([]store.PolicyRef, error) {
				p.UpdatedAt = edges[(i+1)%len(edges)]
				return nil, nil
			})
			require.NoError(t, err)
			require.Equal(t, edges[(i+1)%len(edges)], got.UpdatedAt)

			tg := target(p.ID, team)
			tg.CreatedAt = at
			require.NoError(t, s.AttachDataPolicies(ctx, []store.PolicyTarget{tg}))
			require.Equal(t, []store.PolicyTarget{tg}, listAll(t, targetLister(s, p.ID)))
		}
	})

	for name, at := range outside {
		h.run(t, name+" is refused by every write", func(t *testing.T, s store.Store) {
			ctx := t.Context()
			createResources(t, s, NewResource(store.DefaultNamespace, "kept"))
			createData(t, s, newStringData(store.DefaultNamespace, "dkept", "D kept"))
			createPolicy(t, s, newPolicy("pkept", "P kept"))
			before := TakeSnapshot(t, s)

			ok := NewResource(store.DefaultNamespace, "ok")
			bad := NewResource(store.DefaultNamespace, "bad")
			bad.UpdatedAt = at
			ns := newNamespace("ns")
			ns.CreatedAt = at
			d := newStringData(store.DefaultNamespace, "d", "D")
			d.CreatedAt = at
			badGrant := grant(store.DefaultNamespace, team, "kept", "kept:read")
			badGrant.CreatedAt = at
			p, q := newPolicy("p", "P"), newPolicy("q", "Q")
			p.CreatedAt, q.UpdatedAt = at, at
			badTarget := target("pkept", bob)
			badTarget.CreatedAt = at
			writes := []struct {
				name, field string
				err         error
			}{
				{"CreateResources", "resources[1].updatedAt", s.CreateResources(ctx, []store.Resource{ok, bad}, store.WriteOptions{})},
				{"CreateNamespace", "createdAt", s.CreateNamespace(ctx, ns)},
				{"CreateDataResource", "createdAt", s.CreateDataResource(ctx, d)},
				{"UpdateNamespace", "updatedAt", second(s.UpdateNamespace(ctx, store.DefaultNamespace, func(n *store.Namespace) error {
					n.Name, n.UpdatedAt = "changed", at
					return nil
				}))},
				{"UpdateResource", "updatedAt", second(s.UpdateResource(ctx, store.DefaultNamespace, "kept", func(r *store.Resource) error {
					r.Description, r.UpdatedAt = "changed", at
					return nil
				}))},
				{"UpdateDataResource", "updatedAt", second(s.UpdateDataResource(ctx, store.DefaultNamespace, "dkept", func(d *store.DataResource) error {
					d.Description, d.UpdatedAt = "changed", at
					return nil
				}))},
				{"AddGrants", "grants[1].createdAt", s.AddGrants(ctx, []store.Grant{grant(store.DefaultNamespace, team, "kept", "kept:write"), badGrant})},
				{"CreateDataPolicy createdAt", "createdAt", s.CreateDataPolicy(ctx, p, nil)},
				{"CreateDataPolicy updatedAt", "updatedAt", s.CreateDataPolicy(ctx, q, nil)},
				{"UpdateDataPolicy", "updatedAt", second(s.UpdateDataPolicy(ctx, "pkept", func(p *store.DataPolicy) ([]store.PolicyRef, error) {
					p.Description, p.UpdatedAt = "changed", at
					return nil, nil
				}))},
				{"AttachDataPolicies", "targets[1].createdAt", s.AttachDataPolicies(ctx, []store.PolicyTarget{target("pkept", team), badTarget})},
			}
			for _, w := range writes {
				require.ErrorIs(t, w.err, store.ErrInvalid, w.name)
				var se *store.Error
				require.ErrorAs(t, w.err, &se, w.name)
				require.Equal(t, w.field, se.Field, w.name)
			}
			require.Equal(t, before, TakeSnapshot(t, s), "a refused time writes nothing")
		})
	}
}

// second returns the error of a (value, error) pair.
func second[T any](_ T, err error) error { return err }
