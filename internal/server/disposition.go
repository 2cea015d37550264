package server

import (
	"fmt"
	"strings"
	"unicode"
)

// attachment is the Content-Disposition of a file the browser saves under name (RFC 6266): an
// ASCII fallback in filename (quotes, backslashes, percent signs and anything beyond printable
// ASCII as "_") and the exact name in filename* (RFC 8187: UTF-8, percent-encoded), which every
// current browser prefers. Control and format characters (a right-to-left override that makes
// "exe.pdf" read as "fdp.exe") never reach either.
func attachment(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, name)
	if name == "" {
		name = "download"
	}
	var ascii, ext strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			ext.WriteByte(b)
		} else {
			fmt.Fprintf(&ext, "%%%02X", b)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}

// isAttrChar reports whether b may stand unencoded in an RFC 8187 ext-value (attr-char).
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
