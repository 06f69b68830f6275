package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// TestOutboxCardAndStatements: the dashboard says how far the practice system was told,
// and the statements link downloads what a client owes per service with the payer's
// reasons in words.
func TestOutboxCardAndStatements(t *testing.T) {
	f := newFixture(t, func(d *Deps) {
		db := d.Store.(*store.DB)
		p := &pipeline.Pipeline{Cfg: config.Default(), DB: db}
		d.Outbox, d.Statements = p.OutboxStatus, db.StatementMessages
	})
	ctx := t.Context()
	for _, q := range []string{
		`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency, responsibility, total_cents, state, data, created_at, updated_at)
			VALUES ('CLM-1', 'CLM-1', 'demo-practice', 'demo-commercial', 'sim', 'C-77', '2026-11-02', '1', 'P', 15000, 'accepted', '{}', 't', 't')`,
		`INSERT INTO claim_sessions (claim_id, session_id) VALUES ('CLM-1', 'S-1')`,
		`INSERT INTO claim_lines (claim_id, line_no, session_id, code, units, charge_cents, service_date) VALUES ('CLM-1', 1, 'S-1', '90837', 1, 15000, '2026-11-02')`,
	} {
		if _, err := f.db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	pe := &remit.PaymentEvent{Check: "EFT77", CLP02: "1", Charge: "150.00", Paid: "80.00", Patient: "25.00",
		Lines: []remit.PaymentEventLine{{Line: 1, Code: "90837", Charge: x12.MustAmount("150"), Paid: x12.MustAmount("80"),
			Adjustments: []remit.Adjustment{{Group: "CO", Reason: "45", Amount: x12.MustAmount("45")}, {Group: "PR", Reason: "3", Amount: x12.MustAmount("25")}}}}}
	if _, err := f.db.ApplyResponse(ctx, store.ResponseFile{SHA256: "x", Name: "x.835"}, &remit.Plan{Kind: "835", Steps: []remit.Step{{Claim: "CLM-1",
		Move: &remit.Move{From: lifecycle.Accepted, To: lifecycle.Paid, Next: lifecycle.Paid, Kind: lifecycle.Paid.Event(), Detail: pe}}}}); err != nil {
		t.Fatal(err)
	}
	c := f.login(t, testUser, testPassword)
	page := f.page(t, c, "/")
	for _, want := range []string{"Results to the practice system", "written to files through 0", "waiting for the next outbox run", `href="/outbox/statements.csv"`, "Sending over HTTP is off"} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	resp, body := f.get(t, c, "/outbox/statements.csv?client=C-77")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %q %v", rows, err)
	}
	if got := strings.Join(rows[1], "|"); got != "C-77|S-1|CLM-1|Nov 2, 2026|90837|$150.00|$80.00|$25.00|Co-payment amount $25.00 (3)|EFT77" {
		t.Errorf("row %s", got)
	}
	if _, body := f.get(t, c, "/outbox/statements.csv?client=C-88"); strings.Count(body, "\n") != 1 {
		t.Errorf("another client's statement: %q", body)
	}
	if resp, _ := f.get(t, c, "/outbox/statements.csv?from=yesterday"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad from: %d", resp.StatusCode)
	}
}
