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

// The errors of the permission records, shared by every store in the same
// way.

// NamespaceHoldsGrants is the ErrConflict error of DeleteNamespace for a
// namespace that still holds grants.
func NamespaceHoldsGrants(code string) *Error {
	e := Conflict("namespace "+quote(code)+" still holds grants", code)
	e.Field = "namespace"
	return e
}

// NamespaceNamedByPolicies is the ErrConflict error of DeleteNamespace for
// a namespace that refs of the policies ids name; Codes lists the IDs.
func NamespaceNamedByPolicies(code string, ids []string) *Error {
	e := Conflict("data policies name namespace "+quote(code), sortedUnique(ids)...)
	e.Field = "namespace"
	return e
}

// DataResourcePinned is the ErrConflict error of DeleteDataResource for a
// data resource that exact refs of the policies ids name.
func DataResourcePinned(code string, ids []string) *Error {
	e := Conflict("data policies name data resource "+quote(code), sortedUnique(ids)...)
	e.Field = "resourceCode"
	return e
}

// DataUpdatePinned is the ErrConflict error of an UpdateDataResource that
// removes nodes or actions exact refs of the policies ids name.
func DataUpdatePinned(code string, ids []string) *Error {
	e := Conflict("data policies name nodes or actions the update removes from data resource "+quote(code), sortedUnique(ids)...)
	e.Field = "resourceCode"
	return e
}

// GrantResourcesNotFound is the ErrNotFound error of AddGrants listing the
// resource codes that name no resource.
func GrantResourcesNotFound(codes []string) *Error {
	return NotFound("granted resources do not exist", sortedUnique(codes)...)
}

// GrantActionsUndeclared is the ErrInvalid error of AddGrants listing the
// actions their resources do not declare.
func GrantActionsUndeclared(actions []string) *Error {
	e := Invalid("", "granted actions are not declared by their resources")
	e.Codes = sortedUnique(actions)
	return e
}

// UserCannotHaveMembers is the ErrInvalid error of AddMembers to a USER.
func UserCannotHaveMembers() *Error {
	return Invalid("parent", "a USER cannot have members")
}

// MemberIsParent is the ErrInvalid error of AddMembers for a member that is
// the parent itself; field is "members[i]".
func MemberIsParent(field string, member Subject) *Error {
	return Invalid(field, member.String()+" cannot be a member of itself")
}

// MembershipCycle is the ErrInvalid error of AddMembers for a member that is
// already an ancestor of parent.
func MembershipCycle(field string, parent, member Subject) *Error {
	return Invalid(field, "making "+member.String()+" a member of "+parent.String()+" would close a cycle")
}

// MembershipTooDeep is the ErrInvalid error of AddMembers for an edge that
// would make a chain longer than maxDepth edges.
func MembershipTooDeep(field string, parent, member Subject, maxDepth int) *Error {
	return Invalid(field, "making "+member.String()+" a member of "+parent.String()+" would make a chain longer than "+
		strconv.Itoa(maxDepth)+" memberships")
}

// PolicyNameTaken is the ErrConflict error for a taken data policy name.
func PolicyNameTaken(name string) *Error {
	e := Conflict("data policy name "+quote(name)+" is already taken", name)
	e.Field = "policyName"
	return e
}

// PolicyIDTaken is the ErrConflict error for a taken data policy ID.
func PolicyIDTaken(id string) *Error {
	e := Conflict("data policy ID "+quote(id)+" is already taken", id)
	e.Field = "policyId"
	return e
}

// PolicyNotFound is the ErrNotFound error for data policy id.
func PolicyNotFound(id string) *Error {
	return NotFound("no data policy has ID "+quote(id), id)
}

// PolicyNameNotFound is the ErrNotFound error for a data policy looked up
// by name.
func PolicyNameNotFound(name string) *Error {
	return NotFound("no data policy is named "+quote(name), name)
}

// PoliciesNotFound is the ErrNotFound error of AttachDataPolicies and
// DetachDataPolicies listing the policy IDs that name no policy.
func PoliciesNotFound(ids []string) *Error {
	return NotFound("data policies do not exist", sortedUnique(ids)...)
}

// RefNamespaceNotFound is the ErrNamespaceNotFound error of a ref; field is
// "statementList[i].permissions[j]".
func RefNamespaceNotFound(field, namespace string) *Error {
	e := NamespaceNotFound(namespace)
	e.Field = field
	return e
}

// RefDataNotFound is the ErrNotFound error of a ref naming no data resource.
func RefDataNotFound(field, namespace, code string) *Error {
	e := NotFound("data resource "+quote(code)+" does not exist in namespace "+quote(namespace), code)
	e.Field = field
	return e
}

// RefNodeNotFound is the ErrNotFound error of an exact ref naming no node of
// its TREE.
func RefNodeNotFound(field, code, path string) *Error {
	e := NotFound("data resource "+quote(code)+" has no node at "+quote(path), code)
	e.Field = field
	return e
}

// RefNoNodes is the ErrInvalid error of an exact ref with node segments on
// a data resource of type typ, which is not a TREE.
func RefNoNodes(field, code string, typ DataType) *Error {
	e := Invalid(field, "data resource "+quote(code)+" is a "+string(typ)+" and has no nodes")
	e.Codes = []string{code}
	return e
}

// RefActionUnknown is the ErrInvalid error of a ref naming an action its
// data resource does not have.
func RefActionUnknown(field, code, action string) *Error {
	e := Invalid(field, "data resource "+quote(code)+" has no action "+quote(action))
	e.Codes = []string{code}
	return e
}
