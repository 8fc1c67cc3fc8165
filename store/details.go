package store

import (
	"slices"
	"strconv"
	"strings"
)

// The errors below are the ones a Store returns about its records. Every
// store builds them here, so that all stores give the same Field, Codes and
// Message for the same failure (store/storetest checks Field and Codes).
// Codes are always sorted and without repeats.

// ConflictKind says why resources of a batch conflict; kinds combine with |.
type ConflictKind uint8

// The reasons a CreateResources batch is refused with ErrConflict.
const (
	// CodeTaken: a code is already taken in its namespace.
	CodeTaken ConflictKind = 1 << iota
	// IDTaken: an ID is already taken in its namespace.
	IDTaken
	// Repeated: a code or an ID repeats within the batch.
	Repeated
)

// ResourcesConflict is the ErrConflict error of CreateResources, with Field
// "resources" and Codes the conflicting codes. A single code taken says so
// plainly: `resource code "c" is already taken`.
func ResourcesConflict(kinds ConflictKind, codes []string) *Error {
	codes = sortedUnique(codes)
	var parts []string
	one := len(codes) == 1
	if kinds&CodeTaken != 0 {
		if one {
			parts = append(parts, "resource code "+quote(codes[0])+" is already taken")
		} else {
			parts = append(parts, "resource codes are already taken")
		}
	}
	if kinds&IDTaken != 0 {
		if one {
			parts = append(parts, "the ID of resource "+quote(codes[0])+" is already taken")
		} else {
			parts = append(parts, "resource IDs are already taken")
		}
	}
	if kinds&Repeated != 0 {
		parts = append(parts, "resource codes or IDs repeat within the batch")
	}
	if len(parts) == 0 {
		parts = append(parts, "resource codes or IDs are already taken")
	}
	return &Error{Field: "resources", Codes: codes, Message: strings.Join(parts, "; "), Err: ErrConflict}
}

// ResourceNotFound is the ErrNotFound error for resource code.
func ResourceNotFound(namespace, code string) *Error {
	return NotFound("resource "+quote(code)+" does not exist in namespace "+quote(namespace), code)
}

// ResourceIDNotFound is the ErrNotFound error for a resource looked up by
// ID; Codes holds the ID.
func ResourceIDNotFound(namespace, id string) *Error {
	return NotFound("no resource has ID "+quote(id)+" in namespace "+quote(namespace), id)
}

// ResourcesNotFound is the ErrNotFound error of DeleteResources, listing
// the missing codes.
func ResourcesNotFound(namespace string, missing []string) *Error {
	return NotFound("resources do not exist in namespace "+quote(namespace), sortedUnique(missing)...)
}

// DataResourceNotFound is the ErrNotFound error for data resource code.
func DataResourceNotFound(namespace, code string) *Error {
	return NotFound("data resource "+quote(code)+" does not exist in namespace "+quote(namespace), code)
}

// DataResourceNameNotFound is the ErrNotFound error for a data resource
// looked up by name; Codes holds the name.
func DataResourceNameNotFound(namespace, name string) *Error {
	return NotFound("no data resource is named "+quote(name)+" in namespace "+quote(namespace), name)
}

// TreeNodeNotFound is the ErrNotFound error of GetDataTreeNode, whether the
// data resource is missing, is not a TREE or has no node at path.
func TreeNodeNotFound(namespace, code, path string) *Error {
	return NotFound("no TREE data resource "+quote(code)+" with a node at "+quote(path)+" in namespace "+quote(namespace), code)
}

// DataCodeTaken is the ErrConflict error for a taken data resource code.
func DataCodeTaken(code string) *Error {
	e := Conflict("data resource code "+quote(code)+" is already taken", code)
	e.Field = "resourceCode"
	return e
}

// DataNameTaken is the ErrConflict error for a data resource name taken by
// another data resource; Codes holds the code of the one being written.
func DataNameTaken(name, code string) *Error {
	e := Conflict("data resource name "+quote(name)+" is already taken", code)
	e.Field = "resourceName"
	return e
}

// NamespaceExists is the ErrConflict error of CreateNamespace.
func NamespaceExists(code string) *Error {
	return Conflict("namespace "+quote(code)+" already exists", code)
}

// NamespaceNotEmpty is the ErrConflict error of DeleteNamespace for a
// namespace that still holds records.
func NamespaceNotEmpty(code string) *Error {
	e := Conflict("namespace "+quote(code)+" still holds resources or data resources", code)
	e.Field = "namespace"
	return e
}

// DefaultNamespaceUndeletable is the ErrInvalid error of DeleteNamespace
// for DefaultNamespace.
func DefaultNamespaceUndeletable() *Error {
	return Invalid("namespace", "the default namespace cannot be deleted")
}

// QuotaExceeded is the ErrLimitExceeded error of a write that would take
// namespace to n resources, past limit.
func QuotaExceeded(namespace string, n, limit int) *Error {
	return LimitExceeded("namespace " + quote(namespace) + " would hold " + strconv.Itoa(n) +
		" resources, more than its limit of " + strconv.Itoa(limit))
}

// sortedUnique returns a sorted copy of codes without repeats.
func sortedUnique(codes []string) []string {
	if len(codes) == 0 {
		return nil
	}
	out := slices.Clone(codes)
	slices.Sort(out)
	return slices.Compact(out)
}
