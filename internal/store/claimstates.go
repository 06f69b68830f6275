package store

import "context"

// ClaimStateCounts counts claims by where they are in their lifecycle: the response-side
// state (claim_status: accepted, paid, denied...) once a response has spoken of the claim,
// else the build/file state (built, held, filed). Counting in SQL keeps the dashboard from
// loading every claim document.
func (db *DB) ClaimStateCounts(ctx context.Context) (map[string]int, error) {
	return db.countBy(ctx, "claim state counts", `SELECT COALESCE(cs.state, c.state) AS st, COUNT(*)
		FROM claims c LEFT JOIN claim_status cs ON cs.claim_id = c.id
		GROUP BY COALESCE(cs.state, c.state)`)
}
