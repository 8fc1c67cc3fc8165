package httpapi

import (
	"sync"
	"time"
)

// nonceCache remembers the signature nonces seen within the replay window,
// so a captured request cannot be sent again while its date is still
// accepted. It is bounded: when full, the oldest nonce is forgotten first
// (that nonce's request is then the oldest still inside the window).
type nonceCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	seen  map[string]time.Time // nonce key -> forget after
	order []nonceEntry         // insertion order, a FIFO
	head  int
}

type nonceEntry struct {
	key    string
	expiry time.Time
}

func newNonceCache(ttl time.Duration, max int) *nonceCache {
	return &nonceCache{ttl: ttl, max: max, seen: make(map[string]time.Time)}
}

// add records key at now and reports false if it was seen within the
// window.
func (c *nonceCache) add(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	if exp, ok := c.seen[key]; ok && now.Before(exp) {
		return false
	}
	for len(c.seen) >= c.max && c.head < len(c.order) {
		c.drop()
	}
	exp := now.Add(c.ttl)
	c.seen[key] = exp
	c.order = append(c.order, nonceEntry{key, exp})
	return true
}

// expire forgets the nonces whose window has passed; entries expire in
// insertion order because the window has one length.
func (c *nonceCache) expire(now time.Time) {
	for c.head < len(c.order) && !now.Before(c.order[c.head].expiry) {
		c.drop()
	}
	if c.head > len(c.order)/2 && c.head > 1024 {
		c.order = append([]nonceEntry(nil), c.order[c.head:]...)
		c.head = 0
	}
}

func (c *nonceCache) drop() {
	e := c.order[c.head]
	c.order[c.head] = nonceEntry{}
	c.head++
	if exp, ok := c.seen[e.key]; ok && exp.Equal(e.expiry) {
		delete(c.seen, e.key)
	}
}
