package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12/guides"
)

// TestDenialReportCountsClaimsOnce: a claim paid, reversed and paid again (CLP02 22 and a
// new CLP) is one claim in the report, as it stands after the last adjudication.
func TestDenialReportCountsClaimsOnce(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	seedClaims(t, db, "PCN4001")
	orig, err := os.ReadFile(remitData + "835-paid.x12")
	if err != nil {
		t.Fatal(err)
	}
	// The original payment of PCN4001 (the reversal file's claim), from an earlier check.
	first := strings.NewReplacer("PCN1001", "PCN4001", "PAYER1001", "PAYER4001", "CHK1001", "CHK3999").Replace(string(orig))
	post := func(name, data string) {
		t.Helper()
		d, err := remit.Read(ctx, strings.NewReader(data), remit.ReadOptions{Guides: guides.Registry})
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256([]byte(data))
		if _, err := applyDoc(ctx, db, store.ResponseFile{SHA256: hex.EncodeToString(h[:]), Name: name}, d); err != nil {
			t.Fatal(err)
		}
	}
	post("835-first.x12", first)
	rev, err := os.ReadFile(remitData + "835-reversal.x12")
	if err != nil {
		t.Fatal(err)
	}
	post("835-reversal.x12", string(rev))
	if rc, _ := db.RemitClaims(ctx, "PCN4001"); len(rc) != 3 {
		t.Fatalf("want original, reversal and new adjudication posted, got %d", len(rc))
	}
	rows, err := db.DenialReport(ctx, "payer")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, r := range rows {
		total += r.Claims
	}
	if total != 1 {
		t.Fatalf("claims counted %d times: %+v", total, rows)
	}
}
