// Package static holds the CSS, JavaScript (vendored htmx and a small app.js) and images served
// under /static/.
package static

import "embed"

// FS holds the static files.
//
//go:embed css js favicon.svg icons.svg
var FS embed.FS
