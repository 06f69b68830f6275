package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/x12"
)

// PutClaims stores many built claims with their scrub results, as PutClaim does one, in
// multi-row statements: a claims step of 100,000 claims pays a few hundred statements and
// one commit per batch instead of a transaction per claim. states[i] is what cs[i] is now:
// built or held when it was stored; the state it has when it was already filed (in a file,
// so never overwritten: PutClaim's ErrClaimFiled), in which case nothing of it changed.
//
// The guards are PutClaim's: a new claim is inserted only if absent (ON CONFLICT DO
// NOTHING, RETURNING the ids inserted); every other claim goes through rebuildClaim, which
// updates it only while it is still built or held and bumps its revision.
func (b *Batch) PutClaims(cs []*claims.Claim, rs []claims.Result) ([]lifecycle.State, error) {
	states, _, err := b.PutClaimsAt(cs, rs)
	return states, err
}

// PutClaimsAt is PutClaims that also returns the revision each claim has as stored: the
// revision a filing lease expects (ClaimFile.Revisions) for the content cs[i] holds, so the
// caller can file the claims it just stored without reading them back. revs[i] is -1 when
// that is not known (the claim was left alone, or stored twice in the call).
func (b *Batch) PutClaimsAt(cs []*claims.Claim, rs []claims.Result) ([]lifecycle.State, []int64, error) {
	return b.putClaims(cs, rs, false)
}

// putFiledClaims inserts clean claims built now straight in state filed, for
// RecordClaimFile to record in the file being written (ClaimFile.New): each claim row and
// its indexes are written once, not stored built and then leased to filed. The history
// still has the claim's built event (with its findings) before its filed one. Only claims
// absent from the store are inserted: it returns, sorted, the ids of those it could not
// take (stored meanwhile by another writer, or one of their sessions on a claim it could
// not void), and the caller rolls back and writes its file again without them.
func (b *Batch) putFiledClaims(cs []*claims.Claim, rs []claims.Result) ([]string, error) {
	var lost []string
	_, _, err := b.putClaims(cs, rs, true)
	var le *LostWorkError
	if errors.As(err, &le) {
		lost, err = le.IDs, nil
	}
	return lost, err
}

// putClaims is PutClaimsAt; with filed, putFiledClaims (a claim not inserted, or whose
// left-behind claims changed meanwhile, fails the batch with a *LostWorkError naming it).
func (b *Batch) putClaims(cs []*claims.Claim, rs []claims.Result, filed bool) ([]lifecycle.State, []int64, error) {
	if len(cs) != len(rs) {
		return nil, nil, fmt.Errorf("store: %d claims, %d scrub results", len(cs), len(rs))
	}
	states := make([]lifecycle.State, len(cs))
	revs := make([]int64, len(cs))
	type put struct {
		i     int
		holds []string
		text  string
		data  string
	}
	puts := make([]put, 0, len(cs))
	seen := make(map[string]bool, len(cs))
	var again []int // a claim id twice in one call: the later one is stored after the rest
	now := timestamp(b.now)
	var rows []any
	var sessionIDs []string
	// Claims are written in id order, so instances sharing a PostgreSQL database that store
	// overlapping batches take row locks in the same order and wait rather than deadlock.
	order := make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return strings.Compare(cs[x].ID, cs[y].ID) })
	for _, i := range order {
		c := cs[i]
		revs[i] = -1
		if seen[c.ID] {
			again = append(again, i)
			continue
		}
		seen[c.ID] = true
		st, holds := claimState(rs[i])
		data, err := json.Marshal(c)
		if err != nil {
			return nil, nil, fmt.Errorf("store: claim %s: %w", c.ID, err)
		}
		states[i] = st
		p := put{i: i, holds: holds, text: strings.Join(holds, ","), data: string(data)}
		puts = append(puts, p)
		sessionIDs = append(sessionIDs, c.SessionIDs...)
		row, firstFiled := st, ""
		if filed {
			if st != lifecycle.Built {
				return nil, nil, fmt.Errorf("store: claim %s is %s: only clean claims are filed as they are stored", c.ID, st)
			}
			// first_filed as the filing lease sets it (the day of the file, written now).
			row, firstFiled = lifecycle.Filed, now[:10]
		}
		rows = append(rows, c.ID, claims.ControlBase(c.ID), c.Practice, c.Payer, c.Clearinghouse, c.Client.ID, c.Date, c.Frequency,
			c.Responsibility(), int64(c.Total), c.PayerControlNumber, row, p.text, p.data, now, now, c.PriorClaim, firstFiled)
	}
	if filed && len(again) > 0 {
		return nil, nil, fmt.Errorf("store: claim %s twice in one file", cs[again[0]].ID)
	}
	// The open claims the batch's sessions are on now, read once for the whole batch
	// (voidLeftBehind) before any of its links change.
	open, err := b.openClaimsOf(sessionIDs)
	if err != nil {
		return nil, nil, err
	}
	inserted, err := b.insertClaims(rows)
	if err != nil {
		return nil, nil, err
	}
	if filed && len(inserted) < len(puts) {
		var lost []string
		for _, p := range puts {
			if !inserted[cs[p.i].ID] {
				lost = append(lost, cs[p.i].ID)
			}
		}
		return nil, nil, &LostWorkError{IDs: lost}
	}
	var lines, links, findings []any
	for _, p := range puts {
		c, r := cs[p.i], rs[p.i]
		changed := true
		if !inserted[c.ID] {
			old, oldHolds, rev, err := b.rebuildClaim(c, states[p.i], p.text, p.data)
			if errors.Is(err, ErrClaimFiled) {
				states[p.i] = old // filed meanwhile (by this instance or another): left alone
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			revs[p.i] = rev
			changed = old != states[p.i] || oldHolds != p.text
			if c.PriorClaim != "" {
				if _, err := b.exec(`UPDATE claims SET prior_claim = ? WHERE id = ?`, c.PriorClaim, c.ID); err != nil {
					return nil, nil, fmt.Errorf("store: claim %s prior claim: %w", c.ID, err)
				}
			}
		} else {
			revs[p.i] = 0 // the column's default
		}
		for n, l := range c.Lines {
			lines = append(lines, c.ID, n+1, l.SessionID, l.Code, strings.Join(l.Modifiers, ":"), l.Units, int64(l.Charge), l.Date)
		}
		for _, id := range uniqueStrings(c.SessionIDs) {
			links = append(links, c.ID, id)
		}
		for n, f := range r.Findings {
			findings = append(findings, c.ID, n+1, f.Rule, string(f.Severity), f.Line, f.SessionID, f.Message, f.Reference, f.ConfigKey)
		}
		// A session is on at most one open claim, as PutClaim keeps it: the held or built
		// claims its sessions leave are voided (the links were read before this batch's own
		// links were written, so only claims stored before are found).
		if err := b.voidLeftBehind(c, open); err != nil {
			if filed && errors.Is(err, ErrClaimFiled) {
				return nil, nil, &LostWorkError{IDs: []string{c.ID}}
			}
			return nil, nil, err
		}
		if changed {
			if err := b.claimEvent(c, states[p.i], p.holds); err != nil {
				return nil, nil, err
			}
		}
	}
	if err := b.insertValues(`INSERT INTO claim_lines (claim_id, line_no, session_id, code, modifiers, units, charge_cents, service_date)`, 8, lines); err != nil {
		return nil, nil, err
	}
	if err := b.insertValues(`INSERT INTO claim_sessions (claim_id, session_id)`, 2, links); err != nil {
		return nil, nil, err
	}
	if err := b.insertValues(`INSERT INTO claim_findings (claim_id, seq, rule, severity, line_no, session_id, message, reference, config_key)`, 9, findings); err != nil {
		return nil, nil, err
	}
	for _, i := range again {
		st, err := b.PutClaim(cs[i], rs[i])
		if err != nil && !errors.Is(err, ErrClaimFiled) {
			return nil, nil, err
		}
		states[i] = st
	}
	return states, revs, nil
}

// claimState is the state a scrub result gives a claim (held when an error finding holds
// it) and the rules that hold it.
func claimState(r claims.Result) (lifecycle.State, []string) {
	var holds []string
	for _, f := range r.Findings {
		if f.Severity == claims.SeverityError && !containsString(holds, f.Rule) {
			holds = append(holds, f.Rule)
		}
	}
	if len(holds) > 0 {
		return lifecycle.Held, holds
	}
	return lifecycle.Built, nil
}

// claimEvent appends the event of a claim stored new or with a changed state or holding
// rules. Rule ids and counts only: messages may quote codes but the event log stays PHI-free.
func (b *Batch) claimEvent(c *claims.Claim, state lifecycle.State, holds []string) error {
	return b.Event(lifecycle.EntityClaim, c.ID, state.Event(), "", claimEventDetail{Frequency: c.Frequency, HoldRules: holds,
		Lines: len(c.Lines), Sessions: c.SessionIDs, Total: c.Total})
}

// claimEventDetail is the detail of a claim's built or held event: a struct rather than a
// map (one is marshalled for every claim stored), its fields in the sorted key order a
// map was written in, so the stored JSON is the same.
type claimEventDetail struct {
	Frequency string     `json:"frequency"`
	HoldRules []string   `json:"hold_rules,omitempty"`
	Lines     int        `json:"lines"`
	Sessions  []string   `json:"sessions"`
	Total     x12.Amount `json:"total"`
}

// insertClaims inserts claim rows (18 columns, see putClaims) that are absent and returns
// the ids it inserted.
func (b *Batch) insertClaims(vals []any) (map[string]bool, error) {
	const cols = 18
	inserted := make(map[string]bool, len(vals)/cols)
	for len(vals) > 0 {
		n := min(len(vals)/cols, rowsPerStatement)
		rows, err := b.query(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency,
			responsibility, total_cents, payer_claim_ref, state, hold_rules, data, created_at, updated_at, prior_claim, first_filed)
			VALUES `+valuesList(n, cols)+` ON CONFLICT (id) DO NOTHING RETURNING id`, vals[:n*cols]...)
		if err != nil {
			return nil, fmt.Errorf("store: claims: %w", err)
		}
		ids, err := collectRows(rows, scanString)
		if err != nil {
			return nil, fmt.Errorf("store: claims: %w", err)
		}
		for _, id := range ids {
			inserted[id] = true
		}
		vals = vals[n*cols:]
	}
	return inserted, nil
}

// leaseClaimIDs moves the claims ids from built to filed, each only while built at the
// revision revs gives it (any revision when revs has none), and returns the ids that did
// not move. Claims are grouped by revision so one guarded UPDATE ... RETURNING id moves up
// to idsPerStatement of them. On PostgreSQL the rows are first locked in id order, so two
// writers leasing overlapping files wait for each other instead of deadlocking.
func (b *Batch) leaseClaimIDs(ids []string, revs map[string]int64) ([]string, error) {
	byRev := map[int64][]string{}
	var anyRev []string
	for _, id := range ids {
		if r, ok := revs[id]; ok {
			byRev[r] = append(byRev[r], id)
		} else {
			anyRev = append(anyRev, id)
		}
	}
	now := timestamp(b.now)
	moved := make(map[string]bool, len(ids))
	lease := func(rev *int64, group []string) error {
		slices.Sort(group)
		return chunks(group, idsPerStatement, func(part []string) error {
			in, ids := inList(part)
			// first_filed (the reports' day of the first 837P) is set here, with the row's
			// state, rather than left to the claim_submissions trigger (migration 0720): that
			// trigger's second rewrite of each claim row doubled the cost of filing, and it
			// finds nothing left to do when the filing already set the day.
			q := `UPDATE claims SET state = ?, updated_at = ?, first_filed = CASE WHEN first_filed = '' THEN ? ELSE first_filed END WHERE ` +
				b.db.dialect.unindexed("state") + ` = ? AND id IN ` + in
			args := append([]any{lifecycle.Filed, now, now[:10], lifecycle.Built}, ids...)
			if rev != nil {
				q += ` AND revision = ?`
				args = append(args, *rev)
			}
			rows, err := b.query(b.db.dialect.updateFail(q+` RETURNING id`), args...)
			if err != nil {
				return fmt.Errorf("store: lease claims: %w", err)
			}
			got, err := collectRows(rows, scanString)
			if err != nil {
				return fmt.Errorf("store: lease claims: %w", err)
			}
			for _, id := range got {
				moved[id] = true
			}
			return nil
		})
	}
	// Every claim of the file locked first, all in id order, whatever revision groups the
	// updates then take them in.
	if err := b.lockClaimsInOrder(ids); err != nil {
		return nil, err
	}
	revList := make([]int64, 0, len(byRev))
	for r := range byRev {
		revList = append(revList, r)
	}
	slices.Sort(revList)
	for _, r := range revList {
		if err := lease(&r, byRev[r]); err != nil {
			return nil, err
		}
	}
	if err := lease(nil, anyRev); err != nil {
		return nil, err
	}
	var lost []string
	for _, id := range ids {
		if !moved[id] {
			lost = append(lost, id)
		}
	}
	slices.Sort(lost)
	return lost, nil
}

// billFiledSessions bills the sessions of the claims of a file: the ready sessions of its
// original primary claims become billed on their claim (one guarded UPDATE ... RETURNING a
// chunk of sessions: only sessions still ready move, as MarkBilled expects), and each
// primary replacement or void applies its pending changes (resubmitSessions). Secondary
// and tertiary claims bill sessions already billed. known holds the file's claims as the
// caller wrote them, by id (nil: none); a claim in it is not read back (see
// ClaimFile.Claims). Every session of the claims strict names must move: one that does not
// (billed meanwhile on a claim of another writer) fails the batch with a *LostWorkError
// naming its claim.
func (b *Batch) billFiledSessions(ids []string, known map[string]*claims.Claim, strict map[string]bool) error {
	var originals, resubmitted []string
	// The sessions of the original claims, each on the first of its claims in id order.
	onClaim := map[string]string{}
	seen := map[string]bool{}
	link := func(id, freq, resp, sid string) {
		original := false
		switch {
		case resp != claims.ResponsibilityPrimary:
		case freq == claims.FrequencyReplacement || freq == claims.FrequencyVoid:
			if !seen[id] {
				resubmitted = append(resubmitted, id)
			}
		default:
			original = true
			if !seen[id] {
				originals = append(originals, id)
			}
		}
		seen[id] = true
		if original && sid != "" {
			if c, ok := onClaim[sid]; !ok || id < c {
				onClaim[sid] = id
			}
		}
	}
	var unknown []string
	for _, id := range ids {
		c := known[id]
		if c == nil {
			unknown = append(unknown, id)
			continue
		}
		sids := uniqueStrings(c.SessionIDs)
		if len(sids) == 0 {
			link(id, c.Frequency, c.Responsibility(), "")
		}
		for _, sid := range sids {
			link(id, c.Frequency, c.Responsibility(), sid)
		}
	}
	// The other claims and their links in one read.
	err := chunks(unknown, idsPerStatement, func(part []string) error {
		in, args := inList(part)
		rows, err := b.query(`SELECT c.id, c.frequency, c.responsibility, cs.session_id FROM claims c
			LEFT JOIN claim_sessions cs ON cs.claim_id = c.id WHERE c.id IN `+in, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, freq, resp string
			var sid sql.NullString
			if err := rows.Scan(&id, &freq, &resp, &sid); err != nil {
				return err
			}
			link(id, freq, resp, sid.String)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("store: claims of the file: %w", err)
	}
	slices.Sort(resubmitted)
	// In session id order, which is about the order intake stored them in: the updates walk
	// the sessions table forward instead of jumping about it (a claims run bills 100,000
	// sessions; random order missed the page cache on nearly every row).
	sids := make([]string, 0, len(onClaim))
	for sid := range onClaim {
		sids = append(sids, sid)
	}
	slices.Sort(sids)
	now := timestamp(b.now)
	type billed struct{ id, claim, practice string }
	// Each session moves only while ready (MarkBilled's guard); its claim is the first of
	// the file's claims it is on.
	update := func(part []string) ([]billed, error) {
		claimOf := make([]string, len(part))
		for i, sid := range part {
			claimOf[i] = onClaim[sid]
		}
		var rows *sql.Rows
		var err error
		if b.db.dialect.name == "postgres" {
			// The claim of each session is given beside it (two arrays joined by position):
			// a MIN(claim_id) subquery of claim_sessions for it became, on PostgreSQL, a walk
			// of claim_sessions in claim order for every session (12.9 s of a 20,000-session
			// filing). Each array element seeks its row by primary key, in the arrays' (id)
			// order, so overlapping writers lock rows in the same order.
			rows, err = b.query(`UPDATE sessions AS s SET state = ?, claim_ref = v.claim, updated_at = ?
				FROM unnest(?::text[], ?::text[]) AS v (id, claim)
				WHERE s.id = v.id AND `+b.db.dialect.unindexed("s.state")+` = ?
				RETURNING s.id, s.claim_ref, s.practice`, StateBilled, now, part, claimOf, StateReady)
		} else {
			// The same pairs as a VALUES list: each session found by its key with its claim
			// beside it, instead of a claim_sessions lookup per session for its claim.
			args := []any{StateBilled, now}
			for i, sid := range part {
				args = append(args, sid, claimOf[i])
			}
			args = append(args, StateReady)
			rows, err = b.query(b.db.dialect.updateFail(`UPDATE sessions SET state = ?, claim_ref = v.column2, updated_at = ?
			FROM (VALUES `+valuesList(len(part), 2)+`) AS v
			WHERE sessions.id = v.column1 AND `+b.db.dialect.unindexed("sessions.state")+` = ?
			RETURNING sessions.id, sessions.claim_ref, sessions.practice`), args...)
		}
		if err != nil {
			return nil, err
		}
		return collectRows(rows, func(sc scanner) (billed, error) {
			var r billed
			err := sc.Scan(&r.id, &r.claim, &r.practice)
			return r, err
		})
	}
	var lost []string
	err = chunks(sids, idsPerStatement, func(part []string) error {
		got, err := update(part)
		if err != nil {
			return fmt.Errorf("store: bill sessions: %w", err)
		}
		slices.SortFunc(got, func(a, c billed) int { return strings.Compare(a.id, c.id) })
		if len(strict) > 0 && len(got) < len(part) {
			moved := make(map[string]bool, len(got))
			for _, r := range got {
				moved[r.id] = true
			}
			for _, sid := range part {
				if c := onClaim[sid]; !moved[sid] && strict[c] {
					lost = append(lost, c)
				}
			}
		}
		for _, r := range got {
			delete(b.known, r.id)
			b.notePractice(r.id, r.practice)
			if err := b.Event(lifecycle.EntitySession, r.id, lifecycle.SessionBilled, "", map[string]string{"claim_ref": r.claim}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(lost) > 0 {
		slices.Sort(lost)
		return &LostWorkError{IDs: slices.Compact(lost)}
	}
	for _, id := range resubmitted {
		if err := b.resubmitSessions(id, claims.ControlBase(id)); err != nil {
			return err
		}
	}
	return nil
}

// StoredClaimIDs returns which of ids name a stored claim, in any state.
func (db *DB) StoredClaimIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := chunks(ids, idsPerStatement, func(part []string) error {
		in, args := inList(part)
		rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT id FROM claims WHERE id IN `+in), args...)
		if err != nil {
			return err
		}
		got, err := collectRows(rows, scanString)
		for _, id := range got {
			out[id] = true
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: stored claims: %w", err)
	}
	return out, nil
}
