package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
)

// isTerminal reports whether w is a terminal; TERM=dumb counts as none.
func isTerminal(w any, env func(string) string) bool {
	if env("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	// A character device is not enough: /dev/null is one.
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// progressBar draws "[=====>    ]  52%  52000/100000" on one terminal
// line, redrawn only when the percentage moves.
type progressBar struct {
	w       io.Writer
	percent int
	drawn   bool
}

const progressWidth = 30

func (b *progressBar) update(done, total int) {
	if total <= 0 {
		return
	}
	pc := done * 100 / total
	if b.drawn && pc == b.percent {
		return
	}
	b.percent, b.drawn = pc, true
	fill := done * progressWidth / total
	bar := strings.Repeat("=", fill)
	if fill < progressWidth {
		bar += ">" + strings.Repeat(" ", progressWidth-fill-1)
	}
	fmt.Fprintf(b.w, "\rapplying [%s] %3d%%  %d/%d", bar, pc, done, total)
}

// done ends the bar's line.
func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}
