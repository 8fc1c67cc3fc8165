package permindex

// Subject is who holds a grant or a policy: a user, role, group, department
// or any other subject type the registry accepts.
type Subject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// String renders the subject as TYPE:ID, the form used in [Explanation] reasons.
func (s Subject) String() string { return s.Type + ":" + s.ID }

// less orders subjects by type, then ID: the order parents are visited in
// when a principal is expanded.
func (s Subject) less(o Subject) bool {
	if s.Type != o.Type {
		return s.Type < o.Type
	}
	return s.ID < o.ID
}

// SubjectUser is the subject type of a principal's own user.
const SubjectUser = "USER"

// Effect is the effect of a grant or a policy statement.
type Effect string

// The two effects; DENY wins over ALLOW.
const (
	Allow Effect = "ALLOW"
	Deny  Effect = "DENY"
)

// Wildcard is the resource code of a grant on every resource of its namespace
// (present and future) and the action of a grant of every declared action.
const Wildcard = "*"

// Grant is a direct grant of an action on a general resource.
type Grant struct {
	Namespace string
	Subject   Subject
	// Resource is a resource code, or [Wildcard] for every resource of the namespace.
	Resource string
	// Action is an action, or [Wildcard] for every action the checked resource declares.
	Action string
	Effect Effect
}

// Membership makes Member a member of Parent: every grant and policy of
// Parent (and of its ancestors) applies to Member. Memberships are
// registry-wide, not per namespace.
type Membership struct {
	Parent, Member Subject
}

// Resource is a general resource with its declared actions. A check of an
// action the resource does not declare is denied.
type Resource struct {
	Namespace, Code, Type, Description, APIIdentifier string
	Actions                                           []string
}

// Data resource types.
const (
	DataString = "STRING"
	DataArray  = "ARRAY"
	DataTree   = "TREE"
)

// DataNode is one node of a TREE data resource. Path is the full path of
// node codes from the root, "a/b/c"; Code is its last segment (derived from
// Path when empty). A node's parent is the node whose Path is Path without
// its last segment.
type DataNode struct {
	Code, Name, Value, Path string
}

// DataResource is a data resource: its type (STRING, ARRAY or TREE), its
// actions and, for a TREE, every node in display order (a node's children
// appear in the order they are listed).
type DataResource struct {
	Namespace, Code, Type string
	Actions               []string
	Nodes                 []DataNode
}

// Statement is one statement of a data policy.
type Statement struct {
	Effect Effect
	// Permissions are permission strings, ns/resPattern[/nodePattern]*/actionPattern.
	Permissions []string
}

// Policy is a data policy: its ID and statements.
type Policy struct {
	ID         string
	Statements []Statement
}

// PolicyTarget attaches a policy to a subject.
type PolicyTarget struct {
	PolicyID string
	Subject  Subject
}

// Principal is who is asking: the user (subject USER UserID, when UserID is
// not empty) and the Subjects a caller takes from its own tokens. Every
// ancestor of those through memberships is a subject of the principal too.
type Principal struct {
	UserID   string
	Subjects []Subject
}

// Match is one grant or statement that matched a request.
type Match struct {
	// Subject holds the grant or the policy.
	Subject Subject
	// Via is the membership chain from the principal's own subject up to, not
	// including, Subject; empty when Subject is one of the principal's own.
	Via []Subject
	// PolicyID is the policy of a statement; empty for a direct grant.
	PolicyID string
	// Permission is the statement's permission, or ns/code/action for a direct grant.
	Permission string
	Effect     Effect
}

// Explanation is a decision with the reason for it.
type Explanation struct {
	Allowed bool
	// Reason is readable text: "no such resource", "no such node", "no such
	// action", "denied by ...", "allowed by ...", "no grant matches".
	Reason  string
	Matches []Match
}

// AuthorizedResource is a resource with the actions a principal may
// effectively take on it.
type AuthorizedResource struct {
	Code, Type, Description, APIIdentifier string
	Actions                                []string
}

// UserResourceStruct is a data resource cut down to what a principal may access.
type UserResourceStruct struct {
	Namespace, Code, Type string
	// Actions are the actions allowed on the data resource as a whole.
	Actions []string
	// Nodes are, for a TREE, every node with at least one allowed action plus
	// its ancestors, in tree order.
	Nodes []UserTreeNode
}

// UserTreeNode is one node of a [UserResourceStruct].
type UserTreeNode struct {
	Code, Name, Value string
	Actions           []string
	Children          []UserTreeNode
}
