package desk

import "testing"

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
