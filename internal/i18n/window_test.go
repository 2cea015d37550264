package i18n

import (
	"testing"
	"time"

	"partnerdesk/internal/desk"
)

// R26: a configured window is written in the reader's language, as days when whole days.
func TestWindow(t *testing.T) {
	en, hu := Get("en"), Get("hu")
	for _, tt := range []struct {
		d                      time.Duration
		enAdj, huAdj, enLength string
	}{
		{30 * 24 * time.Hour, "30-day", "30 napos", "30 days"},
		{7 * 24 * time.Hour, "7-day", "7 napos", "7 days"},
		{24 * time.Hour, "1-day", "1 napos", "1 day"},
		{36 * time.Hour, "36-hour", "36 órás", "36 hours"},
		{time.Hour, "1-hour", "1 órás", "1 hour"},
	} {
		if got := en.Window(tt.d); got != tt.enAdj {
			t.Errorf("en %s: %q, want %q", tt.d, got, tt.enAdj)
		}
		if got := hu.Window(tt.d); got != tt.huAdj {
			t.Errorf("hu %s: %q, want %q", tt.d, got, tt.huAdj)
		}
		if got := en.WindowLength(tt.d); got != tt.enLength {
			t.Errorf("en length %s: %q, want %q", tt.d, got, tt.enLength)
		}
	}
	err := desk.KeyError(desk.EWINDOWCLOSED, "err.window_passed", "Visio", desk.WindowArg(7*24*time.Hour))
	if got := en.Err(err); got != "Visio: the 7-day cancellation window has passed." {
		t.Errorf("en %q", got)
	}
	if got := hu.Err(err); got != "Visio: a 7 napos lemondási időszak lejárt." {
		t.Errorf("hu %q", got)
	}
}
