// Package ratelimit holds token buckets per key (an account, an IP, a user, an API token), with
// idle buckets dropped.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed is a token bucket per key (an account, an IP, a user), with idle buckets dropped.
type Keyed struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	now     func() time.Time
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	used time.Time
}

// NewKeyed returns a bucket per key: perSecond tokens a second, at most burst.
func NewKeyed(perSecond float64, burst int, now func() time.Time) *Keyed {
	return &Keyed{every: rate.Limit(perSecond), burst: burst, now: now, buckets: map[string]*bucket{}}
}

func (k *Keyed) get(key string) *rate.Limiter {
	now := k.now()
	if now.Sub(k.swept) > time.Minute && len(k.buckets) > 1000 {
		for key, b := range k.buckets {
			if b.lim.TokensAt(now) >= float64(k.burst) {
				delete(k.buckets, key)
			}
		}
		k.swept = now
	}
	b, ok := k.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(k.every, k.burst)}
		k.buckets[key] = b
	}
	b.used = now
	return b.lim
}

// Exhausted reports whether key has no token left, without taking one.
func (k *Keyed) Exhausted(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.get(key).TokensAt(k.now()) < 1
}

// Take takes one token of key; false when there is none.
func (k *Keyed) Take(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.get(key).AllowN(k.now(), 1)
}

// RetryAfter is how long until key has a token again.
func (k *Keyed) RetryAfter(key string) time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	lim := k.get(key)
	missing := 1 - lim.TokensAt(k.now())
	if missing <= 0 {
		return 0
	}
	return time.Duration(missing / float64(k.every) * float64(time.Second))
}
