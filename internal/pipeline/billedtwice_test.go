package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
)

// putFrom stores sessions as intake does from one inbox file.
func putFrom(t *testing.T, p *Pipeline, file string, ss ...*claims.Session) {
	t.Helper()
	rules, err := claims.NewAuthRules(p.Cfg.ClaimsPayers())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.DB.Batch(context.Background(), rules, func(b *store.Batch) error {
		for _, s := range ss {
			if _, err := b.PutSession(s, file); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// visit is a clean session of the demo practice (its client has an address).
func visit(id, member, date, code string) *claims.Session {
	s := session(id, member, date, code)
	s.Client.Address = claims.Address{Line1: "1 Elm St", City: "Springfield", State: "IL", Zip: "62701"}
	return s
}

// TestServiceBilledTwiceAcrossFiles: the same visit sent under two session ids in two
// inbox files. The first is built and filed; the second's claim is held by
// service.billed_twice naming the filed claim, and no second 837P carries the service.
func TestServiceBilledTwiceAcrossFiles(t *testing.T) {
	eachDialect(t, serviceBilledTwiceAcrossFiles)
}

func serviceBilledTwiceAcrossFiles(t *testing.T, p *Pipeline) {
	ctx := context.Background()
	putFrom(t, p, "monday.json", visit("S-A", "W1", "2026-11-18", "90791"))
	if built, held, err := p.BuildAndStoreClaims(ctx); err != nil || built != 1 || held != 0 {
		t.Fatalf("first file: built %d held %d err %v", built, held, err)
	}
	files, err := p.FileClaims(ctx)
	if err != nil || len(files) != 1 || files[0].Claims != 1 {
		t.Fatalf("first 837P: %+v %v", files, err)
	}
	first, err := p.DB.ClaimsForSession(ctx, "S-A")
	if err != nil || len(first) != 1 {
		t.Fatalf("claims of S-A: %v %v", first, err)
	}

	// The same service (client, day, procedure, provider) under a new id, in a later file.
	putFrom(t, p, "tuesday.json", visit("S-B", "W1", "2026-11-18", "90791"))
	if built, held, err := p.BuildAndStoreClaims(ctx); err != nil || built != 0 || held != 1 {
		t.Fatalf("second file: built %d held %d err %v", built, held, err)
	}
	if files, err := p.FileClaims(ctx); err != nil || len(files) != 0 {
		t.Fatalf("the duplicate was filed: %+v %v", files, err)
	}
	second, err := p.DB.ClaimsForSession(ctx, "S-B")
	if err != nil || len(second) != 1 {
		t.Fatalf("claims of S-B: %v %v", second, err)
	}
	rec, err := p.DB.Claim(ctx, second[0])
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != lifecycle.Held || !containsRule(rec.HoldRules, "service.billed_twice") {
		t.Fatalf("second claim %s: state %s holds %v", rec.ID, rec.State, rec.HoldRules)
	}
	var msg string
	for _, f := range rec.Findings {
		if f.Rule == "service.billed_twice" {
			msg = f.Message
		}
	}
	if !strings.Contains(msg, first[0]) || !strings.Contains(msg, "written into an 837p file") {
		t.Errorf("finding does not name the filed claim %s and its state: %q", first[0], msg)
	}

	// Once the first claim's file is rejected by the clearinghouse, the payer never had it:
	// the second session's claim is no longer a duplicate.
	if err := p.DB.Batch(ctx, nil, func(b *store.Batch) error {
		for _, to := range []lifecycle.State{lifecycle.Submitted, lifecycle.FileRejected} {
			if _, err := b.MoveClaim(first[0], to, "test", nil); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if built, held, err := p.BuildAndStoreClaims(ctx); err != nil || built != 1 || held != 0 {
		t.Fatalf("after the rejection: built %d held %d err %v", built, held, err)
	}
}

// TestSessionOnOneOpenClaim: a session held by the scrubber, then joined by sessions of the
// same day arriving in later files, regroups into a new claim each time (its CLM01 is its
// sessions'). The claims it leaves are voided with an event, so it sits on one held claim,
// not three.
func TestSessionOnOneOpenClaim(t *testing.T) {
	eachDialect(t, sessionOnOneOpenClaim)
}

func sessionOnOneOpenClaim(t *testing.T, p *Pipeline) {
	ctx := context.Background()
	held := func(s *claims.Session) *claims.Session {
		s.RenderingProvider = "1588667638" // not a configured provider: config.rendering holds it
		return s
	}
	var ids []string
	for i, sid := range []string{"S-1", "S-2", "S-3"} {
		putFrom(t, p, sid+".json", held(visit(sid, "W1", "2026-11-18", []string{"90791", "90785", "96127"}[i])))
		if built, nheld, err := p.BuildAndStoreClaims(ctx); err != nil || built != 0 || nheld != 1 {
			t.Fatalf("file %d: built %d held %d err %v", i+1, built, nheld, err)
		}
		cs, err := p.DB.ClaimsForSession(ctx, "S-1")
		if err != nil {
			t.Fatal(err)
		}
		ids = cs
		t.Logf("file %d: S-1 on %v", i+1, cs)
	}
	if len(ids) != 3 {
		t.Fatalf("S-1 was on %d claims, want 3 (one per regrouping): %v", len(ids), ids)
	}
	open := 0
	for _, id := range ids {
		rec, err := p.DB.Claim(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		switch rec.State {
		case lifecycle.Held:
			open++
			if len(rec.Claim.SessionIDs) != 3 {
				t.Errorf("open claim %s carries %v", id, rec.Claim.SessionIDs)
			}
		case lifecycle.Void:
			evs, err := p.DB.Events(ctx, string(lifecycle.EntityClaim), id)
			if err != nil {
				t.Fatal(err)
			}
			last := evs[len(evs)-1]
			if last.Kind != lifecycle.Void.Event() || !strings.Contains(string(last.Detail), `"superseded_by"`) {
				t.Errorf("claim %s voided without its event: %+v", id, last)
			}
		default:
			t.Errorf("claim %s is %s", id, rec.State)
		}
	}
	if open != 1 {
		t.Fatalf("S-1 is on %d open claims, want 1", open)
	}
	held1, err := p.DB.Claims(ctx, store.ClaimFilter{State: lifecycle.Held})
	if err != nil || len(held1) != 1 {
		t.Fatalf("held claims: %d %v", len(held1), err)
	}
	// Rebuilding the same sessions again changes nothing: the open claim is rebuilt in place.
	if _, _, err := p.BuildAndStoreClaims(ctx); err != nil {
		t.Fatal(err)
	}
	if again, err := p.DB.Claims(ctx, store.ClaimFilter{State: lifecycle.Held}); err != nil || len(again) != 1 {
		t.Fatalf("after a rebuild %d held claims (%v)", len(again), err)
	}
}

func containsRule(rules []string, r string) bool {
	for _, x := range rules {
		if x == r {
			return true
		}
	}
	return false
}

// eachDialect runs a pipeline test on SQLite and on PostgreSQL (skipped where absent).
func eachDialect(t *testing.T, test func(t *testing.T, p *Pipeline)) {
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			p := newPipeline(t)
			if dialect == "postgres" {
				p.DB = openDialect(t, "postgres", nil)
			}
			test(t, p)
		})
	}
}
