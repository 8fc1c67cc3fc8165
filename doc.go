// Package resreg is an embedded resource registry for permission
// management: the part of an identity platform where an application declares
// what can be protected (APIs, menus, buttons, data sets, organisation
// trees) and which actions exist on each, so that permissions can later be
// granted and checked against them.
//
// A [Registry] validates input and keeps it in a [store.Store]: memstore for
// tests and ephemeral use, sqlitestore (pure Go SQLite) for a durable file.
//
//	reg := resreg.New(memstore.New())
//	res, err := reg.CreateResource(ctx, resreg.CreateResourceInput{
//		Type: resreg.TypeAPI, Code: "ecs", Name: resreg.Name("Server"),
//		Actions: []resreg.Action{{Name: "ecs:Start", Description: "Start ECS server"}},
//	})
//
// # The three APIs it implements
//
//   - [Registry.CreateResource] and [Registry.CreateResources]: Authing /
//     GenAuth createResource. [CreateResourceInput] decodes its request body.
//   - [Registry.CreateDataResource]: Authing createDataResource, with STRING,
//     ARRAY and TREE data resources whose struct changes shape with the type.
//     [CreateDataResourceInput] decodes its three request examples.
//   - [Registry.RegisterResources]: EnOS Register Resource, a batch of up to
//     1000 resources of one type with internationalised names.
//     [RegisterInput] decodes its request body.
//
// Namespaces ([Namespace]) are Authing's permission spaces and EnOS's
// organisation units (orgId). [DefaultNamespace] always exists and cannot be
// deleted. An empty namespace in an input or a filter means the default one,
// except in [CreateDataResourceInput], where namespaceCode is required as
// Authing's table says.
//
// [Registry.UpdateNamespace] with a NewCode renames a namespace (Authing's
// update-namespace with newCode) and moves, in one write, everything kept
// under it: resources, data resources with their trees, grants, the roles
// that belong to it (ROLE "ops@app" becomes "ops@shop" in every membership,
// grant and policy target that names it), and the permissions of every data
// policy that name it ("app/menu/read" becomes "shop/menu/read"). IDs, times and every other
// field of the moved records stay as they were; memberships, policy
// targets and other namespaces are untouched. Permission checks answer
// under the new code as they did under the old one, which then names
// nothing (and can be created again, empty). The default namespace is never
// renamed, nor is another renamed to it.
//
// # Choices where the documents disagree or are silent
//
//   - Authing's createResource response returns actions as a string holding
//     a JSON array, and names as plain strings; EnOS returns names as
//     {"defaultValue", "i18nValue"} objects. [Resource] encodes actions as an
//     array and the name as an object, and decodes all of those forms
//     ([Resource.UnmarshalJSON], [I18nName]).
//   - A resource name is optional in CreateResource (Authing) but
//     name.defaultValue is required in RegisterResources (EnOS: 31400,
//     "resource name is invalid").
//   - EnOS's parameter table spells the flag "assignCodeTold", its sample
//     "assignCodeToId"; [RegisterInput] accepts both. With it, a resource's
//     ID is its code; without it, IDs are generated (32 random hex digits by
//     default, see [WithIDGenerator]). Codes and IDs are each unique within
//     a namespace.
//   - Every resource gets an ID, and linkedToTenant is always present in
//     JSON (false unless set).
//   - Deleting the default namespace is ErrInvalid; deleting a namespace
//     that holds resources, data resources or grants, or that a data
//     policy names, is ErrConflict.
//   - CreateResources with no items does nothing; RegisterResources with no
//     resources is ErrInvalid ("resources" is required by EnOS).
//   - DeleteResources is all-or-nothing: one missing code is ErrNotFound
//     and nothing is deleted.
//
// # Validation
//
// Any error writes nothing. Validation errors unwrap to [ErrInvalid] and are
// an [*Error] whose Field is the path of the offending input in JSON
// spelling: "code", "[3].code" (CreateResources),
// "resources[3].name.defaultValue" (RegisterResources), "actions[2]",
// "struct[0].children[1].code".
//
//   - The code rule: 1 to [MaxCodeLen] characters of A-Z a-z 0-9 _ . : -,
//     starting with a letter or digit. It applies to resource codes, type
//     IDs, data resource codes, namespace codes and tree node codes. '/' is
//     never allowed, so tree paths split safely.
//   - The action name rule, for the actions of resources and of data
//     resources (Authing's "ecs:Start", but also "资源操作名称" or "read
//     all"): 1 to [MaxActionNameLen] characters of valid UTF-8, not blank,
//     no control characters, no leading or trailing white space
//     (unicode.IsSpace), and no '/' or '*', which have meanings in
//     permission strings.
//   - The text rule: valid UTF-8 without control characters other than tab,
//     newline and carriage return, with a maximum length in characters:
//     [MaxNameLen] for names, [MaxDescriptionLen] for descriptions,
//     [MaxValueLen] for STRING structs, ARRAY items and tree node values.
//     Required text must not be blank.
//   - Resources: type and code required; name optional (required
//     defaultValue when registering); at most [Limits].MaxActions actions,
//     each with a name (action name rule, unique within the resource) and a
//     required description, as Authing's ResourceAction table says;
//     apiIdentifier, when set, an absolute http or https URL with a host of
//     at most [MaxAPIIdentifierLen] characters.
//   - Names ([I18nName]): at most [MaxLocales] translations; keys are locales
//     (a 2 to 8 letter language, then '_' or '-' separated subtags of 1 to
//     8 letters or digits, at most [MaxLocaleLen] characters); two keys that
//     differ only in case or separator ("zh_CN" and "zh-cn") are invalid;
//     translations are required text.
//   - Data resources: see [Registry.CreateDataResource]; trees: see the tree
//     rules below.
//   - Batches: at most [Limits].MaxBatch items; a code repeated in one
//     namespace of a batch is ErrConflict, as is a code or ID already taken;
//     the [*Error] lists every conflicting code in Codes.
//   - Quota: [Limits].MaxResourcesPerNamespace caps resources (not data
//     resources) per namespace. The store enforces it inside the write, so
//     concurrent writers cannot overshoot it; going past it is
//     [ErrLimitExceeded].
//   - A namespace that does not exist is [ErrNamespaceNotFound], which also
//     matches [ErrNotFound].
//
// # Trees
//
// A TREE struct is a [Tree] of [TreeNode]s. Every node needs a code (code
// rule) and a name; codes are unique among siblings, and so are names;
// depth is at most [Limits].MaxTreeDepth (roots are depth 1) and the node
// count at most [Limits].MaxTreeNodes. Validation walks the tree without
// recursion and stops at the first node past a limit, so hostile input
// costs no more than the limits allow. [store.Tree.Flatten] lists nodes in
// pre-order as [TreePath]s, whose Path joins codes with "/"
// ("product/productManager"); [Registry.FindTreeNode] looks a node up by
// path.
//
// # Permissions
//
// Subjects ([Subject]: [User], [Role], [Group], [Department] or any other
// type that follows the code rule) receive permissions two ways:
//
//   - Grants on resources: [Registry.AuthorizeResources] (Authing
//     authorize-resources, [AuthorizeResourcesInput]) gives actions of a
//     resource, or "*" for every action, to subjects, with effect [Allow]
//     (the default) or [Deny]; a resource code "*" covers every resource of
//     the namespace, present and future. [Registry.RevokeResources] removes
//     exactly what it names; [Registry.GetAuthorizedResources] lists a
//     subject's own grants.
//   - Data policies on data resources: [Registry.CreateDataPolicy] and its
//     siblings keep named policies whose statements hold permissions
//     "namespaceCode/resourceCode[/nodeCode]*/action" ([Permission],
//     [ParsePermission]); [Registry.AuthorizeDataPolicies] attaches them to
//     subjects ([Target]).
//
// Memberships ([Registry.AddMembers]) make a subject a member of another:
// a user in a group, a group in a department, a role in a role. They are
// registry-wide and transitive; grants are per namespace. A [Principal] is
// who asks a check: USER UserID, the Subjects a caller vouches for, and
// every ancestor of those through memberships.
//
// The decision rule, for grants and data policies alike:
//
//  1. Collect the principal's subjects (above).
//  2. A grant or statement matches a request if its subject is among them,
//     its resource pattern matches the resource or, for TREE nodes, any
//     ancestor of the node or the data resource as a whole (a grant on a
//     node covers its whole subtree), and its action is the action or "*".
//  3. Denied if any matching DENY; else allowed if any matching ALLOW; else
//     denied.
//  4. A resource, node or action that does not exist is denied, not an
//     error; a namespace that does not exist is [ErrNamespaceNotFound]; bad
//     input (an empty action, a path with "//") is [ErrInvalid].
//
// A wildcard action or resource never makes an undeclared action allowed:
// the action must be declared by the checked resource.
//
// Permission syntax: at least three segments separated by "/", none empty.
// The namespace segment is a code, never a wildcard. The resource and node
// segments are each a code, "*" (any one code at that place) or a code
// followed by "*" (codes with that prefix: "server_2023*"); "*" anywhere
// else in a segment is ErrInvalid. The action segment is an action name or
// "*" (every action, also those added later); action prefixes are not
// accepted. At most [Limits].MaxTreeDepth node segments. Syntax is checked
// for every permission of a policy before any existence: the namespace must
// exist; a resource segment without "*" must name a data resource
// (ErrNotFound); when the resource and every node segment are without "*"
// the nodes must name a node of that TREE (ErrNotFound); a STRING or ARRAY
// data resource takes no node segments, wildcards included (ErrInvalid);
// an action without "*" must be one of the data resource's actions when
// the resource segment is without "*" (ErrInvalid). Patterns with
// wildcards are not checked for existence. Errors name
// "statementList[i].permissions[j]".
//
// Pinning: a permission whose resource and node segments are all without
// "*" pins what it names. Deleting that data resource, removing that node
// (or an ancestor) or that action is ErrConflict whose Codes list the
// policy IDs; nothing silently changes a policy. Grants instead follow
// their resources: deleting a resource, or removing an action from it,
// deletes the grants on it in the same write (wildcard grants stay).
//
// Choices where Authing is silent:
//
//   - ResourceActions.Effect is ours: ALLOW by default, DENY allowed. An
//     ALLOW and a DENY of the same action for the same subject coexist.
//   - RevokeResources with an empty effect revokes the ALLOW grant; action
//     "*" revokes the wildcard grant only, not the explicit ones; revoking
//     what is not granted, or on a resource that no longer exists, is a
//     no-op.
//   - A resourceType given with resource code "*" is ErrInvalid: the
//     wildcard covers resources of every type, and ignoring the type would
//     grant more than asked.
//   - Lists that Authing marks required (list, targetIdentifiers,
//     resources, actions, statementList, permissions, policyIds,
//     targetList) are ErrInvalid when empty; an item repeated within one
//     list is ErrInvalid. AddMembers and RemoveMembers with no members do
//     nothing.
//   - In a policy target, Authing's type ORG is read as DEPARTMENT.
//   - Policy names are unique registry-wide and compared exactly;
//     DataPolicyExists is an exact lookup, while ListDataPolicies' keyword
//     is a case-insensitive substring of the name or the description.
//   - Subject IDs are 1 to [MaxCodeLen] characters of text without "/" or
//     control characters, so user IDs may be UUIDs or e-mail addresses.
//     Policy IDs in inputs follow the same rule.
//   - CheckPermissionInput.JudgeConditionEnabled is accepted and changes
//     nothing: policies have no conditions here.
//
// Limits ([Limits], zero fields take [DefaultLimits]): MaxMembershipDepth
// (8) edges in a membership chain, enforced by the store inside the write,
// a cycle always refused; MaxPolicyStatements (5, Authing's) statements per
// policy; MaxPolicyPermissions (100) permissions per statement. Every other
// list an input carries is bounded before work grows with it: list items,
// targetIdentifiers, resources per item, members per call, policyIds,
// targetList, resourceList and a principal's subjects by MaxBatch (1000);
// actions per resource by MaxActions (100); the grants one authorize or
// revoke call expands to (targets x actions, summed over its items) by
// MaxGrantsPerCall (10,000); policyIds x targetList by
// MaxPolicyTargetsPerCall (10,000). Past a bound is ErrInvalid naming the
// first item past it ("list[1000]") or the list.
//
// # Checks
//
// [Registry.IsActionAllowed], [Registry.CheckPermission], their Explain
// variants ([Registry.ExplainActionAllowed], [Registry.ExplainPermission]:
// every matching grant or statement, DENY first, with the membership chain
// it came through), [Registry.ListUserAuthorizedResources] and
// [Registry.GetUserResourceStruct] answer from an in-process permission
// index (package permindex) that the Registry feeds from its store: no
// record is read from storage on the hot path, and a repeated
// IsActionAllowed on memstore allocates nothing.
//
// Loading: the registry-wide records (memberships, data policies, policy
// targets) are loaded at the first check; a namespace's resources, data
// resources and grants at the first check of that namespace, or, with
// [WithEagerIndex], every namespace at the first check;
// [Registry.WarmIndex] loads everything before any check.
//
// Freshness, through the change log:
//
//   - Consistent mode, the default: every check first reads the store's
//     LastSeq (one cheap query) and, if it moved, applies the changes since
//     the index's own Seq. A check sees every write committed, by any
//     process, before it started.
//   - [WithCheckStaleness](d): LastSeq is read at most once per d, so a
//     check costs no storage round trip; writes of other processes are seen
//     within d (sooner on a store that announces its commits).
//   - Either way a check sees every write made through the same Registry
//     before it (read-your-writes): a write marks the index for catching up,
//     and permission writes are also applied to it directly.
//
// A log pruned past what the index applied ([ErrChangesPruned]), or a
// namespace's rename, makes the index reload from the records. Checks and writes may run from any number
// of goroutines.
//
// # Listing
//
// Lists are ordered by code and paginated with [ListOptions]: page size 0
// means [DefaultPageSize] (10), at most [MaxPageSize] (1000); a negative or
// larger size, or a bad page token, is ErrInvalid. Tokens are opaque keyset
// cursors, so a deep page costs what the first does. TotalCount is filled
// only when IncludeTotal is set. A keyword matches a case-insensitive
// substring of the code or of any name value (default or translation).
//
// # Change log
//
// Every store records each committed write in a change log, in the same
// transaction: one [Change] per record created, updated or deleted, tagged
// with the actor of [WithActor]. A namespace's rename is a single change of
// op [OpRename] (Namespace the old code, Key the new one) that stands for
// every record it moved; see [store.OpRename] for how a consumer follows it. [Registry.Changes] reads it page by page,
// [Registry.Watch] follows it, and [Registry.PruneChanges] and
// [WithChangeRetention] bound it. Seq is strictly increasing in commit
// order in every process, so a consumer that resumes from the last Seq it
// handled misses nothing; one that has fallen behind what is kept gets
// [ErrChangesPruned]. See [store.ChangeLog] for the full contract.
//
// # Manifests
//
// A [Manifest] declares a registry's content: namespaces with their
// resources, data resources and grants, then data policies (keyed by name,
// with their targets) and memberships. [DecodeManifest] reads one from YAML
// or JSON and checks it by the rules of the calls that would write it;
// errors are [*ManifestError] values naming the line, the column and the
// field path. [Registry.Plan] lists the changes that would make the
// registry match ([PlanOptions.Prune] adds the deletes), with the change
// log's sequence number it was made at; [Plan.String] renders them as a
// diff. [Registry.Export] writes a registry out as a manifest that plans
// empty against it.
//
// [Registry.Apply] writes a plan in one transaction of the store (a store
// that implements [store.Batcher]: memstore, sqlitestore, pgstore): every
// change with its change-log entries, or nothing. The plan's sequence
// number is checked inside that transaction, so a plan made before another
// write, from any process sharing the store, is refused with ErrConflict
// instead of undoing that write; plan again. Applying a manifest a second
// time finds an empty plan and records no change. A plan is never split
// across transactions: one larger than [MaxApplyChanges] is refused with
// ErrLimitExceeded (plan fewer namespaces at a time), so that an apply
// killed at any moment leaves the registry as it was before or as the
// manifest says, never between.
//
// # Errors
//
// Check errors with errors.Is against [ErrInvalid], [ErrNotFound],
// [ErrNamespaceNotFound], [ErrConflict], [ErrLimitExceeded] and [ErrBusy]
// (storage stayed locked past the context's deadline); read details with
// errors.As and [*Error]. [StatusCode] maps an error to an Authing-style
// status and [EnOSCode] to EnOS's 31400 / 31404 / 31408 / 31415.
//
// A cancelled or expired context writes nothing and returns the context's
// error.
package resreg
