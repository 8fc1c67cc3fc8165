package resreg_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

func TestDecodeManifestErrorPositions(t *testing.T) {
	tests := []struct {
		name, doc, field string
		line, column     int
	}{
		{"action name with a slash", `namespaces:
  - code: app
    resources:
      - code: ecs
        type: API
        actions:
          - {name: "ecs:Start", description: Start}
          - name: "ecs/Stop"
            description: Stop
`, "namespaces[0].resources[0].actions[1].name", 8, 19},
		{"unknown field", "namespaces:\n  - code: app\n    colour: red\n", "namespaces[0].colour", 3, 5},
		{"wrong kind", "namespaces:\n  - code: [a, b]\n", "namespaces[0].code", 2, 11},
		{"repeated code", "namespaces:\n  - code: app\n  - code: app\n", "namespaces[1].code", 3, 11},
		{"missing type reported at the record", "namespaces:\n  - code: app\n    resources:\n      - code: ecs\n", "namespaces[0].resources[0].type", 4, 9},
		{"bad locale", "namespaces:\n  - code: a\n    resources:\n      - code: e\n        type: API\n        name: {i18nValue: {\"x\": y}}\n", `namespaces[0].resources[0].name.i18nValue["x"]`, 6, 28},
		{"tree node code", "namespaces:\n  - code: a\n    dataResources:\n      - resourceCode: t\n        resourceName: T\n        type: TREE\n        actions: [get]\n        struct:\n          - {code: 'a/b', name: N}\n", "namespaces[0].dataResources[0].struct[0].code", 9, 20},
		{"grant action", "namespaces:\n  - code: a\n    grants:\n      - targetType: ROLE\n        targetIdentifiers: [admin]\n        resources:\n          - {code: ecs, actions: ['bad action']}\n", "namespaces[0].grants[0].resources[0].actions[0]", 7, 35},
		{"policy permission", "dataPolicies:\n  - policyName: p\n    statementList:\n      - effect: ALLOW\n        permissions: [nope]\n", "dataPolicies[0].statementList[0].permissions[0]", 5, 23},
		{"user as parent", "memberships:\n  - parent: {type: USER, id: u}\n    members: [{type: USER, id: v}]\n", "memberships[0].parent", 2, 13},
		{"JSON input", `{"namespaces": [{"code": "a", "resources": [{"code": "e", "type": "bad type"}]}]}`, "namespaces[0].resources[0].type", 1, 67},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resreg.DecodeManifest(strings.NewReader(tt.doc))
			require.ErrorIs(t, err, resreg.ErrInvalid)
			var se *resreg.Error
			require.True(t, errors.As(err, &se))
			require.Equal(t, tt.field, se.Field, err.Error())
			var me *resreg.ManifestError
			require.True(t, errors.As(err, &me))
			require.Equal(t, [2]int{tt.line, tt.column}, [2]int{me.Line, me.Column}, err.Error())
			require.Contains(t, err.Error(), "line ")
		})
	}
}

func TestDecodeManifestBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("namespaces:\n")
	for i := 0; i <= resreg.MaxManifestNamespaces; i++ {
		b.WriteString("  - code: n\n")
	}
	_, err := resreg.DecodeManifest(strings.NewReader(b.String()))
	require.ErrorIs(t, err, resreg.ErrInvalid)
	require.Contains(t, err.Error(), "namespaces[10000]")
}

func TestPlanIsCheckedWithTheRegistryLimits(t *testing.T) {
	m, err := resreg.DecodeManifest(strings.NewReader("namespaces:\n  - code: a\n    resources:\n      - code: e\n        type: API\n        actions:\n          - {name: a, description: A}\n          - {name: b, description: B}\n"))
	require.NoError(t, err)
	r := resreg.New(memstoreNew(), resreg.WithLimits(resreg.Limits{MaxActions: 1}))
	_, err = r.Plan(context.Background(), m, resreg.PlanOptions{})
	var me *resreg.ManifestError
	require.ErrorAs(t, err, &me)
	require.Equal(t, "namespaces[0].resources[0].actions", me.Err.Field)
	require.Equal(t, 7, me.Line) // the list, which starts on its first item
}

func TestPlanGrantNeedsItsResource(t *testing.T) {
	m, err := resreg.DecodeManifest(strings.NewReader("namespaces:\n  - code: a\n    grants:\n      - targetType: ROLE\n        targetIdentifiers: [admin]\n        resources:\n          - {code: ecs, actions: [run]}\n"))
	require.NoError(t, err)
	_, err = resreg.New(memstoreNew()).Plan(context.Background(), m, resreg.PlanOptions{})
	require.ErrorIs(t, err, resreg.ErrNotFound)
	var me *resreg.ManifestError
	require.ErrorAs(t, err, &me)
	require.Equal(t, "namespaces[0].grants[0].resources[0].code", me.Err.Field)
	require.Equal(t, 7, me.Line)
}

// TestExportRoundTrip exports a registry holding every kind of record,
// encodes and decodes the manifest, and plans it against the registry it
// came from and against a second registry seeded the same way.
func TestExportRoundTrip(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		r := fixedRegistry(s)
		seedExample(t, r)
		exported, err := r.Export(ctx)
		require.NoError(t, err)
		for _, format := range []string{"yaml", "json"} {
			var buf bytes.Buffer
			require.NoError(t, resreg.EncodeManifest(&buf, exported, format))
			m, err := resreg.DecodeManifest(&buf)
			require.NoError(t, err, format)
			p, err := r.Plan(ctx, m, resreg.PlanOptions{Prune: true})
			require.NoError(t, err)
			require.True(t, p.Empty(), "%s:\n%s", format, p)
			require.Equal(t, exported.Namespaces, m.Namespaces)
		}
		// Every kind made it into the manifest.
		require.Len(t, exported.Namespaces, 2)
		require.Len(t, exported.Namespaces[0].Resources, 3)
		require.Equal(t, "your_resource_code_1", exported.Namespaces[0].Resources[1].ID)
		require.Empty(t, exported.Namespaces[0].Resources[0].ID, "a generated ID is not part of a manifest")
		require.Len(t, exported.Namespaces[0].Grants, 1)
		require.Len(t, exported.Namespaces[1].DataResources, 3)
		require.Len(t, exported.DataPolicies, 1)
		require.Len(t, exported.DataPolicies[0].TargetList, 1)
		require.Len(t, exported.Memberships, 1)

		// The example manifest describes the same registry.
		p, err := r.Plan(ctx, decodeFile(t, "examples/registry.yaml"), resreg.PlanOptions{Prune: true})
		require.NoError(t, err)
		require.True(t, p.Empty(), p.String())

		// One namespace exported alone plans empty within that namespace.
		one, err := r.Export(ctx, "examplePermissionNamespace")
		require.NoError(t, err)
		require.Empty(t, one.DataPolicies)
		p, err = r.Plan(ctx, one, resreg.PlanOptions{Prune: true, Namespaces: []string{"examplePermissionNamespace"}})
		require.NoError(t, err)
		require.True(t, p.Empty(), p.String())
		_, err = r.Export(ctx, "missing")
		require.ErrorIs(t, err, resreg.ErrNamespaceNotFound)
	})
}

// TestPlanPruneListsExactlyWhatIsGone drops one record of each kind from
// the seeded registry's manifest and expects exactly those deletes.
func TestPlanPruneListsExactlyWhatIsGone(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		r := fixedRegistry(s)
		seedExample(t, r)
		m := decodeFile(t, "examples/registry.yaml")
		def, ex := &m.Namespaces[0], &m.Namespaces[1]
		def.Resources = def.Resources[:2]                          // your_resource_code_2
		def.Grants[0].Resources[0].Actions = []string{"ecs:Start"} // the ecs:Stop grant
		ex.DataResources = ex.DataResources[:2]                    // authing
		m.DataPolicies[0].TargetList = nil                         // the policy's target
		m.Memberships = nil                                        // alice in admin
		p, err := r.Plan(ctx, m, resreg.PlanOptions{Prune: true})
		require.NoError(t, err)
		var got []string
		for _, c := range p.Changes {
			got = append(got, string(c.Op)+" "+c.Kind+" "+c.Record())
		}
		require.Equal(t, []string{
			"delete membership ROLE:admin/USER:alice",
			"delete grant default/ROLE:admin/ecs/ecs:Stop/ALLOW",
			"delete policyTarget Product readers/ROLE:admin",
			"delete dataResource examplePermissionNamespace/authing",
			"delete resource default/your_resource_code_2",
		}, got)

		// Without Prune nothing is deleted.
		p, err = r.Plan(ctx, m, resreg.PlanOptions{})
		require.NoError(t, err)
		require.True(t, p.Empty(), p.String())

		// A manifest naming nothing prunes everything but the default
		// namespace itself.
		p, err = r.Plan(ctx, resreg.Manifest{}, resreg.PlanOptions{Prune: true})
		require.NoError(t, err)
		_, _, del := p.Counts()
		require.Equal(t, 12, del, p.String())
		require.Equal(t, "delete", string(p.Changes[len(p.Changes)-1].Op))
		require.Equal(t, "examplePermissionNamespace", p.Changes[len(p.Changes)-1].Key)
	})
}

func TestPlanRecordsTheChangeLogPosition(t *testing.T) {
	ctx := context.Background()
	r := fixedRegistry(memstoreNew())
	seedExample(t, r)
	last, err := r.LastSeq(ctx)
	require.NoError(t, err)
	p, err := r.Plan(ctx, resreg.Manifest{}, resreg.PlanOptions{})
	require.NoError(t, err)
	require.Equal(t, last, p.Seq)
	require.Positive(t, p.Seq)
}

func TestPlanRefusesAnIDChange(t *testing.T) {
	ctx := context.Background()
	r := fixedRegistry(memstoreNew())
	seedExample(t, r)
	m := decodeFile(t, "examples/registry.yaml")
	m.Namespaces[0].Resources[1].ID = "other"
	_, err := r.Plan(ctx, m, resreg.PlanOptions{})
	require.ErrorIs(t, err, resreg.ErrConflict)
	var se *resreg.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, "namespaces[0].resources[1].id", se.Field)
}

func TestPlanAndExportStopOnACancelledContext(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		r := fixedRegistry(s)
		seedExample(t, r)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := r.Plan(ctx, decodeFile(t, "examples/registry.yaml"), resreg.PlanOptions{})
		require.ErrorIs(t, err, context.Canceled)
		_, err = r.Export(ctx)
		require.ErrorIs(t, err, context.Canceled)
	})
}

func TestPlanOptionsAreChecked(t *testing.T) {
	_, err := resreg.New(memstoreNew()).Plan(context.Background(), resreg.Manifest{}, resreg.PlanOptions{Namespaces: []string{"ok", "not ok"}})
	require.ErrorIs(t, err, resreg.ErrInvalid)
	var se *resreg.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, "namespaces[1]", se.Field)
}

func TestDecodeManifestRefusesAliases(t *testing.T) {
	doc := "namespaces:\n  - &ns {code: a}\n  - *ns\n"
	_, err := resreg.DecodeManifest(strings.NewReader(doc))
	require.ErrorIs(t, err, resreg.ErrInvalid)
	var me *resreg.ManifestError
	require.ErrorAs(t, err, &me)
	require.Equal(t, [2]int{3, 5}, [2]int{me.Line, me.Column})
}
