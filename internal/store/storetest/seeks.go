package storetest

import (
	"slices"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
)

// testSeekLookups covers the narrow lookups the steps use instead of reading every row
// (issue 15, cost follows the new work) on each backend: the authorizations a set of
// claims names (a 271's lookups: EligibilityAnswers), and the onward-billing
// queries that drive from partial indexes (their SQL must run on both dialects).
func testSeekLookups(t *testing.T, db *store.DB) {
	put(t, db, Auth("A-1", 5, "2026-10-01", "2027-03-31"), Auth("A-2", 5, "2026-10-01", "2027-03-31"),
		Auth("A-3", 5, "2026-10-01", "2027-03-31"), Session("S-1", "2026-11-02"))
	got, err := db.AuthUsesNumbered(ctx, []string{"A-3", "A-1", "A-1", "A-9"})
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, a := range got {
		numbers = append(numbers, a.Number)
	}
	if !slices.Equal(numbers, []string{"A-1", "A-3"}) {
		t.Errorf("AuthUsesNumbered(A-3, A-1, A-1, A-9) = %v, want [A-1 A-3] once each", numbers)
	}
	if none, err := db.AuthUsesNumbered(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("AuthUsesNumbered(nil) = %v, %v", none, err)
	}
	if _, err := db.SecondaryCandidates(ctx); err != nil {
		t.Errorf("SecondaryCandidates: %v", err)
	}
	if _, err := db.TertiaryCandidates(ctx); err != nil {
		t.Errorf("TertiaryCandidates: %v", err)
	}
	for _, resp := range []string{claims.ResponsibilitySecondary, claims.ResponsibilityTertiary} {
		if _, err := db.COBFamilies(ctx, resp); err != nil {
			t.Errorf("COBFamilies(%s): %v", resp, err)
		}
	}
}
