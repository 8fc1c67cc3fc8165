package resreg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/resreg/resreg/store"
)

// The directory: the users, roles and groups that Authing's permission
// flows name, kept in the store as [DirectoryEntry] records and mapped onto
// subjects and memberships.
//
//   - A user is the subject USER <userId>, with a generated userId.
//   - A group is GROUP <code>; groups are registry-wide, as in Authing.
//   - A role belongs to one namespace (as in Authing, where two namespaces
//     may each have a role "admin"), so its subject is ROLE
//     [RoleID](namespace, code), "code@namespace": "@" is outside the code
//     rule, so the ID names exactly one (namespace, code) pair, and
//     memberships, which are registry-wide, never mix two namespaces'
//     roles. Grants and policy targets name a role by that ID.
//   - Assigning a role to a user or a department makes it a member of the
//     role; adding group members makes users members of the group.
//
// Deleting a user, role or group removes its memberships, grants and
// policy targets in the same write. Departments have no entry: they are
// subjects the caller names. The namespace of a role is checked when the
// role is created; deleting a namespace does not look at its roles, which
// stay (and keep working for checks in other namespaces) until deleted.
// Renaming a namespace renames its roles: ROLE "code@old" becomes ROLE
// "code@new" in every record that names it.

// DirectoryEntry is a user, role or group of the directory.
type DirectoryEntry = store.DirectoryEntry

// MaxAttributesBytes bounds the JSON of a directory entry's attributes.
const MaxAttributesBytes = 16 << 10

// RoleID returns the subject ID of the role code of namespace (empty means
// DefaultNamespace): "code@namespace".
func RoleID(namespace, code string) string { return store.RoleID(namespaceOrDefault(namespace), code) }

// RoleSubject returns the subject of the role code of namespace.
func RoleSubject(namespace, code string) Subject { return Role(RoleID(namespace, code)) }

// UserInput describes a new user: a display name and attributes (email,
// phone, username... as a JSON object, kept as given).
type UserInput struct {
	Name       string          `json:"name,omitempty"`
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// RoleInput describes a new role of Namespace (empty means default).
type RoleInput struct {
	Namespace   string `json:"namespace,omitempty"`
	Code        string `json:"code"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// GroupInput describes a new group.
type GroupInput struct {
	Code        string `json:"code"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
}

// CreateUser adds a user with a generated userId and returns it; the
// userId is the entry's Subject.ID.
func (r *Registry) CreateUser(ctx context.Context, in UserInput) (DirectoryEntry, error) {
	if err := checkText("name", in.Name, MaxNameLen, false); err != nil {
		return DirectoryEntry{}, err
	}
	if err := checkAttributes("attributes", in.Attributes); err != nil {
		return DirectoryEntry{}, err
	}
	return r.putEntry(ctx, DirectoryEntry{Subject: User(r.newID()), Name: in.Name, Attributes: in.Attributes})
}

// GetUser returns user userID; ErrNotFound if there is none.
func (r *Registry) GetUser(ctx context.Context, userID string) (DirectoryEntry, error) {
	if p := subjectIDProblem(userID); p != "" {
		return DirectoryEntry{}, store.Invalid("userId", p)
	}
	return r.store.GetDirectoryEntry(ctx, User(userID))
}

// DeleteUsers deletes every listed user or none (ErrNotFound naming the
// missing ones), with their memberships, grants and policy targets. At
// most Limits.MaxBatch IDs.
func (r *Registry) DeleteUsers(ctx context.Context, userIDs []string) error {
	defer r.forgetUsers(userIDs)
	return r.deleteEntries(ctx, "userIds", userIDs, func(id string) (Subject, string) { return User(id), subjectIDProblem(id) })
}

// CreateRole adds role in.Code to in.Namespace, whose subject is
// [RoleSubject]. ErrConflict if the namespace has the role already,
// ErrNamespaceNotFound if the namespace does not exist.
func (r *Registry) CreateRole(ctx context.Context, in RoleInput) (DirectoryEntry, error) {
	ns, err := checkNamespace("namespace", in.Namespace)
	if err != nil {
		return DirectoryEntry{}, err
	}
	if err := checkCode("code", in.Code); err != nil {
		return DirectoryEntry{}, err
	}
	if err := checkText("name", in.Name, MaxNameLen, false); err != nil {
		return DirectoryEntry{}, err
	}
	if err := checkText("description", in.Description, MaxDescriptionLen, false); err != nil {
		return DirectoryEntry{}, err
	}
	name := in.Name
	if name == "" {
		name = in.Code
	}
	return r.putEntry(ctx, DirectoryEntry{Subject: RoleSubject(ns, in.Code), Namespace: ns, Name: name,
		Attributes: describe(in.Description, "")})
}

// GetRole returns role code of namespace; ErrNotFound if there is none.
func (r *Registry) GetRole(ctx context.Context, namespace, code string) (DirectoryEntry, error) {
	ns, err := checkNamespace("namespace", namespace)
	if err != nil {
		return DirectoryEntry{}, err
	}
	if err := checkCode("code", code); err != nil {
		return DirectoryEntry{}, err
	}
	return r.store.GetDirectoryEntry(ctx, RoleSubject(ns, code))
}

// AssignRole makes every target (a USER or a DEPARTMENT) a member of role
// code of namespace. ErrNotFound if the role or a listed user does not
// exist; at most Limits.MaxBatch targets, without repeats.
func (r *Registry) AssignRole(ctx context.Context, namespace, code string, targets ...Subject) error {
	// The role and its users are looked up in the write that adds the
	// memberships, so that a user deleted meanwhile cannot gain one.
	return r.oneWrite(ctx, func(ctx context.Context) error {
		role, err := r.roleWithTargets(ctx, namespace, code, targets)
		if err != nil {
			return err
		}
		return r.AddMembers(ctx, role, targets...)
	})
}

// RevokeRole removes the memberships AssignRole made; a target that does
// not hold the role is skipped. ErrNotFound if the role does not exist.
func (r *Registry) RevokeRole(ctx context.Context, namespace, code string, targets ...Subject) error {
	role, err := r.roleWithTargets(ctx, namespace, code, nil)
	if err != nil {
		return err
	}
	if err := r.checkTargetTypes(targets); err != nil {
		return err
	}
	return r.RemoveMembers(ctx, role, targets...)
}

// DeleteRoles deletes every listed role of namespace or none.
func (r *Registry) DeleteRoles(ctx context.Context, namespace string, codes []string) error {
	ns, err := checkNamespace("namespace", namespace)
	if err != nil {
		return err
	}
	return r.deleteEntries(ctx, "codeList", codes, func(c string) (Subject, string) { return RoleSubject(ns, c), codeProblem(c) })
}

// CreateGroup adds group in.Code. ErrConflict if it exists.
func (r *Registry) CreateGroup(ctx context.Context, in GroupInput) (DirectoryEntry, error) {
	if err := checkCode("code", in.Code); err != nil {
		return DirectoryEntry{}, err
	}
	if err := checkText("name", in.Name, MaxNameLen, false); err != nil {
		return DirectoryEntry{}, err
	}
	if err := checkText("description", in.Description, MaxDescriptionLen, false); err != nil {
		return DirectoryEntry{}, err
	}
	if err := checkText("type", in.Type, MaxCodeLen, false); err != nil {
		return DirectoryEntry{}, err
	}
	name := in.Name
	if name == "" {
		name = in.Code
	}
	return r.putEntry(ctx, DirectoryEntry{Subject: Group(in.Code), Name: name, Attributes: describe(in.Description, in.Type)})
}

// GetGroup returns group code; ErrNotFound if there is none.
func (r *Registry) GetGroup(ctx context.Context, code string) (DirectoryEntry, error) {
	if err := checkCode("code", code); err != nil {
		return DirectoryEntry{}, err
	}
	return r.store.GetDirectoryEntry(ctx, Group(code))
}

// AddGroupMembers makes every user a member of group code. ErrNotFound if
// the group or a user does not exist; at most Limits.MaxBatch users.
func (r *Registry) AddGroupMembers(ctx context.Context, code string, userIDs ...string) error {
	return r.oneWrite(ctx, func(ctx context.Context) error {
		group, users, err := r.groupWithUsers(ctx, code, userIDs, true)
		if err != nil {
			return err
		}
		return r.AddMembers(ctx, group, users...)
	})
}

// oneWrite runs fn, which reads and then writes, in one store transaction
// when the store can (a [store.Batcher]), so that what fn read still holds
// when its write commits. On another store fn runs as it is, and its read
// and its write are two steps.
func (r *Registry) oneWrite(ctx context.Context, fn func(ctx context.Context) error) error {
	if b, ok := r.batcher(); ok && !inBatch(ctx) {
		return r.batch(ctx, b, -1, fn)
	}
	return fn(ctx)
}

// RemoveGroupMembers removes users from group code; a user who is not a
// member is skipped. ErrNotFound if the group does not exist.
func (r *Registry) RemoveGroupMembers(ctx context.Context, code string, userIDs ...string) error {
	group, users, err := r.groupWithUsers(ctx, code, userIDs, false)
	if err != nil {
		return err
	}
	return r.RemoveMembers(ctx, group, users...)
}

// DeleteGroups deletes every listed group or none.
func (r *Registry) DeleteGroups(ctx context.Context, codes []string) error {
	return r.deleteEntries(ctx, "codeList", codes, func(c string) (Subject, string) { return Group(c), codeProblem(c) })
}

// putEntry stamps and creates e, returning it as stored.
func (r *Registry) putEntry(ctx context.Context, e DirectoryEntry) (DirectoryEntry, error) {
	now, err := r.now("createdAt")
	if err != nil {
		return DirectoryEntry{}, err
	}
	e.CreatedAt, e.UpdatedAt = now, now
	e.Attributes = bytes.Clone(e.Attributes)
	if err := r.store.PutDirectoryEntry(ctx, e, false); err != nil {
		return DirectoryEntry{}, err
	}
	return e, nil
}

// deleteEntries validates a batch of identifiers at field and deletes the
// subjects they map to.
func (r *Registry) deleteEntries(ctx context.Context, field string, ids []string, subject func(string) (Subject, string)) error {
	if len(ids) == 0 {
		return store.Invalid(field, "is required")
	}
	if err := checkBound(field, len(ids), r.limits.MaxBatch); err != nil {
		return err
	}
	subjects := make([]Subject, len(ids))
	for i, id := range ids {
		s, problem := subject(id)
		if problem != "" {
			return store.Invalid(index(field, i), problem)
		}
		subjects[i] = s
	}
	return r.store.DeleteDirectoryEntries(ctx, subjects)
}

// roleWithTargets validates a role and, when given, its targets, and
// checks that the role and the targets' users exist.
func (r *Registry) roleWithTargets(ctx context.Context, namespace, code string, targets []Subject) (Subject, error) {
	if _, err := r.GetRole(ctx, namespace, code); err != nil {
		return Subject{}, err
	}
	if err := r.checkTargetTypes(targets); err != nil {
		return Subject{}, err
	}
	for i, t := range targets {
		if t.Type == SubjectUser {
			if err := r.requireEntry(ctx, index("targets", i), t); err != nil {
				return Subject{}, err
			}
		}
	}
	return RoleSubject(namespace, code), nil
}

// checkTargetTypes refuses role targets other than users and departments.
func (r *Registry) checkTargetTypes(targets []Subject) error {
	if err := checkBound("targets", len(targets), r.limits.MaxBatch); err != nil {
		return err
	}
	for i, t := range targets {
		if t.Type != SubjectUser && t.Type != SubjectDepartment {
			return store.Invalid(index("targets", i)+".targetType", "a role is assigned to a USER or a DEPARTMENT, got "+strconv.Quote(t.Type))
		}
	}
	return checkList("targets", targets, checkSubject)
}

// groupWithUsers validates a group and its users and checks that the group
// exists and, when mustExist, that the users do.
func (r *Registry) groupWithUsers(ctx context.Context, code string, userIDs []string, mustExist bool) (Subject, []Subject, error) {
	if _, err := r.GetGroup(ctx, code); err != nil {
		return Subject{}, nil, err
	}
	if len(userIDs) == 0 {
		return Subject{}, nil, store.Invalid("userIds", "is required")
	}
	if err := checkBound("userIds", len(userIDs), r.limits.MaxBatch); err != nil {
		return Subject{}, nil, err
	}
	users := make([]Subject, len(userIDs))
	for i, id := range userIDs {
		if p := subjectIDProblem(id); p != "" {
			return Subject{}, nil, store.Invalid(index("userIds", i), p)
		}
		users[i] = User(id)
		if mustExist {
			if err := r.requireEntry(ctx, index("userIds", i), users[i]); err != nil {
				return Subject{}, nil, err
			}
		}
	}
	return Group(code), users, nil
}

// requireEntry returns ErrNotFound on field when s has no entry.
func (r *Registry) requireEntry(ctx context.Context, field string, s Subject) error {
	_, err := r.store.GetDirectoryEntry(ctx, s)
	return withField(err, field)
}

// withField names field in a store error that names none.
func withField(err error, field string) error {
	var se *store.Error
	if errors.As(err, &se) && se.Field == "" {
		se.Field = field
	}
	return err
}

// checkAttributes accepts an absent value or a JSON object of at most
// MaxAttributesBytes.
func checkAttributes(field string, a json.RawMessage) error {
	if len(a) == 0 {
		return nil
	}
	if len(a) > MaxAttributesBytes {
		return store.Invalid(field, "must be at most "+strconv.Itoa(MaxAttributesBytes)+" bytes of JSON")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(a, &obj); err != nil || obj == nil {
		return store.Invalid(field, "must be a JSON object")
	}
	return nil
}

// describe keeps a role's or group's description and type as attributes.
func describe(description, typ string) json.RawMessage {
	if description == "" && typ == "" {
		return nil
	}
	b, _ := json.Marshal(struct {
		Description string `json:"description,omitempty"`
		Type        string `json:"type,omitempty"`
	}{description, typ}) // a struct of strings always marshals
	return b
}
