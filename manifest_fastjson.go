package resreg

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// readJSONEvents reads a JSON document whose value is an object into
// events, or refuses it. It reads strict JSON only, as encoding/json does
// (jsonNodes, which the slow path uses, is built on it, and the slow path
// reads anything else as YAML), and refuses numbers, which no manifest
// field holds: a number for a string field takes the slow path.
func readJSONEvents(src string) *events {
	r := &jsonReader{events: events{src: src, ev: make([]event, 0, len(src)/8)}}
	r.space()
	if r.i >= len(src) || src[r.i] != '{' {
		refuse()
	}
	r.value(0)
	r.space()
	if r.i != len(src) {
		refuse()
	}
	return &r.events
}

type jsonReader struct {
	events
	i int
}

func (r *jsonReader) space() {
	for r.i < len(r.src) {
		switch r.src[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// expect consumes c, after white space.
func (r *jsonReader) expect(c byte) {
	r.space()
	if r.i >= len(r.src) || r.src[r.i] != c {
		refuse()
	}
	r.i++
}

func (r *jsonReader) value(depth int) {
	if depth > maxFastDepth {
		refuse()
	}
	r.space()
	if r.i >= len(r.src) {
		refuse()
	}
	switch c := r.src[r.i]; c {
	case '{', '[':
		closing, kind := byte('}'), evMap
		if c == '[' {
			closing, kind = ']', evSeq
		}
		r.i++
		at := r.open(kind)
		r.space()
		if r.i < len(r.src) && r.src[r.i] == closing {
			r.i++
			r.close(at, 0)
			return
		}
		for n := 1; ; n++ {
			if kind == evMap {
				r.space()
				if r.i >= len(r.src) || r.src[r.i] != '"' {
					refuse()
				}
				r.str()
				r.expect(':')
			}
			r.value(depth + 1)
			r.space()
			if r.i >= len(r.src) {
				refuse()
			}
			if r.src[r.i] == closing {
				r.i++
				r.close(at, n)
				return
			}
			r.expect(',')
		}
	case '"':
		r.str()
	case 't':
		r.literal("true", evTrue)
	case 'f':
		r.literal("false", evFalse)
	case 'n':
		r.literal("null", evNull)
	default:
		refuse()
	}
}

func (r *jsonReader) literal(word string, k evKind) {
	if !strings.HasPrefix(r.src[r.i:], word) {
		refuse()
	}
	r.i += len(word)
	r.add(k)
}

// str reads a string. One of printable ASCII without escapes is its own
// text; any other goes through encoding/json, so that escapes and invalid
// UTF-8 decode exactly as on the slow path.
func (r *jsonReader) str() {
	start := r.i + 1
	plain := true
	i := start
	for ; i < len(r.src); i++ {
		c := r.src[i]
		if c == '"' {
			break
		}
		if c < 0x20 {
			refuse()
		}
		if c == '\\' {
			plain = false
			i++ // the escaped byte cannot end the string
		} else if c >= 0x80 {
			plain = false
		}
	}
	if i >= len(r.src) {
		refuse()
	}
	r.i = i + 1
	if plain || !strings.Contains(r.src[start:i], `\`) && utf8.ValidString(r.src[start:i]) {
		r.addText(evText, start, i)
		return
	}
	var s string
	if err := json.Unmarshal([]byte(r.src[start-1:r.i]), &s); err != nil {
		refuse()
	}
	r.addDecoded(s)
}
