package store

import "strings"

// CheckRename checks the arguments of [Store.RenameNamespace] before any
// lookup; stores call it first so that every store rejects the same input.
// The default namespace is never renamed, nor does another take its code
// (every store creates it when it is set up), and a rename to the same
// code is not a rename.
func CheckRename(code, newCode string) error {
	switch {
	case code == DefaultNamespace:
		return Invalid("code", "the default namespace cannot be renamed")
	case newCode == DefaultNamespace:
		return Invalid("newCode", "no namespace can be renamed to the default namespace")
	case newCode == code:
		return Invalid("newCode", "the new code is the namespace's own code")
	}
	return nil
}

// NamespaceCodeTaken is the ErrConflict error of a rename to a code that
// another namespace has.
func NamespaceCodeTaken(newCode string) *Error {
	e := Conflict("namespace "+quote(newCode)+" already exists", newCode)
	e.Field = "newCode"
	return e
}

// RenamePermission returns perm, a data policy permission
// ("namespace/resource[/node]*/action"), as it reads after namespace code
// is renamed to newCode: its namespace segment, the text before the first
// "/", replaced when it is code. The namespace segment is never a
// wildcard, so no other permission names the namespace; those come back
// as they are.
func RenamePermission(perm, code, newCode string) string {
	rest, ok := strings.CutPrefix(perm, code+"/")
	if !ok {
		return perm
	}
	return newCode + "/" + rest
}

// RenameStatements returns a copy of statements with every permission
// rewritten by [RenamePermission], and whether any was.
func RenameStatements(statements []Statement, code, newCode string) ([]Statement, bool) {
	if statements == nil {
		return nil, false
	}
	out := make([]Statement, len(statements))
	changed := false
	for i, st := range statements {
		perms := make([]string, len(st.Permissions))
		for j, p := range st.Permissions {
			perms[j] = RenamePermission(p, code, newCode)
			changed = changed || perms[j] != p
		}
		if st.Permissions == nil {
			perms = nil
		}
		out[i] = Statement{Effect: st.Effect, Permissions: perms}
	}
	return out, changed
}

// RoleID is the subject ID of role code of namespace, "code@namespace": a
// role belongs to one namespace (as in Authing, where two namespaces may
// each have a role "admin"), and "@" is outside the code rule, so the ID
// names exactly one (namespace, code) pair.
func RoleID(namespace, code string) string { return code + "@" + namespace }

// IsRoleOf reports whether s is a role of namespace ns: of type
// SubjectRole, with an ID that is [RoleID](ns, code) for some code.
func IsRoleOf(s Subject, ns string) bool {
	if s.Type != SubjectRole {
		return false
	}
	code, ok := strings.CutSuffix(s.ID, "@"+ns)
	return ok && code != "" && !strings.Contains(code, "@")
}

// RenameSubject returns s as it reads after namespace code is renamed to
// newCode: a role of code ([IsRoleOf]) becomes the role of the same code in
// newCode, and reports true; any other subject comes back as it is.
func RenameSubject(s Subject, code, newCode string) (Subject, bool) {
	if !IsRoleOf(s, code) {
		return s, false
	}
	return Subject{Type: SubjectRole, ID: RoleID(newCode, strings.TrimSuffix(s.ID, "@"+code))}, true
}

// RolesOfNamespaceTaken is the ErrConflict error of a rename to newCode
// while records still name roles of newCode: roles that a deleted namespace
// of that code left behind (deleting a namespace keeps its roles), which
// the namespace's own roles would merge with.
func RolesOfNamespaceTaken(newCode string) *Error {
	e := Conflict("records still name roles of a namespace "+quote(newCode)+" (left by a deleted namespace of that code); delete them first", newCode)
	e.Field = "newCode"
	return e
}
