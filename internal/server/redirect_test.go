package server

import "testing"

// Finding 3: the target after sign-in stays on this site whatever is typed or encoded into it.
func TestSafeNext(t *testing.T) {
	for _, tt := range []struct{ next, want string }{
		// Local targets keep their path and query.
		{"/customers", "/customers"},
		{"/customers?q=contoso", "/customers?q=contoso"},
		{"/customers?q=Contoso%20Ltd.", "/customers?q=Contoso%20Ltd."},
		{"/customers?q=%C3%81rv%C3%ADzt%C5%B1r%C5%91", "/customers?q=%C3%81rv%C3%ADzt%C5%B1r%C5%91"},
		{"/settings/activity?from=2026-11-01&to=2026-11-30&action=get_software_key", "/settings/activity?from=2026-11-01&to=2026-11-30&action=get_software_key"},
		{"/customers/a%2Fb/software", "/customers/a%2Fb/software"},
		{"/portal#products", "/portal"},
		// Other sites, by scheme or scheme-relative.
		{"", "/"},
		{"customers", "/"},
		{"//evil.example/", "/"},
		{"///evil.example/", "/"},
		{"https://evil.example/", "/"},
		{"HTTPS://evil.example/", "/"},
		{"http:evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"data:text/html,x", "/"},
		{"https:/evil.example", "/"},
		{"//user@evil.example", "/"},
		{"/@evil.example", "/@evil.example"}, // a local path that only looks like a host
		// Backslashes, raw and encoded (browsers read them as slashes).
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%5cevil.example", "/"},
		{"/%255Cevil.example", "/"},
		{"/x?y=%5C", "/"},
		// Control characters, raw and encoded (browsers drop tabs and newlines).
		{"/\t/evil.example/x", "/"},
		{"/%09/evil.example/x", "/"},
		{"/%0A/evil.example", "/"},
		{"/%0D%0A/evil.example", "/"},
		{"/%0d/evil.example", "/"},
		{"/%00/evil.example", "/"},
		{"/%7F/evil.example", "/"},
		{"/%2509/evil.example", "/"},
		{"/%252509/evil.example", "/"},
		{"/\r\nLocation: https://evil.example", "/"},
		{"/customers\x00", "/"},
		{"/customers?x=%0d%0aSet-Cookie:%20a=b", "/"},
		// Encoded slashes that decode to a scheme-relative URL.
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"%2F%2Fevil.example", "/"},
		{"/%252F/evil.example", "/"},
		{"/%25252F/evil.example", "/"},
		// Spaces and Unicode tricks.
		{" /evil", "/"},
		{"/ /evil.example", "/"},
		{"/\u3000/evil.example", "/"},
		{"/\u202e/evil.example", "/"},
		{"/%E2%80%AE/evil.example", "/"},
		{"/%E2%80%8B/evil.example", "/"},
		{"/%EF%BC%8F/evil.example", "/%EF%BC%8F/evil.example"}, // a fullwidth solidus stays a path character
		{"/\uff0fevil.example", "/"},
		{"/%ff", "/"},
		{"/%zz", "/"},
		{"/" + string(make([]byte, 3000)), "/"},
	} {
		if got := safeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}
