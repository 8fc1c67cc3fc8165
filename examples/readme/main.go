// Command readme is the README's quick start, kept here so that it is
// compiled and vetted with the rest of the module.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

func main() {
	ctx := context.Background()
	path := flag.String("db", "", "SQLite file; empty keeps the registry in memory")
	flag.Parse()

	// Either store is a store.Store; both are closed the same way.
	var st store.Store = memstore.New()
	if *path != "" {
		sq, err := sqlitestore.Open(ctx, *path)
		if err != nil {
			log.Fatal(err)
		}
		st = sq
	}
	defer st.Close()
	reg := resreg.New(st)

	res, err := reg.CreateResource(ctx, resreg.CreateResourceInput{
		Type: resreg.TypeAPI,
		Code: "ecs",
		Name: resreg.Name("Server"),
		Actions: []resreg.Action{
			{Name: "ecs:Start", Description: "Start ECS server"},
			{Name: "ecs:Stop", Description: "Stop ECS server"},
		},
		APIIdentifier: "https://my-awesome-api.com/api",
	})
	var e *resreg.Error
	switch {
	case errors.Is(err, resreg.ErrConflict): // code taken: 409 / EnOS 31408
		fmt.Println("exists:", res.Code, resreg.StatusCode(err))
	case errors.As(err, &e): // e.Field names the input, e.g. "actions[1].description"
		log.Fatal(e.Field, ": ", e.Message)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println("created:", res.Code, res.Actions)
	}
}
