package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/remit"
)

// inboxBatch is what a practice system drops: sessions (one per member/scenario) and the
// authorization the 90837 sessions use.
func inboxBatch(date string) []map[string]any {
	var out []map[string]any
	out = append(out, map[string]any{"type": "authorization", "number": "AUTH1", "payer": "demo-commercial", "client_id": "C-PAID",
		"member_id": "WPAID", "codes": []string{"90834", "90837"}, "units": 10, "unit_kind": "visit", "start": "2026-01-01", "end": "2027-12-31"})
	for i, m := range []string{"WPAID", "WDENY", "WREJ"} {
		code := "90791"
		if m == "WPAID" {
			code = "90837"
		}
		out = append(out, map[string]any{"type": "session", "id": fmt.Sprintf("S-%d", i+1), "practice": "demo-practice", "status": "completed",
			"client": map[string]any{"id": "C-" + m[1:], "first_name": "Pat", "last_name": "Lee" + m, "dob": "1985-02-03", "gender": "F",
				"address": map[string]any{"line1": "1 Elm St", "city": "Springfield", "state": "IL", "zip": "62702"}},
			"coverage": map[string]any{"payer": "demo-commercial", "member_id": m, "group": "GRP1", "relationship": "self", "priority": "primary"},
			"date":     date, "start": "10:00", "end": "10:55",
			"service":   map[string]any{"code": code, "units": 1, "place_of_service": "11"},
			"diagnoses": []string{"F41.1"}, "rendering_provider": "1245319599", "charge": "150.00"})
	}
	return out
}

// TestFullCycleThroughSimulator is the whole product on one machine: a batch in the inbox
// becomes claims, uploaded over SFTP to the simulator, whose 999, 277CA and 835 come back
// and move each claim: paid, denied (into the denial queue with a deadline), rejected (into
// the rejection queue). Running again changes nothing.
func TestFullCycleThroughSimulator(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	rules := sim.DefaultRules()
	rules.Members["WDENY"] = []sim.Scenario{sim.DenyAuth}
	rules.Members["WREJ"] = []sim.Scenario{sim.RejectA7}
	d, err := New(ctx, Options{Config: cfg, Log: zerolog.Nop(), SimRules: &rules, SimPaymentDelay: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	date := time.Now().UTC().AddDate(0, 0, -3).Format("2006-01-02")
	b, _ := json.Marshal(inboxBatch(date))
	inbox := filepath.Join(cfg.DataDir, "inbox")
	if err := os.WriteFile(filepath.Join(inbox, "batch.json.part"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Rename(filepath.Join(inbox, "batch.json.part"), filepath.Join(inbox, "batch.json"))

	claimOf := func(session string) string {
		ids, err := d.DB.ClaimsForSession(ctx, session)
		if err != nil || len(ids) == 0 {
			return ""
		}
		return ids[0]
	}
	want := map[string]lifecycle.State{"S-1": lifecycle.Paid, "S-2": lifecycle.Denied, "S-3": lifecycle.Rejected}
	deadline := time.Now().Add(5 * time.Minute) // generous: a loaded machine is slow, the loop ends when done
	done := false
	for !done && time.Now().Before(deadline) {
		if err := d.RunOnce(ctx); err != nil {
			t.Logf("run: %v", err)
		}
		done = true
		for s, st := range want {
			if got, _, _ := d.DB.ClaimState(ctx, claimOf(s)); got != st {
				done = false
			}
		}
		if !done {
			time.Sleep(400 * time.Millisecond)
		}
	}
	for s, st := range want {
		c := claimOf(s)
		got, payerClaim, err := d.DB.ClaimState(ctx, c)
		if err != nil || got != st {
			t.Errorf("%s (claim %q): state %q, want %q (%v)", s, c, got, st, err)
		}
		if st == lifecycle.Paid && payerClaim == "" {
			t.Errorf("%s: no payer claim number stored", s)
		}
	}
	den, _ := d.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueDenials, OpenOnly: true})
	if len(den) != 1 || den[0].ClaimID != claimOf("S-2") || den[0].Category != remit.CategoryAuthorization || den[0].Due == "" {
		t.Errorf("denial queue: %+v", den)
	}
	rej, _ := d.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueRejections, OpenOnly: true})
	// A rejected claim races the payer's timely filing limit (demo-commercial: 180 days).
	wantDue := time.Now().UTC().AddDate(0, 0, -3+180).Format("2006-01-02")
	if len(rej) != 1 || rej[0].ClaimID != claimOf("S-3") || rej[0].Due != wantDue {
		t.Errorf("rejection queue: %+v", rej)
	}
	failed, _ := d.DB.FailedInbound(ctx)
	if len(failed) != 0 {
		t.Errorf("response files failed: %+v", failed)
	}
	// Nothing left to do: another pass posts nothing twice.
	if err := d.RunOnce(ctx); err != nil {
		t.Logf("second run: %v", err)
	}
	den2, _ := d.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueDenials})
	if len(den2) != len(den) {
		t.Errorf("second run added denials: %d -> %d", len(den), len(den2))
	}
	archived, _ := filepath.Glob(filepath.Join(cfg.DataDir, "archive", "*", "batch.json"))
	if len(archived) != 1 {
		t.Errorf("inbox file not archived: %v", archived)
	}
}
