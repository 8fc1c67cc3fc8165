package resreg

// Bounds of a manifest, checked while it is decoded, before the work grows
// with the input. Lists nested inside one record (actions, translations,
// tree nodes, statements, targets, members) keep the bounds of the API
// call that writes them (see [Limits]); a namespace's grants obey the
// bounds of one [Registry.AuthorizeResources] call.
const (
	// MaxManifestBytes bounds the encoded manifest DecodeManifest reads.
	MaxManifestBytes = 256 << 20
	// MaxManifestNamespaces bounds the namespaces of a manifest.
	MaxManifestNamespaces = 10_000
	// MaxManifestResources bounds the resources of a manifest, summed over
	// its namespaces.
	MaxManifestResources = 1_000_000
	// MaxManifestDataResources bounds the data resources of a manifest,
	// summed over its namespaces.
	MaxManifestDataResources = 100_000
	// MaxManifestDataPolicies bounds the data policies of a manifest.
	MaxManifestDataPolicies = 10_000
	// MaxManifestMemberships bounds the membership entries (one parent
	// each) of a manifest.
	MaxManifestMemberships = 100_000
)

// Manifest is the declared content of a registry, kept in version control
// and compared with a registry by [Registry.Plan]. Records are keyed by
// code (data policies by name); generated IDs and timestamps are not part
// of it. Field names are those of the API calls that create each record.
type Manifest struct {
	Namespaces []ManifestNamespace `json:"namespaces,omitempty"`
	// DataPolicies are registry-wide, keyed by policyName.
	DataPolicies []ManifestDataPolicy `json:"dataPolicies,omitempty"`
	// Memberships are registry-wide: each entry makes members direct
	// members of parent.
	Memberships []ManifestMembership `json:"memberships,omitempty"`

	// src is the text the manifest was decoded from, parsed again to name
	// the line and column of a field when a later check (Plan's, with the
	// Registry's limits) finds it wrong; empty for a manifest built in
	// code. The decoded strings share its memory.
	src string
}

// ManifestNamespace is one namespace with its records.
type ManifestNamespace struct {
	Code        string `json:"code"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// Resources follow createResource (seed 000).
	Resources []ManifestResource `json:"resources,omitempty"`
	// DataResources follow createDataResource (seed 002).
	DataResources []ManifestDataResource `json:"dataResources,omitempty"`
	// Grants follow the list of authorize-resources.
	Grants []AuthorizeItem `json:"grants,omitempty"`
}

// ManifestResource is one resource, in createResource's fields. ID is
// optional: set, it is the resource's ID (as EnOS's assignCodeToId sets it
// to the code); empty, a created resource gets a generated ID and an
// existing one keeps its own.
type ManifestResource struct {
	Code           string   `json:"code"`
	ID             string   `json:"id,omitempty"`
	Type           string   `json:"type"`
	Name           I18nName `json:"name"`
	Description    string   `json:"description,omitempty"`
	Actions        []Action `json:"actions,omitempty"`
	APIIdentifier  string   `json:"apiIdentifier,omitempty"`
	LinkedToTenant bool     `json:"linkedToTenant,omitempty"`
}

// ManifestDataResource is one data resource, in createDataResource's
// fields; its namespace is the enclosing one.
type ManifestDataResource struct {
	ResourceCode string   `json:"resourceCode"`
	ResourceName string   `json:"resourceName"`
	Description  string   `json:"description,omitempty"`
	Type         DataType `json:"type"`
	Struct       Struct   `json:"struct"`
	Actions      []string `json:"actions"`
}

// ManifestDataPolicy is one data policy with the subjects it is attached
// to, keyed by PolicyName.
type ManifestDataPolicy struct {
	PolicyName    string      `json:"policyName"`
	Description   string      `json:"description,omitempty"`
	StatementList []Statement `json:"statementList"`
	TargetList    []Target    `json:"targetList,omitempty"`
}

// ManifestMembership makes every member a direct member of Parent.
type ManifestMembership struct {
	Parent  Subject   `json:"parent"`
	Members []Subject `json:"members"`
}
