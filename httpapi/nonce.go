package httpapi

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"time"
)

// nonceCache remembers the signature nonces seen within the replay window,
// so a captured request cannot be sent again while its date is still
// accepted.
//
// It is bounded and cheap under load: the entries are split over shards,
// each with its own lock, and a nonce is kept as a 128-bit keyed hash of
// the access key and the nonce (seeded at random per cache), so that the
// entries hold no pointers and the garbage collector never scans them. Two
// different nonces taking the same hash would make the second one refused
// as a replay, never a replay accepted; at 2^-128 per pair with a seed no
// client knows, that does not happen. Each shard holds at most
// max/shards nonces; when full it forgets its oldest first (that nonce's
// request is then the oldest of its shard still inside the window).
type nonceCache struct {
	ttl          int64 // nanoseconds a nonce is remembered
	seedA, seedB maphash.Seed
	shards       []nonceShard
}

// maxNonceShards bounds the shards; a cache smaller than that has one per
// nonce it may hold.
const maxNonceShards = 16

type nonceKey [2]uint64

type nonceEntry struct {
	key    nonceKey
	expiry int64 // unix nanoseconds
}

type nonceShard struct {
	mu   sync.Mutex
	max  int
	seen map[nonceKey]int64 // key -> forget after
	ring []nonceEntry       // insertion order, a FIFO of n entries from head
	head int
	n    int
	_    [64]byte // keeps two shards' locks off one cache line
}

func newNonceCache(ttl time.Duration, max int) *nonceCache {
	shards := min(maxNonceShards, max)
	c := &nonceCache{ttl: int64(ttl), seedA: maphash.MakeSeed(), seedB: maphash.MakeSeed(), shards: make([]nonceShard, shards)}
	for i := range c.shards {
		c.shards[i].max = max / shards
		c.shards[i].seen = make(map[nonceKey]int64)
	}
	return c
}

// add records the nonce of keyID at now and reports false if it was seen
// within the window.
func (c *nonceCache) add(keyID, nonce string, now time.Time) bool {
	k := nonceKey{c.hash(c.seedA, keyID, nonce), c.hash(c.seedB, keyID, nonce)}
	return c.shards[k[0]%uint64(len(c.shards))].add(k, now.UnixNano(), c.ttl)
}

// hash is of the key ID's length, the key ID and the nonce, so that no
// two pairs run together into one input.
func (c *nonceCache) hash(seed maphash.Seed, keyID, nonce string) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(keyID)))
	_, _ = h.Write(n[:])
	_, _ = h.WriteString(keyID)
	_, _ = h.WriteString(nonce)
	return h.Sum64()
}

// len is how many nonces the cache holds.
func (c *nonceCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.seen)
		s.mu.Unlock()
	}
	return n
}

func (s *nonceShard) add(k nonceKey, now, ttl int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Entries expire in insertion order because the window has one length.
	for s.n > 0 && s.ring[s.head].expiry <= now {
		s.pop()
	}
	if exp, ok := s.seen[k]; ok && now < exp {
		return false
	}
	if s.n >= s.max {
		s.pop()
	}
	exp := now + ttl
	s.seen[k] = exp
	s.push(nonceEntry{k, exp})
	return true
}

func (s *nonceShard) pop() {
	e := s.ring[s.head]
	s.head = (s.head + 1) % len(s.ring)
	s.n--
	if exp, ok := s.seen[e.key]; ok && exp == e.expiry {
		delete(s.seen, e.key)
	}
}

func (s *nonceShard) push(e nonceEntry) {
	if s.n == len(s.ring) {
		grown := make([]nonceEntry, min(max(2*len(s.ring), 64), s.max))
		for i := range s.n {
			grown[i] = s.ring[(s.head+i)%len(s.ring)]
		}
		s.ring, s.head = grown, 0
	}
	s.ring[(s.head+s.n)%len(s.ring)] = e
	s.n++
}
