package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
)

// StoredClaimsOn returns the stored claims of the given clients' days of service, every
// state, for the scrubber's service.billed_twice rule (claims.Scrubber.Billed), which
// decides which of them the payer holds. Each key is one indexed lookup (claims_client_day).
func (db *DB) StoredClaimsOn(ctx context.Context, keys []claims.DayKey) ([]claims.StoredClaim, error) {
	st, err := db.stmt(ctx, `SELECT id, state, created_at, data FROM claims WHERE practice = ? AND client_id = ? AND service_date = ? ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: claims of a day: %w", err)
	}
	var out []claims.StoredClaim
	seen := map[string]bool{}
	for _, k := range keys {
		rows, err := st.QueryContext(ctx, k.Practice, k.ClientID, k.Date)
		if err != nil {
			return nil, fmt.Errorf("store: claims of a day: %w", err)
		}
		found, err := collectRows(rows, func(sc scanner) (claims.StoredClaim, error) {
			var id, data string
			var c claims.StoredClaim
			if err := sc.Scan(&id, &c.State, &c.Created, &data); err != nil {
				return c, err
			}
			c.Claim = new(claims.Claim)
			if err := json.Unmarshal([]byte(data), c.Claim); err != nil {
				return c, fmt.Errorf("claim %s data: %w", id, err)
			}
			return c, nil
		})
		if err != nil {
			return nil, fmt.Errorf("store: claims of a day: %w", err)
		}
		for _, c := range found {
			if !seen[c.Claim.ID] {
				seen[c.Claim.ID] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// voidLeftBehind voids the unsent claims c's sessions were on before (claims.LeftBehind):
// a session is on at most one open claim. Each void names the state it read (and the
// revision, so a rebuild in between is seen); when another instance filed such a claim
// meanwhile, storing c fails with ErrClaimFiled and the batch rolls back, so the session
// stays on the filed claim alone.
func (b *Batch) voidLeftBehind(c *claims.Claim) error {
	type old struct {
		rec claims.StoredClaim
		rev int64
	}
	var found []old
	seen := map[string]bool{}
	for _, sid := range uniqueStrings(c.SessionIDs) {
		if err := b.eachRow(`SELECT c.id, c.state, c.revision, c.data FROM claim_sessions cs JOIN claims c ON c.id = cs.claim_id
			WHERE cs.session_id = ? AND c.id <> ? AND c.state IN (?, ?) ORDER BY c.id`,
			[]any{sid, c.ID, lifecycle.Held, lifecycle.Built}, func(sc func(...any) error) error {
				var o old
				var id, data string
				if err := sc(&id, &o.rec.State, &o.rev, &data); err != nil {
					return err
				}
				if seen[id] {
					return nil
				}
				seen[id] = true
				o.rec.Claim = new(claims.Claim)
				if err := json.Unmarshal([]byte(data), o.rec.Claim); err != nil {
					return fmt.Errorf("claim %s data: %w", id, err)
				}
				found = append(found, o)
				return nil
			}); err != nil {
			return fmt.Errorf("store: claims of session %s: %w", sid, err)
		}
	}
	for _, o := range found {
		if !claims.LeftBehind(c, o.rec) {
			continue
		}
		id := o.rec.Claim.ID
		to, _ := lifecycle.Next(o.rec.State, lifecycle.Void)
		res, err := b.exec(`UPDATE claims SET state = ?, updated_at = ?, revision = revision + 1 WHERE id = ? AND state = ? AND revision = ?`,
			to, timestamp(b.now), id, o.rec.State, o.rev)
		if err != nil {
			return fmt.Errorf("store: void claim %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("store: claim %s changed while claim %s took its sessions: %w", id, c.ID, ErrClaimFiled)
		}
		var shared []string
		for _, s := range o.rec.Claim.SessionIDs {
			if containsString(c.SessionIDs, s) {
				shared = append(shared, s)
			}
		}
		if err := b.Event(lifecycle.EntityClaim, id, lifecycle.Void.Event(), "", map[string]any{
			"from": o.rec.State, "superseded_by": c.ID, "sessions": shared}); err != nil {
			return err
		}
	}
	return nil
}
