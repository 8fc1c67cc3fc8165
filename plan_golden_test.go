package resreg_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/plan/*.golden from the code's output")

// TestPlanGolden renders plans and compares them with
// testdata/plan/NAME.golden; run with -update to rewrite them.
func TestPlanGolden(t *testing.T) {
	tests := []struct {
		name     string
		seeded   bool
		manifest string
		opts     resreg.PlanOptions
	}{
		{"create_all", false, "examples/registry.yaml", resreg.PlanOptions{}},
		{"no_changes", true, "examples/registry.yaml", resreg.PlanOptions{Prune: true}},
		{"update", true, "testdata/plan/changed.yaml", resreg.PlanOptions{}},
		{"update_prune", true, "testdata/plan/changed.yaml", resreg.PlanOptions{Prune: true}},
		{"prune_one_namespace", true, "testdata/plan/changed.yaml", resreg.PlanOptions{Prune: true, Namespaces: []string{"examplePermissionNamespace"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixedRegistry(memstore.New())
			if tt.seeded {
				seedExample(t, r)
			}
			p, err := r.Plan(context.Background(), decodeFile(t, tt.manifest), tt.opts)
			require.NoError(t, err)
			golden := filepath.Join("testdata", "plan", tt.name+".golden")
			if *updateGolden {
				require.NoError(t, os.WriteFile(golden, []byte(p.String()), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), p.String())
		})
	}
}
