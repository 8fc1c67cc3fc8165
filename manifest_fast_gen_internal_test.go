package resreg

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A generator of manifest-like documents for the differential tests:
// mostly the manifest's own fields with valid values, sometimes an
// unknown or repeated field, a value of the wrong kind or a string YAML
// reads as something else, written out in YAML of randomly chosen styles
// (block and flow, compact sequences, quoting, comments, CRLF) or in JSON
// with random white space and escapes. Malformed output is fine: the
// property holds for any document.

type gnode struct {
	kind   byte // 'm' mapping, 's' sequence, 'v' scalar
	raw    bool // a scalar written unquoted (a boolean, a null)
	keys   []string
	vals   []*gnode
	scalar string
}

type gen struct {
	r     *rand.Rand
	noise float64 // the chance of a tricky string or a wrong field
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// trickyStrings are strings YAML or the manifest's checks treat specially.
var trickyStrings = []string{
	"", " ", "true", "false", "True", "null", "Null", "~", "yes", "on", "123", "-1", "1e3", "0x1F", ".inf", "2001-12-14",
	"a: b", "a:b", "a #b", "a#b", "#a", "- a", "-a", "? a", ":a", "[a]", "{a}", "a, b", "a]", "*a", "&a", "!a", "|", ">", "%a", "@a", "`a",
	"'a'", "\"a\"", "it's", `back\slash`, "tab\tx", "line\nbreak", "trail\n", "two\n\n", "cr\rx", "nel\u0085", "ls\u2028", "\ufeffbom",
	"del\x7f", "c1\u0080", "é", "服务器", "😀", "ecs:Start", "https://a.example/x?y=1#z", "R&D", "<<", "=", "...", "---", " lead", "trail ",
	"zh_CN", "en-US", "bad locale", "a/b", "x\x00y",
}

func (g *gen) word() string {
	if g.chance(g.noise) {
		return trickyStrings[g.r.IntN(len(trickyStrings))]
	}
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
	n := 1 + g.r.IntN(8)
	var b strings.Builder
	for range n {
		b.WriteByte(letters[g.r.IntN(len(letters))])
	}
	if g.chance(g.noise) {
		b.WriteString(" " + strconv.Itoa(g.r.IntN(100)))
	}
	return b.String()
}

func scalar(s string) *gnode { return &gnode{kind: 'v', scalar: s} }

func (g *gen) list(n int, item func() *gnode) *gnode {
	out := &gnode{kind: 's'}
	k := g.r.IntN(n + 1)
	if g.noise < 0.05 {
		k = 1 + g.r.IntN(n)
	}
	for range k {
		out.vals = append(out.vals, item())
	}
	return out
}

func (g *gen) words(n int) *gnode { return g.list(n, func() *gnode { return scalar(g.word()) }) }

// record builds a mapping of some of fields, each built by its function,
// sometimes with an unknown, repeated or wrongly typed field.
func (g *gen) record(fields []string, value func(field string) *gnode) *gnode {
	out := &gnode{kind: 'm'}
	keep := 0.6
	if g.noise < 0.05 {
		keep = 1
	}
	for _, f := range fields {
		if g.chance(keep) {
			out.keys = append(out.keys, f)
			out.vals = append(out.vals, value(f))
		}
	}
	switch {
	case g.chance(g.noise / 5):
		out.keys = append(out.keys, g.word())
		out.vals = append(out.vals, scalar(g.word()))
	case g.chance(g.noise/5) && len(out.keys) > 0:
		out.keys = append(out.keys, out.keys[0])
		out.vals = append(out.vals, scalar(g.word()))
	case g.chance(g.noise/5) && len(out.keys) > 0:
		out.vals[g.r.IntN(len(out.vals))] = g.words(2)
	case g.chance(g.noise/8) && len(out.keys) > 0:
		out.keys[0] = strings.ToUpper(out.keys[0][:1]) + out.keys[0][1:]
	}
	g.r.Shuffle(len(out.keys), func(i, j int) {
		out.keys[i], out.keys[j] = out.keys[j], out.keys[i]
		out.vals[i], out.vals[j] = out.vals[j], out.vals[i]
	})
	return out
}

func (g *gen) manifest() *gnode {
	return g.record([]string{"namespaces", "dataPolicies", "memberships"}, func(f string) *gnode {
		switch f {
		case "namespaces":
			return g.list(3, g.namespace)
		case "dataPolicies":
			return g.list(2, g.policy)
		}
		return g.list(2, func() *gnode {
			return g.record([]string{"parent", "members"}, func(f string) *gnode {
				if f == "parent" {
					return g.subject()
				}
				return g.list(3, g.subject)
			})
		})
	})
}

func (g *gen) subject() *gnode {
	return g.record([]string{"type", "id"}, func(f string) *gnode {
		if f == "type" {
			if g.chance(g.noise) {
				return scalar(g.word())
			}
			return scalar([]string{"USER", "ROLE", "GROUP"}[g.r.IntN(3)])
		}
		return scalar(g.word())
	})
}

func (g *gen) namespace() *gnode {
	return g.record([]string{"code", "name", "description", "resources", "dataResources", "grants"}, func(f string) *gnode {
		switch f {
		case "resources":
			return g.list(4, g.resource)
		case "dataResources":
			return g.list(3, g.dataResource)
		case "grants":
			return g.list(2, g.grant)
		}
		return scalar(g.word())
	})
}

func (g *gen) resource() *gnode {
	return g.record([]string{"code", "id", "type", "name", "description", "actions", "apiIdentifier", "linkedToTenant"}, func(f string) *gnode {
		switch f {
		case "type":
			return scalar([]string{"API", "MENU", g.word()}[g.r.IntN(3)])
		case "name":
			if g.chance(0.5) {
				return scalar(g.word())
			}
			return g.record([]string{"defaultValue", "i18nValue"}, func(f string) *gnode {
				if f == "defaultValue" {
					return scalar(g.word())
				}
				m := &gnode{kind: 'm'}
				locales := []string{"zh_CN", "en-US", "fr", g.word()}
				if g.noise < 0.05 {
					locales = locales[:3]
				}
				for range g.r.IntN(3) {
					i := g.r.IntN(len(locales))
					m.keys = append(m.keys, locales[i])
					m.vals = append(m.vals, scalar(g.word()))
					if g.noise < 0.05 {
						locales = append(locales[:i], locales[i+1:]...)
					}
				}
				return m
			})
		case "actions":
			return g.list(3, func() *gnode {
				return g.record([]string{"name", "description"}, func(string) *gnode { return scalar(g.word()) })
			})
		case "linkedToTenant":
			if g.noise < 0.05 {
				return &gnode{kind: 'v', raw: true, scalar: []string{"true", "false"}[g.r.IntN(2)]}
			}
			return scalar([]string{"true", "false", "True", "yes", "~", ""}[g.r.IntN(6)])
		case "apiIdentifier":
			return scalar("https://a.example/" + g.word())
		}
		return scalar(g.word())
	})
}

func (g *gen) dataResource() *gnode {
	kind := g.r.IntN(3)
	return g.record([]string{"resourceCode", "resourceName", "description", "type", "struct", "actions"}, func(f string) *gnode {
		switch f {
		case "type":
			return scalar([]string{"STRING", "ARRAY", "TREE"}[kind])
		case "struct":
			if g.chance(g.noise) {
				kind = g.r.IntN(3)
			}
			switch kind {
			case 0:
				return scalar(g.word())
			case 1:
				return g.words(3)
			}
			return g.tree(3)
		case "actions":
			return g.words(3)
		}
		return scalar(g.word())
	})
}

func (g *gen) tree(depth int) *gnode {
	return g.list(3, func() *gnode {
		fields := []string{"code", "name", "value", "children"}
		if depth == 0 {
			fields = fields[:3]
		}
		return g.record(fields, func(f string) *gnode {
			if f == "children" {
				return g.tree(depth - 1)
			}
			return scalar(g.word())
		})
	})
}

func (g *gen) grant() *gnode {
	return g.record([]string{"targetType", "targetIdentifiers", "resources"}, func(f string) *gnode {
		switch f {
		case "targetIdentifiers":
			return g.words(2)
		case "resources":
			return g.list(2, func() *gnode {
				return g.record([]string{"code", "actions", "resourceType", "effect"}, func(f string) *gnode {
					switch f {
					case "actions":
						return g.words(2)
					case "effect":
						return scalar([]string{"ALLOW", "DENY", g.word()}[g.r.IntN(3)])
					}
					return scalar(g.word())
				})
			})
		}
		return scalar(g.word())
	})
}

func (g *gen) policy() *gnode {
	return g.record([]string{"policyName", "description", "statementList", "targetList"}, func(f string) *gnode {
		switch f {
		case "statementList":
			return g.list(2, func() *gnode {
				return g.record([]string{"effect", "permissions"}, func(f string) *gnode {
					if f == "effect" {
						return scalar("ALLOW")
					}
					return g.list(2, func() *gnode { return scalar("ns/" + g.word() + "/*/get") })
				})
			})
		case "targetList":
			return g.list(2, func() *gnode {
				return g.record([]string{"id", "type", "name"}, func(string) *gnode { return scalar(g.word()) })
			})
		}
		return scalar(g.word())
	})
}

// yamlWriter writes a gnode tree in randomly chosen YAML styles.
type yamlWriter struct {
	*gen
	b    strings.Builder
	step int // spaces per indentation level
	crlf bool
}

func (w *yamlWriter) nl() {
	if w.chance(0.05) {
		w.b.WriteString("  # note")
	}
	if w.crlf {
		w.b.WriteString("\r\n")
	} else {
		w.b.WriteString("\n")
	}
	if w.chance(0.03) {
		w.b.WriteString(strings.Repeat(" ", w.r.IntN(6)) + "# comment\n")
	}
	if w.chance(0.03) {
		w.b.WriteString("\n")
	}
}

func (w *yamlWriter) scalar(s string, raw bool) string {
	switch {
	case raw || w.chance(0.6):
		return s
	case w.chance(0.5):
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || w.chance(0.05):
			if r > 0xffff {
				fmt.Fprintf(&b, `\U%08x`, r)
			} else if r > 0xff || w.chance(0.5) {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				fmt.Fprintf(&b, `\x%02x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// flow writes n in flow style.
func (w *yamlWriter) flow(n *gnode) {
	sp := func() {
		if w.chance(0.2) {
			w.b.WriteByte(' ')
		}
	}
	switch n.kind {
	case 'v':
		w.b.WriteString(w.scalar(n.scalar, n.raw))
	case 's':
		w.b.WriteByte('[')
		sp()
		for i, v := range n.vals {
			if i > 0 {
				w.b.WriteString(", ")
			}
			w.flow(v)
		}
		sp()
		w.b.WriteByte(']')
	case 'm':
		w.b.WriteByte('{')
		sp()
		for i, k := range n.keys {
			if i > 0 {
				w.b.WriteString(", ")
			}
			w.b.WriteString(w.scalar(k, false) + ": ")
			w.flow(n.vals[i])
		}
		sp()
		w.b.WriteByte('}')
	}
}

// value writes n as the value of a key or an item whose line is open, in
// a block at indentation ind.
func (w *yamlWriter) value(n *gnode, ind int, afterKey bool) {
	switch {
	case n.kind == 'v':
		if strings.Contains(n.scalar, "\n") && w.chance(0.5) {
			w.literal(n.scalar, ind)
			return
		}
		w.b.WriteString(" " + w.scalar(n.scalar, n.raw))
		w.nl()
	case len(n.vals) == 0 || w.chance(0.15):
		w.b.WriteByte(' ')
		w.flow(n)
		w.nl()
	case n.kind == 's' && afterKey && w.chance(0.3):
		w.nl()
		w.block(n, ind) // a compact sequence
	default:
		w.nl()
		w.block(n, ind+w.step)
	}
}

func (w *yamlWriter) literal(s string, ind int) {
	header := "|"
	switch {
	case !strings.HasSuffix(s, "\n"):
		header = "|-"
	case strings.HasSuffix(s, "\n\n"):
		header = "|+"
	}
	w.b.WriteString(" " + header)
	w.nl()
	pad := strings.Repeat(" ", ind+w.step)
	for line := range strings.SplitSeq(strings.TrimRight(s, "\n"), "\n") {
		if line != "" {
			w.b.WriteString(pad + line)
		}
		w.b.WriteString("\n")
	}
	for range strings.Count(s, "\n") - strings.Count(strings.TrimRight(s, "\n"), "\n") - 1 {
		w.b.WriteString("\n")
	}
}

// block writes the collection n in block style at indentation ind.
func (w *yamlWriter) block(n *gnode, ind int) {
	pad := strings.Repeat(" ", ind)
	switch n.kind {
	case 's':
		for _, v := range n.vals {
			w.b.WriteString(pad + "-")
			if v.kind == 'm' && len(v.keys) > 0 && w.chance(0.7) {
				extra := w.r.IntN(3) + 1
				w.b.WriteString(strings.Repeat(" ", extra))
				w.mapping(v, ind+1+extra, true)
				continue
			}
			w.value(v, ind, false)
		}
	case 'm':
		w.mapping(n, ind, false)
	}
}

// mapping writes a block mapping at indentation ind; open says the first
// key's line is already open at that column.
func (w *yamlWriter) mapping(n *gnode, ind int, open bool) {
	pad := strings.Repeat(" ", ind)
	for i, k := range n.keys {
		if i > 0 || !open {
			w.b.WriteString(pad)
		}
		w.b.WriteString(w.scalar(k, false) + ":")
		w.value(n.vals[i], ind, true)
	}
}

func (g *gen) yaml(n *gnode) []byte {
	w := &yamlWriter{gen: g, step: 1 + g.r.IntN(4), crlf: g.chance(0.1)}
	if g.chance(0.05) {
		w.b.WriteString("# a manifest\n")
	}
	w.block(n, 0)
	return []byte(w.b.String())
}

func (g *gen) json(n *gnode) []byte {
	var b strings.Builder
	ws := func() {
		if g.chance(0.3) {
			b.WriteString([]string{" ", "\n", "\t", "\r\n  "}[g.r.IntN(4)])
		}
	}
	str := func(s string) {
		b.WriteByte('"')
		for _, r := range s {
			switch {
			case r == '"' || r == '\\':
				b.WriteString(`\` + string(r))
			case r < 0x20 || g.chance(0.03):
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
	}
	var write func(n *gnode)
	write = func(n *gnode) {
		ws()
		switch n.kind {
		case 'v':
			switch n.scalar {
			case "true", "false", "null", "123":
				if n.raw || g.chance(0.5) {
					b.WriteString(n.scalar)
					break
				}
				str(n.scalar)
			default:
				str(n.scalar)
			}
		case 's':
			b.WriteByte('[')
			for i, v := range n.vals {
				if i > 0 {
					b.WriteByte(',')
				}
				write(v)
			}
			ws()
			b.WriteByte(']')
		case 'm':
			b.WriteByte('{')
			for i, k := range n.keys {
				if i > 0 {
					b.WriteByte(',')
				}
				ws()
				str(k)
				ws()
				b.WriteByte(':')
				write(n.vals[i])
			}
			ws()
			b.WriteByte('}')
		}
		ws()
	}
	write(n)
	return []byte(b.String())
}

// generated returns the document of seed: a generated manifest in YAML or
// JSON, sometimes with a few bytes mutated.
func generated(seed uint64) []byte {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), noise: 0.15}
	if g.chance(0.5) {
		g.noise = 0.01
	}
	n := g.manifest()
	var doc []byte
	if g.chance(0.3) {
		doc = g.json(n)
	} else {
		doc = g.yaml(n)
	}
	if len(doc) > 0 && g.chance(0.15) {
		for range 1 + g.r.IntN(3) {
			const bytes = " :-#'\"[]{},\n\\|>&*!?x"
			doc[g.r.IntN(len(doc))] = bytes[g.r.IntN(len(bytes))]
		}
	}
	return doc
}

func checkGenerated(t *testing.T, seed uint64) (accepted bool) {
	doc := generated(seed)
	if looksLikeJSON(doc) {
		checkJSONReader(t, doc)
	} else {
		checkYAMLReader(t, doc)
	}
	return checkFastMatchesSlow(t, doc)
}

func TestFastPathMatchesSlowOnGeneratedDocuments(t *testing.T) {
	n := 600
	if testing.Short() {
		n = 100
	}
	accepted := 0
	for seed := range uint64(n) {
		if checkGenerated(t, seed) {
			accepted++
		}
	}
	t.Logf("fast path took %d of %d generated documents", accepted, n)
	require.Greater(t, accepted, n/20)
}

func FuzzFastPathGenerated(f *testing.F) {
	f.Add(uint64(0))
	f.Fuzz(func(t *testing.T, seed uint64) { checkGenerated(t, seed) })
}
