package httpapi

import (
	"errors"
	"net/http"

	"github.com/resreg/resreg"
)

// errUnauthorized is a missing or wrong credential: Authing's statusCode
// 401, EnOS code 31401, and HTTP 401 on both wires.
var errUnauthorized = errors.New("unauthorized")

// wireCode is how one error travels: the Authing statusCode and apiCode,
// the EnOS code, and the HTTP status (200 for business errors, which the
// SDK expects in the body; it throws on any other status).
type wireCode struct {
	statusCode int
	apiCode    int
	enosCode   int
	httpStatus int
}

// apiCodes gives each Authing statusCode resreg's apiCode. Authing does
// not publish its apiCode for these cases; clients branch on statusCode,
// and apiCode tells resreg's failures apart by cause.
var apiCodes = map[int]int{
	http.StatusBadRequest:          40000,
	http.StatusUnauthorized:        40100,
	http.StatusNotFound:            40400,
	http.StatusConflict:            40900,
	http.StatusTooManyRequests:     42900,
	499:                            49900,
	http.StatusInternalServerError: 50000,
	http.StatusServiceUnavailable:  50300,
	http.StatusGatewayTimeout:      50400,
}

// codeFor is the one mapping from an error to its wire codes. Library
// errors take resreg.StatusCode and resreg.EnOSCode; only authentication
// and panics are the adapter's own.
func codeFor(err error) wireCode {
	if errors.Is(err, errUnauthorized) {
		return wireCode{statusCode: 401, apiCode: apiCodes[401], enosCode: 31401, httpStatus: http.StatusUnauthorized}
	}
	status := resreg.StatusCode(err)
	wc := wireCode{statusCode: status, apiCode: apiCodes[status], enosCode: resreg.EnOSCode(err), httpStatus: http.StatusOK}
	if status == http.StatusInternalServerError {
		wc.httpStatus = http.StatusInternalServerError
	}
	return wc
}

// publicMessage is the message a client sees: the library's errors
// describe the input; anything else is an internal failure whose detail
// stays in the log.
func publicMessage(err error) string {
	if isInternal(err) {
		return "internal error"
	}
	return err.Error()
}

// isInternal reports an error that is neither the input's nor the
// credentials' fault.
func isInternal(err error) bool {
	return !errors.Is(err, errUnauthorized) && resreg.StatusCode(err) == http.StatusInternalServerError
}
