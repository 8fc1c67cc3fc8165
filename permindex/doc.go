// Package permindex is an in-process permission index: it answers the
// registry's checks (general resource grants and data policies, through
// memberships) from memory, without touching storage. It knows nothing of
// stores: the caller feeds it records and changes through [Index.Update]
// and a [Writer] (grants, memberships, resources, data resources, policies
// and policy targets; whole namespaces with [Writer.ReplaceNamespace] for
// lazy or eager loading). It imports only the standard library.
//
// # Decision rule
//
//  1. The principal's subjects are USER UserID, the given Subjects, and
//     every ancestor of those through memberships (transitively; each
//     subject visited once, so bad data with a cycle cannot loop).
//  2. General resources ([Index.IsActionAllowed]): a grant matches if its
//     subject is among them, its resource is the checked resource or "*",
//     and its action is the checked action or "*". The resource must exist
//     and declare the action.
//  3. Data resources ([Index.CheckPermission]): a statement permission
//     ns/resPattern[/nodePattern]*/actionPattern matches a requested "code"
//     or "code/node/child" if its namespace is the checked one, the resource
//     pattern matches the code and its node patterns match a prefix of the
//     requested node path (a statement on a node covers its subtree; none
//     covers the whole data resource), and the action pattern matches. A
//     segment "*" matches any one code, a segment ending in "*" matches that
//     prefix. The data resource, node and action must exist; STRING and
//     ARRAY resources have no nodes.
//  4. Denied if any match is DENY; else allowed if any match is ALLOW;
//     else denied. Something that does not exist is denied, not an error.
//
// The Explain calls ([Index.ExplainActionAllowed], [Index.ExplainPermission])
// return the decision, a readable reason and every match ordered by
// [SortMatches]: DENY first, then subject type and ID, policy and
// permission. Via is the breadth-first (shortest) membership chain, parents
// visited in type-then-ID order.
//
// # Cost
//
// Strings are interned to small integers. Each subject holds its direct
// grants as a slice ordered by resource id of entries with one ALLOW and one
// DENY bitset over the namespace's action ids (an action id per distinct
// action name of a namespace; bit 63 is "*"; a namespace with more than 63
// action names keeps the rest in a slower map). Each resource also lists the
// subjects holding an entry on it, ascending, with a copy of their two
// bitsets (rebuilt, for the resources a write touched, when the write ends).
//
// A principal's expansion is cached in a fixed direct-mapped table keyed by
// a hash of the principal (user ID and given subjects) and is stale after
// any membership write or new subject, so a repeated check of a principal
// costs one hash of its user ID instead of a walk of the membership graph.
// The first check of a principal (or the first after a membership write)
// allocates its expansion; checks after that allocate nothing.
//
// A general check is three map lookups and the intersection of the
// principal's sorted subjects with the checked resource's and "*"'s subject
// lists (branch-free binary searches). Data permissions are held per subject
// and namespace, ordered by exact resource code (patterns first); a
// principal's permissions in the namespace it checks are merged into one
// such list, cached with its expansion and stale after any policy or policy
// target write, so a data check (one node or each request of a batch) is the
// node lookup, one search for the resource code and a walk of the matching
// permissions, whose exact actions compare as integers and exact node
// patterns as one prefix comparison.
// Deleting a resource, removing its actions or dropping a namespace scans
// every subject's entries (O(grants)); these are rare writes.
//
// Checks take a read lock and writes the write lock, so checks see a write
// whole or not at all.
package permindex
