package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
)

// StoredClaimsOn returns the stored claims of the given clients' days of service, every
// state, for the scrubber's service.billed_twice rule (claims.Scrubber.Billed), which
// decides which of them the payer holds. Each key is an indexed lookup (claims_client_day);
// daysPerStatement of them are ORed in one statement, so 100,000 days are a few hundred
// statements and not a statement each.
func (db *DB) StoredClaimsOn(ctx context.Context, keys []claims.DayKey) ([]claims.StoredClaim, error) {
	found := map[claims.DayKey][]claims.StoredClaim{}
	for part := range slices.Chunk(keys, daysPerStatement) {
		var q strings.Builder
		q.WriteString(`SELECT practice, client_id, service_date, id, state, created_at, data FROM claims WHERE `)
		args := make([]any, 0, 3*len(part))
		for i, k := range part {
			if i > 0 {
				q.WriteString(" OR ")
			}
			q.WriteString("(practice = ? AND client_id = ? AND service_date = ?)")
			args = append(args, k.Practice, k.ClientID, k.Date)
		}
		st, err := db.stmt(ctx, q.String())
		if err != nil {
			return nil, fmt.Errorf("store: claims of a day: %w", err)
		}
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return nil, fmt.Errorf("store: claims of a day: %w", err)
		}
		type dayClaim struct {
			key claims.DayKey
			c   claims.StoredClaim
		}
		got, err := collectRows(rows, func(sc scanner) (dayClaim, error) {
			var id, data string
			var d dayClaim
			if err := sc.Scan(&d.key.Practice, &d.key.ClientID, &d.key.Date, &id, &d.c.State, &d.c.Created, &data); err != nil {
				return d, err
			}
			d.c.Claim = new(claims.Claim)
			if err := json.Unmarshal([]byte(data), d.c.Claim); err != nil {
				return d, fmt.Errorf("claim %s data: %w", id, err)
			}
			return d, nil
		})
		if err != nil {
			return nil, fmt.Errorf("store: claims of a day: %w", err)
		}
		for _, d := range got {
			found[d.key] = append(found[d.key], d.c)
		}
	}
	// Key by key, each key's claims in id order, each claim once: the order of a lookup per key.
	var out []claims.StoredClaim
	seen := map[string]bool{}
	for _, k := range keys {
		list := found[k]
		slices.SortFunc(list, func(a, b claims.StoredClaim) int { return strings.Compare(a.Claim.ID, b.Claim.ID) })
		for _, c := range list {
			if !seen[c.Claim.ID] {
				seen[c.Claim.ID] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// daysPerStatement bounds the days of service one StoredClaimsOn statement looks up.
const daysPerStatement = 100

// openClaims are the held or built claims some sessions are on, as read before a batch of
// claims changes them (openClaimsOf), kept current as the batch voids or replaces them.
type openClaims struct {
	bySession map[string][]string // session id -> claim ids, in id order
	claims    map[string]*openClaim
	// replaced names the claims of the batch stored so far: their old links are gone (a
	// rebuild deletes them, a new claim has none), so they are nobody's left-behind claim.
	replaced map[string]bool
}

type openClaim struct {
	state lifecycle.State
	rev   int64
	data  string
	claim *claims.Claim // data decoded, on first use
}

// openClaimsOf reads the held or built claims the sessions are on, idsPerStatement sessions
// to a statement, instead of a query per session of every claim stored.
func (b *Batch) openClaimsOf(sessionIDs []string) (*openClaims, error) {
	o := &openClaims{bySession: map[string][]string{}, claims: map[string]*openClaim{}, replaced: map[string]bool{}}
	err := chunks(sortedUnique(sessionIDs), idsPerStatement, func(part []string) error {
		in, args := inList(part)
		// The session index leads: the claims in a state are many, a session's claims few.
		return b.eachRow(`SELECT cs.session_id, c.id, c.state, c.revision, c.data FROM claim_sessions cs JOIN claims c ON c.id = cs.claim_id
			WHERE cs.session_id IN `+in+` AND `+b.db.dialect.unindexed("c.state")+` IN (?, ?)`,
			append(args, lifecycle.Held, lifecycle.Built), func(sc func(...any) error) error {
				var sid, id string
				var c openClaim
				if err := sc(&sid, &id, &c.state, &c.rev, &c.data); err != nil {
					return err
				}
				o.bySession[sid] = append(o.bySession[sid], id)
				if _, ok := o.claims[id]; !ok {
					o.claims[id] = &c
				}
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("store: open claims of sessions: %w", err)
	}
	for _, ids := range o.bySession {
		slices.Sort(ids)
	}
	return o, nil
}

// voidLeftBehind voids the unsent claims c's sessions were on before (claims.LeftBehind):
// a session is on at most one open claim. open is what the batch read before storing c
// (openClaimsOf). Each void names the state it read (and the revision, so a rebuild in
// between is seen); when another instance filed such a claim meanwhile, storing c fails
// with ErrClaimFiled and the batch rolls back, so the session stays on the filed claim
// alone.
func (b *Batch) voidLeftBehind(c *claims.Claim, open *openClaims) error {
	defer func() { open.replaced[c.ID] = true }()
	type old struct {
		id string
		oc *openClaim
	}
	var found []old
	seen := map[string]bool{}
	for _, sid := range uniqueStrings(c.SessionIDs) {
		for _, id := range open.bySession[sid] {
			oc := open.claims[id]
			if id == c.ID || seen[id] || open.replaced[id] || (oc.state != lifecycle.Held && oc.state != lifecycle.Built) {
				continue
			}
			seen[id] = true
			if oc.claim == nil {
				oc.claim = new(claims.Claim)
				if err := json.Unmarshal([]byte(oc.data), oc.claim); err != nil {
					return fmt.Errorf("store: claims of session %s: claim %s data: %w", sid, id, err)
				}
			}
			found = append(found, old{id, oc})
		}
	}
	for _, o := range found {
		if !claims.LeftBehind(c, claims.StoredClaim{Claim: o.oc.claim, State: o.oc.state}) {
			continue
		}
		id := o.id
		from := o.oc.state
		to, _ := lifecycle.Next(from, lifecycle.Void)
		res, err := b.exec(`UPDATE claims SET state = ?, updated_at = ?, revision = revision + 1 WHERE id = ? AND state = ? AND revision = ?`,
			to, timestamp(b.now), id, from, o.oc.rev)
		if err != nil {
			return fmt.Errorf("store: void claim %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("store: claim %s changed while claim %s took its sessions: %w", id, c.ID, ErrClaimFiled)
		}
		o.oc.state, o.oc.rev = to, o.oc.rev+1
		var shared []string
		for _, s := range o.oc.claim.SessionIDs {
			if containsString(c.SessionIDs, s) {
				shared = append(shared, s)
			}
		}
		if err := b.Event(lifecycle.EntityClaim, id, lifecycle.Void.Event(), "", map[string]any{
			"from": from, "superseded_by": c.ID, "sessions": shared}); err != nil {
			return err
		}
	}
	return nil
}
