package desk

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// testChain links n events as the sealer does: positions 1…n, unkeyed links before keyedFrom,
// keyed ones from it.
func testChain(n int, keyedFrom int64) []Event {
	var out []Event
	prev := []byte{}
	for i := 1; i <= n; i++ {
		e := Event{ID: int64(i) * 3, Seq: int64(i), At: time.UnixMilli(1764064800000 + int64(i)).UTC(), ActorEmail: "a@partner.example",
			Operation: OpGetSoftwareKey, Detail: fmt.Sprint("event ", i), PrevHash: prev}
		if e.Seq < keyedFrom {
			e.ID = e.Seq // before keying, the ID was the position
			e.Hash = LegacyEventHash(prev, e)
		} else {
			e.MAC = EventMAC(testAuditKey, e)
			e.Hash = EventHash(testAuditKey, prev, e)
		}
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func checkChain(evs []Event, keyedFrom int64, cps []Checkpoint, stale int64) AuditReport {
	c := NewChainCheck(testAuditKey, keyedFrom, cps)
	for _, e := range evs {
		c.Add(e)
	}
	return c.Finish(0, stale)
}

// What `audit verify` finds, fault by fault (the pure rule; the store tests run the same on
// real databases).
func TestChainCheck(t *testing.T) {
	const n, keyed = 20, 8
	good := testChain(n, keyed)
	head := SignCheckpoint(testAuditKey, n, good[n-1].Hash, time.Now())
	mid := SignCheckpoint(testAuditKey, 12, good[11].Hash, time.Now())
	edit := func(f func([]Event) []Event) []Event {
		evs := append([]Event(nil), good...)
		return f(evs)
	}
	for _, tt := range []struct {
		name      string
		evs       []Event
		keyedFrom int64
		cps       []Checkpoint
		stale     int64
		at        int64  // position of the first fault; 0: intact
		problem   string // part of the first fault's text
	}{
		{"intact", good, keyed, []Checkpoint{head, mid}, 0, 0, ""},
		{"intact, keyed from the start", testChain(n, 1), 1, nil, 0, 0, ""},
		{"a keyed event's detail", edit(func(e []Event) []Event { e[14].Detail = "x"; return e }), keyed, nil, 0, 15, "fields were changed"},
		{"an unkeyed event's detail", edit(func(e []Event) []Event { e[2].Detail = "x"; return e }), keyed, nil, 0, 3, "was changed"},
		{"an unkeyed event rehashed: its successor's link breaks", edit(func(e []Event) []Event {
			e[2].Detail = "x"
			e[2].Hash = LegacyEventHash(e[2].PrevHash, e[2])
			return e
		}), keyed, nil, 0, 4, "link to the previous event"},
		{"a keyed event rehashed without the key", edit(func(e []Event) []Event {
			e[14].Detail = "x"
			e[14].MAC = EventMAC([]byte("guess"), e[14])
			e[14].Hash = EventHash([]byte("guess"), e[14].PrevHash, e[14])
			return e
		}), keyed, nil, 0, 15, "MAC"},
		{"a keyed event linked the old way", edit(func(e []Event) []Event { e[14].Hash = LegacyEventHash(e[14].PrevHash, e[14]); return e }), keyed, nil, 0, 15, "link was changed"},
		{"an event removed", edit(func(e []Event) []Event { return append(e[:9], e[10:]...) }), keyed, nil, 0, 10, "missing"},
		{"the first event removed", good[1:], keyed, nil, 0, 1, "missing"},
		{"a position repeated", edit(func(e []Event) []Event { return append(e[:10], e[9:]...) }), keyed, nil, 0, 10, "already taken"},
		{"the newest events removed: the checkpoint shows it", good[:15], keyed, []Checkpoint{head}, 0, n, "removed from its end"},
		{"the newest events removed, and no checkpoint", good[:15], keyed, nil, 0, 0, ""},
		{"rewritten and relinked with the key: the checkpoint does not match", append(append([]Event(nil), good[:11]...), func() []Event {
			other := testChain(n, keyed)
			for i := 11; i < n; i++ {
				other[i].Detail = "rewritten"
			}
			prev := good[10].Hash
			for i := 11; i < n; i++ {
				other[i].PrevHash = prev
				other[i].MAC = EventMAC(testAuditKey, other[i])
				other[i].Hash = EventHash(testAuditKey, prev, other[i])
				prev = other[i].Hash
			}
			return other[11:]
		}()...), keyed, []Checkpoint{mid}, 0, 12, "history was rewritten"},
		{"claimed unkeyed beyond the recorded start", good, keyed + 5, nil, 0, keyed, "was changed"},
		{"the start of the keyed chain not recorded", good, 0, nil, 0, 0, "not recorded"},
		{"a forged checkpoint", good, keyed, []Checkpoint{func() Checkpoint { c := head; c.Position = n + 5; return c }()}, 0, n + 5, "not signed"},
		{"events left unlinked", good, keyed, nil, 2, 0, "not linked"},
		{"fewer events than the unkeyed part had", good[:5], keyed, nil, 0, 6, "before the keyed chain starts"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := checkChain(tt.evs, tt.keyedFrom, tt.cps, tt.stale)
			if tt.problem == "" {
				if !r.Intact() {
					t.Fatalf("faults: %v", r.Faults)
				}
				return
			}
			if r.Intact() {
				t.Fatal("reported intact")
			}
			found := false
			for _, f := range r.Faults {
				if strings.Contains(f.Problem, tt.problem) && (tt.at == 0 || f.Position == tt.at) {
					found = true
				}
			}
			if !found {
				t.Fatalf("no fault at %d saying %q: %v", tt.at, tt.problem, r.Faults)
			}
		})
	}
}

// Checkpoints are one token, found in any text (a checkpoint file, a text or JSON log line) and
// signed: a changed field or another key is refused.
func TestCheckpoints(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	cp := SignCheckpoint(testAuditKey, 42, []byte("0123456789abcdef0123456789abcdef"), at)
	text := "2026-11-25T10:00:00Z " + cp.String() + "\n" +
		`{"time":"…","level":"INFO","msg":"activity log checkpoint","checkpoint":"` + cp.String() + `","position":42}` + "\n" +
		"time=… msg=\"activity log checkpoint\" checkpoint=" + cp.String() + " position=42\n"
	got := ParseCheckpoints([]byte(text))
	if len(got) != 3 {
		t.Fatalf("%d checkpoints found, want 3", len(got))
	}
	for _, c := range got {
		if !c.Signed(testAuditKey) || c.Position != 42 || c.Count != 42 || !c.At.Equal(at.Truncate(time.Millisecond)) {
			t.Fatalf("parsed %+v", c)
		}
	}
	if got[0].Signed(DeriveAuditKey([]byte("other"))) {
		t.Fatal("signed with another key")
	}
	for name, f := range map[string]func(*Checkpoint){
		"position": func(c *Checkpoint) { c.Position++ },
		"count":    func(c *Checkpoint) { c.Count = 1 },
		"time":     func(c *Checkpoint) { c.At = c.At.Add(time.Second) },
		"hash":     func(c *Checkpoint) { c.Hash = []byte("fedcba9876543210fedcba9876543210") },
	} {
		c := got[0]
		f(&c)
		if c.Signed(testAuditKey) {
			t.Errorf("a checkpoint with another %s is accepted", name)
		}
	}
	if n, ok := ParseKeyedFrom(testAuditKey, KeyedFromText(testAuditKey, 31)); !ok || n != 31 {
		t.Fatalf("keyed-from record: %d %v", n, ok)
	}
	for _, bad := range []string{"31", "32:" + strings.SplitN(KeyedFromText(testAuditKey, 31), ":", 2)[1], KeyedFromText(DeriveAuditKey([]byte("x")), 31), "", "0:00"} {
		if _, ok := ParseKeyedFrom(testAuditKey, bad); ok {
			t.Errorf("keyed-from record %q accepted", bad)
		}
	}
}
