package store

import "context"

// ClaimStateCounts counts claims by their lifecycle state. Counting in SQL keeps the
// dashboard from loading every claim document.
func (db *DB) ClaimStateCounts(ctx context.Context) (map[string]int, error) {
	return db.countBy(ctx, "claim state counts", `SELECT state, COUNT(*) FROM claims GROUP BY state`)
}
