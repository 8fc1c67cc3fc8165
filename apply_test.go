package resreg_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
)

// exportText is the registry's whole content as a YAML manifest, for
// comparing two registries or one registry before and after.
func exportText(t *testing.T, r *resreg.Registry) string {
	t.Helper()
	m, err := r.Export(context.Background())
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, resreg.EncodeManifest(&buf, m, "yaml"))
	return buf.String()
}

func lastSeq(t *testing.T, r *resreg.Registry) int64 {
	t.Helper()
	seq, err := r.LastSeq(context.Background())
	require.NoError(t, err)
	return seq
}

// TestApplyTwice applies the example manifest to an empty registry, then
// again: the second plan is empty and its apply records no change.
func TestApplyTwice(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		r := fixedRegistry(s)
		m := decodeFile(t, "examples/registry.yaml")
		p, err := r.Plan(ctx, m, resreg.PlanOptions{})
		require.NoError(t, err)
		create, update, del := p.Counts()
		require.Positive(t, create)
		var calls, lastDone int
		res, err := r.Apply(ctx, p, resreg.ApplyProgress(func(done, total int) {
			calls++
			require.Equal(t, len(p.Changes), total)
			require.Greater(t, done, lastDone)
			lastDone = done
		}))
		require.NoError(t, err)
		require.Equal(t, resreg.ApplyResult{Created: create, Updated: update, Deleted: del, FromSeq: p.Seq, ToSeq: lastSeq(t, r)}, res)
		require.Equal(t, len(p.Changes), lastDone)
		require.Positive(t, calls)
		require.Greater(t, res.ToSeq, res.FromSeq)

		// The registry now holds what the manifest declares, and what the
		// seed writes through the API: the same export.
		seeded := fixedRegistry(memstore.New())
		seedExample(t, seeded)
		require.Equal(t, exportText(t, seeded), exportText(t, r))

		again, err := r.Plan(ctx, m, resreg.PlanOptions{Prune: true})
		require.NoError(t, err)
		require.True(t, again.Empty(), again.String())
		before := lastSeq(t, r)
		res, err = r.Apply(ctx, again)
		require.NoError(t, err)
		require.Equal(t, resreg.ApplyResult{FromSeq: before, ToSeq: before}, res)
		require.Equal(t, before, lastSeq(t, r), "an empty plan records no change")
	})
}

// TestApplyConverges applies a changed manifest with pruning to a seeded
// registry: afterwards it plans empty.
func TestApplyConverges(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		r := fixedRegistry(s)
		seedExample(t, r)
		m := decodeFile(t, "testdata/plan/changed.yaml")
		p, err := r.Plan(ctx, m, resreg.PlanOptions{Prune: true})
		require.NoError(t, err)
		require.False(t, p.Empty())
		_, err = r.Apply(ctx, p)
		require.NoError(t, err)
		next, err := r.Plan(ctx, m, resreg.PlanOptions{Prune: true})
		require.NoError(t, err)
		require.True(t, next.Empty(), next.String())

	})
}

// TestApplyAcrossRegistries exports one registry and applies the manifest
// to another: it converges there too (the next plan is empty).
func TestApplyAcrossRegistries(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		src := fixedRegistry(memstore.New())
		seedExample(t, src)
		m, err := src.Export(ctx)
		require.NoError(t, err)
		dst := fixedRegistry(s)
		p, err := dst.Plan(ctx, m, resreg.PlanOptions{Prune: true})
		require.NoError(t, err)
		_, err = dst.Apply(ctx, p)
		require.NoError(t, err)
		p, err = dst.Plan(ctx, m, resreg.PlanOptions{Prune: true})
		require.NoError(t, err)
		require.True(t, p.Empty(), p.String())
		require.Equal(t, exportText(t, src), exportText(t, dst))
	})
}

// TestApplyPrunesEverything plans an empty manifest with pruning: only the
// default namespace is left, empty.
func TestApplyPrunesEverything(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		r := fixedRegistry(s)
		seedExample(t, r)
		p, err := r.Plan(ctx, resreg.Manifest{}, resreg.PlanOptions{Prune: true})
		require.NoError(t, err)
		_, err = r.Apply(ctx, p)
		require.NoError(t, err)
		require.Equal(t, exportText(t, fixedRegistry(memstore.New())), exportText(t, r))
	})
}

func TestApplyRefusesAStalePlan(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		r := fixedRegistry(s)
		p, err := r.Plan(ctx, decodeFile(t, "examples/registry.yaml"), resreg.PlanOptions{})
		require.NoError(t, err)
		empty, err := r.Plan(ctx, resreg.Manifest{}, resreg.PlanOptions{})
		require.NoError(t, err)
		require.True(t, empty.Empty())
		_, err = r.CreateNamespace(ctx, resreg.Namespace{Code: "meanwhile"})
		require.NoError(t, err)
		before := exportText(t, r)
		seq := lastSeq(t, r)

		for _, plan := range []resreg.Plan{p, empty} {
			_, err = r.Apply(ctx, plan)
			require.ErrorIs(t, err, resreg.ErrConflict)
			var se *resreg.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, "seq", se.Field)
		}
		require.Equal(t, before, exportText(t, r))
		require.Equal(t, seq, lastSeq(t, r))
	})
}

// TestApplyFailureWritesNothing makes the last write of a plan fail in the
// store (a membership that closes a cycle with a stored one, which the
// plan does not look for): the writes before it, of every kind, are rolled
// back with it.
func TestApplyFailureWritesNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		r := fixedRegistry(s)
		admin := resreg.Subject{Type: resreg.SubjectRole, ID: "admin"}
		group := resreg.Subject{Type: resreg.SubjectGroup, ID: "ops"}
		require.NoError(t, r.AddMembers(ctx, group, admin))
		m := decodeFile(t, "examples/registry.yaml")
		m.Memberships = append(m.Memberships, resreg.ManifestMembership{Parent: admin, Members: []resreg.Subject{group}})
		p, err := r.Plan(ctx, m, resreg.PlanOptions{})
		require.NoError(t, err)
		require.Equal(t, "membership", p.Changes[len(p.Changes)-1].Kind)
		before, seq := exportText(t, r), lastSeq(t, r)
		_, err = r.Apply(ctx, p)
		require.ErrorIs(t, err, resreg.ErrInvalid)
		require.Contains(t, err.Error(), "create membership ROLE:admin/GROUP:ops")
		require.Equal(t, before, exportText(t, r))
		require.Equal(t, seq, lastSeq(t, r))
	})
}

// TestApplyCancelledMidwayWritesNothing cancels the context after the
// first written run of changes.
func TestApplyCancelledMidwayWritesNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		r := fixedRegistry(s)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p, err := r.Plan(ctx, decodeFile(t, "examples/registry.yaml"), resreg.PlanOptions{})
		require.NoError(t, err)
		before, seq := exportText(t, r), lastSeq(t, r)
		_, err = r.Apply(ctx, p, resreg.ApplyProgress(func(done, total int) {
			if done > 1 {
				cancel()
			}
		}))
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, before, exportText(t, r))
		require.Equal(t, seq, lastSeq(t, r))
	})
}

// hidden is a store without its optional roles.
type hidden struct{ store.Store }

func TestApplyRefusesForeignPlansAndStoresWithoutBatches(t *testing.T) {
	ctx := context.Background()
	m := decodeFile(t, "examples/registry.yaml")
	r1 := fixedRegistry(memstore.New())
	p, err := r1.Plan(ctx, m, resreg.PlanOptions{})
	require.NoError(t, err)
	_, err = fixedRegistry(memstore.New()).Apply(ctx, p)
	require.ErrorIs(t, err, resreg.ErrInvalid)
	_, err = r1.Apply(ctx, resreg.Plan{Seq: p.Seq, Changes: p.Changes})
	require.ErrorIs(t, err, resreg.ErrInvalid, "a plan rebuilt from its exported fields carries no records")

	plain := fixedRegistry(hidden{memstore.New()})
	p, err = plain.Plan(ctx, m, resreg.PlanOptions{})
	require.NoError(t, err)
	_, err = plain.Apply(ctx, p)
	require.ErrorIs(t, err, resreg.ErrUnsupported)
	require.True(t, errors.Is(err, errors.ErrUnsupported))
	require.Equal(t, exportText(t, fixedRegistry(memstore.New())), exportText(t, plain))
}
