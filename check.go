package resreg

// The inputs and results of the checks: whether a principal may do an
// action on a resource or a data resource, why, and what it may access.
// The decision rule is in the package documentation.

// IsActionAllowedInput asks whether the principal may do Action on the
// resource Resource of Namespace (empty means default). Principal is
// embedded, so "userId" and "subjects" are top-level fields in JSON.
type IsActionAllowedInput struct {
	Principal
	Namespace string `json:"namespace,omitempty"`
	Resource  string `json:"resource"`
	Action    string `json:"action"`
}

// CheckPermissionInput asks, for each of Resources, whether the principal
// may do Action on it (Authing check-permission). Each resource is a data
// resource code or "code/node/child": codes without the namespace, naming
// one concrete node. Policies have no conditions here, so
// JudgeConditionEnabled is accepted and changes nothing.
type CheckPermissionInput struct {
	Principal
	// NamespaceCode is optional; empty means DefaultNamespace.
	NamespaceCode         string   `json:"namespaceCode,omitempty"`
	Action                string   `json:"action"`
	Resources             []string `json:"resources"`
	JudgeConditionEnabled bool     `json:"judgeConditionEnabled,omitempty"`
}

// CheckPermissionResult answers a [CheckPermissionInput], one entry per
// requested resource, in input order.
type CheckPermissionResult struct {
	CheckResultList []CheckResult `json:"checkResultList"`
}

// CheckResult is the answer for one requested resource.
type CheckResult struct {
	NamespaceCode string `json:"namespaceCode"`
	Resource      string `json:"resource"`
	Action        string `json:"action"`
	Enabled       bool   `json:"enabled"`
}

// UserAuthorizedResourcesInput asks what the principal may effectively do
// in Namespace (empty means default), optionally only on resources of
// ResourceType.
type UserAuthorizedResourcesInput struct {
	Principal
	Namespace    string `json:"namespace,omitempty"`
	ResourceType string `json:"resourceType,omitempty"`
}

// UserResourceStructInput asks for a data resource cut down to what the
// principal may access (Authing get-user-resource-struct).
type UserResourceStructInput struct {
	Principal
	// NamespaceCode is optional; empty means DefaultNamespace.
	NamespaceCode string `json:"namespaceCode,omitempty"`
	ResourceCode  string `json:"resourceCode"`
}

// UserResourceStruct is a data resource as the principal may see it: for a
// TREE, Nodes holds every node with at least one allowed action plus its
// ancestors; for STRING and ARRAY, Actions holds the allowed actions.
type UserResourceStruct struct {
	NamespaceCode string         `json:"namespaceCode"`
	ResourceCode  string         `json:"resourceCode"`
	Type          DataType       `json:"type"`
	Actions       []string       `json:"actions"`
	Nodes         []UserTreeNode `json:"nodes,omitempty"`
}

// UserTreeNode is one node of a [UserResourceStruct] with the actions the
// principal may do on it (empty for an ancestor kept only to connect the
// tree).
type UserTreeNode struct {
	Code     string         `json:"code"`
	Name     string         `json:"name"`
	Value    string         `json:"value,omitempty"`
	Actions  []string       `json:"actions"`
	Children []UserTreeNode `json:"children,omitempty"`
}

// Explanation says why a check answered as it did: every matching grant or
// statement, DENY matches first, and a readable Reason ("denied by ...",
// "allowed by ...", "no grant matches", "no such resource").
type Explanation struct {
	Allowed bool    `json:"allowed"`
	Reason  string  `json:"reason"`
	Matches []Match `json:"matches"`
}

// Match is one grant or policy statement that matched a check.
type Match struct {
	// Subject holds the grant or is the policy's target.
	Subject Subject `json:"subject"`
	// Via is the membership chain from the principal's own subject up to,
	// not including, Subject; empty when Subject is the principal's own.
	Via []Subject `json:"via,omitempty"`
	// PolicyID is the data policy's ID, empty for a direct grant.
	PolicyID string `json:"policyId,omitempty"`
	// Permission is the matching grant or statement permission as a
	// permission string; "namespace/code/action" for a direct grant.
	Permission string `json:"permission"`
	Effect     Effect `json:"effect"`
}
