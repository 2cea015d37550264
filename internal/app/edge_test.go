package app

import "testing"

func TestParseBaseURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://desk.example.com", "https://desk.example.com"},
		{"https://Desk.Example.com/", "https://desk.example.com"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{" https://desk.example.com:8443 ", "https://desk.example.com:8443"},
		{"https://[::1]:8443", "https://[::1]:8443"},
		{"desk.example.com", ""},
		{"//desk.example.com", ""},
		{"ftp://desk.example.com", ""},
		{"https://desk.example.com/partnerdesk", ""},
		{"https://desk.example.com/?a=b", ""},
		{"https://desk.example.com/#x", ""},
		{"https://user:pw@desk.example.com", ""},
		{"https://desk.example.com:", ""},
		{"https://", ""},
	} {
		got, err := ParseBaseURL(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("ParseBaseURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
