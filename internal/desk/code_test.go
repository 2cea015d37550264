package desk

import "testing"

func TestGroupedCode(t *testing.T) {
	for _, tc := range []struct {
		b        []byte
		alphabet string
		group    int
		want     string
	}{
		{make([]byte, 25), KeyAlphabet, 5, "BBBBB-BBBBB-BBBBB-BBBBB-BBBBB"},
		{[]byte{0, 1, 2, 3, 4, 5, 6, 7}, "abcdefgh", 4, "abcd-efgh"},
		{[]byte{8, 9, 255}, "abcdefgh", 2, "ab-h"},
		{nil, KeyAlphabet, 5, ""},
	} {
		if got := GroupedCode(tc.b, tc.alphabet, tc.group); got != tc.want {
			t.Errorf("GroupedCode(%v, %q, %d) = %q, want %q", tc.b, tc.alphabet, tc.group, got, tc.want)
		}
	}
}
