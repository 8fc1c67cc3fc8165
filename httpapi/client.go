package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"
)

// SignAuthing signs r as authing-node-sdk 4.0.1 does: it sets the SDK's
// x-authing-* headers, date and authorization. body is r's body (nil for
// GET). Query arrays must be in the SDK's form, "key[]=value". An empty
// nonce is replaced by a random one. It is the signer of tests and of the
// load generator; the server verifies with the same canonical form.
func SignAuthing(r *http.Request, body []byte, keyID, secret string, date time.Time, nonce string) error {
	if nonce == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		nonce = hex.EncodeToString(b[:])
	}
	r.Header.Set("X-Authing-Signature-Nonce", nonce)
	r.Header.Set("X-Authing-Signature-Method", "HMAC-SHA1")
	r.Header.Set("X-Authing-Signature-Version", "1.0")
	r.Header.Set("X-Authing-Lang", "zh-CN")
	r.Header.Set("Date", date.UTC().Format(http.TimeFormat))
	if len(body) > 0 {
		r.Header.Set("Content-Type", "application/json")
	}
	candidates, err := StringToSign(r, body)
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", Sign(keyID, secret, candidates[0]))
	return nil
}
