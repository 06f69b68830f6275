package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
)

// TestPayerOverrideHoldsClaims: with a companion-guide override on the commercial payer
// (SBR03 group number required), the claim without a group number is held with the
// override's note and the other files. The override is checked at build time and, for
// claims built before the override was configured, again just before filing.
func TestPayerOverrideHoldsClaims(t *testing.T) {
	const note = "Group number is required on every claim"
	override := []config.GuideOverride{{Loop: "2000B", Segment: "SBR", Element: "SBR03", Usage: "R", Note: note}}
	for _, at := range []string{"build", "file"} {
		t.Run(at, func(t *testing.T) {
			ctx := context.Background()
			p := newPipeline(t)
			payer, _ := p.Cfg.Payer("demo-commercial")
			if at == "build" {
				payer.Overrides = override
			}
			withGroup := billable(session("S1", "W1", "2026-11-18", "90791"))
			withGroup.Coverage.Group = "G55"
			put(t, p, withGroup, billable(session("S2", "W2", "2026-11-18", "90791")))
			built, held, err := p.BuildAndStoreClaims(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if at == "build" && (built != 1 || held != 1) || at == "file" && (built != 2 || held != 0) {
				t.Fatalf("built %d held %d", built, held)
			}
			payer.Overrides = override
			files, err := p.FileClaims(ctx)
			if err != nil || len(files) != 1 || files[0].Claims != 1 {
				t.Fatalf("file: %+v %v", files, err)
			}
			heldRecs, err := p.DB.Claims(ctx, store.ClaimFilter{State: lifecycle.Held})
			if err != nil || len(heldRecs) != 1 {
				t.Fatalf("held claims: %d %v", len(heldRecs), err)
			}
			rec, err := p.DB.Claim(ctx, heldRecs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Claim.SessionIDs[0] != "S2" || len(rec.HoldRules) != 1 || rec.HoldRules[0] != claims.RuleOverride {
				t.Fatalf("held claim %v rules %v", rec.Claim.SessionIDs, rec.HoldRules)
			}
			found := false
			for _, f := range rec.Findings {
				found = found || f.Rule == claims.RuleOverride && strings.Contains(f.Message, note) && strings.Contains(f.Message, "SBR03")
			}
			if !found {
				t.Errorf("findings %+v do not name the override", rec.Findings)
			}
			filed, _ := p.DB.Claims(ctx, store.ClaimFilter{State: lifecycle.Filed})
			if len(filed) != 1 || filed[0].Claim.SessionIDs[0] != "S1" {
				t.Fatalf("filed: %+v", filed)
			}
			// Building again keeps the hold (and its reason) stable.
			if _, held, err := p.BuildAndStoreClaims(ctx); err != nil || held != 1 {
				t.Fatalf("rebuild: held %d %v", held, err)
			}
			if rec, _ := p.DB.Claim(ctx, heldRecs[0].ID); rec.State != lifecycle.Held {
				t.Fatalf("rebuilt claim %s", rec.State)
			}
		})
	}
}
