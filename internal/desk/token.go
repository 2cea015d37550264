package desk

import "time"

// APIToken is a bearer token of the REST API (SPEC §9); it acts with its user's roles.
type APIToken struct {
	ID         string
	UserID     string
	UserEmail  string
	Name       string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// Active reports whether the token may be used at now.
func (t APIToken) Active(now time.Time) bool { return t.RevokedAt.IsZero() && now.Before(t.ExpiresAt) }
