package claims

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// Demo configuration facts (internal/config/configs/config.default.yml).
const (
	practiceNPI = "1234567893"
	lcswNPI     = "1245319599" // Dana Rivers, LCSW, licensed
	lpcaNPI     = "1003000126" // Sam Lee, LPC-A, unlicensed, supervised by lcswNPI
)

func testConfig(t testing.TB) *config.Config {
	t.Helper()
	return config.Default()
}

// session returns a completed, billable individual-therapy session for the commercial
// payer; tests change what they exercise.
func session(id, code string) Session {
	return Session{
		Type: "session", ID: id, Practice: "demo-practice", Status: StatusCompleted,
		Client: Person{ID: "c1", FirstName: "Alex", LastName: "Doe", DOB: "1990-04-01", Gender: "F",
			Address: Address{Line1: "1 Elm St", City: "Springfield", State: "IL", Zip: "62701"}},
		Coverage: Coverage{Payer: "demo-commercial", MemberID: "W123456789", Group: "G55",
			Relationship: "self", Priority: "primary"},
		Date: "2026-03-02", Minutes: 55,
		Service:           Service{Code: code, PlaceOfService: "11"},
		Diagnoses:         []string{"F41.1", "F33.1"},
		RenderingProvider: lcswNPI,
		Charge:            x12.MustAmount("150.00"),
	}
}

// write837 writes claims for the demo clearinghouse and returns the bytes.
func write837(t testing.TB, cfg *config.Config, cl []*Claim) ([]byte, *FileResult) {
	t.Helper()
	var buf bytes.Buffer
	res, err := Write837(context.Background(), &buf, cl, FileOptions{
		Config: cfg, Clearinghouse: "sim", Sequence: x12.NewMemorySequence(),
		Now: time.Date(2026, 3, 10, 14, 5, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatalf("Write837: %v", err)
	}
	return buf.Bytes(), res
}

// guides837 is what `edigate x12 validate` uses, so a passing test means a passing file.
var guides837 = guides.Registry

// parse837 parses data with the engine and the 837P table and fails on any finding.
func parse837(t testing.TB, data []byte) []*x12.Transaction {
	t.Helper()
	p := x12.NewParser(bytes.NewReader(data), x12.ParseOptions{Guides: guides837})
	var out []*x12.Transaction
	for {
		tx, err := p.Next()
		if err != nil {
			break
		}
		if tx.Guide == nil {
			t.Fatalf("no guide for the set %s", tx.Set)
		}
		for _, e := range tx.Errors {
			t.Errorf("ST %s: %v", tx.Control, e)
		}
		out = append(out, tx)
	}
	res := p.Result()
	if !res.Valid() {
		t.Errorf("file invalid: fatal=%v errors=%v", res.Fatal, res.Errors)
		for _, ic := range res.Interchanges {
			t.Errorf("interchange %s: %v", ic.Control, ic.Errors)
			for _, g := range ic.Groups {
				t.Errorf("group %s: %v", g.Control, g.Errors)
			}
		}
	}
	if t.Failed() {
		t.Logf("file:\n%s", bytes.ReplaceAll(data, []byte("~"), []byte("~\n")))
	}
	return out
}

// find returns the loops with id anywhere under l, in input order.
func find(l *x12.Loop, id string) []*x12.Loop {
	var out []*x12.Loop
	l.Walk(func(x *x12.Loop) {
		if x.ID == id {
			out = append(out, x)
		}
	})
	return out
}

// el returns element n of the first segment seg in loop l ("" when absent).
func el(l *x12.Loop, seg string, n int) string {
	s := l.Seg(seg)
	if s == nil {
		return ""
	}
	return s.Str(n)
}
