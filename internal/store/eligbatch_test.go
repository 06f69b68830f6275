package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/edigate/edigate/internal/store"
)

// TestLatestEligibilities: the batched read answers as LatestEligibility does for each key
// (newest check, a superseded retry never, a key without checks absent), and recording a
// retried inquiry supersedes exactly the retry of its own member and date.
// It runs on SQLite and on PostgreSQL (the batched read is one SQL text for both).
func TestLatestEligibilities(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "edigate.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		testLatestEligibilities(t, db)
	})
	t.Run("postgres", func(t *testing.T) { testLatestEligibilities(t, openPostgres(t)(t)) })
}

func testLatestEligibilities(t *testing.T, db *store.DB) {
	ctx := context.Background()
	check := func(trace, member, date string) store.EligibilityCheck {
		return store.EligibilityCheck{Trace: trace, Payer: "demo-commercial", MemberID: member, ClientID: "C-" + member, ServiceDate: date}
	}
	record := func(file string, cs ...store.EligibilityCheck) {
		t.Helper()
		if err := db.RecordEligibilityRequests(ctx, cs, file); err != nil {
			t.Fatal(err)
		}
	}
	record("270_1.x12", check("T1", "W1", "2026-11-18"), check("T2", "W1", "2026-11-19"), check("T3", "W2", "2026-11-18"))
	// T2 and T3 get a "try again" answer; T1 an answer.
	for _, tr := range []string{"T2", "T3"} {
		if _, err := db.ApplyEligibility(ctx, tr, "271_1.x12", store.EligibilityOutcome{Retry: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ApplyEligibility(ctx, "T1", "271_1.x12", store.EligibilityOutcome{}); err != nil {
		t.Fatal(err)
	}
	// W1 on the 19th is asked again: T2 superseded, T3 (another member) still a retry.
	record("270_2.x12", check("T4", "W1", "2026-11-19"))
	keys := []store.EligibilityKey{
		{Payer: "demo-commercial", MemberID: "W1", ServiceDate: "2026-11-18"},
		{Payer: "demo-commercial", MemberID: "W1", ServiceDate: "2026-11-19"},
		{Payer: "demo-commercial", MemberID: "W2", ServiceDate: "2026-11-18"},
		{Payer: "demo-commercial", MemberID: "W9", ServiceDate: "2026-11-18"},
		{Payer: "demo-medicaid", MemberID: "W1", ServiceDate: "2026-11-18"},
	}
	got, err := db.LatestEligibilities(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	wantTrace := map[string]string{"W1 2026-11-18": "T1", "W1 2026-11-19": "T4", "W2 2026-11-18": "T3"}
	for _, k := range keys {
		one, err := db.LatestEligibility(ctx, k.Payer, k.MemberID, k.ServiceDate)
		c, ok := got[k]
		if errors.Is(err, store.ErrNotFound) {
			if ok {
				t.Errorf("%+v: batched read found %s, the single read nothing", k, c.Trace)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !ok || c.Trace != one.Trace || c.State != one.State {
			t.Errorf("%+v: batched %s/%s, single %s/%s", k, c.Trace, c.State, one.Trace, one.State)
		}
		if k.Payer == "demo-commercial" && c.Trace != wantTrace[k.MemberID+" "+k.ServiceDate] {
			t.Errorf("%+v: latest %s, want %s", k, c.Trace, wantTrace[k.MemberID+" "+k.ServiceDate])
		}
	}
	for tr, want := range map[string]string{"T2": "superseded", "T3": store.EligRetry, "T4": store.EligRequested} {
		if c, err := db.EligibilityCheck(ctx, tr); err != nil || c.State != want {
			t.Errorf("%s: %s %v, want %s", tr, c.State, err, want)
		}
	}
}
