package main

import (
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/resreg/resreg/httpapi"
)

// The x-authing headers authing-node-sdk sends on every request besides
// the nonce, with their string-to-sign lines. Sorted by name, the signed
// lines are date, these three around the nonce, and the version.
const (
	hdrLang    = "X-Authing-Lang: zh-CN\r\n"
	hdrMethod  = "X-Authing-Signature-Method: HMAC-SHA1\r\n"
	hdrVersion = "X-Authing-Signature-Version: 1.0\r\n"
	signLang   = "x-authing-lang:zh-CN\n"
	signMethod = "x-authing-signature-method:HMAC-SHA1\n"
	signNonce  = "x-authing-signature-nonce:"
	signVer    = "x-authing-signature-version:1.0\n"
)

// request is one request of a scenario before it is signed: the
// canonical resource (path and sorted parameters, as the server and the
// SDK form it) is computed once per body.
type request struct {
	method, target string // target: path and raw query
	body           []byte
	resource       string
	signed         bool
}

// newRequest computes the canonical resource of a request with
// httpapi.StringToSign, the server's own canonical form: with no signed
// headers the string to sign is the method line and the resource.
func newRequest(method, target string, body []byte) (request, error) {
	r, err := http.NewRequest(method, "http://x"+target, nil)
	if err != nil {
		return request{}, err
	}
	s, err := httpapi.StringToSign(r, body)
	if err != nil {
		return request{}, err
	}
	return request{method: method, target: target, body: body, resource: strings.TrimPrefix(s[0], method+"\n"), signed: true}, nil
}

// signer writes the wire bytes of signed requests for one connection,
// signing as authing-node-sdk does: a fresh date and nonce on every
// request, HMAC-SHA1 over the string to sign. What does not change
// between requests (the hmac's keyed state, the formatted date within one
// second, the buffers) is kept, so the generator spends little of the
// cores it shares with the server.
type signer struct {
	keyID   string
	host    string
	mac     hash.Hash
	rng     *rand.ChaCha8
	dateSec int64
	date    []byte
	nonce   [32]byte
	sts     []byte // string to sign
	sum     []byte
	sig     [28]byte // base64 of a SHA-1 sum
}

func newSigner(keyID, secret, host string) *signer {
	var seed [32]byte
	_, _ = crand.Read(seed[:])
	return &signer{keyID: keyID, host: host, mac: hmac.New(sha1.New, []byte(secret)), rng: rand.NewChaCha8(seed), dateSec: -1}
}

// setDate formats now as the Date header, once a second.
func (s *signer) setDate(now time.Time) {
	if sec := now.Unix(); sec != s.dateSec {
		s.dateSec = sec
		s.date = now.UTC().AppendFormat(s.date[:0], http.TimeFormat)
	}
}

// newNonce draws 16 random bytes, as hex.
func (s *signer) newNonce() {
	var b [16]byte
	_, _ = s.rng.Read(b[:])
	hex.Encode(s.nonce[:], b[:])
}

// authorization signs r at the current date and nonce.
func (s *signer) authorization(r *request) []byte {
	st := append(s.sts[:0], r.method...)
	st = append(st, "\ndate:"...)
	st = append(st, s.date...)
	st = append(st, '\n')
	st = append(st, signLang...)
	st = append(st, signMethod...)
	st = append(st, signNonce...)
	st = append(st, s.nonce[:]...)
	st = append(st, '\n')
	st = append(st, signVer...)
	st = append(st, r.resource...)
	s.sts = st
	s.mac.Reset()
	s.mac.Write(st)
	s.sum = s.mac.Sum(s.sum[:0])
	base64.StdEncoding.Encode(s.sig[:], s.sum)
	return s.sig[:]
}

// appendRequest appends r's HTTP/1.1 bytes, signed at now, to dst.
func (s *signer) appendRequest(dst []byte, r *request, now time.Time) []byte {
	dst = append(dst, r.method...)
	dst = append(dst, ' ')
	dst = append(dst, r.target...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, s.host...)
	dst = append(dst, "\r\n"...)
	if len(r.body) > 0 {
		dst = append(dst, "Content-Type: application/json\r\nContent-Length: "...)
		dst = strconv.AppendInt(dst, int64(len(r.body)), 10)
		dst = append(dst, "\r\n"...)
	}
	if r.signed {
		s.setDate(now)
		s.newNonce()
		sig := s.authorization(r)
		dst = append(dst, hdrLang...)
		dst = append(dst, hdrMethod...)
		dst = append(dst, hdrVersion...)
		dst = append(dst, "X-Authing-Signature-Nonce: "...)
		dst = append(dst, s.nonce[:]...)
		dst = append(dst, "\r\nDate: "...)
		dst = append(dst, s.date...)
		dst = append(dst, "\r\nAuthorization: authing "...)
		dst = append(dst, s.keyID...)
		dst = append(dst, ':')
		dst = append(dst, sig...)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "\r\n"...)
	return append(dst, r.body...)
}
