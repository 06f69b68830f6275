package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
)

// noEligibilityWait points APP_CONFIG at a file that turns claims.wait_for_eligibility off,
// for CLI tests that build claims from sessions with no 270.
func noEligibilityWait(t *testing.T) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nowait.yml")
	if err := os.WriteFile(path, []byte("claims:\n  wait_for_eligibility: 0s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("APP_CONFIG", path)
}

// TestReportUnderpayments: `edigate report underpayments` shows expected vs paid per payer
// in dollars, and the same as JSON.
func TestReportUnderpayments(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]any{
		{"C1", 1, "demo-commercial", "90837", 13500, 2000, 11500, 9000},
		{"C2", 1, "demo-commercial", "90837", 13500, 0, 13500, 135000 / 10},
		{"C3", 1, "demo-medicaid", "90834", 9000, 0, 9000, 9000},
	} {
		if _, err := db.SQL().Exec(db.Rebind(`INSERT INTO remit_expected (claim_id, line_no, payer, code, contract_cents, patient_cents,
			expected_cents, paid_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), r...); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	d := "--data=" + dir
	code, out, stderr := runCmd(t, "", "report", "underpayments", d)
	if code != exitOK {
		t.Fatalf("report: %d %s", code, stderr)
	}
	for _, want := range []string{"demo-commercial", "$250.00", "$225.00", "$25.00", "demo-medicaid", "$90.00"} {
		if !strings.Contains(out, want) {
			t.Errorf("report text lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCmd(t, "", "report", "underpayments", d, "--json")
	var rows []store.UnderpaymentRow
	if code != exitOK || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 ||
		rows[0].Underpaid != 1 || rows[0].Short != x12.MustAmount("25.00") || rows[1].Underpaid != 0 {
		t.Fatalf("report json: %d %s", code, out)
	}
}
