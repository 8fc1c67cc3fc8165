package resreg_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeQuickStartCompiles checks that the README's quick start is the
// program in examples/readme, which the module builds and vets, so the
// README shows code that compiles with both stores.
func TestReadmeQuickStartCompiles(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, quick, ok := strings.Cut(string(readme), "## Quick start")
	require.True(t, ok, "README has a Quick start section")
	_, block, ok := strings.Cut(quick, "```go\n")
	require.True(t, ok, "the Quick start holds a Go block")
	block, _, ok = strings.Cut(block, "```\n")
	require.True(t, ok)
	program, err := os.ReadFile("examples/readme/main.go")
	require.NoError(t, err)
	require.Equal(t, string(program), block)
}
