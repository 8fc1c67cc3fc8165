package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// Action is one operation that can be granted on a resource, e.g.
// {"name": "ecs:Start", "description": "Start ECS server"}.
type Action struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Action lists are plain slices in every record and input type. Their JSON
// form is decoded and encoded by the containing types' UnmarshalJSON and
// MarshalJSON through the two helpers below, which accept an array, a string
// holding an array (how Authing's createResource and createDataResource
// responses send them) or null, decode an empty list to nil and encode nil
// as [].

// actionList is the JSON form of a []Action.
type actionList []Action

func (l actionList) MarshalJSON() ([]byte, error) {
	if len(l) == 0 {
		return []byte("[]"), nil
	}
	return json.Marshal([]Action(l))
}

func (l *actionList) UnmarshalJSON(b []byte) error {
	var out []Action
	if err := decodeListOrString(b, &out); err != nil {
		return err
	}
	*l = out
	return nil
}

// stringList is the JSON form of a data resource's []string actions.
type stringList []string

func (l stringList) MarshalJSON() ([]byte, error) {
	if len(l) == 0 {
		return []byte("[]"), nil
	}
	return json.Marshal([]string(l))
}

func (l *stringList) UnmarshalJSON(b []byte) error {
	var out []string
	if err := decodeListOrString(b, &out); err != nil {
		return err
	}
	*l = out
	return nil
}

// ActionsJSON and DataActionsJSON let types outside this package that hold
// action lists (such as resreg's input types) use the same JSON form: embed
// the plain type's fields and shadow the actions field with one of these.

// ActionsJSON returns a JSON marshaler and unmarshaler of the []Action at p.
func ActionsJSON(p *[]Action) interface {
	json.Marshaler
	json.Unmarshaler
} {
	return (*actionList)(p)
}

// DataActionsJSON returns a JSON marshaler and unmarshaler of the []string
// at p.
func DataActionsJSON(p *[]string) interface {
	json.Marshaler
	json.Unmarshaler
} {
	return (*stringList)(p)
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

// Resource and DataResource encode and decode through a copy of their
// fields (a type without methods) with the actions field shadowed by its
// JSON form: encoding/json prefers the shallower field.

// MarshalJSON encodes the resource, with Actions as [] when empty.
func (r Resource) MarshalJSON() ([]byte, error) {
	type plain Resource
	return json.Marshal(struct {
		plain
		Actions actionList `json:"actions"`
	}{plain(r), r.Actions})
}

// UnmarshalJSON decodes the resource; actions may be an array, a string
// holding an array, or null.
func (r *Resource) UnmarshalJSON(b []byte) error {
	type plain Resource
	aux := struct {
		*plain
		Actions *actionList `json:"actions"`
	}{(*plain)(r), (*actionList)(&r.Actions)}
	return withoutEmbeddedName(json.Unmarshal(b, &aux))
}

// MarshalJSON encodes the data resource, with Actions as [] when empty.
func (d DataResource) MarshalJSON() ([]byte, error) {
	type plain DataResource
	return json.Marshal(struct {
		plain
		Actions stringList `json:"actions"`
	}{plain(d), d.Actions})
}

// UnmarshalJSON decodes the data resource; actions may be an array, a
// string holding an array, or null.
func (d *DataResource) UnmarshalJSON(b []byte) error {
	type plain DataResource
	aux := struct {
		*plain
		Actions *stringList `json:"actions"`
	}{(*plain)(d), (*stringList)(&d.Actions)}
	return withoutEmbeddedName(json.Unmarshal(b, &aux))
}

// withoutEmbeddedName drops the name of the embedded field "plain" from the
// path of a type error, so that the path is the caller's JSON path.
func withoutEmbeddedName(err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		typ.Field = strings.TrimPrefix(typ.Field, "plain.")
	}
	return err
}
