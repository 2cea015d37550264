package desk

import (
	"strings"
	"testing"
	"time"
)

// R26: the windows per kind read from configuration; a bad item is a sentence naming it.
func TestParseCancelWindows(t *testing.T) {
	w, err := ParseCancelWindows(" perpetual=720h, software-subscription=7d ,server-subscription=36h")
	if err != nil {
		t.Fatal(err)
	}
	p := CancelPolicy{Windows: w}
	for k, want := range map[ProductKind]time.Duration{KindPerpetual: 720 * time.Hour, KindSoftwareSubscription: 168 * time.Hour,
		KindServerSubscription: 36 * time.Hour, KindAzureReservation: DefaultCancelWindow} {
		if got := p.Window(k); got != want {
			t.Errorf("%s: %s, want %s", k, got, want)
		}
	}
	if got := FormatCancelWindows(w); got != "perpetual=30d,software-subscription=7d,server-subscription=36h" {
		t.Errorf("format %q", got)
	}
	if w, err := ParseCancelWindows(""); err != nil || len(w) != 0 {
		t.Errorf("empty: %v %v", w, err)
	}
	for in, want := range map[string]string{
		"perpetual":                     `"perpetual" is not kind=window`,
		"perpetual=":                    `the window of perpetual: "" is not a whole number`,
		"licence=30d":                   `"licence" is not a product kind; the kinds are perpetual, software-subscription, server-subscription, azure-reservation, azure-software-plan`,
		"perpetual=30d,perpetual=7d":    "the window of perpetual is given twice",
		"perpetual=1.5h":                `"1.5h" is not a whole number of hours or days`,
		"perpetual=-3d":                 `"-3d" is not a whole number`,
		"perpetual=367d":                `"367d" is not a whole number of hours or days from 1h to 366d`,
		"perpetual=90m":                 `"90m" is not a whole number`,
		"software-subscription=8785h":   `"8785h" is not`,
		"azure-reservation=0d":          `"0d" is not`,
		"perpetual=30d,,bogus=1d":       `"bogus" is not a product kind`,
		"perpetual=30 d":                `"30 d" is not`,
		"server-subscription = 7d, x=y": `"x" is not a product kind`,
	} {
		if _, err := ParseCancelWindows(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}
