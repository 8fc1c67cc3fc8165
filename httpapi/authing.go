package httpapi

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// authingRequest is a verified Authing request: its body, already read,
// and its query. When the signature check split the body on its fast
// path, params are its top-level keys and values (fast is then true).
type authingRequest struct {
	body   string
	query  url.Values
	params []signingParam
	fast   bool
}

// decode reads the JSON body into v with the library's decoder.
func (a *authingRequest) decode(v any) error {
	return resreg.DecodeJSON(strings.NewReader(a.body), v)
}

// onlyStrings reports whether the body, as the signature check split it,
// holds only JSON strings under keys among those given (exactly spelled):
// decoding it into a struct with those JSON names then gives the values
// param returns, and the handler need not decode it again. For any other
// body it reports false, and the caller decodes.
func (a *authingRequest) onlyStrings(keys []string) bool {
	if !a.fast || len(a.params) == 0 {
		return false
	}
	for _, p := range a.params {
		if !p.str || !slices.Contains(keys, p.key) {
			return false
		}
	}
	return true
}

// param is the split body's string under key; "" when absent.
func (a *authingRequest) param(key string) string {
	for _, p := range a.params {
		if p.key == key {
			return p.value
		}
	}
	return ""
}

// str is a query parameter.
func (a *authingRequest) str(key string) string { return a.query.Get(key) }

// list is a query array: "key[]=a&key[]=b" as the SDK sends it, or
// "key=a,b" as Authing's documentation allows.
func (a *authingRequest) list(key string) []string {
	if vals, ok := a.query[key+"[]"]; ok {
		return vals
	}
	if v := a.query.Get(key); v != "" {
		return strings.Split(v, ",")
	}
	return nil
}

// int is an integer query parameter; absent is 0.
func (a *authingRequest) int(key string) (int, error) {
	v := a.query.Get(key)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, store.Invalid(key, "must be an integer, got "+strconv.Quote(v))
	}
	return n, nil
}

// window reads page and limit as Authing pages.
func (a *authingRequest) window() (resreg.Window, error) {
	page, err := a.int("page")
	if err != nil {
		return resreg.Window{}, err
	}
	limit, err := a.int("limit")
	if err != nil {
		return resreg.Window{}, err
	}
	return resreg.AuthingWindow(page, limit)
}

type authingFunc func(ctx context.Context, req *authingRequest) (any, error)

// authing routes pattern to fn behind Authing's signature check.
func (h *handler) authing(pattern string, fn authingFunc) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				err = store.Invalid("body", "must be at most "+strconv.Itoa(resreg.MaxBodyBytes)+" bytes")
			}
			h.writeAuthing(w, r, nil, err)
			return
		}
		var query url.Values // a nil query reads as empty
		if r.URL.RawQuery != "" {
			query = r.URL.Query()
		}
		c := canonicalPool.Get().(*canonicalString)
		defer c.release()
		if err := h.verifyAuthing(r, query, body, c); err != nil {
			h.writeAuthing(w, r, nil, err)
			return
		}
		data, err := fn(r.Context(), &authingRequest{body: body, query: query, params: c.params, fast: c.fast})
		h.writeAuthing(w, r, data, err)
	})
}

// bodyBuffers are reused to read request bodies, which are kept as
// strings.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func readBody(body io.Reader) (string, error) {
	if body == nil || body == http.NoBody {
		return "", nil
	}
	b := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if b.Cap() <= 64<<10 {
			b.Reset()
			bodyBuffers.Put(b)
		}
	}()
	if _, err := b.ReadFrom(body); err != nil {
		return "", err
	}
	return b.String(), nil
}

// verifyAuthing checks the signature, the date and the nonce, building
// the string to sign in c. Failures are errUnauthorized with a reason
// that names no secret.
func (h *handler) verifyAuthing(r *http.Request, query url.Values, body string, c *canonicalString) error {
	if len(h.keys) == 0 {
		if h.noAuth {
			return nil
		}
		return unauthorized("no access key is configured")
	}
	var sig [sha1.Size]byte
	keyID, ok := parseAuthorization(r.Header.Get("Authorization"), &sig)
	if !ok {
		return unauthorized("authorization must be \"authing <accessKeyId>:<signature>\"")
	}
	macs, known := h.macs[keyID]
	if err := c.build(r, query, body); err != nil {
		return unauthorized("request cannot be verified: " + err.Error())
	}
	if !known {
		macs = h.unknownKey // verify anyway, so an unknown key takes as long as a wrong signature
	}
	if !macs.verify(c, sig[:]) || !known {
		return unauthorized("signature does not match")
	}
	date, err := http.ParseTime(r.Header.Get("Date"))
	if err != nil {
		return unauthorized("date header is missing or malformed")
	}
	now := h.now()
	if d := now.Sub(date); d > h.skew || d < -h.skew {
		return unauthorized("date is more than " + h.skew.String() + " from the server's clock")
	}
	nonce := r.Header.Get("X-Authing-Signature-Nonce")
	if nonce == "" {
		return unauthorized("x-authing-signature-nonce is required")
	}
	if !h.nonces.add(keyID, nonce, now) {
		return unauthorized("nonce was already used")
	}
	return nil
}

func unauthorized(reason string) error {
	return fmt.Errorf("%w: %s", errUnauthorized, reason)
}

// authingRoutes registers every Authing V3 endpoint.
func (h *handler) authingRoutes() {
	h.namespaceRoutes()
	h.resourceRoutes()
	h.dataResourceRoutes()
	h.permissionRoutes()
	h.dataPolicyRoutes()
	h.directoryRoutes()
}
