package web

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"partnerdesk/static"
)

// Every icon a page names is a symbol of the sprite it references.
func TestIconSprite(t *testing.T) {
	sprite, err := static.FS.ReadFile("icons.svg")
	if err != nil {
		t.Fatal(err)
	}
	for n := range iconNames {
		if !strings.Contains(string(sprite), `<symbol id="`+n+`"`) {
			t.Errorf("icons.svg has no symbol %q", n)
		}
	}
	if !strings.Contains(string(sprite), `<symbol id="dot"`) {
		t.Error("icons.svg has no fallback symbol")
	}
	var b bytes.Buffer
	if err := Icon("no-such-icon").Render(context.Background(), &b); err != nil || !strings.Contains(b.String(), `href="/static/icons.svg#dot"`) {
		t.Errorf("unknown icon: %s %v", b.String(), err)
	}
}
