package desk

import (
	"bytes"
	"testing"
	"time"
)

func TestEventHashChains(t *testing.T) {
	e := Event{ID: 1, At: time.Unix(1700000000, 0), ActorEmail: "a@b.c", Operation: OpGetSoftwareKey, CustomerID: "x"}
	h1 := EventHash(nil, e)
	if !bytes.Equal(h1, EventHash(nil, e)) {
		t.Fatal("hash not deterministic")
	}
	e2 := e
	e2.CustomerID = "y"
	if bytes.Equal(h1, EventHash(nil, e2)) {
		t.Fatal("changing a field did not change the hash")
	}
	if bytes.Equal(h1, EventHash([]byte{1}, e)) {
		t.Fatal("the previous hash is not chained")
	}
	// Field boundaries are length-prefixed: moving a character between fields changes the hash.
	a := Event{ActorEmail: "ab", Operation: "c"}
	b := Event{ActorEmail: "a", Operation: "bc"}
	if bytes.Equal(EventHash(nil, a), EventHash(nil, b)) {
		t.Fatal("field boundary ambiguity")
	}
}
