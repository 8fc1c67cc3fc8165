package httpapi

import (
	"encoding/json"
	"net/http"
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

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *handler) writeAuthing(w http.ResponseWriter, r *http.Request, data any, err error) {
	info := infoFrom(r)
	if err == nil {
		info.statusCode = http.StatusOK
		writeJSON(w, http.StatusOK, authingEnvelope{StatusCode: 200, Message: "success", RequestID: info.requestID, Data: data})
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
