package desk

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"
)

var testAuditKey = DeriveAuditKey([]byte("partnerdesk-test-kek-0123456789!"))

func TestEventHashChains(t *testing.T) {
	e := Event{ID: 1, Seq: 1, At: time.Unix(1700000000, 0), ActorEmail: "a@b.c", Operation: OpGetSoftwareKey, CustomerID: "x"}
	h1 := EventHash(testAuditKey, nil, e)
	if !bytes.Equal(h1, EventHash(testAuditKey, []byte{}, e)) {
		t.Fatal("hash not deterministic")
	}
	changed := map[string]Event{}
	for name, f := range map[string]func(*Event){
		"customer": func(e *Event) { e.CustomerID = "y" },
		"id":       func(e *Event) { e.ID = 2 },
		"position": func(e *Event) { e.Seq = 2 },
		"time":     func(e *Event) { e.At = e.At.Add(time.Millisecond) },
		"roles":    func(e *Event) { e.ActorRoles = 1 },
		"detail":   func(e *Event) { e.Detail = "x" },
	} {
		c := e
		f(&c)
		changed[name] = c
	}
	for name, c := range changed {
		if bytes.Equal(h1, EventHash(testAuditKey, nil, c)) {
			t.Errorf("changing the %s did not change the hash", name)
		}
	}
	if bytes.Equal(h1, EventHash(testAuditKey, []byte{1}, e)) {
		t.Fatal("the previous hash is not chained")
	}
	// Keyed: another key gives another chain, and the unkeyed hash is not the keyed one.
	if bytes.Equal(h1, EventHash(DeriveAuditKey([]byte("another kek")), nil, e)) || bytes.Equal(h1, LegacyEventHash(nil, e)) {
		t.Fatal("the hash does not depend on the key")
	}
	// The MAC covers the fields, not the position (it is written before the event is linked).
	if bytes.Equal(EventMAC(testAuditKey, e), EventMAC(testAuditKey, changed["detail"])) ||
		!bytes.Equal(EventMAC(testAuditKey, e), EventMAC(testAuditKey, changed["position"])) {
		t.Fatal("the MAC does not cover exactly the fields")
	}
	// Field boundaries are length-prefixed: moving a character between fields changes the hash.
	a := Event{ActorEmail: "ab", Operation: "c"}
	b := Event{ActorEmail: "a", Operation: "bc"}
	if bytes.Equal(EventHash(testAuditKey, nil, a), EventHash(testAuditKey, nil, b)) || bytes.Equal(LegacyEventHash(nil, a), LegacyEventHash(nil, b)) {
		t.Fatal("field boundary ambiguity")
	}
}

// The unkeyed link is the one earlier versions wrote (this value was computed by them): a chain
// written then still verifies.
func TestLegacyEventHashUnchanged(t *testing.T) {
	e := Event{ID: 7, At: time.UnixMilli(1764064800123).UTC(), ActorID: "u1", ActorEmail: "adminagent@partner.example", ActorTenantID: "t1",
		ActorRoles: 2, CustomerID: "c1", CustomerName: "Contoso Ltd.", Operation: OpGetSoftwareKey, ResourceType: "software",
		Status: "succeeded", Product: "SQL Server", OrderID: "o1", Detail: "version 2022", IP: "127.0.0.1"}
	const want = "c7c962659b8c65988a25f49d424aa2cd42bcaef5747c9a2a819808b22fc46123"
	if got := hex.EncodeToString(LegacyEventHash([]byte{1, 2, 3}, e)); got != want {
		t.Fatalf("LegacyEventHash changed: %s, want %s", got, want)
	}
}
