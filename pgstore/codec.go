package pgstore

import (
	"encoding/json"
	"time"

	"github.com/resreg/resreg/store"
)

// The small collections of a record (name translations, actions, ARRAY
// items) are kept as JSON text in one column each rather than in child
// tables: a batch insert writes one row per record, and a read decodes them
// without a join. Empty collections are NULL.

// encodeI18n encodes translations (encoding/json sorts the keys, so equal
// maps give equal text); an empty map is NULL.
func encodeI18n(m map[string]string) *string {
	if len(m) == 0 {
		return nil
	}
	return jsonText(m)
}

func encodeActions(actions []store.Action) *string {
	if len(actions) == 0 {
		return nil
	}
	return jsonText([]store.Action(actions))
}

// encodeStrings encodes a list; an empty list is NULL unless keepEmpty, for
// ARRAY items, where an empty array is a value of its own.
func encodeStrings(list []string, keepEmpty bool) *string {
	if list == nil || (len(list) == 0 && !keepEmpty) {
		return nil
	}
	return jsonText(list)
}

func jsonText(v any) *string {
	b, err := json.Marshal(v)
	if err != nil {
		// Maps of strings and slices of strings always encode.
		panic("pgstore: encode column: " + err.Error())
	}
	s := string(b)
	return &s
}

func decodeI18n(s *string) (map[string]string, error) {
	if s == nil {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(*s), &m); err != nil {
		return nil, errCorrupt
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

func decodeActions(s *string) ([]store.Action, error) {
	if s == nil {
		return nil, nil
	}
	var out []store.Action
	if err := json.Unmarshal([]byte(*s), &out); err != nil {
		return nil, errCorrupt
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// decodeStrings returns nil for NULL and a non-nil slice for "[]".
func decodeStrings(s *string) ([]string, error) {
	if s == nil {
		return nil, nil
	}
	out := []string{}
	if err := json.Unmarshal([]byte(*s), &out); err != nil {
		return nil, errCorrupt
	}
	return out, nil
}

var errCorrupt = &store.Error{Message: "malformed encoded column", Err: ErrDatabase}

// encodeTime stores the zero time as NULL and any other as unix nanoseconds.
func encodeTime(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixNano()
	return &n
}

func decodeTime(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return time.Unix(0, *v).UTC()
}

// normTime returns t as it reads back from the database.
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(0, t.UnixNano()).UTC()
}

// nullIfEmpty stores an empty string as NULL, for unique columns where the
// empty value must not collide with itself.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
