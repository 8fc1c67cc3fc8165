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
// # Choices where the documents disagree or are silent
//
//   - Authing's createResource response returns actions as a string holding
//     a JSON array, and names as plain strings; EnOS returns names as
//     {"defaultValue", "i18nValue"} objects. [Resource] encodes actions as an
//     array and the name as an object, and decodes all of those forms
//     ([ActionList], [I18nName]).
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
//     that holds resources or data resources is ErrConflict.
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
//     IDs, action names (Authing's "ecs:Start"), data resource codes, data
//     action names, namespace codes and tree node codes. '/' is never
//     allowed, so tree paths split safely.
//   - The text rule: valid UTF-8 without control characters other than tab,
//     newline and carriage return, with a maximum length in characters:
//     [MaxNameLen] for names, [MaxDescriptionLen] for descriptions,
//     [MaxValueLen] for STRING structs, ARRAY items and tree node values.
//     Required text must not be blank.
//   - Resources: type and code required; name optional (required
//     defaultValue when registering); at most [Limits].MaxActions actions,
//     each with a name (code rule, unique within the resource) and a
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
// with the actor of [WithActor]. [Registry.Changes] reads it page by page,
// [Registry.Watch] follows it, and [Registry.PruneChanges] and
// [WithChangeRetention] bound it. Seq is strictly increasing in commit
// order in every process, so a consumer that resumes from the last Seq it
// handled misses nothing; one that has fallen behind what is kept gets
// [ErrChangesPruned]. See [store.ChangeLog] for the full contract.
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
