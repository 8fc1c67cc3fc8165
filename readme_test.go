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

// TestReadmeFuzzingTableUnderFuzzing: the table of the last fuzzing run
// belongs to the Fuzzing section, not to Performance.
func TestReadmeFuzzingTableUnderFuzzing(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	sections := map[string]string{}
	for _, part := range strings.Split(string(readme), "\n#")[1:] {
		title, body, _ := strings.Cut(part, "\n")
		sections[strings.TrimLeft(title, "# ")] = body
	}
	require.Contains(t, sections["Fuzzing"], "| fuzzer | executions |")
	require.NotContains(t, sections["Performance"], "| fuzzer |")
}
