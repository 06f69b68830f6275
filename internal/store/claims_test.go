package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/x12"
)

func claimSession(id string) claims.Session {
	return claims.Session{
		Type: "session", ID: id, Practice: "demo-practice", Status: claims.StatusCompleted,
		Client: claims.Person{ID: "c1", FirstName: "Alex", LastName: "Doe", DOB: "1990-04-01", Gender: "F",
			Address: claims.Address{Line1: "1 Elm St", City: "Springfield", State: "IL", Zip: "62701"}},
		Coverage: claims.Coverage{Payer: "demo-commercial", MemberID: "W1", Relationship: "self", Priority: "primary"},
		Date:     "2026-03-02", Minutes: 60,
		Service:           claims.Service{Code: "90791", PlaceOfService: "11"},
		Diagnoses:         []string{"F41.1"},
		RenderingProvider: "1245319599",
		Charge:            x12.MustAmount("200"),
	}
}

func TestClaimsLifecycle(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	s1, s2 := claimSession("s-1"), claimSession("s-2")
	s2.Service.Code = "90785"
	if err := db.Batch(ctx, nil, func(b *store.Batch) error {
		for _, s := range []claims.Session{s1, s2} {
			if _, err := b.PutSession(&s, "in.json"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c := (&claims.Builder{}).Claims([]claims.Session{s1, s2})[0]
	c.Clearinghouse = "sim"
	held := claims.Result{ClaimID: c.ID, Held: true, Findings: []claims.Finding{
		{Rule: "npi.luhn", Severity: claims.SeverityError, Message: "m", Reference: "r", ClaimID: c.ID},
		{Rule: "timely.warn", Severity: claims.SeverityWarning, Message: "w", Reference: "r", ClaimID: c.ID, Line: 1, SessionID: "s-1"},
	}}
	put := func(r claims.Result) lifecycle.State {
		var st lifecycle.State
		if err := db.Batch(ctx, nil, func(b *store.Batch) error {
			var err error
			st, err = b.PutClaim(c, r)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := put(held); st != lifecycle.Held {
		t.Fatalf("state %s, want held", st)
	}
	rec, err := db.Claim(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != lifecycle.Held || len(rec.HoldRules) != 1 || rec.HoldRules[0] != "npi.luhn" || len(rec.Findings) != 2 ||
		rec.Findings[1].SessionID != "s-1" || rec.Total != c.Total || len(rec.Claim.Lines) != 2 {
		t.Fatalf("record %+v", rec)
	}
	// Fixed and rebuilt: built, findings replaced.
	if st := put(claims.Result{ClaimID: c.ID}); st != lifecycle.Built {
		t.Fatalf("state %s, want built", st)
	}
	if ids, err := db.ClaimsForSession(ctx, "s-2"); err != nil || len(ids) != 1 || ids[0] != c.ID {
		t.Fatalf("claims for s-2: %v %v", ids, err)
	}
	res := &claims.FileResult{Clearinghouse: "sim", ISAControl: 7, GSControl: 7, Usage: "T", Claims: 1,
		Sets: []claims.SetInfo{{Control: "0007", ClaimIDs: []string{c.ID}}}}
	if err := db.Batch(ctx, nil, func(b *store.Batch) error {
		_, err := b.RecordClaimFile(&store.ClaimFile{Name: "837P_000000007.x12", Total: c.Total, SHA256: "x"}, res)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rec, _ = db.Claim(ctx, c.ID)
	if rec.State != lifecycle.Filed || len(rec.Submissions) != 1 || rec.Submissions[0].STControl != "0007" || rec.Submissions[0].ISAControl != 7 {
		t.Fatalf("after filing %+v", rec)
	}
	for _, id := range []string{"s-1", "s-2"} {
		s, err := db.Session(ctx, id)
		if err != nil || s.State != store.StateBilled || s.ClaimRef != c.ID {
			t.Errorf("session %s: %+v %v", id, s.State, err)
		}
	}
	ev, _ := db.Events(ctx, "claim", c.ID)
	var kinds []lifecycle.EventKind
	for _, e := range ev {
		kinds = append(kinds, e.Kind)
	}
	if len(kinds) != 3 || kinds[0] != "held" || kinds[1] != "built" || kinds[2] != "filed" {
		t.Errorf("events %v", kinds)
	}
	// A filed claim is not overwritten, and cannot be filed twice.
	err = db.Batch(ctx, nil, func(b *store.Batch) error { _, err := b.PutClaim(c, claims.Result{}); return err })
	if !errors.Is(err, store.ErrClaimFiled) {
		t.Errorf("overwrite filed claim: %v", err)
	}
	res.ISAControl = 8
	if err := db.Batch(ctx, nil, func(b *store.Batch) error {
		_, err := b.RecordClaimFile(&store.ClaimFile{Name: "again.x12"}, res)
		return err
	}); err == nil {
		t.Error("filed claim filed again")
	}
	if list, err := db.Claims(ctx, store.ClaimFilter{State: lifecycle.Filed}); err != nil || len(list) != 1 {
		t.Errorf("filed claims %d %v", len(list), err)
	}
	if _, err := db.Claim(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing claim: %v", err)
	}
}
