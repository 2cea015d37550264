package service

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// keyedLimiter is a token bucket per key (an account, an IP, a user), with idle buckets dropped.
type keyedLimiter struct {
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

func newKeyedLimiter(perSecond float64, burst int, now func() time.Time) *keyedLimiter {
	return &keyedLimiter{every: rate.Limit(perSecond), burst: burst, now: now, buckets: map[string]*bucket{}}
}

func (k *keyedLimiter) get(key string) *rate.Limiter {
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
func (k *keyedLimiter) Exhausted(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.get(key).TokensAt(k.now()) < 1
}

// Take takes one token of key; false when there is none.
func (k *keyedLimiter) Take(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.get(key).AllowN(k.now(), 1)
}

// RetryAfter is how long until key has a token again.
func (k *keyedLimiter) RetryAfter(key string) time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	lim := k.get(key)
	missing := 1 - lim.TokensAt(k.now())
	if missing <= 0 {
		return 0
	}
	return time.Duration(missing / float64(k.every) * float64(time.Second))
}
