package resreg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/resreg/resreg/store"
)

// MaxBodyBytes is the largest request body [DecodeJSON] accepts: 1 MiB.
// A full EnOS batch of 1000 resources with a few translated names each
// takes a few hundred kilobytes; a body past the limit is rejected after
// reading MaxBodyBytes+1 bytes, whatever its real size.
const MaxBodyBytes = 1 << 20

// DecodeJSON decodes one JSON value from r into v, which must be a non-nil
// pointer such as *[CreateResourceInput], *[CreateDataResourceInput] or
// *[RegisterInput]. It reads at most MaxBodyBytes+1 bytes from r, so the
// memory and time it spends are bounded whatever r holds.
//
// Bad input is an [*Error] matching [ErrInvalid]:
//   - a nil reader (no body at all): Field "body";
//   - a body longer than MaxBodyBytes, an empty body, malformed JSON,
//     JSON nested too deeply (encoding/json stops at 10000 levels) or
//     data after the value: Field "body";
//   - a value of the wrong JSON type: Field is the path encoding/json
//     reports, dotted and without array indices, as in "resources.code";
//   - a value a field's own decoder rejects (an action list or a struct of
//     the wrong shape): Field "body", with that decoder's message.
//
// An error reading r is returned wrapped, and is not ErrInvalid. DecodeJSON
// only decodes: validation happens when the input is passed to the
// Registry.
func DecodeJSON(r io.Reader, v any) error {
	if r == nil {
		return store.Invalid("body", "is required")
	}
	body, err := io.ReadAll(io.LimitReader(r, MaxBodyBytes+1))
	if err != nil {
		return fmt.Errorf("resreg: read request body: %w", err)
	}
	if len(body) > MaxBodyBytes {
		return store.Invalid("body", "must be at most "+strconv.Itoa(MaxBodyBytes)+" bytes")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return store.Invalid("body", "is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if rest := bytes.TrimSpace(body[dec.InputOffset():]); len(rest) > 0 {
		return store.Invalid("body", "holds data after the JSON value at byte offset "+strconv.FormatInt(dec.InputOffset(), 10))
	}
	return nil
}

// decodeError turns an encoding/json error into an ErrInvalid *Error.
func decodeError(err error) error {
	var (
		invalidTarget *json.InvalidUnmarshalError
		syntax        *json.SyntaxError
		typ           *json.UnmarshalTypeError
		detailed      *Error
	)
	switch {
	case errors.As(err, &invalidTarget):
		return err // the caller passed a bad target: not the body's fault
	case errors.As(err, &detailed):
		return err
	case errors.As(err, &syntax):
		return store.Invalid("body", "malformed JSON at byte offset "+strconv.FormatInt(syntax.Offset, 10)+": "+syntax.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return store.Invalid(field, "must be "+jsonKind(typ.Type)+", got a JSON "+typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return store.Invalid("body", "ends in the middle of a JSON value")
	}
	return store.Invalid("body", err.Error())
}

// jsonKind names the JSON form that decodes into a Go type t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a JSON string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a JSON number"
	case reflect.Slice, reflect.Array:
		return "a JSON array"
	case reflect.Map, reflect.Struct:
		return "a JSON object"
	}
	return "a JSON value for Go type " + t.String()
}

// withoutEmbeddedName drops the name of the embedded field "plain", through
// which the input types decode themselves, from the path of a type error,
// so that the path is the caller's JSON path.
func withoutEmbeddedName(err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		typ.Field = strings.TrimPrefix(typ.Field, "plain.")
	}
	return err
}
