package resreg

import (
	"context"
	"sync"
	"time"
)

// userSeen remembers, for the checks' staleness (see [WithCheckStaleness]),
// which users were found in the directory and when, so that a server that
// makes every check name a known user does not read the store for it on
// each check. In consistent mode nothing is remembered. Deletes made
// through this Registry forget their users at once; deletes by other
// processes show within the staleness, as for the checks.
type userSeen struct {
	mu   sync.RWMutex
	seen map[string]int64 // userId -> unix nanoseconds when found
	// gen counts forgetUsers calls: a lookup that started before one
	// remembers nothing, so a read racing a delete cannot bring the
	// deleted user back.
	gen uint64
}

// maxUsersSeen bounds the memory of userSeen; when full it starts over.
const maxUsersSeen = 100_000

// RequireUser returns nil if the directory holds user userID and an
// ErrNotFound error (Field "userId") if it does not. With
// [WithCheckStaleness] a user found less than that long ago is not read
// again.
func (r *Registry) RequireUser(ctx context.Context, userID string) error {
	d := r.authz.staleness
	if d > 0 {
		r.users.mu.RLock()
		at, ok := r.users.seen[userID]
		r.users.mu.RUnlock()
		if ok && time.Now().UnixNano()-at < int64(d) {
			return ctx.Err()
		}
	}
	r.users.mu.RLock()
	gen := r.users.gen
	r.users.mu.RUnlock()
	if _, err := r.GetUser(ctx, userID); err != nil {
		return withField(err, "userId")
	}
	if d > 0 {
		now := time.Now().UnixNano()
		r.users.mu.Lock()
		defer r.users.mu.Unlock()
		if gen != r.users.gen {
			return nil
		}
		if r.users.seen == nil || len(r.users.seen) >= maxUsersSeen {
			r.users.seen = make(map[string]int64)
		}
		r.users.seen[userID] = now
	}
	return nil
}

// forgetUsers drops ids from userSeen; DeleteUsers calls it after its
// write, so that no lookup answers from before the delete once DeleteUsers
// has returned.
func (r *Registry) forgetUsers(ids []string) {
	r.users.mu.Lock()
	r.users.gen++
	for _, id := range ids {
		delete(r.users.seen, id)
	}
	r.users.mu.Unlock()
}
