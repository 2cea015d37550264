package desk

import "strings"

// KeyAlphabet is the 24 characters product keys use (no vowels but Y, no look-alikes).
const KeyAlphabet = "BCDFGHJKMPQRTVWXY2346789"

// GroupedCode spells b in alphabet, one character a byte, with a hyphen between groups of group
// characters: a product key is 25 bytes in KeyAlphabet grouped by 5 (XXXXX-XXXXX-…), a recovery
// code 16 grouped by 4. A byte picks alphabet[b % len(alphabet)].
func GroupedCode(b []byte, alphabet string, group int) string {
	var s strings.Builder
	s.Grow(len(b) + len(b)/group)
	for i, c := range b {
		if i > 0 && i%group == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return s.String()
}
