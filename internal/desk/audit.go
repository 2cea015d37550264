package desk

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The activity log's chain (R11) is linked after the commit: a transaction writes its event
// with a MAC of its fields (EventMAC) and no link, taking no lock another transaction waits
// for; a sealer — one at a time across instances — gives the events written since it last ran
// contiguous positions in ID order and links each to its predecessor (EventHash). Events linked
// before the chain was keyed keep their unkeyed links (LegacyEventHash) up to the position the
// keyed chain starts from, which the installation signs once (KeyedFromText). Signed checkpoints
// (position, hash, count, time) kept outside the database — a file each instance appends to and
// the server log — let `partnerdesk audit verify` see a truncated or rewritten history.

// AuditGrace is how long an event may stay unlinked: the sealer runs every fraction of a
// second, so an older unlinked event means the sealer is not running, or a row was slipped in.
const AuditGrace = time.Minute

// KeyedFromText is the signed record of the position the keyed chain starts from.
func KeyedFromText(key []byte, position int64) string {
	p := strconv.FormatInt(position, 10)
	return p + ":" + hex.EncodeToString(auditMAC(key, "keyed-from", p))
}

// ParseKeyedFrom reads a KeyedFromText; false when it is damaged or signed with another key.
func ParseKeyedFrom(key []byte, s string) (int64, bool) {
	p, mac, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(p, 10, 64)
	want := hex.EncodeToString(auditMAC(key, "keyed-from", p))
	if !ok || err != nil || n < 1 || !hmac.Equal([]byte(mac), []byte(want)) {
		return 0, false
	}
	return n, true
}

func auditMAC(key []byte, kind string, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(kind))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

// Checkpoint is a signed record of the chain's head: its last position, that event's hash, the
// number of events in the chain (the position: it starts at 1 and has no gaps) and when it was
// taken. Written outside the database, it shows a history cut short or rewritten since.
type Checkpoint struct {
	Position, Count int64
	Hash            []byte
	At              time.Time
	MAC             []byte
}

// checkpointPrefix starts a checkpoint's text, which is one token (no spaces): it can be found in
// the checkpoint file and in the server log, text or JSON, alike.
const checkpointPrefix = "pdcp1."

var checkpointToken = regexp.MustCompile(`pdcp1\.([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9a-f]{64})\.([0-9a-f]{64})`)

func (c Checkpoint) body() string {
	return checkpointPrefix + strconv.FormatInt(c.Position, 10) + "." + strconv.FormatInt(c.Count, 10) + "." +
		strconv.FormatInt(c.At.UnixMilli(), 10) + "." + hex.EncodeToString(c.Hash)
}

// SignCheckpoint makes the checkpoint of a chain head (the hash at position) at time at.
func SignCheckpoint(key []byte, position int64, hash []byte, at time.Time) Checkpoint {
	c := Checkpoint{Position: position, Count: position, Hash: hash, At: at.UTC().Truncate(time.Millisecond)}
	c.MAC = auditMAC(key, "checkpoint", c.body())
	return c
}

// String is the checkpoint's text: pdcp1.<position>.<count>.<unix ms>.<hash>.<HMAC>.
func (c Checkpoint) String() string { return c.body() + "." + hex.EncodeToString(c.MAC) }

// Signed reports whether the checkpoint was made with key and is consistent.
func (c Checkpoint) Signed(key []byte) bool {
	return c.Count == c.Position && c.Position > 0 && hmac.Equal(c.MAC, auditMAC(key, "checkpoint", c.body()))
}

// ParseCheckpoints finds every checkpoint in text (a checkpoint file or a server log).
func ParseCheckpoints(text []byte) []Checkpoint {
	var out []Checkpoint
	for _, m := range checkpointToken.FindAllSubmatch(text, -1) {
		pos, err1 := strconv.ParseInt(string(m[1]), 10, 64)
		count, err2 := strconv.ParseInt(string(m[2]), 10, 64)
		at, err3 := strconv.ParseInt(string(m[3]), 10, 64)
		h, err4 := hex.DecodeString(string(m[4]))
		mac, err5 := hex.DecodeString(string(m[5]))
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || err5 != nil {
			continue
		}
		out = append(out, Checkpoint{Position: pos, Count: count, Hash: h, At: time.UnixMilli(at).UTC(), MAC: mac})
	}
	return out
}

// SealResult reports one seal of the activity log.
type SealResult struct {
	// Sealed is how many events were linked.
	Sealed int
	// Forged lists the IDs of linked events whose MAC did not match their fields: rows that
	// PartnerDesk did not write (audit verify reports them).
	Forged []int64
	// Busy: another sealer holds the chain head (no wait was asked for).
	Busy bool
}

// AuditFault is one thing `audit verify` found wrong.
type AuditFault struct {
	// Position in the chain and the event's ID, where the fault is at an event (0 otherwise).
	Position, EventID int64
	Problem           string
}

func (f AuditFault) String() string {
	switch {
	case f.EventID != 0:
		return fmt.Sprintf("position %d (event %d): %s", f.Position, f.EventID, f.Problem)
	case f.Position != 0:
		return fmt.Sprintf("position %d: %s", f.Position, f.Problem)
	}
	return f.Problem
}

// AuditReport is the result of checking the activity log.
type AuditReport struct {
	// Events is the number of events in the chain (its last position).
	Events int64
	// KeyedFrom is the position the keyed chain starts from (earlier events have unkeyed links).
	KeyedFrom int64
	// Pending counts events written moments ago and not linked yet (not a fault).
	Pending int64
	// Checkpoints is how many checkpoints were compared.
	Checkpoints int
	// Faults lists what is wrong (the first maxAuditFaults); none when the log is intact.
	Faults []AuditFault
	// MoreFaults counts the faults not listed.
	MoreFaults int
}

// Intact reports whether nothing is wrong.
func (r AuditReport) Intact() bool { return len(r.Faults) == 0 }

const maxAuditFaults = 20

// ChainCheck verifies the chain event by event, in chain order (position 1 first), against the
// audit key, the position the keyed chain starts from, and checkpoints. It holds one event at a
// time, so a log of millions of events is checked in constant memory.
type ChainCheck struct {
	key       []byte
	keyedFrom int64
	byPos     map[int64][]Checkpoint
	maxCP     *Checkpoint
	next      int64
	prev      []byte
	rep       AuditReport
}

// NewChainCheck starts a check. keyedFrom is the signed start of the keyed chain (0 when it is
// missing or not validly signed: a fault, and every event must then be keyed); checkpoints are
// every checkpoint found, whoever wrote them.
func NewChainCheck(key []byte, keyedFrom int64, checkpoints []Checkpoint) *ChainCheck {
	c := &ChainCheck{key: key, keyedFrom: keyedFrom, byPos: map[int64][]Checkpoint{}, next: 1, prev: []byte{}}
	if keyedFrom < 1 {
		c.fault(AuditFault{Problem: "the start of the keyed chain is not recorded, or its record is not signed with this installation's key"})
		c.keyedFrom = 1
	}
	c.rep.KeyedFrom = c.keyedFrom
	for i := range checkpoints {
		cp := checkpoints[i]
		if !cp.Signed(key) {
			c.fault(AuditFault{Position: cp.Position, Problem: fmt.Sprintf("a checkpoint of %s is not signed with this installation's key (forged or damaged)",
				cp.At.Format(time.RFC3339))})
			continue
		}
		c.rep.Checkpoints++
		c.byPos[cp.Position] = append(c.byPos[cp.Position], cp)
		if c.maxCP == nil || cp.Position > c.maxCP.Position {
			c.maxCP = &checkpoints[i]
		}
	}
	return c
}

func (c *ChainCheck) fault(f AuditFault) {
	if len(c.rep.Faults) >= maxAuditFaults {
		c.rep.MoreFaults++
		return
	}
	c.rep.Faults = append(c.rep.Faults, f)
}

// Add checks the next event of the chain. Events before the keyed chain's start are checked
// with their unkeyed links, the rest with the key; a position out of turn (a gap, a repeat)
// is a fault, and the check goes on from it.
func (c *ChainCheck) Add(e Event) {
	pos := e.Seq
	switch {
	case pos > c.next:
		c.fault(AuditFault{Position: c.next, Problem: fmt.Sprintf("positions %d to %d are missing (events removed)", c.next, pos-1)})
	case pos < c.next:
		c.fault(AuditFault{Position: pos, EventID: e.ID, Problem: "this position was already taken (positions out of order)"})
	}
	if pos == c.next && !bytes.Equal(e.PrevHash, c.prev) {
		c.fault(AuditFault{Position: pos, EventID: e.ID, Problem: "its link to the previous event is broken (an event before it was changed, removed or inserted)"})
	}
	if pos < c.keyedFrom {
		if !bytes.Equal(LegacyEventHash(e.PrevHash, e), e.Hash) {
			c.fault(AuditFault{Position: pos, EventID: e.ID, Problem: "it was changed (its hash does not recompute)"})
		}
	} else {
		switch {
		case !hmac.Equal(EventMAC(c.key, e), e.MAC):
			c.fault(AuditFault{Position: pos, EventID: e.ID, Problem: "its fields were changed, or it was not written by PartnerDesk (its MAC does not match)"})
		case !hmac.Equal(EventHash(c.key, e.PrevHash, e), e.Hash):
			c.fault(AuditFault{Position: pos, EventID: e.ID, Problem: "its link was changed (its hash does not recompute with this installation's key)"})
		}
	}
	for _, cp := range c.byPos[pos] {
		if !bytes.Equal(cp.Hash, e.Hash) {
			c.fault(AuditFault{Position: pos, EventID: e.ID, Problem: fmt.Sprintf("it differs from the checkpoint of %s (the history was rewritten)", cp.At.Format(time.RFC3339))})
		}
	}
	c.prev = e.Hash
	c.next = pos + 1
	c.rep.Events = pos
}

// Finish ends the check: stale counts the events still unlinked after AuditGrace, pending those
// written moments ago.
func (c *ChainCheck) Finish(pending, stale int64) AuditReport {
	last := c.next - 1
	if last < c.keyedFrom-1 {
		c.fault(AuditFault{Position: last + 1, Problem: fmt.Sprintf("the log ends at position %d, before the keyed chain starts (%d): events were removed", last, c.keyedFrom)})
	}
	if c.maxCP != nil && c.maxCP.Position > last {
		c.fault(AuditFault{Position: c.maxCP.Position, Problem: fmt.Sprintf("the log ends at position %d, but the checkpoint of %s saw position %d: events were removed from its end",
			last, c.maxCP.At.Format(time.RFC3339), c.maxCP.Position)})
	}
	if stale > 0 {
		c.fault(AuditFault{Problem: fmt.Sprintf("%d events are not linked into the chain after %s (the sealer is not running, or rows were put into the table directly)", stale, AuditGrace)})
	}
	c.rep.Pending = pending
	return c.rep
}
