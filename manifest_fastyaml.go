package resreg

import (
	"strings"
	"unicode/utf8"
)

// readYAMLEvents reads a YAML document into events, or refuses it. It
// reads a subset of YAML whose meaning is plain, and refuses the rest,
// which the slow path reads with the YAML parser:
//   - one document whose root is a block mapping, indented with spaces;
//     no directives, document markers, tabs or control characters;
//   - block mappings of single-line keys (plain or quoted) and block
//     sequences ("- "), also a sequence at the indentation of the key it is
//     the value of;
//   - single-line scalars: plain (none of YAML's indicators first, no ": "
//     or " #" inside), single-quoted and double-quoted (with YAML's
//     escapes); literal block scalars (|, |- and |+);
//   - flow sequences and mappings that close on the line they open;
//   - comments, blank lines, CRLF line ends.
//
// Refused are plain and quoted scalars over several lines, folded block
// scalars (>), anchors, aliases, tags, complex keys, empty flow values
// and trailing flow commas.
// A plain scalar's value is its text; ~, null, Null and NULL are null, and
// true and false the booleans (other spellings the YAML parser resolves,
// such as True, are text here, which only a boolean field tells apart and
// then refuses).
func readYAMLEvents(src string) *events {
	checkYAMLText(src)
	p := &yamlReader{events: events{src: src, ev: make([]event, 0, len(src)/8)}}
	p.nextLine()
	if p.ind < 0 || p.isEntry() {
		refuse()
	}
	p.block(p.ind, 0)
	if p.ind >= 0 {
		refuse()
	}
	return &p.events
}

// checkYAMLText refuses characters the fast reader leaves to the YAML
// parser: tabs, control characters, a CR not followed by LF, invalid
// UTF-8, the C1 controls (among them NEL, a line break to YAML), the
// Unicode line and paragraph separators (also line breaks), the byte
// order mark and the noncharacters U+FFFE and U+FFFF.
func checkYAMLText(src string) {
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c >= 0x20 && c < 0x7f || c == '\n':
			i++
			continue
		case c == '\r':
			if i+1 >= len(src) || src[i+1] != '\n' {
				refuse()
			}
			i++
			continue
		case c < 0x80:
			refuse()
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 || r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff {
			refuse()
		}
		i += size
	}
}

// yamlReader reads block structure line by line. ind is the indentation of
// the current content line (-1 past the end) and i the offset of its first
// character not yet read.
type yamlReader struct {
	events
	i, ind int
}

func (p *yamlReader) at(i int) byte {
	if i < len(p.src) {
		return p.src[i]
	}
	return 0
}

// eol reports whether offset i ends a line (or the document: at returns
// 0 there, a byte checkYAMLText refuses in the text).
func (p *yamlReader) eol(i int) bool {
	c := p.at(i)
	return c == 0 || c == '\n' || c == '\r'
}

func (p *yamlReader) spaces() {
	for p.at(p.i) == ' ' {
		p.i++
	}
}

// nextLine moves from the start of a line to the first content line at or
// after it, skipping blank and comment lines.
func (p *yamlReader) nextLine() {
	for {
		start := p.i
		p.spaces()
		if p.i >= len(p.src) {
			p.ind = -1
			return
		}
		switch p.src[p.i] {
		case '\n', '\r', '#':
			p.skipLine()
			continue
		}
		p.ind = p.i - start
		if p.ind == 0 && (strings.HasPrefix(p.src[p.i:], "---") || strings.HasPrefix(p.src[p.i:], "...")) {
			refuse()
		}
		return
	}
}

// skipLine moves past the end of the current line.
func (p *yamlReader) skipLine() {
	if j := strings.IndexByte(p.src[p.i:], '\n'); j >= 0 {
		p.i += j + 1
	} else {
		p.i = len(p.src)
	}
}

// endLine reads what may follow a value on its line (spaces, a comment)
// and moves to the next content line.
func (p *yamlReader) endLine() {
	start := p.i
	p.spaces()
	switch {
	case p.eol(p.i):
	case p.at(p.i) == '#' && p.i > start:
	default:
		refuse()
	}
	p.skipLine()
	p.nextLine()
}

// restOfLineEmpty reports whether nothing but spaces and a comment remain
// on the line.
func (p *yamlReader) restOfLineEmpty() bool {
	start := p.i
	p.spaces()
	return p.eol(p.i) || p.at(p.i) == '#' && p.i > start
}

// isEntry reports whether a sequence entry ("- " or a lone "-") starts at
// the current offset.
func (p *yamlReader) isEntry() bool {
	return p.at(p.i) == '-' && (p.eol(p.i+1) || p.at(p.i+1) == ' ')
}

// block reads the block collection whose first line starts at the current
// offset, indented by n.
func (p *yamlReader) block(n, depth int) {
	if depth > maxFastDepth {
		refuse()
	}
	if p.isEntry() {
		p.blockSeq(n, depth)
	} else {
		p.blockMap(n, depth)
	}
}

func (p *yamlReader) blockSeq(n, depth int) {
	at := p.open(evSeq)
	items := 0
	for ; p.ind == n && p.isEntry(); items++ {
		p.i++
		col := p.i
		if p.restOfLineEmpty() {
			p.skipLine()
			p.nextLine()
			if p.ind > n {
				p.block(p.ind, depth+1)
			} else {
				p.add(evNull)
			}
		} else {
			if p.isEntry() || p.i == col {
				refuse() // "- - x", or "-x" which is no entry
			}
			if p.keyAhead() {
				p.ind = p.i - p.lineStart()
				p.blockMap(p.ind, depth+1)
			} else {
				p.inline(n, depth+1)
			}
		}
		if p.ind > n {
			refuse()
		}
	}
	p.close(at, items)
}

func (p *yamlReader) lineStart() int {
	return strings.LastIndexByte(p.src[:p.i], '\n') + 1
}

func (p *yamlReader) blockMap(n, depth int) {
	if depth > maxFastDepth {
		refuse()
	}
	at := p.open(evMap)
	pairs := 0
	for ; p.ind == n && !p.isEntry(); pairs++ {
		p.key()
		if p.restOfLineEmpty() {
			p.skipLine()
			p.nextLine()
			switch {
			case p.ind > n:
				p.block(p.ind, depth+1)
			case p.ind == n && p.isEntry():
				p.blockSeq(n, depth+1)
			default:
				p.add(evNull)
			}
		} else {
			p.inline(n, depth+1)
		}
		if p.ind > n {
			refuse()
		}
	}
	p.close(at, pairs)
}

// keyAhead reports whether the current line holds a mapping key from the
// current offset.
func (p *yamlReader) keyAhead() bool {
	i := p.i
	switch p.at(i) {
	case '"', '\'':
		end := p.quotedEnd(i)
		return end > 0 && p.at(end) == ':' && (p.eol(end+1) || p.at(end+1) == ' ')
	}
	_, ok := p.plainKeyEnd(i, false)
	return ok
}

// maxKeyLen bounds a key: the YAML parser refuses implicit keys longer
// than 1024 characters.
const maxKeyLen = 256

// key reads a mapping key and its ':' and the space after it.
func (p *yamlReader) key() {
	start := p.i
	switch p.at(p.i) {
	case '"', '\'':
		p.quoted()
	default:
		end, ok := p.plainKeyEnd(p.i, false)
		if !ok {
			refuse()
		}
		p.addText(evText, p.i, end)
		p.i = end
		for p.at(p.i) == ' ' {
			p.i++
		}
	}
	if p.i-start > maxKeyLen || p.at(p.i) != ':' || !(p.eol(p.i+1) || p.at(p.i+1) == ' ') {
		refuse()
	}
	p.i++
}

// plainKeyEnd returns the end of the text of a plain key starting at i
// (before the spaces preceding its ':'), and whether there is one: the
// line holds ':' followed by a space or the line's end, first, before any
// comment; in flow context (flow), before any flow indicator too.
func (p *yamlReader) plainKeyEnd(i int, flow bool) (int, bool) {
	if !plainStart(p.at(i)) {
		return 0, false
	}
	end := i
	for j := i; !p.eol(j); j++ {
		switch c := p.src[j]; c {
		case ':':
			if p.eol(j+1) || p.at(j+1) == ' ' {
				return end, true
			}
			if flow {
				return 0, false
			}
		case '#':
			if p.src[j-1] == ' ' {
				return 0, false
			}
		case ',', '[', ']', '{', '}', '?':
			if flow {
				return 0, false
			}
		}
		if p.src[j] != ' ' {
			end = j + 1
		}
	}
	return 0, false
}

// plainStart reports whether a plain scalar may start with c: not with
// space, nor with one of YAML's indicators.
func plainStart(c byte) bool {
	if c >= 0x80 {
		return true
	}
	if c <= ' ' || c == 0x7f {
		return false
	}
	return !strings.ContainsRune("-?:,[]{}#&*!|>'\"%@`", rune(c))
}

// inline reads a value that starts on the current line, in a collection
// indented by n, and moves to the next content line: a quoted or plain
// scalar or a flow collection, with what may follow on its line, or a
// literal block scalar.
func (p *yamlReader) inline(n, depth int) {
	switch p.at(p.i) {
	case '|':
		p.literal(n)
		return
	case '"', '\'':
		p.quoted()
	case '[', '{':
		p.flow(depth)
	default:
		p.plain(false)
	}
	p.endLine()
}

// literal reads a literal block scalar ("|", or "|-" to strip the final
// line break, or "|+" to keep the empty lines after it) in a collection
// indented by n: its lines are those indented at least as much as its
// first, which must follow the header directly, be indented more than n
// and not be empty. Refused are indentation indicators and lines of only
// spaces longer than the indentation (which the value would keep).
func (p *yamlReader) literal(n int) {
	p.i++
	chomp := byte(0)
	if c := p.at(p.i); c == '-' || c == '+' {
		chomp = c
		p.i++
	}
	if !p.restOfLineEmpty() {
		refuse()
	}
	p.skipLine()
	start := p.i
	p.spaces()
	m := p.i - start
	if m <= n || p.eol(p.i) {
		refuse()
	}
	var b strings.Builder
	for {
		// p.i is at column m of a line of the scalar.
		end := p.i
		for !p.eol(end) {
			end++
		}
		b.WriteString(p.src[p.i:end])
		if end == len(p.src) {
			p.ind = -1
			break
		}
		p.i = end
		p.skipLine()
		// Empty lines, then a line of the scalar or the end of it.
		blanks := 0
		for {
			start = p.i
			p.spaces()
			if p.i-start > m && p.eol(p.i) {
				refuse()
			}
			if !p.eol(p.i) || p.i == len(p.src) {
				break
			}
			blanks++
			p.skipLine()
		}
		if p.i-start >= m && p.i < len(p.src) {
			b.WriteString(strings.Repeat("\n", 1+blanks))
			p.i = start + m
			continue
		}
		switch chomp {
		case 0:
			b.WriteByte('\n')
		case '+':
			b.WriteString(strings.Repeat("\n", 1+blanks))
		}
		p.i = start
		p.nextLine()
		break
	}
	p.addDecoded(b.String())
}

// plain reads a plain scalar to the end of the line or the comment (in
// block context) or to the next flow indicator (flow). It refuses a ':'
// followed by a space or the line's end (a mapping value YAML would
// refuse or, in flow, read as a key), and in flow any ':' but one
// followed by a letter, digit or '/' (as in ecs:Start, where YAML reads
// on, unless a space precedes it) and any '?'.
func (p *yamlReader) plain(flow bool) {
	start := p.i
	if !plainStart(p.at(start)) {
		refuse()
	}
	end := start
	j := start
loop:
	for ; !p.eol(j); j++ {
		switch c := p.src[j]; c {
		case ':':
			n := p.at(j + 1)
			if p.eol(j+1) || n == ' ' || flow && (p.src[j-1] == ' ' || !(n >= 'a' && n <= 'z' || n >= 'A' && n <= 'Z' || n >= '0' && n <= '9' || n == '/')) {
				refuse()
			}
		case '#':
			if p.src[j-1] == ' ' {
				break loop
			}
		case ',', ']', '}':
			if flow {
				break loop
			}
		case '[', '{', '?':
			if flow {
				refuse()
			}
		}
		if p.src[j] != ' ' {
			end = j + 1
		}
	}
	p.i = end
	p.addPlain(start, end)
}

// addPlain adds the event of the plain scalar src[a:b].
func (p *yamlReader) addPlain(a, b int) {
	switch p.src[a:b] {
	case "~", "null", "Null", "NULL":
		p.add(evNull)
	case "true":
		p.add(evTrue)
	case "false":
		p.add(evFalse)
	default:
		p.addText(evText, a, b)
	}
}

// quotedEnd returns the offset after the closing quote of the single-line
// quoted scalar at i, or 0 if it does not close on its line.
func (p *yamlReader) quotedEnd(i int) int {
	q := p.src[i]
	for j := i + 1; !p.eol(j); j++ {
		switch p.src[j] {
		case '\\':
			if q == '"' {
				j++
				if p.eol(j) {
					return 0
				}
			}
		case q:
			if q == '\'' && p.at(j+1) == '\'' {
				j++
				continue
			}
			return j + 1
		}
	}
	return 0
}

// quoted reads a single-line quoted scalar.
func (p *yamlReader) quoted() {
	start := p.i
	end := p.quotedEnd(start)
	if end == 0 {
		refuse()
	}
	p.i = end
	body := p.src[start+1 : end-1]
	if p.src[start] == '\'' {
		if !strings.Contains(body, "''") {
			p.addText(evText, start+1, end-1)
			return
		}
		p.addDecoded(strings.ReplaceAll(body, "''", "'"))
		return
	}
	if !strings.Contains(body, `\`) {
		p.addText(evText, start+1, end-1)
		return
	}
	p.addDecoded(yamlUnescape(body))
}

// yamlUnescape decodes the escapes of a double-quoted YAML scalar as the
// YAML parser does, refusing the ones it refuses.
func yamlUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			refuse()
		}
		width := 0
		switch s[i] {
		case '0':
			b.WriteByte(0)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'v':
			b.WriteByte('\v')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1b)
		case ' ', '"', '\'', '\\':
			b.WriteByte(s[i])
		case 'N':
			b.WriteRune(0x85)
		case '_':
			b.WriteRune(0xa0)
		case 'L':
			b.WriteRune(0x2028)
		case 'P':
			b.WriteRune(0x2029)
		case 'x':
			width = 2
		case 'u':
			width = 4
		case 'U':
			width = 8
		default:
			refuse()
		}
		if width == 0 {
			continue
		}
		if i+width >= len(s) {
			refuse()
		}
		v := rune(0)
		for _, h := range []byte(s[i+1 : i+1+width]) {
			switch {
			case h >= '0' && h <= '9':
				v = v<<4 | rune(h-'0')
			case h >= 'a' && h <= 'f':
				v = v<<4 | rune(h-'a'+10)
			case h >= 'A' && h <= 'F':
				v = v<<4 | rune(h-'A'+10)
			default:
				refuse()
			}
		}
		if v >= 0xd800 && v <= 0xdfff || v > 0x10ffff {
			refuse()
		}
		b.WriteRune(v)
		i += width
	}
	return b.String()
}

// flow reads a flow collection that closes on its line.
func (p *yamlReader) flow(depth int) {
	if depth > maxFastDepth {
		refuse()
	}
	closing, kind := byte(']'), evSeq
	if p.src[p.i] == '{' {
		closing, kind = '}', evMap
	}
	at := p.open(kind)
	p.i++
	p.spaces()
	if p.at(p.i) == closing {
		p.i++
		p.close(at, 0)
		return
	}
	for n := 1; ; n++ {
		if closing == '}' {
			p.flowKey()
			p.spaces()
			if c := p.at(p.i); c == ',' || c == '}' || p.eol(p.i) {
				refuse() // an empty value
			}
		}
		p.flowValue(depth + 1)
		p.spaces()
		switch p.at(p.i) {
		case ',':
			p.i++
			p.spaces()
			if c := p.at(p.i); c == ',' || c == ']' || c == '}' {
				refuse()
			}
		case closing:
			p.i++
			p.close(at, n)
			return
		default:
			refuse()
		}
	}
}

// flowKey reads a key of a flow mapping, its ':' and the space after it.
func (p *yamlReader) flowKey() {
	start := p.i
	switch p.at(p.i) {
	case '"', '\'':
		p.quoted()
	default:
		end, ok := p.plainKeyEnd(p.i, true)
		if !ok {
			refuse()
		}
		p.addText(evText, p.i, end)
		p.i = end
		p.spaces()
	}
	if p.i-start > maxKeyLen || p.at(p.i) != ':' || p.at(p.i+1) != ' ' {
		refuse()
	}
	p.i += 2
}

func (p *yamlReader) flowValue(depth int) {
	switch p.at(p.i) {
	case '"', '\'':
		p.quoted()
	case '[', '{':
		p.flow(depth)
	default:
		p.plain(true)
	}
}
