package httpapi

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func TestNonceCacheRefusesAReplayInsideTheWindow(t *testing.T) {
	c := newNonceCache(30*time.Minute, 1000)
	require.True(t, c.add("k", "n1", t0))
	require.False(t, c.add("k", "n1", t0), "replay")
	require.False(t, c.add("k", "n1", t0.Add(30*time.Minute-time.Nanosecond)), "replay at the end of the window")
	require.True(t, c.add("k2", "n1", t0), "the same nonce under another key is another request")
	require.True(t, c.add("k", "n2", t0))
	require.True(t, c.add("k", "n1", t0.Add(30*time.Minute)), "forgotten once its window has passed")
	require.False(t, c.add("k", "n1", t0.Add(31*time.Minute)), "and remembered again from then")
	// The key and the nonce do not run together: ("k\x00", "a") is not ("k", "\x00a").
	require.True(t, c.add("k\x00", "a", t0))
	require.True(t, c.add("k", "\x00a", t0))
}

func TestNonceCacheIsBounded(t *testing.T) {
	t.Run("one entry", func(t *testing.T) {
		c := newNonceCache(time.Hour, 1)
		require.True(t, c.add("k", "n1", t0))
		require.True(t, c.add("k", "n2", t0), "full: the oldest is forgotten")
		require.False(t, c.add("k", "n2", t0))
		require.True(t, c.add("k", "n1", t0), "n1 was forgotten")
		require.Equal(t, 1, c.len())
	})
	t.Run("sharded", func(t *testing.T) {
		const max = 1000
		c := newNonceCache(time.Hour, max)
		require.Len(t, c.shards, maxNonceShards)
		for i := range 20 * max {
			require.True(t, c.add("k", strconv.Itoa(i), t0))
			require.LessOrEqual(t, c.len(), max)
		}
		require.GreaterOrEqual(t, c.len(), max-maxNonceShards, "each shard full")
		// The newest nonces are all still refused; the oldest were forgotten.
		for i := 20*max - max/maxNonceShards; i < 20*max; i++ {
			require.False(t, c.add("k", strconv.Itoa(i), t0), i)
		}
		require.True(t, c.add("k", "0", t0))
		for i := range c.shards {
			require.LessOrEqual(t, len(c.shards[i].ring), max/maxNonceShards, "the ring grows to its bound, no further")
		}
	})
}

// A clock that goes back leaves entries out of expiry order; none of
// them is lost or kept past its own window.
func TestNonceCacheClockGoingBack(t *testing.T) {
	c := newNonceCache(time.Minute, 1)
	require.True(t, c.add("k", "a", t0.Add(time.Hour)))
	require.False(t, c.add("k", "a", t0), "remembered until an hour and a minute")
	require.True(t, c.add("k", "a", t0.Add(time.Hour+time.Minute)))
}

// Under concurrent adds every nonce is accepted exactly once.
func TestNonceCacheConcurrentAddsAcceptEachNonceOnce(t *testing.T) {
	c := newNonceCache(time.Hour, 100_000)
	const nonces, workers = 2000, 8
	var accepted atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range nonces {
				n := (i + w*nonces/workers) % nonces // the workers start at different nonces
				if c.add("k", "n"+strconv.Itoa(n), t0) {
					accepted.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	require.EqualValues(t, nonces, accepted.Load())
	require.Equal(t, nonces, c.len())
}
