package resreg

// The fast path of DecodeManifest reads a document into a flat list of
// events (a mapping's keys and values alternate, a sequence's items follow
// each other, each collection closed by evEnd) and builds the Manifest from
// them. Events hold offsets into the document rather than strings, so the
// list holds no pointers for the collector to scan, and the strings of the
// Manifest share the document's memory.

type evKind uint8

const (
	evMap     evKind = iota + 1 // a mapping; then key, value, ... evEnd
	evSeq                       // a sequence; then its items, evEnd
	evEnd                       // closes the innermost mapping or sequence
	evNull                      // a null scalar
	evTrue                      // a scalar that decodes as the boolean true
	evFalse                     // a scalar that decodes as the boolean false
	evText                      // any other scalar: its value is src[a:b]
	evDecoded                   // a scalar whose value differs from its text: decoded[a]
)

type event struct {
	kind evKind
	// a, b: the text of an evText; a the index in decoded of an
	// evDecoded, the number of items (pairs for a mapping) of an evMap or
	// evSeq.
	a, b int32
}

// events is a document read by a fast reader.
type events struct {
	src     string
	ev      []event
	decoded []string
}

func (e *events) add(k evKind) { e.ev = append(e.ev, event{kind: k}) }

// open adds the start of a collection and returns its index for close.
func (e *events) open(k evKind) int {
	e.add(k)
	return len(e.ev) - 1
}

// close ends the collection started at index at, of n items.
func (e *events) close(at, n int) {
	e.ev[at].a = int32(n)
	e.add(evEnd)
}
func (e *events) addText(k evKind, a, b int) {
	e.ev = append(e.ev, event{kind: k, a: int32(a), b: int32(b)})
}
func (e *events) addDecoded(s string) {
	e.ev = append(e.ev, event{kind: evDecoded, a: int32(len(e.decoded))})
	e.decoded = append(e.decoded, s)
}

// text is the value of a scalar event as the YAML parser's node would hold
// it (Node.Value): "" for a null.
func (e *events) text(ev event) string {
	switch ev.kind {
	case evTrue:
		return "true"
	case evFalse:
		return "false"
	case evText:
		return e.src[ev.a:ev.b]
	case evDecoded:
		return e.decoded[ev.a]
	}
	return ""
}

// refusal is the panic value with which a fast reader gives up on a
// document, recovered by fastManifest: the document is then read by the
// slow path, which names the problem if there is one.
type refusal struct{}

func refuse() { panic(refusal{}) }

// maxFastDepth bounds the nesting the fast readers follow; deeper
// documents (far deeper than a manifest's checks allow) take the slow
// path.
const maxFastDepth = 128
