package service

import (
	"context"
	"errors"
	"fmt"

	"partnerdesk/internal/desk"
)

// The activity log's chain (R11) is keyed with HMAC-SHA256 and linked after the commit; see
// internal/desk/audit.go for the design. These are its use cases: sealing (every serving
// instance, a few times a second), the record of where the keyed chain starts, checkpoints, and
// verification.

// metaKeyedFrom names the signed record of the position the keyed chain starts from.
const metaKeyedFrom = "audit_keyed_from"

// sealBatch bounds the events one seal transaction links.
const sealBatch = 2000

// SealAudit links the events written since the last seal into the chain. One sealer runs at a
// time across instances: when another holds the chain head this returns at once, linking
// nothing. Rows whose MAC does not match their fields (not written by PartnerDesk) are linked
// like the others — the chain stays whole — and returned, so that the caller can say so; audit
// verify reports them.
func (s *activityArea) SealAudit(ctx context.Context) (int, []int64, error) {
	return s.seal(ctx, false)
}

func (s *activityArea) seal(ctx context.Context, wait bool) (int, []int64, error) {
	sealed := 0
	var forged []int64
	for {
		r, err := s.store.SealEvents(ctx, sealBatch, wait)
		if err != nil {
			return sealed, forged, err
		}
		sealed += r.Sealed
		forged = append(forged, r.Forged...)
		if r.Busy || r.Sealed < sealBatch {
			return sealed, forged, nil
		}
	}
}

// ErrAuditStart reports that the record of where the keyed chain starts is missing, or not
// signed with this installation's key: someone changed the database (audit verify says more).
var ErrAuditStart = errors.New("the activity log's record of where its keyed chain starts is missing or not signed with this installation's key: run `partnerdesk audit verify`")

// InitAudit records, once per installation, the position the keyed chain starts from, signed
// with the audit key: the events linked before (by an older version, unkeyed) keep verifying
// with their unkeyed links up to it, and nothing later may be unkeyed. It is written at the first
// start, before anything was linked with the key; afterwards only checked.
func (s *activityArea) InitAudit(ctx context.Context) error {
	v, ok, err := s.store.GetMeta(ctx, metaKeyedFrom)
	if err != nil {
		return err
	}
	if ok {
		if _, good := desk.ParseKeyedFrom(s.cfg.AuditKey, v); !good {
			return ErrAuditStart
		}
		return nil
	}
	keyed, err := s.store.KeyedEventsExist(ctx)
	if err != nil {
		return err
	}
	if keyed {
		return ErrAuditStart // the record was removed: never sign a new start over keyed events
	}
	last, _, err := s.store.ChainHead(ctx)
	if err != nil {
		return err
	}
	_, _, err = s.store.ClaimMeta(ctx, metaKeyedFrom, desk.KeyedFromText(s.cfg.AuditKey, last+1))
	return err
}

// AuditCheckpoint signs the chain's head as it is now; false when the chain is empty.
func (s *activityArea) AuditCheckpoint(ctx context.Context) (desk.Checkpoint, bool, error) {
	last, h, err := s.store.ChainHead(ctx)
	if err != nil || last == 0 {
		return desk.Checkpoint{}, false, err
	}
	return desk.SignCheckpoint(s.cfg.AuditKey, last, h, s.now()), true, nil
}

// VerifyAudit checks the whole activity log: it links what is waiting (waiting for another
// sealer if one runs), then walks the chain in order — positions contiguous from 1, each link
// and MAC recomputed with the key (unkeyed links before the recorded start of the keyed chain),
// each checkpoint's hash found at its position and no checkpoint beyond the end — and counts
// the events still unlinked after desk.AuditGrace.
func (s *activityArea) VerifyAudit(ctx context.Context, checkpoints []desk.Checkpoint) (desk.AuditReport, error) {
	if _, _, err := s.seal(ctx, true); err != nil {
		return desk.AuditReport{}, fmt.Errorf("link the waiting events: %w", err)
	}
	var keyedFrom int64
	if v, ok, err := s.store.GetMeta(ctx, metaKeyedFrom); err != nil {
		return desk.AuditReport{}, err
	} else if ok {
		keyedFrom, _ = desk.ParseKeyedFrom(s.cfg.AuditKey, v)
	}
	check := desk.NewChainCheck(s.cfg.AuditKey, keyedFrom, checkpoints)
	if err := s.store.WalkChain(ctx, func(e desk.Event) error { check.Add(e); return nil }); err != nil {
		return desk.AuditReport{}, err
	}
	pending, stale, err := s.store.UnlinkedEvents(ctx, s.now().Add(-desk.AuditGrace))
	if err != nil {
		return desk.AuditReport{}, err
	}
	return check.Finish(pending, stale), nil
}
