package resreg_test

import (
	"context"
	"fmt"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
)

// A consumer follows the change log of a store that another Registry
// writes to. It would save each Seq it has handled and, after a restart,
// pass the last one to Watch to go on without missing or repeating a change.
func ExampleRegistry_Watch() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := memstore.New()
	consumer := resreg.New(st)
	writer := resreg.New(st)

	go func() {
		wctx := resreg.WithActor(ctx, "alice")
		_, _ = writer.CreateNamespace(wctx, resreg.Namespace{Code: "shop", Name: "Shop"})
		_, _ = writer.CreateResource(wctx, resreg.CreateResourceInput{Namespace: "shop", Type: resreg.TypeAPI, Code: "ecs", Name: resreg.Name("Server")})
		_ = writer.DeleteResources(ctx, "shop", "ecs")
	}()

	seen := 0
	for c, err := range consumer.Watch(ctx, 0) {
		if err != nil {
			fmt.Println("resync needed:", err)
			return
		}
		fmt.Println(c.Seq, c.Op, c.Kind, c.Namespace, c.Key, c.Actor)
		if seen++; seen == 3 {
			break
		}
	}
	// Output:
	// 1 create namespace shop shop alice
	// 2 create resource shop ecs alice
	// 3 delete resource shop ecs
}
