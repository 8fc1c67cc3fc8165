package bench

import (
	"fmt"
	"os"
	"testing"
)

// large is set by RESREG_BENCH_LARGE=1: the listing, get and memory
// benchmarks then hold a million resources.
var large = os.Getenv("RESREG_BENCH_LARGE") == "1"

// scale is the number of resources in the shared namespace of the listing,
// get and memory benchmarks.
func scale() int {
	if large {
		return 1_000_000
	}
	return 10_000
}

// tmpDir holds the database files of one run; TestMain removes it.
var tmpDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "resreg-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpDir = dir
	code := m.Run()
	closeDatasets()
	os.RemoveAll(dir)
	os.Exit(code)
}
