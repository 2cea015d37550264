// Package ratelimit holds token buckets per key (an account, an IP, a user, an API token) in
// the process, with idle buckets dropped: the SQLite engine's rate limits (one process serves a
// SQLite data directory). PostgreSQL keeps the same buckets in a table every instance shares.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Buckets is a token bucket per key; each call names the bucket's rate and size.
type Buckets struct {
	mu    sync.Mutex
	m     map[string]*bucket
	swept time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewBuckets returns an empty set of buckets.
func NewBuckets() *Buckets { return &Buckets{m: map[string]*bucket{}} }

// Refill is the token-bucket rule both engines apply: the tokens a bucket holds at now, given
// what it held at a time, perSecond tokens a second, at most burst.
func Refill(tokens float64, at, now time.Time, perSecond float64, burst int) float64 {
	if elapsed := now.Sub(at).Seconds(); elapsed > 0 {
		tokens += elapsed * perSecond
	}
	return math.Min(tokens, float64(burst))
}

// Wait is how long until a bucket holding tokens has one.
func Wait(tokens, perSecond float64) time.Duration {
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / perSecond * float64(time.Second))
}

func (b *Buckets) get(key string, burst int, now time.Time, perSecond float64) *bucket {
	// Drop the buckets that have refilled: they are the same as absent ones.
	if now.Sub(b.swept) > time.Minute && len(b.m) > 1000 {
		for k, bk := range b.m {
			if Refill(bk.tokens, bk.at, now, perSecond, burst) >= float64(burst) {
				delete(b.m, k)
			}
		}
		b.swept = now
	}
	bk, ok := b.m[key]
	if !ok {
		bk = &bucket{tokens: float64(burst), at: now}
		b.m[key] = bk
	}
	bk.tokens = Refill(bk.tokens, bk.at, now, perSecond, burst)
	if now.After(bk.at) {
		bk.at = now
	}
	return bk
}

// Take takes one token of key; false, with the wait until the next token, when there is none.
func (b *Buckets) Take(key string, perSecond float64, burst int, now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.get(key, burst, now, perSecond)
	if bk.tokens >= 1 {
		bk.tokens--
		return true, 0
	}
	return false, Wait(bk.tokens, perSecond)
}

// Peek returns how long until key has a token (0: it has one), taking nothing.
func (b *Buckets) Peek(key string, perSecond float64, burst int, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return Wait(b.get(key, burst, now, perSecond).tokens, perSecond)
}
