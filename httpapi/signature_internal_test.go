package httpapi

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// bodyParamsSeeds cover what the fast path splits and what it leaves to
// encoding/json.
var bodyParamsSeeds = []string{
	`{}`, ` { } `, `{"a":"x"}`, `{"userId":"u1","namespace":"default","resource":"r","action":"read"}`,
	`{"code":"c1","type":"API","name":"Name é","actions":[{"name":"read","description":"读"}],"n":null,"k":1.5,"b":true}`,
	`{"a" : [ 1 , 2 ] , "b" : { "c" : "d e" } }`, `{"a":"x\"y"}`, `{"a\u0062":1}`, `{"a":"\u2028"}`,
	`{"a":1,"a":2}`, `{"a":1}{}`, `{"a":1} x`, `{"a":1,}`, `{"a":}`, `{"a":tru}`, `{"a":01}`, `{"a":1]`,
	`{"a":[}`, `{"a":"` + "\xff" + `"}`, `{"a":"` + "\x01" + `"}`, `[1]`, `"s"`, `{"a":1e3,"b":-0.5,"c":"]}"}`,
	"\u00a0{}", "{}\u00a0", `{"a":{"b":"}"}}`, `{"a":"\\"}`, `{"a":[1,"]",{"x":"\"]"}]}`,
}

// The fast split either declines or gives exactly what encoding/json's
// tokenizer gives, keys, values and order alike.
func FuzzFastBodyParams(f *testing.F) {
	for _, s := range bodyParamsSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fast, ok := fastBodyParams(body, nil)
		if !ok {
			return
		}
		slow, err := decodeBodyParams(body)
		require.NoError(t, err, "the fast path accepted what encoding/json refuses: %q", body)
		require.Equal(t, slow, fast, "body %q", body)
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &v), "one object and nothing after it: %q", body)
	})
}

func TestFastBodyParamsSeeds(t *testing.T) {
	accepted := 0
	for _, body := range bodyParamsSeeds {
		fast, ok := fastBodyParams(body, nil)
		slow, err := decodeBodyParams(body)
		if ok {
			accepted++
			require.NoError(t, err, body)
			require.Equal(t, slow, fast, body)
		}
		got, _, gotErr := bodyParams(body, nil)
		if err != nil {
			require.Error(t, gotErr, body)
		} else {
			require.NoError(t, gotErr, body)
			require.Equal(t, slow, got, body)
		}
	}
	require.GreaterOrEqual(t, accepted, 6, "the common bodies take the fast path")
	_, ok := fastBodyParams(`{"userId":"u1","namespace":"default","resource":"r","action":"read"}`, nil)
	require.True(t, ok)
}

func TestCanonicalHeadersRefuseACaseVariant(t *testing.T) {
	h := http.Header{}
	h["X-Authing-Lang"] = []string{"zh-CN"}
	h["x-authing-lang"] = []string{"en-US"}
	_, _, err := appendCanonicalHeaders(nil, h, nil)
	require.ErrorContains(t, err, "x-authing-lang is repeated")
}

func TestCompareUTF16(t *testing.T) {
	// U+FF61 is one UTF-16 unit above the surrogates of U+1F600: byte
	// order and UTF-16 order disagree there.
	require.Less(t, compareUTF16("\U0001F600", "\uFF61"), 0)
	require.Greater(t, strings.Compare("\U0001F600", "\uFF61"), 0)
	require.Less(t, compareUTF16("a", "b"), 0)
	require.Less(t, compareUTF16("a", "ab"), 0)
	require.Zero(t, compareUTF16("ab", "ab"))
}

// Pooled HMACs of several keys used at once each verify their own
// signatures and nothing else.
func TestMacPoolConcurrent(t *testing.T) {
	secrets := []string{"s1", "s2", "a much longer secret than sha1's block size, longer than sixty-four bytes"}
	pools := make([]*macPool, len(secrets))
	for i, s := range secrets {
		pools[i] = newMacPool(s)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				c := &canonicalString{buf: []byte("POST\n/p?i=" + strconv.Itoa(g*1000+i)), noParams: i%3 == 0}
				k := (g + i) % len(secrets)
				candidate := string(c.buf)
				if c.noParams && i%2 == 0 {
					candidate += "?"
				}
				sig := sign(secrets[k], candidate)
				for j, p := range pools {
					if got := p.verify(c, sig); got != (j == k) {
						errs <- "key " + strconv.Itoa(j) + " on a signature of key " + strconv.Itoa(k) + ": " + strconv.FormatBool(got)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func sign(secret, s string) []byte {
	v := Sign("k", secret, s)
	sig, err := base64.StdEncoding.DecodeString(v[strings.IndexByte(v, ':')+1:])
	if err != nil || len(sig) != sha1.Size {
		panic(v)
	}
	return sig
}

func TestParseAuthorization(t *testing.T) {
	var sig [sha1.Size]byte
	good := base64.StdEncoding.EncodeToString(make([]byte, sha1.Size))
	id, ok := parseAuthorization("authing key:"+good, &sig)
	require.True(t, ok)
	require.Equal(t, "key", id)
	for _, h := range []string{"", "authing key", "authing :" + good, "Bearer key:" + good, "authing key:" + good[:20],
		"authing key:" + base64.StdEncoding.EncodeToString(make([]byte, 21)), "authing key:" + strings.Repeat("A", 100), "authing key:!!!!"} {
		_, ok := parseAuthorization(h, &sig)
		require.False(t, ok, h)
	}
}

// The hand-written success envelope is byte for byte what encoding/json
// writes for authingEnvelope.
func TestSuccessEnvelopeMatchesEncodingJSON(t *testing.T) {
	type page struct {
		TotalCount int      `json:"totalCount"`
		List       []string `json:"list"`
	}
	var nilPage *page
	for _, data := range []any{nil, allowedDTO{true}, allowedDTO{false}, successDTO{Success: true},
		page{1, []string{"<&>", "\u2028"}}, nilPage, map[string]int{"b": 2, "a": 1}, "s", 3} {
		rec := httptest.NewRecorder()
		writeAuthingSuccess(rec, "0123456789abcdef0123456789abcdef", data)
		want, err := json.Marshal(authingEnvelope{StatusCode: 200, Message: "success", RequestID: "0123456789abcdef0123456789abcdef", Data: data})
		require.NoError(t, err)
		require.Equal(t, string(want)+"\n", rec.Body.String())
		require.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	}
	rec := httptest.NewRecorder()
	writeAuthingSuccess(rec, "id", func() {})
	require.Empty(t, rec.Body.String(), "data that cannot be encoded: no body, as before")
}

// The fuzz target's property over seeded random mutations of its seeds,
// so that every test run checks a few thousand bodies near the edges
// (quotes, escapes, brackets, whitespace, bytes that are not UTF-8).
func TestFastBodyParamsMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{`"`, `\`, `{`, `}`, `[`, `]`, `,`, `:`, ` `, "\t", "\n", "\u00a0", "\xff", "\x01", `a`, `1`, `e`, `-`, `.`,
		`true`, `null`, `\u0041`, `\"`, "é", "\U0001F600"}
	fastTaken := 0
	for range 20000 {
		b := []byte(bodyParamsSeeds[rng.IntN(len(bodyParamsSeeds))])
		for range 1 + rng.IntN(3) {
			at := rng.IntN(len(b) + 1)
			ins := alphabet[rng.IntN(len(alphabet))]
			switch rng.IntN(3) {
			case 0: // insert
				b = append(b[:at], append([]byte(ins), b[at:]...)...)
			case 1: // delete one byte
				if at < len(b) {
					b = append(b[:at], b[at+1:]...)
				}
			default: // replace one byte
				if at < len(b) {
					b = append(b[:at], append([]byte(ins), b[at+1:]...)...)
				}
			}
		}
		body := string(b)
		fast, ok := fastBodyParams(body, nil)
		if !ok {
			continue
		}
		fastTaken++
		slow, err := decodeBodyParams(body)
		require.NoError(t, err, "the fast path accepted what encoding/json refuses: %q", body)
		require.Equal(t, slow, fast, "body %q", body)
		require.True(t, json.Valid(b), "one JSON value and nothing after it: %q", body)
	}
	require.Greater(t, fastTaken, 1000)
}
