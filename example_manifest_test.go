package resreg_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
)

// ExampleRegistry_Plan decodes a manifest and plans it against a registry
// that holds one of its resources with an older description.
func ExampleRegistry_Plan() {
	ctx := context.Background()
	r := resreg.New(memstore.New())
	_, _ = r.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "ecs", Name: resreg.Name("Server"), Description: "Old"})

	m, err := resreg.DecodeManifest(strings.NewReader(`
namespaces:
  - code: default
    name: default
    resources:
      - {code: ecs, type: API, name: Server, description: Elastic compute}
      - {code: oss, type: API, name: Storage}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := r.Plan(ctx, m, resreg.PlanOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(p)
	// Output:
	// Plan at change 1: 1 to create, 1 to update, 0 to delete.
	//
	// ~ resource default/ecs
	//     description: "Old" -> "Elastic compute"
	// + resource default/oss
}

// ExampleDecodeManifest shows an error naming the line, the column and
// the field.
func ExampleDecodeManifest() {
	_, err := resreg.DecodeManifest(strings.NewReader(`
namespaces:
  - code: default
    resources:
      - code: ecs
        type: API
        actions:
          - {name: "ecs/Start", description: Start}
`))
	fmt.Println(err)
	// Output:
	// line 8, column 20: namespaces[0].resources[0].actions[0].name: must not hold / or * (they have meanings in permission strings), got "ecs/Start": invalid input
}
