package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
)

func eligSession(id, member, date string) *claims.Session {
	return &claims.Session{Type: "session", ID: id, Practice: "demo-practice", Status: claims.StatusCompleted,
		Client:   claims.Person{ID: "C-" + member, FirstName: "A", LastName: "B", DOB: "1990-01-01", Gender: "F"},
		Coverage: claims.Coverage{Payer: "demo-commercial", MemberID: member, Relationship: "self", Priority: "primary"},
		Date:     date, Minutes: 55, Service: claims.Service{Code: "90791", Units: 1, PlaceOfService: "11"},
		Diagnoses: []string{"F41.1"}, RenderingProvider: "1245319599", Charge: x12.MustAmount("150")}
}

func TestEligibilityRequestsAndAnswers(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rules, err := claims.NewAuthRules(config.Default().ClaimsPayers())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Batch(ctx, rules, func(b *store.Batch) error {
		for _, s := range []*claims.Session{eligSession("S1", "W1", "2026-11-18"), eligSession("S2", "W1", "2026-11-18"), eligSession("S3", "W3", "2026-11-18")} {
			if _, err := b.PutSession(s, "batch.json"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LatestEligibility(ctx, "demo-commercial", "W1", "2026-11-18"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("want not found, got %v", err)
	}
	checks := []store.EligibilityCheck{
		{Trace: "T1", Payer: "demo-commercial", MemberID: "W1", ClientID: "C-W1", ServiceDate: "2026-11-18", SessionIDs: []string{"S1", "S2"}},
		{Trace: "T3", Payer: "demo-commercial", MemberID: "W3", ClientID: "C-W3", ServiceDate: "2026-11-18", SessionIDs: []string{"S3"}},
	}
	if err := db.RecordEligibilityRequests(ctx, checks, "270_1.x12"); err != nil {
		t.Fatal(err)
	}
	c, err := db.LatestEligibility(ctx, "demo-commercial", "W1", "2026-11-18")
	if err != nil || c.State != store.EligRequested || len(c.SessionIDs) != 2 || c.File != "270_1.x12" {
		t.Fatalf("latest: %+v %v", c, err)
	}

	// W1 is inactive: both sessions go on an eligibility hold; the same file again is a no-op.
	hold := store.EligibilityOutcome{Hold: true, Reason: "coverage_inactive", Result: map[string]any{"active": false}, Decision: map[string]any{"hold": true}}
	if ok, err := db.ApplyEligibility(ctx, "T1", "271_a.x12", hold); err != nil || !ok {
		t.Fatalf("apply: %v %v", ok, err)
	}
	if ok, err := db.ApplyEligibility(ctx, "T1", "271_a.x12", hold); err != nil || ok {
		t.Fatalf("re-apply must be a no-op: %v %v", ok, err)
	}
	for _, id := range []string{"S1", "S2"} {
		s, err := db.Session(ctx, id)
		if err != nil || s.State != store.StateHeld || s.HoldReason != "eligibility_coverage_inactive" {
			t.Fatalf("%s: %+v %v", id, s.State, err)
		}
		ev, _ := db.Events(ctx, "session", id)
		kinds := map[string]int{}
		for _, e := range ev {
			kinds[string(e.Kind)]++
		}
		if kinds["eligibility_requested"] != 1 || kinds["eligibility_answered"] != 1 {
			t.Fatalf("%s events: %v", id, kinds)
		}
	}
	// W3: transient, retried later; the session stays ready; a new inquiry supersedes it.
	if _, err := db.ApplyEligibility(ctx, "T3", "271_a.x12", store.EligibilityOutcome{Retry: true}); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Session(ctx, "S3"); s.State != store.StateReady {
		t.Fatalf("retry must not hold: %s", s.State)
	}
	if c, _ := db.LatestEligibility(ctx, "demo-commercial", "W3", "2026-11-18"); c.State != store.EligRetry {
		t.Fatalf("retry state: %+v", c)
	}
	if err := db.RecordEligibilityRequests(ctx, []store.EligibilityCheck{{Trace: "T4", Payer: "demo-commercial", MemberID: "W3", ClientID: "C-W3",
		ServiceDate: "2026-11-18", SessionIDs: []string{"S3"}}}, "270_2.x12"); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.LatestEligibility(ctx, "demo-commercial", "W3", "2026-11-18"); c.Trace != "T4" || c.State != store.EligRequested {
		t.Fatalf("new inquiry: %+v", c)
	}
	// A later clean answer for W1 releases the eligibility hold, with a warning recorded.
	if err := db.RecordEligibilityRequests(ctx, []store.EligibilityCheck{{Trace: "T5", Payer: "demo-commercial", MemberID: "W1", ClientID: "C-W1",
		ServiceDate: "2026-11-18", SessionIDs: []string{"S1"}}}, "270_3.x12"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyEligibility(ctx, "T5", "271_b.x12", store.EligibilityOutcome{Warnings: []string{"auth required"}}); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Session(ctx, "S1"); s.State != store.StateReady || s.HoldReason != "" {
		t.Fatalf("release: %+v", s.State)
	}
	// The release is in the history and told to the practice system, after the answer.
	rows, err := db.OutboxRange(ctx, 1, 0, 0)
	if err != nil || len(rows) < 2 {
		t.Fatalf("outbox %v %v", rows, err)
	}
	if a, r := rows[len(rows)-2], rows[len(rows)-1]; a.Event != "eligibility_answered" || r.Event != "released" || r.SessionID != "S1" {
		t.Fatalf("outbox ends %+v %+v", a, r)
	}
	if _, err := db.ApplyEligibility(ctx, "NOPE", "271_b.x12", store.EligibilityOutcome{}); err == nil {
		t.Fatal("unknown trace accepted")
	}
}
