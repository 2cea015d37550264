package desk

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultCancelWindow is the cancellation window of SPEC R12 for a kind the configuration
// leaves out: 30 days.
const DefaultCancelWindow = 30 * 24 * time.Hour

// DefaultSupportThresholdUSD is the amount, in US dollars, above which a cancellation needs a
// support request instead of the dialog.
const DefaultSupportThresholdUSD = 10000

// CancelPolicy holds the cancellation window per product kind (R12: configuration per kind,
// 30 days by default) and the amount above which a cancellation needs a support request.
type CancelPolicy struct {
	Windows map[ProductKind]time.Duration
	// SupportThresholdUSD is that amount in whole US dollars (0: DefaultSupportThresholdUSD).
	SupportThresholdUSD int64
}

// CancelFacts are what decides whether a purchase (one order line) can be cancelled now.
type CancelFacts struct {
	Kind ProductKind
	// NeverCancellable marks SUSE Linux and Red Hat plans (R13).
	NeverCancellable bool
	// Cancelled is whether the line is cancelled already (R15, R19).
	Cancelled      bool
	Purchased, Now time.Time
	// Gross is the line's amount in Currency's minor units.
	Gross    int64
	Currency string
	// Downloaded is whether the purchase's software was downloaded (any response that sent
	// content of one of its links).
	Downloaded bool
}

// CancelDecision is the policy's answer for a purchase: a cancel state (CancelOK,
// CancelDone, CancelNever, CancelWindowPassed, CancelNeedsSupport) and, for
// CancelNeedsSupport, the reason ("amount" or "downloaded").
type CancelDecision struct {
	State, Reason string
}

// Decide is the one cancellation rule of PartnerDesk, for the cancel dialog and the API alike:
// an already cancelled line is done (R15); SUSE Linux and Red Hat plans never (R13); past the
// window, never (R12); above the equivalent of SupportThresholdUSD, or once downloaded, only
// through a support request (or a Global admin's recorded override, see Overridable);
// otherwise it can be cancelled.
func (p CancelPolicy) Decide(f CancelFacts) CancelDecision {
	switch {
	case f.Cancelled:
		return CancelDecision{State: CancelDone}
	case f.NeverCancellable:
		return CancelDecision{State: CancelNever}
	case !p.InWindow(f.Purchased, f.Now, f.Kind):
		return CancelDecision{State: CancelWindowPassed}
	case f.Gross > p.SupportThreshold(f.Currency):
		return CancelDecision{State: CancelNeedsSupport, Reason: "amount"}
	case f.Downloaded:
		return CancelDecision{State: CancelNeedsSupport, Reason: "downloaded"}
	}
	return CancelDecision{State: CancelOK}
}

// Overridable reports whether a Global admin may cancel anyway (PermOverrideCancelPolicy): only
// the support-request rule can be overridden — for a refund that support approved — never the
// window (R12), a plan that is never cancellable (R13), or a line cancelled already.
func (d CancelDecision) Overridable() bool { return d.State == CancelNeedsSupport }

// SupportThreshold is the amount above which a cancellation needs a support request, in the
// currency's minor units; a currency without a reference rate has no such amount.
func (p CancelPolicy) SupportThreshold(currency string) int64 {
	usd := p.SupportThresholdUSD
	if usd == 0 {
		usd = DefaultSupportThresholdUSD
	}
	v, ok := FromUSD(usd, currency)
	if !ok {
		return 1<<62 - 1
	}
	return v
}

// MaxOverrideReason bounds the reason of a cancellation override.
const MaxOverrideReason = 500

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

// WindowArg is a cancellation window used as a message argument: messages show it as an
// adjective in the reader's language ("30-day", "30 napos"), so no message hard-codes a window.
type WindowArg time.Duration

// MaxCancelWindow bounds a configured cancellation window (a year and a day).
const MaxCancelWindow = 366 * 24 * time.Hour

// ParseCancelWindows reads the cancellation windows per product kind (R26) from a list such as
// "perpetual=720h,software-subscription=168h" (PARTNERDESK_CANCEL_WINDOWS). A window is a whole
// number of hours ("168h") or days ("7d"), from 1 hour to 366 days; kinds left out keep the
// default of 30 days. The error is a sentence naming the item at fault.
func ParseCancelWindows(s string) (map[ProductKind]time.Duration, error) {
	out := map[ProductKind]time.Duration{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	var kinds []string
	for _, k := range ProductKinds {
		kinds = append(kinds, string(k))
	}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, value, ok := strings.Cut(item, "=")
		kind := ProductKind(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("%q is not kind=window (for example perpetual=720h)", item)
		}
		if !kind.Valid() {
			return nil, fmt.Errorf("%q is not a product kind; the kinds are %s", name, strings.Join(kinds, ", "))
		}
		if _, dup := out[kind]; dup {
			return nil, fmt.Errorf("the window of %s is given twice", kind)
		}
		d, err := parseWindow(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("the window of %s: %w", kind, err)
		}
		out[kind] = d
	}
	return out, nil
}

// parseWindow reads "720h" or "30d".
func parseWindow(v string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a whole number of hours or days from 1h to 366d (for example 720h or 30d)", v)
	unit := time.Hour
	switch {
	case strings.HasSuffix(v, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(v, "h"):
	default:
		return 0, bad
	}
	n, err := strconv.Atoi(v[:len(v)-1])
	if err != nil || n < 1 || time.Duration(n)*unit > MaxCancelWindow {
		return 0, bad
	}
	return time.Duration(n) * unit, nil
}

// FormatCancelWindows writes windows back in the form ParseCancelWindows reads, in the kinds'
// order (for messages that name the configuration).
func FormatCancelWindows(w map[ProductKind]time.Duration) string {
	var parts []string
	for _, k := range ProductKinds {
		if d, ok := w[k]; ok {
			if d%(24*time.Hour) == 0 {
				parts = append(parts, fmt.Sprintf("%s=%dd", k, d/(24*time.Hour)))
			} else {
				parts = append(parts, fmt.Sprintf("%s=%dh", k, d/time.Hour))
			}
		}
	}
	return strings.Join(parts, ",")
}
