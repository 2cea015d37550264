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

// A known icon drawn from the kept markup is exactly what the component draws.
func TestIconKeptMarkup(t *testing.T) {
	for n := range iconNames {
		var kept, drawn bytes.Buffer
		if err := Icon(n).Render(context.Background(), &kept); err != nil {
			t.Fatal(err)
		}
		if err := iconSVG(n).Render(context.Background(), &drawn); err != nil {
			t.Fatal(err)
		}
		if kept.String() != drawn.String() || !strings.Contains(kept.String(), `href="/static/icons.svg#`+n+`"`) {
			t.Errorf("icon %q: kept %s, drawn %s", n, kept.String(), drawn.String())
		}
	}
}
