package resreg

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/resreg/resreg/store"
)

// Subject is who a grant, a policy target or a membership names:
// {"type": "ROLE", "id": "admin"}.
type Subject = store.Subject

// Subject types named by Authing. Other types follow the code rule.
const (
	SubjectUser       = store.SubjectUser
	SubjectRole       = store.SubjectRole
	SubjectGroup      = store.SubjectGroup
	SubjectDepartment = store.SubjectDepartment
)

// User returns the subject of user id (often a UUID or an e-mail address).
func User(id string) Subject { return Subject{Type: SubjectUser, ID: id} }

// Role returns the subject of the role with code.
func Role(code string) Subject { return Subject{Type: SubjectRole, ID: code} }

// Group returns the subject of the group with code.
func Group(code string) Subject { return Subject{Type: SubjectGroup, ID: code} }

// Department returns the subject of department id.
func Department(id string) Subject { return Subject{Type: SubjectDepartment, ID: id} }

// Principal is who asks a check: a user, the subjects the caller vouches
// for (roles it read from the user's own token, say), and, through stored
// memberships, every ancestor of those. JSON: {"userId", "subjects"}.
type Principal struct {
	UserID   string    `json:"userId,omitempty"`
	Subjects []Subject `json:"subjects,omitempty"`
}

// Own returns the principal's own subjects: USER UserID when set, then
// Subjects, without repeats, in that order. Ancestors through memberships
// are not included; a check adds them.
func (p Principal) Own() []Subject {
	out := make([]Subject, 0, len(p.Subjects)+1)
	if p.UserID != "" {
		out = append(out, User(p.UserID))
	}
	for _, s := range p.Subjects {
		if !containsSubject(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func containsSubject(list []Subject, s Subject) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkPrincipal validates a principal embedded at prefix (its fields are
// "userId" and "subjects[i]" under prefix): at least one of the two, a
// valid user ID, valid subjects, at most Limits.MaxBatch of them.
func (r *Registry) checkPrincipal(prefix string, p Principal) error {
	if p.UserID == "" && len(p.Subjects) == 0 {
		return store.Invalid(join(prefix, "userId"), "a principal needs a userId or subjects")
	}
	if p.UserID != "" {
		if msg := subjectIDProblem(p.UserID); msg != "" {
			return store.Invalid(join(prefix, "userId"), msg)
		}
	}
	field := join(prefix, "subjects")
	if err := checkBound(field, len(p.Subjects), r.limits.MaxBatch); err != nil {
		return err
	}
	for i, s := range p.Subjects {
		if err := checkSubject(index(field, i), s); err != nil {
			return err
		}
	}
	return nil
}

// checkSubject enforces the subject rule on the subject at field: the type
// follows the code rule (USER, ROLE, GROUP, DEPARTMENT or another type),
// the ID is 1..MaxCodeLen characters of text without "/" or control
// characters. Errors name field.type or field.id.
func checkSubject(field string, s Subject) error {
	if p := codeProblem(s.Type); p != "" {
		return store.Invalid(join(field, "type"), p)
	}
	if p := subjectIDProblem(s.ID); p != "" {
		return store.Invalid(join(field, "id"), p)
	}
	return nil
}

// subjectIDProblem describes how id breaks the subject ID rule, or returns
// "". "/" is refused because grant and membership keys join their parts
// with it.
func subjectIDProblem(id string) string {
	if strings.TrimSpace(id) == "" {
		return "is required"
	}
	if len(id) > utf8.UTFMax*MaxCodeLen {
		return "must be at most " + strconv.Itoa(MaxCodeLen) + " characters"
	}
	if p := textProblem(id, MaxCodeLen, true); p != "" {
		return p
	}
	if strings.ContainsAny(id, "/\t\r\n") {
		return "must not hold '/' or control characters, got " + strconv.Quote(id)
	}
	return ""
}

// checkBound refuses a list of n items at field when n > limit, naming the
// first item past the limit.
func checkBound(field string, n, limit int) error {
	if n <= limit {
		return nil
	}
	return store.Invalid(index(field, limit), "holds at most "+strconv.Itoa(limit)+" items, got "+strconv.Itoa(n))
}
