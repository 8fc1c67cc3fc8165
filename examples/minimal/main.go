// Command minimal is the smallest useful program on resreg with SQLite: it
// opens a store, registers one resource and reads it back. It is the
// program whose stripped binary size BENCHMARKS.md reports.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/sqlitestore"
)

func main() {
	path := flag.String("db", "minimal.db", "SQLite database file")
	flag.Parse()
	if err := run(context.Background(), *path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, path string) error {
	st, err := sqlitestore.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := resreg.New(st)
	if _, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: "ecs"}); err != nil && resreg.StatusCode(err) != 409 {
		return err
	}
	res, err := reg.GetResource(ctx, "", "ecs")
	if err != nil {
		return err
	}
	fmt.Println(res.Code, res.Type)
	return nil
}
