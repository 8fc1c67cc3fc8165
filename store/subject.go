package store

import "strings"

// Subject types named by Authing. Other types follow the code rule and are
// kept as they are.
const (
	SubjectUser       = "USER"
	SubjectRole       = "ROLE"
	SubjectGroup      = "GROUP"
	SubjectDepartment = "DEPARTMENT"
)

// Subject is who a grant, a policy target or a membership names: a user, a
// role, a group, a department, or any other type an application uses.
type Subject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// String returns "TYPE:id", the spelling used in change keys and messages.
func (s Subject) String() string { return s.Type + ":" + s.ID }

// CompareSubjects orders subjects by type, then ID, in byte order: the order
// of every listing of subjects.
func CompareSubjects(a, b Subject) int {
	if c := strings.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
