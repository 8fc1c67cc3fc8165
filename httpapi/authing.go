package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// authingRequest is a verified Authing request: its body, already read,
// and its query.
type authingRequest struct {
	body  []byte
	query url.Values
}

// decode reads the JSON body into v with the library's decoder.
func (a *authingRequest) decode(v any) error {
	return resreg.DecodeJSON(bytes.NewReader(a.body), v)
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
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				err = store.Invalid("body", "must be at most "+strconv.Itoa(resreg.MaxBodyBytes)+" bytes")
			}
			h.writeAuthing(w, r, nil, err)
			return
		}
		if err := h.verifyAuthing(r, body); err != nil {
			h.writeAuthing(w, r, nil, err)
			return
		}
		data, err := fn(r.Context(), &authingRequest{body: body, query: r.URL.Query()})
		h.writeAuthing(w, r, data, err)
	})
}

// verifyAuthing checks the signature, the date and the nonce. Failures
// are errUnauthorized with a reason that names no secret.
func (h *handler) verifyAuthing(r *http.Request, body []byte) error {
	if len(h.keys) == 0 {
		if h.noAuth {
			return nil
		}
		return unauthorized("no access key is configured")
	}
	keyID, sig, ok := parseAuthorization(r.Header.Get("Authorization"))
	if !ok {
		return unauthorized("authorization must be \"authing <accessKeyId>:<signature>\"")
	}
	secret, known := h.keys[keyID]
	candidates, err := StringToSign(r, body)
	if err != nil {
		return unauthorized("request cannot be verified: " + err.Error())
	}
	if !known {
		secret = "" // verify anyway, so an unknown key takes as long as a wrong signature
	}
	if !verifySignature(secret, sig, candidates) || !known {
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
	if !h.nonces.add(keyID+"\x00"+nonce, now) {
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
