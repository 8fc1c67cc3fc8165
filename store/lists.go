package store

import (
	"bytes"
	"encoding/json"
)

// ActionList is the actions of a resource. It decodes from a JSON array and
// also from a string holding a JSON array, which is how Authing's
// createResource response returns it. An empty list decodes to nil and
// encodes as [].
type ActionList []Action

// Action is one operation that can be granted on a resource, e.g.
// {"name": "ecs:Start", "description": "Start ECS server"}.
type Action struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// MarshalJSON encodes the list as an array, [] when empty.
func (l ActionList) MarshalJSON() ([]byte, error) {
	if len(l) == 0 {
		return []byte("[]"), nil
	}
	return json.Marshal([]Action(l))
}

// UnmarshalJSON accepts an array, a string holding an array, or null.
func (l *ActionList) UnmarshalJSON(b []byte) error {
	var out []Action
	if err := decodeListOrString(b, &out); err != nil {
		return err
	}
	*l = out
	return nil
}

// StringList is the actions of a data resource. Like [ActionList] it
// accepts an array or a string holding one (Authing's createDataResource
// response), decodes [] to nil and encodes nil as [].
type StringList []string

// MarshalJSON encodes the list as an array, [] when empty.
func (l StringList) MarshalJSON() ([]byte, error) {
	if len(l) == 0 {
		return []byte("[]"), nil
	}
	return json.Marshal([]string(l))
}

// UnmarshalJSON accepts an array, a string holding an array, or null.
func (l *StringList) UnmarshalJSON(b []byte) error {
	var out []string
	if err := decodeListOrString(b, &out); err != nil {
		return err
	}
	*l = out
	return nil
}

// decodeListOrString decodes b into the slice at dst, first unquoting b when
// it is a JSON string; an empty result is set to nil.
func decodeListOrString[T any](b []byte, dst *[]T) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var inner string
		if err := json.Unmarshal(b, &inner); err != nil {
			return err
		}
		if inner == "" {
			*dst = nil
			return nil
		}
		b = []byte(inner)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return err
	}
	if len(*dst) == 0 {
		*dst = nil
	}
	return nil
}
