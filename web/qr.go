package web

import (
	"fmt"
	"html"
	"image/color"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// QRSVG draws text as a QR code in SVG, on the server (no image service sees the secret it
// carries): one path of the dark modules, a quiet zone of four modules, medium error correction.
// label is the image's accessible name.
func QRSVG(text, label string) (string, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", err
	}
	const quiet = 4
	b := code.Bounds()
	n := b.Dx() + 2*quiet
	var d strings.Builder
	for y := b.Min.Y; y < b.Max.Y; y++ {
		// Runs of dark modules on a row become one rectangle each.
		for x := b.Min.X; x < b.Max.X; {
			if !dark(code.At(x, y)) {
				x++
				continue
			}
			start := x
			for x < b.Max.X && dark(code.At(x, y)) {
				x++
			}
			fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", start-b.Min.X+quiet, y-b.Min.Y+quiet, x-start, x-start)
		}
	}
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" width="200" height="200" role="img" aria-label="%s" shape-rendering="crispEdges">`+
		`<rect width="%d" height="%d" fill="#fff"></rect><path fill="#000" d="%s"></path></svg>`, n, n, html.EscapeString(label), n, n, d.String()), nil
}

func dark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}
