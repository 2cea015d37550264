package demo

import (
	"crypto/sha256"
	"encoding/binary"
	"partnerdesk/internal/desk"
)

// KeysPerPool is how many generated keys the demo puts in each pool (product × version).
const KeysPerPool = 12

// KeyGenerator makes demo product keys in the MAK format XXXXX-XXXXX-XXXXX-XXXXX-XXXXX,
// deterministic (the same sequence every time) and unique.
type KeyGenerator struct{ n uint64 }

// NewKeyGenerator returns a generator at the start of its sequence.
func NewKeyGenerator() *KeyGenerator { return &KeyGenerator{} }

// Next returns the next key.
func (g *KeyGenerator) Next() string {
	g.n++
	var seed [8]byte
	binary.BigEndian.PutUint64(seed[:], g.n)
	h := sha256.Sum256(append([]byte("partnerdesk demo key "), seed[:]...))
	return desk.GroupedCode(h[:25], desk.KeyAlphabet, 5)
}
