package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"partnerdesk/internal/desk"
)

// CheckpointFile is the file in the data directory that a serving instance appends the activity
// log's signed checkpoints to (each instance its own; audit verify compares the database with
// every checkpoint it finds).
const CheckpointFile = "audit-checkpoints.log"

// How often the background work runs. Every task is safe with several instances: the sealer
// takes the chain head with NOWAIT (one links, the others skip a turn), the sweeps are
// conditional deletes, and denials are claimed with row locks.
const (
	sealEvery  = 200 * time.Millisecond
	flushEvery = 20 * time.Second
	sweepEvery = 10 * time.Minute
	// billingEvery is how often the billing run looks for months to charge and invoices to issue.
	billingEvery = time.Minute
)

// Start begins a serving instance's background work, all of it, which Stop (and Close) ends:
// linking the activity log's new events into its chain a few times a second; every
// CheckpointEvery, when the chain has grown, a signed checkpoint appended to
// DATA_DIR/audit-checkpoints.log and written to the log; the refusals counted after the first of
// their minute recorded as one event; the periodic sweeps (expired sessions, the download claims
// of expired links); and with Config.Workers the webhook delivery worker (R21) and the billing
// run (R25), now and then every minute. Every instance runs all of it; the database keeps each
// event delivered and each month charged once.
func (a *App) Start() {
	if a.stop != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.done = make(chan struct{})
	a.stop = cancel
	every := a.checkpointEvery
	if every <= 0 {
		every = time.Minute
	}
	var wg sync.WaitGroup
	// run calls fn every period (and at once when now) until Stop.
	run := func(period time.Duration, now bool, fn func(context.Context)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if now {
				fn(ctx)
			}
			t := time.NewTicker(period)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					fn(ctx)
				}
			}
		}()
	}
	run(sealEvery, false, a.seal)
	run(every, false, func(ctx context.Context) { a.checkpoint(ctx) })
	run(flushEvery, false, a.flushDenials)
	run(sweepEvery, false, a.sweep)
	if a.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.Service.DeliverWebhooks(ctx)
		}()
		run(billingEvery, true, a.bill)
	}
	go func() { wg.Wait(); close(a.done) }()
}

// Stop ends what Start began (webhook deliveries under way finish; undelivered events wait in
// the outbox), then links what is waiting and signs a last checkpoint (Close
// calls it).
func (a *App) Stop() {
	if a.stop == nil {
		return
	}
	a.stop()
	<-a.done
	a.stop = nil
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a.seal(ctx)
	a.checkpoint(ctx)
}

func (a *App) seal(ctx context.Context) {
	_, forged, err := a.Service.SealAudit(ctx)
	if err != nil && ctx.Err() == nil {
		a.log.Error("activity log: link new events", "error", err.Error())
	}
	if len(forged) > 0 {
		a.log.Error("activity log: events not written by PartnerDesk were found and linked (audit verify reports them)", "event_ids", fmt.Sprint(forged))
	}
}

// checkpoint signs the chain's head when it moved since this instance's last checkpoint.
func (a *App) checkpoint(ctx context.Context) {
	cp, ok, err := a.Service.AuditCheckpoint(ctx)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error("activity log checkpoint", "error", err.Error())
		}
		return
	}
	if !ok || cp.Position <= a.lastCheckpoint {
		return
	}
	if err := AppendCheckpoint(a.dataDir, cp); err != nil {
		a.log.Error("activity log checkpoint", "error", err.Error())
	}
	// Also in the server log, which is usually shipped elsewhere: audit verify reads it too.
	a.log.Info("activity log checkpoint", "checkpoint", cp.String(), "position", cp.Position)
	a.lastCheckpoint = cp.Position
}

func (a *App) bill(ctx context.Context) {
	if run, err := a.Service.RunBilling(ctx); err != nil && ctx.Err() == nil {
		a.log.Error("billing run", "err", err)
	} else if run.Charged > 0 || len(run.Issued) > 0 {
		a.log.Info("billing run", "charged", run.Charged, "issued", strings.Join(run.Issued, " "))
	}
}

func (a *App) flushDenials(ctx context.Context) {
	if _, err := a.Service.FlushDenials(ctx); err != nil && ctx.Err() == nil {
		a.log.Error("record counted denials", "error", err.Error())
	}
}

func (a *App) sweep(ctx context.Context) {
	if _, err := a.Service.SweepSessions(ctx); err != nil && ctx.Err() == nil {
		a.log.Error("sweep expired sessions", "error", err.Error())
	}
	if _, err := a.Service.SweepLinkClaims(ctx); err != nil && ctx.Err() == nil {
		a.log.Error("sweep download claims", "error", err.Error())
	}
}

// AppendCheckpoint appends a checkpoint to the data directory's checkpoint file, opened for
// appending only and private (0600).
func AppendCheckpoint(dataDir string, cp desk.Checkpoint) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dataDir, CheckpointFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, werr := fmt.Fprintf(f, "%s %s\n", cp.At.Format(time.RFC3339), cp.String())
	return errors.Join(werr, f.Sync(), f.Close())
}

// ReadCheckpoints returns every checkpoint in the data directory's checkpoint file (when there
// is one) and in the given files: other instances' checkpoint files, or server logs.
func ReadCheckpoints(dataDir string, files ...string) ([]desk.Checkpoint, error) {
	var out []desk.Checkpoint
	own := filepath.Join(dataDir, CheckpointFile)
	for i, f := range append([]string{own}, files...) {
		b, err := os.ReadFile(f)
		if i == 0 && errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("checkpoints: %w", err)
		}
		out = append(out, desk.ParseCheckpoints(b)...)
	}
	return out, nil
}

// VerifyAudit checks the activity log against every checkpoint in the data directory's file
// and in files (see ReadCheckpoints).
func (a *App) VerifyAudit(ctx context.Context, files ...string) (desk.AuditReport, error) {
	cps, err := ReadCheckpoints(a.dataDir, files...)
	if err != nil {
		return desk.AuditReport{}, err
	}
	return a.Service.VerifyAudit(ctx, cps)
}
