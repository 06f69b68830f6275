package store_test

import (
	"context"
	"testing"
)

// remit post reports applied, unmatched and review apart: a claim edigate never built is
// unmatched (and queued for review), never counted as applied.
func TestPostRemittanceCounts(t *testing.T) {
	tests := []struct {
		name                      string
		file                      string
		seed                      []string
		applied, unmatched, revue int
	}{
		{"known claim", "835-paid.x12", []string{"PCN1001"}, 1, 0, 0},
		{"claim we never built", "835-paid.x12", nil, 0, 1, 1},
		{"unbalanced payment", "835-unbalanced.x12", []string{"PCN6001"}, 1, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openSQLite(t)
			if tt.seed != nil {
				seedClaims(t, db, tt.seed...)
			}
			f, d := response(t, remitData+tt.file)
			res, err := applyDoc(context.Background(), db, f, d)
			if err != nil || res.Applied != tt.applied || res.Unmatched != tt.unmatched || res.Review != tt.revue {
				t.Fatalf("result %+v, err %v; want applied %d unmatched %d review %d", res, err, tt.applied, tt.unmatched, tt.revue)
			}
		})
	}
}
