package store

import (
	"context"
	"fmt"
)

// ClaimStateCounts counts claims by where they are in their lifecycle: the response-side
// state (claim_status: accepted, paid, denied...) once a response has spoken of the claim,
// else the build/file state (built, held, filed). Counting in SQL keeps the dashboard from
// loading every claim document.
func (db *DB) ClaimStateCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT COALESCE(cs.state, c.state) AS st, COUNT(*)
		FROM claims c LEFT JOIN claim_status cs ON cs.claim_id = c.id
		GROUP BY COALESCE(cs.state, c.state)`)
	if err != nil {
		return nil, fmt.Errorf("store: claim state counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: claim state counts: %w", err)
		}
		out[st] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: claim state counts: %w", err)
	}
	return out, nil
}
