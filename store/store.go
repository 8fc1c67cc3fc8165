// Package store is the storage contract of resreg: the [Store] interface, the
// records it keeps, and the sentinel errors it returns.
//
// A Store enforces the invariants that must hold even when several
// registries, goroutines or processes write at once: uniqueness of codes,
// IDs and data resource names within a namespace, the per-namespace resource
// quota, and all-or-nothing batches. Input validation (lengths, character
// sets, tree shape) is the Registry's job; a Store trusts what it is given.
//
// The package imports nothing else of resreg. Implementations live in
// memstore and sqlitestore; store/storetest checks any implementation.
package store

import "context"

// WriteOptions carries the limits a Store enforces inside a write.
type WriteOptions struct {
	// MaxResourcesPerNamespace caps how many resources (not data resources)
	// a namespace may hold after the write; 0 means no cap.
	MaxResourcesPerNamespace int
}

// Store keeps namespaces, resources and data resources.
//
// Implementations must be safe for concurrent use and must copy records on
// the way in and out: a caller that changes a record after passing it, or a
// record it got back, never changes stored state.
//
// Every method checks ctx first; a context that is done returns ctx.Err()
// (unwrapped, so errors.Is(err, context.Canceled) holds) and writes nothing.
// A store that cannot get its lock before ctx's deadline returns an error
// matching ErrBusy.
//
// Listings are ordered by code in byte order ("Menu" before "btn") and
// paginated with [ListOptions]: an invalid page size or token is an
// ErrInvalid error (see [ListOptions.CursorFor]; a token works only for the
// kind of listing and the namespace that issued it). Every page but the last is
// full, the last page has an empty NextPageToken, and TotalCount, when
// asked for, is set on every page.
//
// In a conflict error, Codes lists the codes of the resources involved, also
// when it is their ID that is taken.
//
// Times are kept with nanosecond precision and returned in UTC. Every store
// keeps exactly the times from [MinTime] to [MaxTime] (int64 nanoseconds
// since 1970) and the zero time, which is kept as the zero time; a write
// carrying any other time is an ErrInvalid error naming the field (see
// [CheckTimes]) and writes nothing.
//
// Records given to a Store have passed the Registry's validation: resource
// IDs are not empty (an empty ID is treated as no ID: it is never found and
// never conflicts), and tree node codes are unique among siblings, so every
// tree path names one node.
//
// The update methods take a function that edits a copy of the stored record
// inside the write; it must not call the Store. An error from it is returned
// as it is and nothing is written. Changes it makes to the record's key
// fields (namespace, code, ID) and CreatedAt are ignored.
type Store interface {
	// Grants, Memberships and DataPolicies keep the permission records;
	// each documents its own error contract and cascades.
	Grants
	Memberships
	DataPolicies
	// Directory keeps the users, roles and groups Authing's permission
	// flows name; deleting one removes what names it.
	Directory
	// ChangeLog records every write; see its documentation for the ordering
	// guarantee.
	ChangeLog
	Closer

	// CreateNamespace adds ns. It returns ErrConflict if ns.Code exists.
	CreateNamespace(ctx context.Context, ns Namespace) error
	// GetNamespace returns ErrNamespaceNotFound if code does not exist.
	GetNamespace(ctx context.Context, code string) (Namespace, error)
	// ListNamespaces lists every namespace, DefaultNamespace included.
	ListNamespaces(ctx context.Context, opts ListOptions) (Page[Namespace], error)
	// UpdateNamespace applies fn to namespace code and returns the result.
	// It returns ErrNamespaceNotFound if code does not exist.
	UpdateNamespace(ctx context.Context, code string, fn func(*Namespace) error) (Namespace, error)
	// RenameNamespace moves namespace code and everything in it to
	// newCode in one write, and returns the namespace record as stored
	// after it. fn edits a copy of the record first, as in UpdateNamespace
	// (the stored record then takes Code newCode and keeps its CreatedAt).
	//
	// What moves with the namespace, atomically: its resources, data
	// resources (with their tree nodes) and grants; the directory entries
	// whose Namespace is code; in every data policy with a ref naming code,
	// those refs' Namespace and every statement permission whose namespace
	// segment is code (rewritten by [RenamePermission]); and the
	// namespace's roles, whose subject IDs hold its code ([RoleID]): every
	// role subject of code ([IsRoleOf]) becomes the role of the same code
	// in newCode ([RenameSubject]) wherever a record names it, entry or
	// not: directory entries, memberships on either side, grants in every
	// namespace, policy targets. Every other field of those records stays
	// as it was, their times included; nothing else changes (other
	// subjects' memberships and targets, other namespaces' records).
	//
	// Errors, checked in this order, each writing nothing: ErrInvalid from
	// [CheckRename] (the default namespace is never renamed, nor is a
	// namespace renamed to its own code); ErrNamespaceNotFound if code
	// does not exist; ErrConflict (Field "newCode", Codes [newCode]) if
	// newCode exists, or if a record names a role of newCode
	// ([RolesOfNamespaceTaken]); an error from fn, as it is; ErrInvalid
	// (Field "updatedAt") for a time outside what a store keeps.
	//
	// The write records one change, of op [OpRename]; see there for what
	// it carries and how a consumer follows it.
	RenameNamespace(ctx context.Context, code, newCode string, fn func(*Namespace) error) (Namespace, error)
	// DeleteNamespace removes an empty namespace. It returns
	// ErrNamespaceNotFound if code does not exist, ErrInvalid for
	// DefaultNamespace, and ErrConflict if the namespace still holds
	// resources, data resources or grants, or a data policy names it.
	DeleteNamespace(ctx context.Context, code string) error

	// CreateResources adds every resource or none. Resources may name
	// different namespaces. Errors, checked in this order:
	// ErrNamespaceNotFound if a namespace does not exist; ErrConflict if a
	// code or ID is already taken in its namespace or repeats within the
	// batch (the [*Error] lists every such code); ErrLimitExceeded if a
	// namespace would hold more than opts.MaxResourcesPerNamespace
	// resources.
	CreateResources(ctx context.Context, resources []Resource, opts WriteOptions) error
	// GetResource returns ErrNotFound if no resource has code in namespace,
	// and ErrNamespaceNotFound if the namespace does not exist.
	GetResource(ctx context.Context, namespace, code string) (Resource, error)
	// GetResourceByID returns ErrNotFound if no resource has id in
	// namespace, and ErrNamespaceNotFound if the namespace does not exist.
	GetResourceByID(ctx context.Context, namespace, id string) (Resource, error)
	// ListResources returns the resources of filter.Namespace that match
	// filter, ordered by code. It returns ErrNamespaceNotFound if the
	// namespace does not exist.
	ListResources(ctx context.Context, filter ResourceFilter, opts ListOptions) (Page[Resource], error)
	// UpdateResource applies fn to the resource and returns the result. It
	// returns ErrNotFound if the resource does not exist and
	// ErrNamespaceNotFound if the namespace does not.
	UpdateResource(ctx context.Context, namespace, code string, fn func(*Resource) error) (Resource, error)
	// DeleteResources removes every listed resource or none: if a code does
	// not exist it returns ErrNotFound listing the missing codes.
	// It returns ErrNamespaceNotFound if the namespace does not exist.
	DeleteResources(ctx context.Context, namespace string, codes []string) error

	// CreateDataResource adds d. It returns ErrNamespaceNotFound if
	// d.NamespaceCode does not exist and ErrConflict (with Field
	// "resourceCode" or "resourceName") if the code or the name is taken in
	// the namespace.
	CreateDataResource(ctx context.Context, d DataResource) error
	// GetDataResource returns ErrNotFound if no data resource has code in
	// namespace, and ErrNamespaceNotFound if the namespace does not exist.
	GetDataResource(ctx context.Context, namespace, code string) (DataResource, error)
	// GetDataResourceByName is GetDataResource by the unique resource name.
	GetDataResourceByName(ctx context.Context, namespace, name string) (DataResource, error)
	// GetDataTreeNode returns the node at path (codes joined by "/") of the
	// TREE data resource code, without its children. It returns ErrNotFound
	// if the data resource does not exist, is not a TREE, or has no node
	// at path, and ErrNamespaceNotFound if the namespace does not exist.
	GetDataTreeNode(ctx context.Context, namespace, code, path string) (TreePath, error)
	// ListDataResources returns the data resources of filter.Namespace that
	// match filter, ordered by resource code. It returns
	// ErrNamespaceNotFound if the namespace does not exist.
	ListDataResources(ctx context.Context, filter DataResourceFilter, opts ListOptions) (Page[DataResource], error)
	// UpdateDataResource applies fn to the data resource and returns the
	// result. It returns ErrNotFound if it does not exist,
	// ErrNamespaceNotFound if the namespace does not, and ErrConflict if
	// the new name is taken by another data resource.
	UpdateDataResource(ctx context.Context, namespace, code string, fn func(*DataResource) error) (DataResource, error)
	// DeleteDataResource returns ErrNotFound if the data resource does not
	// exist and ErrNamespaceNotFound if the namespace does not.
	DeleteDataResource(ctx context.Context, namespace, code string) error
}
