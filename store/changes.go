package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// Op says what a [Change] did to its record.
const (
	OpCreate = "create"
	OpUpdate = "update"
	OpDelete = "delete"
	// OpRename is the one change of a [Store.RenameNamespace], of Kind
	// KindNamespace: Namespace is the code the namespace had, Key its new
	// code, Record the namespace record after the rename.
	//
	// A rename is one change, however much it moves. The records that
	// moved with the namespace (resources, data resources, tree nodes,
	// grants, directory entries, the data policies whose permissions named
	// it, the records naming its roles) record no change of their own: a
	// consumer sees the whole move at one Seq or not at all, the log does
	// not grow with the namespace's size, and the changes recorded before
	// the rename keep the codes they were made under. A consumer that keeps
	// records follows it as [Store.RenameNamespace] describes: what it
	// holds under Namespace moves to Key, the permissions of its data
	// policies are rewritten with [RenamePermission] and the subjects of
	// its records with [RenameSubject]; or it reloads what it keeps from
	// the store, as the Registry's permission index does.
	OpRename = "rename"
)

// Ops lists every Op constant, in declaration order. Stores that keep an
// op as its position in this list rely on the order: new ops are only
// ever appended.
func Ops() []string { return []string{OpCreate, OpUpdate, OpDelete, OpRename} }

// Kind names the kind of record a [Change] is about. The last four are the
// records of the permission model; they are declared here so that every
// store and every consumer spells them the same way.
const (
	KindNamespace    = "namespace"
	KindResource     = "resource"
	KindDataResource = "dataResource"
	KindGrant        = "grant"
	KindDataPolicy   = "dataPolicy"
	KindPolicyTarget = "policyTarget"
	KindMembership   = "membership"
	// KindDirectoryEntry is a user, role or group of the [Directory].
	KindDirectoryEntry = "directoryEntry"
)

// Kinds lists every Kind constant, in declaration order.
func Kinds() []string {
	return []string{KindNamespace, KindResource, KindDataResource, KindGrant, KindDataPolicy, KindPolicyTarget, KindMembership, KindDirectoryEntry}
}

// MaxChangesLimit is the largest limit [ChangeLog.Changes] accepts.
const MaxChangesLimit = 1000

// ErrChangesPruned reports a read of the change log from a point older than
// what the log still keeps: changes after it have been pruned, so a
// consumer must resynchronise from the records themselves rather than
// silently miss them.
var ErrChangesPruned = errors.New("changes pruned")

// Change is one entry of the change log: one record created, updated or
// deleted by a committed write.
type Change struct {
	// Seq is store-wide and strictly increasing in commit order.
	Seq int64 `json:"seq"`
	// Time is when the write was committed, by the store's clock, in UTC.
	Time time.Time `json:"time"`
	// Op is OpCreate, OpUpdate, OpDelete or, for a namespace, OpRename.
	Op string `json:"op"`
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// Namespace is the namespace of the record; for a namespace's own
	// change, its code (for OpRename, the code it had).
	Namespace string `json:"namespace"`
	// Key is the record's code (a resource's ID is in Record; for
	// OpRename, the namespace's new code).
	Key string `json:"key"`
	// Actor is the actor of the write's context (see [WithActor]); empty
	// when none was set.
	Actor string `json:"actor"`
	// Record is the record as stored after the change, in its JSON form;
	// for a delete, the record as it was.
	Record json.RawMessage `json:"record"`
}

// InNamespace reports whether c is about namespace ns: a change whose
// Namespace is ns, or the rename of a namespace to ns.
func (c Change) InNamespace(ns string) bool {
	return c.Namespace == ns || (c.Op == OpRename && c.Kind == KindNamespace && c.Key == ns)
}

// ChangeLog is the role of a [Store] that records every write.
//
// Every successful write appends one Change per record it creates, updates
// or deletes (a namespace's rename is one change, see [OpRename]), in the
// same transaction (or critical section) as the write
// itself: a write that fails, is rejected or is cancelled leaves no change,
// and a committed one always has its changes. A batch's changes carry
// consecutive numbers in the batch's order. The default namespace that a
// store creates when it is set up has no change.
//
// Ordering, the guarantee consumers rely on: Seq is store-wide and strictly
// increasing in commit order. A reader that has seen Seq N never later finds
// a change with Seq <= N appear, in any process sharing the store. Numbers
// are never reused: pruning keeps the newest change, so LastSeq never goes
// back.
type ChangeLog interface {
	// Changes returns the changes with Seq > since, oldest first, at most
	// limit of them. It returns ErrInvalid (Field "since" or "limit") if
	// since is negative or limit is outside 1..MaxChangesLimit, and
	// ErrChangesPruned if changes after since have been pruned. A since at
	// or past LastSeq gives an empty, non-error result.
	Changes(ctx context.Context, since int64, limit int) ([]Change, error)
	// LastSeq returns the Seq of the newest change, 0 if none was ever
	// recorded.
	LastSeq(ctx context.Context) (int64, error)
	// PruneChanges removes the changes with Seq < before, except the newest
	// change, which is always kept. It returns ErrInvalid (Field "before")
	// if before is negative.
	PruneChanges(ctx context.Context, before int64) error
	// PruneChangesOlderThan removes, oldest first, the changes whose Time
	// is before cutoff, stopping at the first change that is not (so what
	// is kept is always a run of consecutive changes), and never removes
	// the newest change.
	PruneChangesOlderThan(ctx context.Context, cutoff time.Time) error
}

// ChangeNotifier is implemented by a store that can wake a watcher when it
// commits changes, instead of leaving the watcher to poll. A Registry finds
// it by type assertion.
type ChangeNotifier interface {
	// ChangesNotify returns a channel that is closed once a change is
	// committed after the call. Call it before reading the log, then read,
	// then wait on the channel: a change committed in between closes it, so
	// no wake-up is lost.
	ChangesNotify() <-chan struct{}
}

// CheckChangesArgs checks the arguments of [ChangeLog.Changes]; stores call
// it first so that every store rejects the same input.
func CheckChangesArgs(since int64, limit int) error {
	if since < 0 {
		return Invalid("since", "since must not be negative, got "+strconv.FormatInt(since, 10))
	}
	if limit < 1 || limit > MaxChangesLimit {
		return Invalid("limit", "limit must be 1.."+strconv.Itoa(MaxChangesLimit)+", got "+strconv.Itoa(limit))
	}
	return nil
}

// ChangesPruned returns the ErrChangesPruned error for a read from since
// when the oldest change kept is oldest.
func ChangesPruned(since, oldest int64) *Error {
	return &Error{
		Field: "since",
		Message: "changes after " + strconv.FormatInt(since, 10) + " are no longer kept; the oldest kept is " +
			strconv.FormatInt(oldest, 10),
		Err: ErrChangesPruned,
	}
}
