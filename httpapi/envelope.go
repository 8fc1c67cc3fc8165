package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
)

// authingEnvelope is Authing V3's response body. apiCode is set on
// failures only; requestId always.
type authingEnvelope struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
	APICode    int    `json:"apiCode,omitempty"`
	RequestID  string `json:"requestId"`
	Data       any    `json:"data,omitempty"`
}

// enosEnvelope is EnOS's response body: code 0 and message "OK" on
// success.
type enosEnvelope struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"requestId"`
	Data      any    `json:"data"`
}

// jsonBuffer is a response body being encoded, with an encoder bound
// to it; both are reused.
type jsonBuffer struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var jsonBuffers = sync.Pool{New: func() any {
	b := new(jsonBuffer)
	b.enc = json.NewEncoder(&b.buf)
	return b
}}

func getJSONBuffer() *jsonBuffer { return jsonBuffers.Get().(*jsonBuffer) }

func (b *jsonBuffer) release() {
	if b.buf.Cap() > 64<<10 {
		return // an outsized response does not pin its buffer
	}
	b.buf.Reset()
	jsonBuffers.Put(b)
}

// writeJSON writes v as encoding/json's Encoder does (HTML-escaped, a
// newline after it). If v cannot be encoded, the body is empty.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b := getJSONBuffer()
	defer b.release()
	if err := b.enc.Encode(v); err != nil {
		b.buf.Reset()
	}
	writeBody(w, status, b.buf.Bytes())
}

// contentTypeJSON is shared by every response's header map: net/http only
// reads it, and Set or Add on the header replace or copy it.
var contentTypeJSON = []string{"application/json; charset=utf-8"}

// writeBody writes one whole body; net/http adds its Content-Length when
// it fits its buffer, and chunks it otherwise.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = contentTypeJSON
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// jsonAppender is data that writes its own JSON, as encoding/json would.
type jsonAppender interface {
	appendJSON([]byte) []byte
}

// writeAuthingSuccess writes the success envelope: the bytes
// writeJSON(authingEnvelope{StatusCode: 200, Message: "success",
// RequestID: id, Data: data}) would, without walking the envelope by
// reflection. The request ID is hex (newRequestID), so it needs no
// escaping.
func writeAuthingSuccess(w http.ResponseWriter, requestID string, data any) {
	b := getJSONBuffer()
	defer b.release()
	b.buf.WriteString(`{"statusCode":200,"message":"success","requestId":"`)
	b.buf.WriteString(requestID)
	b.buf.WriteByte('"')
	if data != nil {
		b.buf.WriteString(`,"data":`)
		if a, ok := data.(jsonAppender); ok {
			b.buf.Write(a.appendJSON(b.buf.AvailableBuffer()))
		} else if err := b.enc.Encode(data); err == nil {
			b.buf.Truncate(b.buf.Len() - 1) // the Encoder's newline
		} else {
			b.buf.Reset()
			writeBody(w, http.StatusOK, nil)
			return
		}
	}
	b.buf.WriteString("}\n")
	writeBody(w, http.StatusOK, b.buf.Bytes())
}

func (h *handler) writeAuthing(w http.ResponseWriter, r *http.Request, data any, err error) {
	info := infoFrom(r)
	if err == nil {
		info.statusCode = http.StatusOK
		writeAuthingSuccess(w, info.requestID, data)
		return
	}
	wc := codeFor(err)
	info.statusCode = wc.statusCode
	h.logFailure(r, err, wc.statusCode)
	writeJSON(w, wc.httpStatus, authingEnvelope{StatusCode: wc.statusCode, Message: publicMessage(err), APICode: wc.apiCode, RequestID: info.requestID})
}

func (h *handler) writeEnOS(w http.ResponseWriter, r *http.Request, data any, err error) {
	info := infoFrom(r)
	if err == nil {
		info.statusCode = 0
		writeJSON(w, http.StatusOK, enosEnvelope{Code: 0, Message: "OK", RequestID: info.requestID, Data: data})
		return
	}
	wc := codeFor(err)
	info.statusCode = wc.enosCode
	h.logFailure(r, err, wc.enosCode)
	writeJSON(w, wc.httpStatus, enosEnvelope{Code: wc.enosCode, Message: publicMessage(err), RequestID: info.requestID})
}

// logFailure keeps the detail of internal errors, which clients do not
// see.
func (h *handler) logFailure(r *http.Request, err error, code int) {
	if isInternal(err) {
		h.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "code", code, "error", err.Error(), "requestId", infoFrom(r).requestID)
	}
}
