package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerdesk/internal/app"
	"partnerdesk/internal/app/apptest"
	"partnerdesk/internal/desk"
)

// tamper runs statements on the database with the activity log's append-only triggers off.
func tamper(t *testing.T, env *apptest.Env, stmts ...string) {
	t.Helper()
	q := env.App.Store.Engine().Reader()
	off := []string{`DROP TRIGGER events_no_update`, `DROP TRIGGER events_no_delete`}
	if apptest.OnPostgres() {
		off = []string{`ALTER TABLE events DISABLE TRIGGER events_no_update`}
	}
	for _, s := range append(off, stmts...) {
		if _, err := q.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// Finding 6: a serving instance links new events into the keyed chain and signs checkpoints of
// it — appended to DATA_DIR/audit-checkpoints.log (0600) and written to the log — and audit
// verify compares the database with every checkpoint: the newest events removed and the chain
// head set back is found, from the file or from the log alone.
func TestAuditCheckpointsShowTruncation(t *testing.T) {
	logs := &apptest.SyncBuffer{}
	env := apptest.StartWith(t, func(c *app.Config) {
		c.CheckpointEvery = 50 * time.Millisecond
		c.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		env.SignIn(t, "adminagent@partner.example")
	}
	file := filepath.Join(env.Dir, app.CheckpointFile)
	deadline := time.Now().Add(20 * time.Second)
	var cps []desk.Checkpoint
	for {
		cps, _ = app.ReadCheckpoints(env.Dir)
		last, _, err := env.App.Store.ChainHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) > 0 && cps[len(cps)-1].Position == last && last > 0 {
			if unlinked, _, _ := env.App.Store.UnlinkedEvents(ctx, time.Now()); unlinked == 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of the whole chain after 20 s: %d checkpoints, head %d", len(cps), last)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint file: %v, %v", st.Mode(), err)
	}
	if !strings.Contains(logs.String(), `"checkpoint":"pdcp1.`) {
		t.Fatalf("the log has no checkpoint:\n%s", logs.String())
	}
	rep, err := env.App.VerifyAudit(ctx)
	if err != nil || !rep.Intact() || rep.Checkpoints == 0 || rep.Events == 0 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}

	// The newest events removed and the head set back: the chain alone is whole again.
	last := cps[len(cps)-1].Position
	var keep []byte
	if err := env.App.Store.Engine().Reader().QueryRowContext(ctx, `SELECT hash FROM events WHERE seq = ?`, last-2).Scan(&keep); err != nil {
		t.Fatal(err)
	}
	env.App.Stop() // nothing links or signs from here on
	tamper(t, env, `DELETE FROM events WHERE seq > `+strconv.FormatInt(last-2, 10))
	if _, err := env.App.Store.Engine().Reader().ExecContext(ctx, `UPDATE event_chain SET last_seq = ?, last_hash = ?`, last-2, keep); err != nil {
		t.Fatal(err)
	}
	if rep, err := env.App.Service.VerifyAudit(ctx, nil); err != nil || !rep.Intact() {
		t.Fatalf("the cut chain alone: %+v, %v", rep, err)
	}
	rep, err = env.App.VerifyAudit(ctx)
	if err != nil || rep.Intact() || !strings.Contains(rep.Faults[0].Problem, "removed from its end") {
		t.Fatalf("the cut chain against the checkpoint file: %+v, %v", rep, err)
	}
	// The file gone, the server log still holds the checkpoints.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(t.TempDir(), "server.log")
	if err := os.WriteFile(logFile, []byte(logs.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err = env.App.VerifyAudit(ctx, logFile)
	if err != nil || rep.Intact() || !strings.Contains(rep.Faults[0].Problem, "removed from its end") {
		t.Fatalf("the cut chain against the server log: %+v, %v", rep, err)
	}
}

// The record of where the keyed chain starts is signed: removed, or replaced by one claiming
// more unkeyed events, it is a fault, and it is never signed again over keyed events.
func TestAuditKeyedStartSigned(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	env.SignIn(t, "globaladmin@partner.example")
	if rep, err := env.App.Service.VerifyAudit(ctx, nil); err != nil || !rep.Intact() || rep.KeyedFrom != 1 {
		t.Fatalf("a fresh installation: %+v, %v (keyed from its first event)", rep, err)
	}
	q := env.App.Store.Engine().Reader()
	if _, err := q.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'audit_keyed_from'`, "1000000:00"); err != nil {
		t.Fatal(err)
	}
	rep, err := env.App.Service.VerifyAudit(ctx, nil)
	if err != nil || rep.Intact() || !strings.Contains(rep.Faults[0].Problem, "not recorded") {
		t.Fatalf("an unsigned start: %+v, %v", rep, err)
	}
	if err := env.App.Service.InitAudit(ctx); err == nil {
		t.Fatal("InitAudit accepted the unsigned start")
	}
	// Removed: it is not written again over keyed events.
	if _, err := q.ExecContext(ctx, `DELETE FROM meta WHERE key = 'audit_keyed_from'`); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Service.InitAudit(ctx); err == nil {
		t.Fatal("InitAudit signed a new start over keyed events")
	}
	if rep, _ := env.App.Service.VerifyAudit(ctx, nil); rep.Intact() {
		t.Fatal("a missing start reported intact")
	}
}

// The demo's events are linked when it is loaded: a fresh installation verifies.
func TestAuditDemoLinked(t *testing.T) {
	env := apptest.Start(t)
	rep, err := env.App.Service.VerifyAudit(context.Background(), nil)
	if err != nil || !rep.Intact() || rep.Events < 10 || rep.Pending != 0 {
		t.Fatalf("%+v, %v", rep, err)
	}
}
