package httpapi

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Authing V3 request signing, as authing-node-sdk 4.0.1 computes it. The
// string to sign is
//
//	METHOD "\n"
//	name ":" value "\n"   for each x-authing-* header and date, sorted by name
//	path [ "?" key "=" value ("&" key "=" value)* ]
//
// where the parameters are the GET query or the top-level keys of the POST
// body, sorted by key in UTF-16 order; strings are signed raw, everything
// else as compact JSON (JSON.stringify). The SDK signs "path?" when the
// parameter object has keys whose values are all undefined, which the wire
// cannot show, so with no parameters both "path" and "path?" verify.
//
// The authorization header is "authing " keyID ":" base64(HMAC-SHA1(secret, S)).

const authScheme = "authing "

// signingParam is one parameter as the SDK signs it. str says the value
// was a JSON string (value is then the decoded string, not JSON).
type signingParam struct {
	key, value string
	str        bool
}

// headerBlanks turns the characters the SDK blanks in header values into
// spaces.
var headerBlanks = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ", "\f", " ")

// headerLine is one signed header: its name as given (lowercased when
// written) and its value.
type headerLine struct{ name, value string }

// signedHeader reports whether a header takes part in the signature:
// date and x-authing-*, in any case.
func signedHeader(name string) bool {
	const prefix = "x-authing-"
	return strings.EqualFold(name, "date") || len(name) >= len(prefix) && strings.EqualFold(name[:len(prefix)], prefix)
}

// compareLower orders header names as their lowercase forms.
func compareLower(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if ca, cb := lower(a[i]), lower(b[i]); ca != cb {
			return int(ca) - int(cb)
		}
	}
	return len(a) - len(b)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// appendCanonicalHeaders appends the x-authing-* and date header lines,
// sorted, to dst; lines is scratch space. A header repeated on the wire
// (or given twice in different cases) is ambiguous and refused.
func appendCanonicalHeaders(dst []byte, h http.Header, lines []headerLine) ([]byte, []headerLine, error) {
	lines = lines[:0]
	for name, vals := range h {
		if !signedHeader(name) {
			continue
		}
		if len(vals) != 1 {
			return dst, lines, errors.New("header " + strings.ToLower(name) + " is repeated")
		}
		v := vals[0]
		if strings.ContainsAny(v, "\t\n\r\f") {
			v = headerBlanks.Replace(v)
		}
		lines = append(lines, headerLine{name, strings.TrimSpace(v)})
	}
	// A handful of lines: insertion sort, no allocation.
	for i := 1; i < len(lines); i++ {
		for j := i; j > 0 && compareLower(lines[j-1].name, lines[j].name) > 0; j-- {
			lines[j-1], lines[j] = lines[j], lines[j-1]
		}
	}
	for i, l := range lines {
		if i > 0 && compareLower(lines[i-1].name, l.name) == 0 {
			return dst, lines, errors.New("header " + strings.ToLower(l.name) + " is repeated")
		}
		for j := 0; j < len(l.name); j++ {
			dst = append(dst, lower(l.name[j]))
		}
		dst = append(dst, ':')
		dst = append(dst, l.value...)
		dst = append(dst, '\n')
	}
	return dst, lines, nil
}

// queryParams reads a GET query as the SDK signs it: "k[]=a&k[]=b" is the
// array k, signed as ["a","b"]; any other repeated key is refused.
func queryParams(q url.Values) ([]signingParam, error) {
	var arrays map[string][]string
	var out []signingParam
	for key, vals := range q {
		if name, ok := strings.CutSuffix(key, "[]"); ok {
			if arrays == nil {
				arrays = map[string][]string{}
			}
			arrays[name] = vals
			continue
		}
		if len(vals) != 1 {
			return nil, errors.New("query parameter " + strconv.Quote(key) + " is repeated")
		}
		out = append(out, signingParam{key: key, value: vals[0], str: true})
	}
	for name, vals := range arrays {
		if q.Has(name) {
			return nil, errors.New("query parameter " + strconv.Quote(name) + " is given both as a value and as an array")
		}
		out = append(out, signingParam{key: name, value: jsStringArray(vals)})
	}
	return out, nil
}

// bodyParams reads the top-level keys of a JSON object body into out. An
// empty body has none; anything but one object is refused, as is a
// repeated key (JSON.stringify never writes one, and readers disagree on
// which wins). The common body (plain keys, strings without escapes) is
// split in place by fastBodyParams; any other goes through encoding/json,
// which decides every case the fast path declines; fast says which one
// answered.
func bodyParams(body string, out []signingParam) (params []signingParam, fast bool, err error) {
	if strings.TrimSpace(body) == "" {
		return out[:0], false, nil
	}
	if params, ok := fastBodyParams(body, out[:0]); ok {
		return params, true, nil
	}
	params, err = decodeBodyParams(body)
	return params, false, err
}

// decodeBodyParams is bodyParams through encoding/json's tokenizer.
func decodeBodyParams(body string) ([]signingParam, error) {
	dec := json.NewDecoder(strings.NewReader(body))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errors.New("body is not a JSON object")
	}
	var out []signingParam
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("body is not a JSON object")
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, errors.New("body repeats key " + strconv.Quote(key))
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, errors.New("body is not a JSON object")
		}
		p := signingParam{key: key}
		if len(raw) > 0 && raw[0] == '"' {
			if err := json.Unmarshal(raw, &p.value); err != nil {
				return nil, errors.New("body is not a JSON object")
			}
			p.str = true
		} else {
			var compact bytes.Buffer
			if err := json.Compact(&compact, raw); err != nil {
				return nil, errors.New("body is not a JSON object")
			}
			p.value = compact.String()
		}
		out = append(out, p)
	}
	if _, err := dec.Token(); err != nil {
		return nil, errors.New("body is not a JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("body holds more than one JSON value")
	}
	return out, nil
}

// maxFastParams is how many keys fastBodyParams checks for repeats by
// comparing each with the others.
const maxFastParams = 16

// fastBodyParams splits a JSON object into its top-level keys and
// values without decoding it: keys and string values are substrings of
// body. It reports false, and leaves the body to decodeBodyParams, for
// anything it does not prove to be one well-formed object made only of
// what it reads the same way as encoding/json: a key or string with an
// escape, a byte below 0x20 or invalid UTF-8 in one, a repeated key, more
// than maxFastParams keys, or anything after the object but JSON
// whitespace. Objects and arrays are validated and compacted by
// json.Compact, numbers by json.Valid.
func fastBodyParams(body string, out []signingParam) ([]signingParam, bool) {
	i := skipWS(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	i = skipWS(body, i+1)
	if i < len(body) && body[i] == '}' {
		return out, skipWS(body, i+1) == len(body)
	}
	for {
		key, j, ok := plainString(body, i)
		if !ok {
			return nil, false
		}
		if len(out) == maxFastParams {
			return nil, false
		}
		for _, p := range out {
			if p.key == key {
				return nil, false
			}
		}
		i = skipWS(body, j)
		if i >= len(body) || body[i] != ':' {
			return nil, false
		}
		i = skipWS(body, i+1)
		if i >= len(body) {
			return nil, false
		}
		p := signingParam{key: key}
		switch c := body[i]; {
		case c == '"':
			p.value, j, ok = plainString(body, i)
			p.str = true
		case c == '{' || c == '[':
			j, ok = valueEnd(body, i)
			if ok {
				p.value, ok = compactValue(body[i:j])
			}
		default:
			j = i
			for j < len(body) && !isWS(body[j]) && body[j] != ',' && body[j] != '}' {
				j++
			}
			p.value = body[i:j]
			ok = j > i && json.Valid([]byte(p.value))
		}
		if !ok {
			return nil, false
		}
		out = append(out, p)
		i = skipWS(body, j)
		if i >= len(body) {
			return nil, false
		}
		switch body[i] {
		case ',':
			i = skipWS(body, i+1)
		case '}':
			return out, skipWS(body, i+1) == len(body)
		default:
			return nil, false
		}
	}
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipWS skips JSON whitespace from i.
func skipWS(s string, i int) int {
	for i < len(s) && isWS(s[i]) {
		i++
	}
	return i
}

// plainString reads the JSON string at s[i] when it needs no decoding: no
// escape, no control byte, valid UTF-8. It returns its content and the
// index after its closing quote.
func plainString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	ascii := true
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			v := s[i+1 : j]
			if !ascii && !utf8.ValidString(v) {
				return "", 0, false
			}
			return v, j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", 0, false
}

// valueEnd finds the end of the object or array at s[i] by matching
// brackets outside strings; the value is validated afterwards.
func valueEnd(s string, i int) (int, bool) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '"':
			for j++; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			if j >= len(s) {
				return 0, false
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1, true
			}
		}
	}
	return 0, false
}

// compactValue is the object or array v as JSON.stringify writes it,
// refusing v unless it is valid JSON.
func compactValue(v string) (string, bool) {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(v)); err != nil {
		return "", false
	}
	if b.Len() == len(v) {
		return v, true
	}
	return b.String(), true
}

// canonicalString is the string to sign of one request, built in a
// reused buffer: the method, the signed headers, then the canonical
// resource (the path and the sorted parameters). With no parameters
// "path" and "path?" are both candidates; noParams says so.
type canonicalString struct {
	buf      []byte
	lines    []headerLine
	params   []signingParam
	noParams bool
	fast     bool // params are a body's, split by fastBodyParams
}

var canonicalPool = sync.Pool{New: func() any { return new(canonicalString) }}

// build fills c for r, whose query is query and body (already read) is
// body. It keeps the parameters in c.params.
func (c *canonicalString) build(r *http.Request, query url.Values, body string) error {
	c.buf = append(c.buf[:0], r.Method...)
	c.buf = append(c.buf, '\n')
	var err error
	if c.buf, c.lines, err = appendCanonicalHeaders(c.buf, r.Header, c.lines); err != nil {
		return err
	}
	c.fast = false
	if r.Method == http.MethodGet {
		c.params, err = queryParams(query)
	} else {
		c.params, c.fast, err = bodyParams(body, c.params)
	}
	if err != nil {
		return err
	}
	c.buf = appendCanonicalResource(c.buf, r.URL.Path, c.params)
	c.noParams = len(c.params) == 0
	return nil
}

// release returns c to the pool; the parameters it kept must no longer
// be used.
func (c *canonicalString) release() {
	if cap(c.buf) > 64<<10 || cap(c.params) > 1024 {
		return // an outsized request does not pin its buffers
	}
	clear(c.params)
	clear(c.lines)
	c.params, c.lines = c.params[:0], c.lines[:0]
	c.noParams, c.fast = false, false
	canonicalPool.Put(c)
}

// appendCanonicalResource appends the path and the parameters sorted by
// key; with no parameters the path alone.
func appendCanonicalResource(dst []byte, path string, params []signingParam) []byte {
	dst = append(dst, path...)
	if len(params) == 0 {
		return dst
	}
	for i := 1; i < len(params); i++ {
		for j := i; j > 0 && compareUTF16(params[j-1].key, params[j].key) > 0; j-- {
			params[j-1], params[j] = params[j], params[j-1]
		}
	}
	dst = append(dst, '?')
	for i, p := range params {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.key...)
		dst = append(dst, '=')
		dst = append(dst, p.value...)
	}
	return dst
}

// StringToSign returns the strings an SDK could have signed for r, whose
// body (already read) is body: one, or two when the request carries no
// parameters ("path" and "path?").
func StringToSign(r *http.Request, body []byte) ([]string, error) {
	c := canonicalPool.Get().(*canonicalString)
	defer c.release()
	if err := c.build(r, r.URL.Query(), string(body)); err != nil {
		return nil, err
	}
	s := string(c.buf)
	if c.noParams {
		return []string{s, s + "?"}, nil
	}
	return []string{s}, nil
}

// Sign returns the authorization header value for the string to sign.
func Sign(keyID, secret, stringToSign string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return authScheme + keyID + ":" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// macPool keeps keyed HMAC-SHA1 instances of one secret: keying one
// (hashing the padded secret twice) costs as much as the rest of a
// small request's MAC, and Reset returns a used one to its keyed state.
type macPool struct{ pool sync.Pool }

type macState struct {
	h   hash.Hash
	sum [sha1.Size]byte
}

func newMacPool(secret string) *macPool {
	key := []byte(secret)
	return &macPool{pool: sync.Pool{New: func() any { return &macState{h: hmac.New(sha1.New, key)} }}}
}

// verify reports whether sig is the MAC of one of the candidates of c,
// comparing each in constant time.
func (p *macPool) verify(c *canonicalString, sig []byte) bool {
	m := p.pool.Get().(*macState)
	defer p.pool.Put(m)
	m.h.Reset()
	m.h.Write(c.buf)
	ok := subtle.ConstantTimeCompare(m.h.Sum(m.sum[:0]), sig)
	if c.noParams {
		m.h.Reset()
		m.h.Write(c.buf)
		m.h.Write(question)
		ok |= subtle.ConstantTimeCompare(m.h.Sum(m.sum[:0]), sig)
	}
	return ok == 1
}

var question = []byte("?")

// parseAuthorization splits "authing <id>:<base64 signature>" and
// decodes the signature into sig.
func parseAuthorization(h string, sig *[sha1.Size]byte) (keyID string, ok bool) {
	rest, ok := strings.CutPrefix(h, authScheme)
	if !ok {
		return "", false
	}
	keyID, enc, ok := strings.Cut(rest, ":")
	if !ok || keyID == "" || len(enc) > 64 {
		return "", false
	}
	var buf [48]byte
	n, err := base64.StdEncoding.Decode(buf[:], []byte(enc))
	if err != nil || n != sha1.Size {
		return "", false
	}
	copy(sig[:], buf[:n])
	return keyID, true
}

// jsStringArray writes strings as JSON.stringify writes an array of them.
func jsStringArray(items []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSString(&b, s)
	}
	b.WriteByte(']')
	return b.String()
}

// writeJSString quotes s as JSON.stringify does: unlike encoding/json it
// leaves <, >, &, U+2028 and U+2029 as they are.
func writeJSString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hex[r>>4])
				b.WriteByte(hex[r&0xf])
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// compareUTF16 orders strings as JavaScript's default sort does: by UTF-16
// code units, which differs from byte order above U+FFFF. Keys that are
// not valid UTF-8 can decode alike; bytes break the tie, so the order
// never depends on map iteration.
func compareUTF16(a, b string) int {
	if isASCII(a) && isASCII(b) {
		return strings.Compare(a, b)
	}
	if c := slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b))); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
