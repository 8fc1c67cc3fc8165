package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProgressBarRedrawsOnlyWhenThePercentageMoves(t *testing.T) {
	var buf bytes.Buffer
	bar := &progressBar{w: &buf}
	for done := 0; done <= 2000; done += 10 {
		bar.update(done, 2000)
	}
	bar.done()
	out := buf.String()
	require.Equal(t, 101, strings.Count(out, "\r"), "one draw per percent, 0 to 100")
	require.True(t, strings.HasSuffix(out, "\rapplying [==============================] 100%  2000/2000\n"), out)
	require.Contains(t, out, "\rapplying [===============>              ]  50%  1000/2000")
}

func TestIsTerminalRefusesFilesAndDevNull(t *testing.T) {
	null, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer null.Close()
	none := func(string) string { return "" }
	require.False(t, isTerminal(null, none), "a character device that is not a terminal")
	require.False(t, isTerminal(&bytes.Buffer{}, none))
	f, err := os.CreateTemp(t.TempDir(), "out")
	require.NoError(t, err)
	defer f.Close()
	require.False(t, isTerminal(f, none))
}
