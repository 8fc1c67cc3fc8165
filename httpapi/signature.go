package httpapi

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
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

// signingParam is one parameter as the SDK signs it.
type signingParam struct {
	key, value string
}

// headerBlanks turns the characters the SDK blanks in header values into
// spaces.
var headerBlanks = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ", "\f", " ")

// canonicalHeaders returns the x-authing-* and date header lines, sorted.
// A header repeated on the wire is ambiguous and refused.
func canonicalHeaders(h http.Header) (string, error) {
	type line struct{ name, value string }
	var lines []line
	for name, vals := range h {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, "x-authing-") && lower != "date" {
			continue
		}
		if len(vals) != 1 {
			return "", errors.New("header " + lower + " is repeated")
		}
		v := headerBlanks.Replace(vals[0])
		lines = append(lines, line{lower, strings.TrimSpace(v)})
	}
	slices.SortFunc(lines, func(a, b line) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.name)
		b.WriteByte(':')
		b.WriteString(l.value)
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// queryParams reads a GET query as the SDK signs it: "k[]=a&k[]=b" is the
// array k, signed as ["a","b"]; any other repeated key is refused.
func queryParams(q url.Values) ([]signingParam, error) {
	arrays := map[string][]string{}
	var out []signingParam
	for key, vals := range q {
		if name, ok := strings.CutSuffix(key, "[]"); ok {
			arrays[name] = vals
			continue
		}
		if len(vals) != 1 {
			return nil, errors.New("query parameter " + strconv.Quote(key) + " is repeated")
		}
		out = append(out, signingParam{key, vals[0]})
	}
	for name, vals := range arrays {
		if q.Has(name) {
			return nil, errors.New("query parameter " + strconv.Quote(name) + " is given both as a value and as an array")
		}
		out = append(out, signingParam{name, jsStringArray(vals)})
	}
	return out, nil
}

// bodyParams reads the top-level keys of a JSON object body. An empty body
// has none; anything but one object is refused, as is a repeated key
// (JSON.stringify never writes one, and readers disagree on which wins).
func bodyParams(body []byte) ([]signingParam, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
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
		var value string
		if len(raw) > 0 && raw[0] == '"' {
			if err := json.Unmarshal(raw, &value); err != nil {
				return nil, errors.New("body is not a JSON object")
			}
		} else {
			var compact bytes.Buffer
			if err := json.Compact(&compact, raw); err != nil {
				return nil, errors.New("body is not a JSON object")
			}
			value = compact.String()
		}
		out = append(out, signingParam{key, value})
	}
	if _, err := dec.Token(); err != nil {
		return nil, errors.New("body is not a JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("body holds more than one JSON value")
	}
	return out, nil
}

// canonicalResource is the path and the sorted parameters; with no
// parameters it returns the path alone.
func canonicalResource(path string, params []signingParam) string {
	if len(params) == 0 {
		return path
	}
	slices.SortFunc(params, func(a, b signingParam) int { return compareUTF16(a.key, b.key) })
	var b strings.Builder
	b.WriteString(path)
	b.WriteByte('?')
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// StringToSign returns the strings an SDK could have signed for r, whose
// body (already read) is body: one, or two when the request carries no
// parameters ("path" and "path?").
func StringToSign(r *http.Request, body []byte) ([]string, error) {
	headers, err := canonicalHeaders(r.Header)
	if err != nil {
		return nil, err
	}
	var params []signingParam
	if r.Method == http.MethodGet {
		params, err = queryParams(r.URL.Query())
	} else {
		params, err = bodyParams(body)
	}
	if err != nil {
		return nil, err
	}
	head := r.Method + "\n" + headers
	s := head + canonicalResource(r.URL.Path, params)
	if len(params) == 0 {
		return []string{s, s + "?"}, nil
	}
	return []string{s}, nil
}

// Sign returns the authorization header value for the string to sign.
func Sign(keyID, secret, stringToSign string) string {
	return authScheme + keyID + ":" + base64.StdEncoding.EncodeToString(mac(secret, stringToSign))
}

func mac(secret, s string) []byte {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(s))
	return m.Sum(nil)
}

// parseAuthorization splits "authing <id>:<base64 signature>".
func parseAuthorization(h string) (keyID string, sig []byte, ok bool) {
	rest, ok := strings.CutPrefix(h, authScheme)
	if !ok {
		return "", nil, false
	}
	keyID, enc, ok := strings.Cut(rest, ":")
	if !ok || keyID == "" {
		return "", nil, false
	}
	sig, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(sig) != sha1.Size {
		return "", nil, false
	}
	return keyID, sig, true
}

// verifySignature reports whether sig signs one of the candidates with
// secret, comparing in constant time.
func verifySignature(secret string, sig []byte, candidates []string) bool {
	ok := 0
	for _, s := range candidates {
		ok |= subtle.ConstantTimeCompare(mac(secret, s), sig)
	}
	return ok == 1
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
	if c := slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b))); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}
