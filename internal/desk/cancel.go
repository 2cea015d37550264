package desk

import "time"

// DefaultCancelWindow is the cancellation window of SPEC R12: 30 days.
const DefaultCancelWindow = 30 * 24 * time.Hour

// CancelPolicy holds the cancellation window per product kind (R12: configuration per kind,
// 30 days by default).
type CancelPolicy struct {
	Windows map[ProductKind]time.Duration
}

// Window returns the kind's cancellation window.
func (p CancelPolicy) Window(k ProductKind) time.Duration {
	if w, ok := p.Windows[k]; ok {
		return w
	}
	return DefaultCancelWindow
}

// Deadline is the last instant a purchase can be cancelled: purchase time + window (for the
// default, purchase time + 30 × 24 h). A cancellation at exactly the deadline is inside the
// window; one a millisecond later is not (R12).
func (p CancelPolicy) Deadline(purchased time.Time, k ProductKind) time.Time {
	return purchased.Add(p.Window(k))
}

// InWindow reports whether now is inside the purchase's cancellation window.
func (p CancelPolicy) InWindow(purchased, now time.Time, k ProductKind) bool {
	return !now.After(p.Deadline(purchased, k))
}

// DaysLeft is the whole days left to cancel, rounded up, and at least 1 while the purchase is
// inside its window (so "1 day" until the very deadline); 0 once the window has passed.
func (p CancelPolicy) DaysLeft(purchased, now time.Time, k ProductKind) int {
	left := p.Deadline(purchased, k).Sub(now)
	if left < 0 {
		return 0
	}
	return max(1, int((left+24*time.Hour-1)/(24*time.Hour)))
}

// SoftwareItem is a software purchase as the Software tab shows it: the entitlement, its
// product's editions, the versions that have a key, and the cancellation window.
type SoftwareItem struct {
	Entitlement
	Product     Product
	KeyVersions []string
	Deadline    time.Time
	DaysLeft    int
}

// HasKey reports whether the item has a key for version.
func (s SoftwareItem) HasKey(version string) bool {
	for _, v := range s.KeyVersions {
		if v == version {
			return true
		}
	}
	return false
}

// Versions lists the product's edition versions, newest first, once each.
func (p Product) Versions() []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range p.Editions {
		if !seen[e.Version] {
			seen[e.Version] = true
			out = append(out, e.Version)
		}
	}
	return out
}

// Edition returns the product's edition for a version, language and bitness.
func (p Product) Edition(ref EditionRef) (Edition, bool) {
	for _, e := range p.Editions {
		if e.Version == ref.Version && e.Language == ref.Language && e.Bitness == ref.Bitness {
			return e, true
		}
	}
	return Edition{}, false
}
