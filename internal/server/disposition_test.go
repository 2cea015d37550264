package server

import "testing"

// Content-Disposition names files per RFC 6266: an ASCII filename and the exact UTF-8 name in
// filename*, with control and format characters (bidi overrides) removed from both.
func TestAttachment(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"SW_DVD9_Win_Server_2022.iso", `attachment; filename="SW_DVD9_Win_Server_2022.iso"; filename*=UTF-8''SW_DVD9_Win_Server_2022.iso`},
		{"számla 2026.pdf", `attachment; filename="sz_mla 2026.pdf"; filename*=UTF-8''sz%C3%A1mla%202026.pdf`},
		{`a"b\c%d.txt`, `attachment; filename="a_b_c_d.txt"; filename*=UTF-8''a%22b%5Cc%25d.txt`},
		{"invoice\u202efdp.exe", `attachment; filename="invoicefdp.exe"; filename*=UTF-8''invoicefdp.exe`},
		{"a\r\nSet-Cookie: x=y.txt", `attachment; filename="aSet-Cookie: x=y.txt"; filename*=UTF-8''aSet-Cookie%3A%20x%3Dy.txt`},
		{"\u200b", `attachment; filename="download"; filename*=UTF-8''download`},
	} {
		if got := attachment(tt.name); got != tt.want {
			t.Errorf("attachment(%q)\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}
