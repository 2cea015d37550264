package static

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// The vendored htmx is exactly the release recorded in js/htmx.min.js.sha256 (htmx.org 2.0.11 from npm).
func TestHtmxPinned(t *testing.T) {
	b, err := FS.ReadFile("js/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := FS.ReadFile("js/htmx.min.js.sha256")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(string(rec))[0]
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("htmx.min.js sha256 %s, recorded %s", got, want)
	}
	if !strings.Contains(string(b), `version:"2.0.11"`) {
		t.Fatal("htmx is not 2.0.11")
	}
}
