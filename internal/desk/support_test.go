package desk

import (
	"strings"
	"testing"
)

// The support form's order reference is an identifier (it goes into the activity log's order
// column and its CSV export), never free text.
func TestValidOrderRef(t *testing.T) {
	for _, tt := range []struct {
		ref string
		ok  bool
	}{
		{"6f1c2d3e-8a4b-4c5d-9e6f-0a1b2c3d4e5f", true},
		{"6F1C2D3E-8A4B-4C5D-9E6F-0A1B2C3D4E5F", true},
		{"1a2b3c4d5e6f", true},
		{"ORDER-123", true},
		{"A", true},
		{"", false},
		{"=1+1", false},
		{"-1+1", false},
		{"@SUM(A1)", false},
		{"|calc", false},
		{"%0A", false},
		{" ORDER-1", false},
		{"ORDER-1 ", false},
		{"\tORDER", false},
		{"ORDER-", false},
		{"-ORDER", false},
		{"ORDER 1", false},
		{"ORDER_1", false},
		{"ORDER\n1", false},
		{"ΩRDER", false},
		{"6f1c2d3e-8a4b-4c5d-9e6f-0a1b2c3d4e5f-extra-extra-extra-extra-extra-extra", false},
		{string(make([]byte, 65)), false},
	} {
		if got := ValidOrderRef(tt.ref); got != tt.ok {
			t.Errorf("ValidOrderRef(%q) = %v, want %v", tt.ref, got, tt.ok)
		}
	}
}

// An attachment's name follows its sniffed type and holds no control or format characters.
func TestAttachmentFileName(t *testing.T) {
	for _, tt := range []struct{ name, ct, want string }{
		{"screenshot.png", "image/png", "screenshot.png"},
		{"Photo.JPG", "image/jpeg", "Photo.jpg"},
		{"photo.jpeg", "image/jpeg", "photo.jpeg"},
		{"számla 2026.pdf", "application/pdf", "számla 2026.pdf"},
		{"notes.log", "text/plain; charset=utf-8", "notes.log"},
		{"rows.csv", "text/plain; charset=utf-8", "rows.csv"},
		// The extension follows the content, not the name.
		{"polyglot.html", "image/gif", "polyglot.gif"},
		{"invoice.pdf.exe", "application/pdf", "invoice.pdf.pdf"},
		{"report", "application/pdf", "report.pdf"},
		{"x.svg", "text/plain; charset=utf-8", "x.txt"},
		{"payload.zip.html", "application/zip", "payload.zip.zip"},
		// Format and control characters, paths and quotes go.
		{"invoice\u202efdp.exe", "application/pdf", "invoicefdp.pdf"},
		{"a\u200bb\u2066c.png", "image/png", "abc.png"},
		{"line\r\nbreak.txt", "text/plain; charset=utf-8", "linebreak.txt"},
		{`C:\Users\x\evil".png`, "image/png", "evil.png"},
		{"../../etc/passwd", "text/plain; charset=utf-8", "passwd.txt"},
		{"...", "image/png", "attachment.png"},
		{"", "application/zip", "attachment.zip"},
		{"x.bin", "application/octet-stream", "x.bin"},
		{strings.Repeat("é", 200) + ".png", "image/png", strings.Repeat("é", 116) + ".png"},
	} {
		if got := AttachmentFileName(tt.name, tt.ct); got != tt.want {
			t.Errorf("AttachmentFileName(%q, %q) = %q, want %q", tt.name, tt.ct, got, tt.want)
		}
	}
}
