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

// sent is the SQL condition "claim column col was written into a file": its state is past
// the unsent ones (lifecycle.State.Sent).
func sent(col string) string {
	var b strings.Builder
	b.WriteString(col + " NOT IN (")
	for i, s := range lifecycle.Unsent() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + string(s) + "'")
	}
	b.WriteString(")")
	return b.String()
}

// ErrClaimFiled is returned when a filed claim would be overwritten: once a claim is in a
// file its content is what the payer has, and changes go through a replacement (freq 7).
var ErrClaimFiled = errors.New("claim already filed")

// ClaimRecord is a stored claim with its scrub findings and the files it went out in.
type ClaimRecord struct {
	ID            string            `json:"id"`
	BaseID        string            `json:"base_id"`
	Practice      string            `json:"practice"`
	Payer         string            `json:"payer"`
	Clearinghouse string            `json:"clearinghouse"`
	ClientID      string            `json:"client_id"`
	Date          string            `json:"date"`
	Frequency     string            `json:"frequency"`
	State         lifecycle.State   `json:"state"`
	HoldRules     []string          `json:"hold_rules,omitempty"`
	Total         x12.Amount        `json:"total"`
	CreatedAt     string            `json:"created_at"`
	UpdatedAt     string            `json:"updated_at"`
	Claim         claims.Claim      `json:"claim"`
	Findings      []claims.Finding  `json:"findings"`
	Submissions   []ClaimSubmission `json:"submissions,omitempty"`
	// Revision counts the claim's rebuilds; filing leases the claim at the revision that
	// went into the file (ClaimFile.Revisions).
	Revision int64 `json:"-"`
}

// ClaimSubmission is one file a claim was written into, with the control numbers a 999 or
// 277CA refers to.
type ClaimSubmission struct {
	FileID     int64  `json:"file_id"`
	FileName   string `json:"file_name"`
	ISAControl int64  `json:"isa_control"`
	GSControl  int64  `json:"gs_control"`
	STControl  string `json:"st_control"`
	At         string `json:"at"`
}

// PutClaim stores a built claim with its scrub result: state held when an error finding
// holds it, else built. Rebuilding an unfiled claim replaces its lines, session links and
// findings; a filed claim is never overwritten (ErrClaimFiled). An event is appended when
// the claim is new or its state or holding rules changed.
//
// Every write names the state it expects, so an instance sharing the database that filed
// the claim in between wins: a new claim is inserted only if absent, a rebuild updates only
// a claim still built or held (and bumps its revision, which a filing lease checks).
func (b *Batch) PutClaim(c *claims.Claim, r claims.Result) (lifecycle.State, error) {
	state, holds := claimState(r)
	data, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("store: claim %s: %w", c.ID, err)
	}
	now := timestamp(b.now)
	holdText := strings.Join(holds, ",")
	res, err := b.exec(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency,
		responsibility, total_cents, payer_claim_ref, state, hold_rules, data, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		c.ID, claims.ControlBase(c.ID), c.Practice, c.Payer, c.Clearinghouse, c.Client.ID, c.Date, c.Frequency,
		c.Responsibility(), int64(c.Total), c.PayerControlNumber, state, holdText, string(data), now, now)
	if err != nil {
		return "", fmt.Errorf("store: claim %s: %w", c.ID, err)
	}
	inserted, _ := res.RowsAffected()
	changed := inserted == 1
	if inserted != 1 {
		old, oldHolds, _, err := b.rebuildClaim(c, state, holdText, string(data))
		if err != nil {
			return old, err
		}
		changed = old != state || oldHolds != holdText
	}
	if c.PriorClaim != "" {
		if _, err := b.exec(`UPDATE claims SET prior_claim = ? WHERE id = ?`, c.PriorClaim, c.ID); err != nil {
			return "", fmt.Errorf("store: claim %s prior claim: %w", c.ID, err)
		}
	}
	for i, l := range c.Lines {
		if _, err := b.exec(`INSERT INTO claim_lines (claim_id, line_no, session_id, code, modifiers, units, charge_cents, service_date)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, i+1, l.SessionID, l.Code, strings.Join(l.Modifiers, ":"), l.Units,
			int64(l.Charge), l.Date); err != nil {
			return "", fmt.Errorf("store: claim %s line %d: %w", c.ID, i+1, err)
		}
	}
	for _, id := range uniqueStrings(c.SessionIDs) {
		if _, err := b.exec(`INSERT INTO claim_sessions (claim_id, session_id) VALUES (?, ?)`, c.ID, id); err != nil {
			return "", fmt.Errorf("store: claim %s session link: %w", c.ID, err)
		}
	}
	for i, f := range r.Findings {
		if _, err := b.exec(`INSERT INTO claim_findings (claim_id, seq, rule, severity, line_no, session_id, message, reference, config_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, i+1, f.Rule, string(f.Severity), f.Line, f.SessionID, f.Message, f.Reference, f.ConfigKey); err != nil {
			return "", fmt.Errorf("store: claim %s finding: %w", c.ID, err)
		}
	}
	open, err := b.openClaimsOf(c.SessionIDs)
	if err != nil {
		return "", err
	}
	if err := b.voidLeftBehind(c, open); err != nil {
		return "", err
	}
	if changed {
		if err := b.claimEvent(c, state, holds); err != nil {
			return "", err
		}
	}
	return state, nil
}

// ClaimFile is an 837P file written to DATA/outbound/.
type ClaimFile struct {
	ID            int64      `json:"id"`
	Clearinghouse string     `json:"clearinghouse"`
	Name          string     `json:"name"`
	Usage         string     `json:"usage"`
	ISAControl    int64      `json:"isa_control"`
	GSControl     int64      `json:"gs_control"`
	Claims        int        `json:"claims"`
	Total         x12.Amount `json:"total"`
	SHA256        string     `json:"sha256"`
	CreatedAt     string     `json:"created_at"`
	// Origin names the data folder the file was written in (see ClaimFileMissing).
	Origin string `json:"-"`
	// Revisions holds, by claim id, the revision of each claim as written into the file:
	// the filing lease takes a claim only if it is still built at that revision.
	Revisions map[string]int64 `json:"-"`
	// Written are the claims written into the file, when the caller has them. A claim
	// leased at the revision Revisions gives it is stored exactly so (sessions, frequency,
	// payer level), so billing its sessions uses it instead of reading its links back.
	Written []*claims.Claim `json:"-"`
	// New are claims of the file built now and not stored yet, all clean, with their scrub
	// results (NewResults, by index): they are inserted straight as filed (putFiledClaims)
	// instead of leased. Their sessions must all move from ready to billed, else they are
	// lost work too (a session billed meanwhile on another claim).
	New        []*claims.Claim `json:"-"`
	NewResults []claims.Result `json:"-"`
}

// RecordClaimFile records a written 837P file and its control numbers, moves each of its
// claims from built to filed (with an event), and marks the sessions of original primary
// claims billed. Everything commits with the batch, so a crash leaves either a recorded
// file or claims still built (and the orphan file is rewritten with new control numbers).
//
// Moving a claim to filed is its lease: UPDATE ... WHERE state = built (at the revision the
// file carries), exactly one row. When an instance sharing the database filed or rebuilt
// some claim first, nothing is recorded and the error is a *LostWorkError naming them,
// so the caller rolls back and writes its file again without them.
func (b *Batch) RecordClaimFile(f *ClaimFile, res *claims.FileResult) (int64, error) {
	now := timestamp(b.now)
	var ids []string
	for _, set := range res.Sets {
		ids = append(ids, set.ClaimIDs...)
	}
	isNew := make(map[string]bool, len(f.New))
	for _, c := range f.New {
		isNew[c.ID] = true
	}
	lost, err := b.putFiledClaims(f.New, f.NewResults)
	if err != nil {
		return 0, err
	}
	leased := ids
	if len(isNew) > 0 {
		leased = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return isNew[id] })
	}
	notLeased, err := b.leaseClaimIDs(leased, f.Revisions)
	if err != nil {
		return 0, err
	}
	if lost = append(lost, notLeased...); len(lost) > 0 {
		slices.Sort(lost)
		return 0, &LostWorkError{IDs: lost}
	}
	row, err := b.queryRow(`INSERT INTO claim_files (clearinghouse, name, usage, isa_control, gs_control, claims, total_cents, sha256, created_at, origin)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		res.Clearinghouse, f.Name, res.Usage, res.ISAControl, res.GSControl, res.Claims, int64(f.Total), f.SHA256, now, f.Origin)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := row.Scan(&id); err != nil {
		return 0, fmt.Errorf("store: claim file %s: %w", f.Name, err)
	}
	subs := make([]any, 0, 5*len(ids))
	for _, set := range res.Sets {
		for _, cid := range set.ClaimIDs {
			subs = append(subs, cid, id, res.ISAControl, res.GSControl, set.Control)
			if err := b.Event(lifecycle.EntityClaim, cid, lifecycle.Filed.Event(), f.Name, filedEventDetail{
				FileID: id, GSControl: res.GSControl, ISAControl: res.ISAControl, STControl: set.Control}); err != nil {
				return 0, err
			}
		}
	}
	if err := b.insertValues(`INSERT INTO claim_submissions (claim_id, file_id, isa_control, gs_control, st_control)`, 5, subs); err != nil {
		return 0, err
	}
	var known map[string]*claims.Claim
	if len(f.Written) > 0 || len(f.New) > 0 {
		known = make(map[string]*claims.Claim, len(f.Written)+len(f.New))
		for _, c := range f.Written {
			if _, ok := f.Revisions[c.ID]; ok {
				known[c.ID] = c
			}
		}
		for _, c := range f.New {
			known[c.ID] = c
		}
	}
	if err := b.billFiledSessions(ids, known, isNew); err != nil {
		return 0, err
	}
	if err := b.Event(lifecycle.EntityFile, f.Name, lifecycle.File837Written, f.Name, map[string]any{
		"file_id": id, "clearinghouse": res.Clearinghouse, "isa_control": res.ISAControl, "claims": res.Claims, "sets": len(res.Sets)}); err != nil {
		return 0, err
	}
	return id, nil
}

// filedEventDetail is the detail of a claim's filed event, in the sorted key order of the
// map it replaces (see claimEventDetail).
type filedEventDetail struct {
	FileID     int64  `json:"file_id"`
	GSControl  int64  `json:"gs_control"`
	ISAControl int64  `json:"isa_control"`
	STControl  string `json:"st_control"`
}

// ClaimFilter selects claims; empty fields match everything.
type ClaimFilter struct {
	State         lifecycle.State
	Clearinghouse string
}

const claimColumns = `id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency, state, hold_rules,
	total_cents, created_at, updated_at, data, revision`

func scanClaim(r scanner) (ClaimRecord, error) {
	var c ClaimRecord
	var holds, data string
	var total int64
	if err := r.Scan(&c.ID, &c.BaseID, &c.Practice, &c.Payer, &c.Clearinghouse, &c.ClientID, &c.Date, &c.Frequency,
		&c.State, &holds, &total, &c.CreatedAt, &c.UpdatedAt, &data, &c.Revision); err != nil {
		return c, err
	}
	c.Total = x12.Amount(total)
	if holds != "" {
		c.HoldRules = strings.Split(holds, ",")
	}
	if err := json.Unmarshal([]byte(data), &c.Claim); err != nil {
		return c, fmt.Errorf("claim %s data: %w", c.ID, err)
	}
	return c, nil
}

// Claims lists claims by date of service, then id, without findings or submissions.
func (db *DB) Claims(ctx context.Context, f ClaimFilter) ([]ClaimRecord, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{{"state", string(f.State)}, {"clearinghouse", f.Clearinghouse}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	q := `SELECT ` + claimColumns + ` FROM claims`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY service_date, id"
	rows, err := db.sql.QueryContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: claims: %w", err)
	}
	return collectRows(rows, func(sc scanner) (ClaimRecord, error) {
		c, err := scanClaim(sc)
		if err != nil {
			return c, fmt.Errorf("store: claims: %w", err)
		}
		return c, nil
	})
}

// Claim returns one claim with its findings and submissions, or ErrNotFound.
func (db *DB) Claim(ctx context.Context, id string) (ClaimRecord, error) {
	st, err := db.stmt(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = ?`)
	if err != nil {
		return ClaimRecord{}, err
	}
	c, err := scanClaim(st.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("store: claim %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("store: claim %s: %w", id, err)
	}
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT rule, severity, line_no, session_id, message, reference, config_key
		FROM claim_findings WHERE claim_id = ? ORDER BY seq`), id)
	if err != nil {
		return c, fmt.Errorf("store: claim %s findings: %w", id, err)
	}
	if c.Findings, err = collectRows(rows, func(sc scanner) (claims.Finding, error) {
		f := claims.Finding{ClaimID: id}
		var sev string
		err := sc.Scan(&f.Rule, &sev, &f.Line, &f.SessionID, &f.Message, &f.Reference, &f.ConfigKey)
		f.Severity = claims.Severity(sev)
		return f, err
	}); err != nil {
		return c, err
	}
	rows, err = db.sql.QueryContext(ctx, db.Rebind(`SELECT s.file_id, f.name, s.isa_control, s.gs_control, s.st_control, f.created_at
		FROM claim_submissions s JOIN claim_files f ON f.id = s.file_id WHERE s.claim_id = ? ORDER BY s.file_id`), id)
	if err != nil {
		return c, fmt.Errorf("store: claim %s submissions: %w", id, err)
	}
	c.Submissions, err = collectRows(rows, func(sc scanner) (ClaimSubmission, error) {
		var s ClaimSubmission
		err := sc.Scan(&s.FileID, &s.FileName, &s.ISAControl, &s.GSControl, &s.STControl, &s.At)
		return s, err
	})
	return c, err
}

// ClaimsForSession returns the ids of every claim a session was on, oldest first.
func (db *DB) ClaimsForSession(ctx context.Context, sessionID string) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT cs.claim_id FROM claim_sessions cs JOIN claims c ON c.id = cs.claim_id
		WHERE cs.session_id = ? ORDER BY c.created_at, c.id`), sessionID)
	if err != nil {
		return nil, fmt.Errorf("store: claims of session %s: %w", sessionID, err)
	}
	return collectRows(rows, scanString)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func uniqueStrings(in []string) []string {
	var out []string
	for _, s := range in {
		if !containsString(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// ClaimFileRecorded reports whether an 837P file of this name was recorded, which tells a
// writer that crashed between commit and rename whether to publish or discard its temp file.
func (db *DB) ClaimFileRecorded(ctx context.Context, name string) (bool, error) {
	var n int
	if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM claim_files WHERE name = ?`), name).Scan(&n); err != nil {
		return false, fmt.Errorf("store: claim file %s: %w", name, err)
	}
	return n > 0, nil
}

// AuthUsesNumbered returns the stored authorizations numbered as given (of any payer),
// with their used units: what the scrubber looks up for a set of claims
// (claims.AuthNumbers), found through an index instead of reading every authorization
// the practice ever had.
func (db *DB) AuthUsesNumbered(ctx context.Context, numbers []string) ([]claims.AuthUse, error) {
	numbers = slices.Compact(slices.Sorted(slices.Values(numbers)))
	var out []claims.AuthUse
	for part := range slices.Chunk(numbers, 500) {
		in, args := inList(part)
		rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT data, used FROM authorizations WHERE number IN `+in+` ORDER BY payer, number`), args...)
		if err != nil {
			return nil, fmt.Errorf("store: authorizations: %w", err)
		}
		got, err := collectRows(rows, scanAuthUse)
		if err != nil {
			return nil, fmt.Errorf("store: authorizations: %w", err)
		}
		out = append(out, got...)
	}
	return out, nil
}

// scanAuthUse reads a "data, used" row of authorizations.
func scanAuthUse(sc scanner) (claims.AuthUse, error) {
	var data string
	var a claims.AuthUse
	if err := sc.Scan(&data, &a.Used); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(data), &a.Authorization); err != nil {
		return a, fmt.Errorf("store: authorization data: %w", err)
	}
	return a, nil
}

// SetPayerClaimNumber records the payer's claim control number of a claim (from its 277CA
// or 835). Replacements and voids of the claim quote it in REF*F8.
func (b *Batch) SetPayerClaimNumber(claimID, number, source string) error {
	res, err := b.exec(`UPDATE claims SET payer_claim_number = ?, updated_at = ? WHERE id = ? AND payer_claim_number <> ?`,
		number, timestamp(b.now), claimID, number)
	if err != nil {
		return fmt.Errorf("store: claim %s payer claim number: %w", claimID, err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return nil // unchanged, or no such claim (a 277CA for a claim filed elsewhere)
	}
	return b.Event(lifecycle.EntityClaim, claimID, lifecycle.PayerClaimNumber, source, map[string]string{"payer_claim_number": number})
}

// PendingResubmission is a claim whose billed sessions changed or were voided after
// filing: it needs a replacement (frequency 7) or void (8).
type PendingResubmission struct {
	Claim             claims.Claim     `json:"claim"` // the claim the sessions are billed on
	PayerClaimNumber  string           `json:"payer_claim_number"`
	Version           int              `json:"version"`  // next resubmission number of the claim family
	Sessions          []claims.Session `json:"sessions"` // the claim's sessions as they are now; voided ones left out
	Changed           []string         `json:"changed"`  // ids of the sessions that changed or were voided
	VoidedAllSessions bool             `json:"voided_all_sessions"`
	// Taken is the authorization units ("payer/number") the claim's sessions hold, which a
	// replacement re-uses rather than consumes again.
	Taken map[string]int `json:"taken,omitempty"`
}

// PendingResubmissions lists the filed claims with replacement or void candidates among
// their sessions, oldest claim first.
func (db *DB) PendingResubmissions(ctx context.Context) ([]PendingResubmission, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT DISTINCT c.id, c.base_id, c.payer_claim_number, c.data, c.created_at
		FROM sessions s JOIN claims c ON c.id = s.claim_ref WHERE s.pending_kind <> '' AND `+sent("c.state")+` ORDER BY c.created_at, c.id`))
	if err != nil {
		return nil, fmt.Errorf("store: pending resubmissions: %w", err)
	}
	type row struct{ id, base, pcn, data, at string }
	found, err := collectRows(rows, func(sc scanner) (row, error) {
		var r row
		err := sc.Scan(&r.id, &r.base, &r.pcn, &r.data, &r.at)
		return r, err
	})
	if err != nil {
		return nil, err
	}
	var out []PendingResubmission
	for _, r := range found {
		p := PendingResubmission{PayerClaimNumber: r.pcn}
		if err := json.Unmarshal([]byte(r.data), &p.Claim); err != nil {
			return nil, fmt.Errorf("store: claim %s data: %w", r.id, err)
		}
		if p.Version, err = db.nextVersion(ctx, r.base); err != nil {
			return nil, fmt.Errorf("store: claim %s family: %w", r.id, err)
		}
		sn, err := db.resubmissionSessions(ctx, p.Claim.SessionIDs)
		if err != nil {
			return nil, err
		}
		p.Sessions, p.Changed, p.Taken = sn.sessions, sn.changed, sn.taken
		p.VoidedAllSessions = len(p.Sessions) == 0
		out = append(out, p)
	}
	return out, nil
}

// nextVersion is the next resubmission number of a claim family: its filed replacements
// and voids plus one. Filed only: rebuilding an unfiled one keeps its number.
func (db *DB) nextVersion(ctx context.Context, base string) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM claims WHERE base_id = ? AND frequency <> ? AND `+sent("state")),
		base, claims.FrequencyOriginal).Scan(&n)
	return n + 1, err
}

// sessionsNow is a claim's sessions as a resubmission is built from them.
type sessionsNow struct {
	sessions  []claims.Session // practice data with the biller's corrections applied
	practice  []claims.Session // as the practice system sends them now
	changed   []string         // ids of those with a pending change
	taken     map[string]int   // authorization units ("payer/number") they hold
	updated   map[string]string
	overrides map[string][]claims.Override
}

// resubmissionSessions reads a claim's sessions as its resubmission is built from them
// (resubmittedSession: voided ones left out, a pending re-send's data used), with the
// biller's corrections (session_corrections) applied, the ids of those with a pending
// change, and the authorization units ("payer/number") they hold.
func (db *DB) resubmissionSessions(ctx context.Context, ids []string) (sn sessionsNow, err error) {
	st, err := db.stmt(ctx, `SELECT pending_kind, pending_data, data, auth_payer, auth_number, auth_units, updated_at FROM sessions WHERE id = ?`)
	if err != nil {
		return sn, fmt.Errorf("store: sessions: %w", err)
	}
	if sn.overrides, err = db.SessionCorrections(ctx, ids...); err != nil {
		return sn, err
	}
	sn.updated = map[string]string{}
	for _, sid := range ids {
		var kind, pending, data, authPayer, authNumber, updated string
		var units int
		if err := st.QueryRowContext(ctx, sid).Scan(&kind, &pending, &data, &authPayer, &authNumber, &units, &updated); err != nil {
			return sn, fmt.Errorf("store: session %s: %w", sid, err)
		}
		sn.updated[sid] = updated
		if authNumber != "" {
			if sn.taken == nil {
				sn.taken = map[string]int{}
			}
			sn.taken[claims.AuthKey{Payer: authPayer, Number: authNumber}.String()] += units
		}
		if kind != "" {
			sn.changed = append(sn.changed, sid)
		}
		s, keep, err := resubmittedSession(sid, kind, data, pending, authNumber)
		if err != nil {
			return sn, err
		}
		if keep {
			sn.practice = append(sn.practice, s)
			var c claims.Session
			// A deep copy: the corrections must not reach the practice's copy.
			if err := json.Unmarshal([]byte(mustJSON(s)), &c); err != nil {
				return sn, fmt.Errorf("store: session %s data: %w", sid, err)
			}
			claims.ApplyOverrides(&c, sn.overrides[sid])
			sn.sessions = append(sn.sessions, c)
		}
	}
	return sn, nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// resubmitSessions applies the pending changes of a filed replacement or void claim to its
// sessions: the changed data becomes the session, voided sessions end void, and every
// session now points at the new claim.
func (b *Batch) resubmitSessions(claimID, base string) error {
	rows, err := b.query(`SELECT cs.session_id, s.pending_kind, s.pending_data FROM claim_sessions cs JOIN sessions s ON s.id = cs.session_id
		WHERE cs.claim_id IN (SELECT id FROM claims WHERE base_id = ?) AND s.state = ? ORDER BY cs.session_id`, base, StateBilled)
	if err != nil {
		return err
	}
	type row struct{ id, kind, pending string }
	var rs []row
	seen := map[string]bool{}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.kind, &r.pending); err != nil {
			rows.Close()
			return err
		}
		if !seen[r.id] {
			seen[r.id] = true
			rs = append(rs, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := timestamp(b.now)
	for _, r := range rs {
		state := StateBilled
		if r.kind == ChangeVoidCandidate {
			state = StateVoid
		}
		// Each update expects the pending change it read: another instance adopting the same
		// session onto its own resubmission changes the row, and this one then changes nothing.
		q := `UPDATE sessions SET state = ?, claim_ref = ?, pending_kind = '', pending_data = '', updated_at = ? WHERE id = ? AND pending_kind = ?`
		args := []any{state, claimID, now, r.id, r.kind}
		if r.kind == ChangeReplacementCandidate && r.pending != "" {
			var s claims.Session
			if err := json.Unmarshal([]byte(r.pending), &s); err != nil {
				return fmt.Errorf("store: session %s pending data: %w", r.id, err)
			}
			hash, err := contentHash(&s)
			if err != nil {
				return err
			}
			q = `UPDATE sessions SET state = ?, claim_ref = ?, pending_kind = '', pending_data = '', data = ?, hash = ?, code = ?,
				service_date = ?, updated_at = ? WHERE id = ? AND pending_kind = ? AND pending_data = ?`
			args = []any{state, claimID, r.pending, hash, s.Service.Code, s.Date, now, r.id, r.kind, r.pending}
		}
		if err := oneRow(b.exec(q, args...)); err != nil {
			return fmt.Errorf("store: session %s onto resubmission %s: %w", r.id, claimID, err)
		}
		if r.kind != "" {
			if err := b.Event(lifecycle.EntitySession, r.id, lifecycle.SessionResubmitted, "", map[string]string{"claim_ref": claimID, "change": r.kind}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Adjudicated is a filed claim that may owe a claim to the next payer (COB): its client's
// record lists a coverage of the next priority, some 835 spoke of it, and no claim built
// onward from its family has been filed yet. PriorPayer is the configured payer of the
// claim it was itself built from ("" for a primary claim), so the next payer can differ
// from every earlier one. Postings are every CLP posted for it, oldest first; which one
// counts (reversals, corrections) is the caller's decision.
type Adjudicated struct {
	Claim      claims.Claim  `json:"claim"`
	Client     claims.Client `json:"client"`
	PriorPayer string        `json:"prior_payer,omitempty"`
	Postings   []PostedCLP   `json:"postings"`
}

// PostedCLP is one posted CLP with its adjustments, as a secondary claim quotes them.
type PostedCLP struct {
	RemitClaim
	PayerName   string             `json:"payer_name"` // 835 1000A N102
	Balanced    bool               `json:"balanced"`   // the payment passed 835 balancing
	Adjustments []PostedAdjustment `json:"adjustments"`
}

// PostedAdjustment is one CAS reason of a posted CLP.
type PostedAdjustment struct {
	Line   int        `json:"line"` // 0 for claim level, else the 1-based SVC of the CLP
	Code   string     `json:"code,omitempty"`
	Group  string     `json:"group"`
	Reason string     `json:"reason"`
	Amount x12.Amount `json:"amount"`
}

// SecondaryCandidates lists the filed primary claims that may owe a secondary claim (see
// Adjudicated), by date of service. A claim whose family already has a filed secondary
// claim is left out, so each primary adjudication is billed onward once; a held or built
// secondary does not count, so it is rebuilt (and re-scrubbed) until it files.
func (db *DB) SecondaryCandidates(ctx context.Context) ([]Adjudicated, error) {
	return db.onwardCandidates(ctx, claims.ResponsibilityPrimary, "secondary")
}

// TertiaryCandidates lists the filed secondary claims that may owe a tertiary claim, by the
// same rule one level down.
func (db *DB) TertiaryCandidates(ctx context.Context) ([]Adjudicated, error) {
	return db.onwardCandidates(ctx, claims.ResponsibilitySecondary, "tertiary")
}

// onwardCandidatesQuery selects onwardCandidates' claims: responsibility and the void
// frequency are its arguments.
func onwardCandidatesQuery(next string) string {
	pattern := `'%"priority":"` + next + `"%'`
	return `SELECT c.id, c.data, k.data, COALESCE(p.payer, '') FROM claims c
		JOIN clients k ON k.practice = c.practice AND k.id = c.client_id
		LEFT JOIN claims p ON p.id = c.prior_claim
		WHERE (c.practice, c.client_id) IN (SELECT practice, id FROM clients WHERE LOWER(data) LIKE ` + pattern + `)
		AND c.responsibility = ? AND ` + sent("c.state") + ` AND c.frequency <> ?
		AND LOWER(k.data) LIKE ` + pattern + `
		AND EXISTS (SELECT 1 FROM remit_claims r WHERE r.claim_id = c.id)
		AND NOT EXISTS (SELECT 1 FROM claims o JOIN claims f ON f.id = o.prior_claim
			WHERE f.base_id = c.base_id AND o.prior_claim <> '' AND ` + sent("o.state") + `)
		ORDER BY c.service_date, c.id`
}

// onwardCandidates lists the filed claims at payer level resp whose client has a coverage
// of priority next and whose family has no filed claim built from it (prior_claim) yet.
func (db *DB) onwardCandidates(ctx context.Context, resp, next string) ([]Adjudicated, error) {
	// The clients with a coverage of that priority come off a partial index (0741), and
	// their claims off claims_client_day: every claim ever filed is history, not work. The
	// pattern is a literal so the planner can match the index's WHERE (next is one of two
	// constants, never input). o.prior_claim <> '' is the WHERE of the partial index of
	// claims built from another (claims_prior, 0800), which the planner must see to use it.
	rows, err := db.sql.QueryContext(ctx, db.Rebind(onwardCandidatesQuery(next)), resp, claims.FrequencyVoid)
	if err != nil {
		return nil, fmt.Errorf("store: %s candidates: %w", next, err)
	}
	out, err := collectRows(rows, func(sc scanner) (Adjudicated, error) {
		var id, cdata, kdata string
		var a Adjudicated
		if err := sc.Scan(&id, &cdata, &kdata, &a.PriorPayer); err != nil {
			return a, err
		}
		if err := json.Unmarshal([]byte(cdata), &a.Claim); err != nil {
			return a, fmt.Errorf("store: claim %s data: %w", id, err)
		}
		if err := json.Unmarshal([]byte(kdata), &a.Client); err != nil {
			return a, fmt.Errorf("store: client of claim %s: %w", id, err)
		}
		return a, nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Postings, err = db.postedCLPs(ctx, out[i].Claim.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// COBFamily is the family (one base_id) of a secondary or tertiary claim with a filed
// member, with what is needed to check the earlier payer's adjudication it quotes (2320)
// against the one that stands now, after a reversal and correction, and to correct it.
type COBFamily struct {
	// Claim is the family's latest filed claim: the original, replacement or void its
	// payer holds now.
	Claim claims.Claim `json:"claim"`
	// Version is the family's next resubmission number: its filed replacements and voids
	// plus one, so a correction built but not filed yet is rebuilt under the same CLM01.
	Version int `json:"version"`
	// Postings are the CLPs posted for Claim itself (its own payer's, CLP07 the number a
	// replacement or void quotes in REF*F8), oldest first.
	Postings []PostedCLP `json:"postings"`
	// Prior holds the claims of the earlier payer's family (the one the claim was built
	// from, prior_claim, with its replacements), by CLM01; PriorPostings are every CLP
	// posted for them, oldest first, reversals included.
	Prior         map[string]claims.Claim `json:"prior"`
	PriorPostings []PostedCLP             `json:"prior_postings"`
}

var cobFamiliesQuery = `SELECT DISTINCT c.service_date, c.base_id, p.base_id FROM claims c
	JOIN claims p ON p.id = c.prior_claim
	WHERE c.responsibility = ? AND c.prior_claim <> ''
	AND EXISTS (SELECT 1 FROM claims f WHERE f.base_id = c.base_id AND ` + sent("f.state") + `)
	AND (SELECT COUNT(*) FROM remit_claims r JOIN claims pm ON pm.id = r.claim_id WHERE pm.base_id = p.base_id) > 1
	ORDER BY c.service_date, c.base_id, p.base_id`

// COBFamilies lists, by date of service, the families of claims at responsibility level
// resp (claims.ResponsibilitySecondary or Tertiary) that have a filed member and whose
// earlier payer's claim family has more than one posted CLP: a reversal, a correction or
// a second adjudication, the only ways the adjudication a claim quoted can have changed
// since it was built. A family that has been voided is listed too (Claim is the void).
//
// Its test that prior_claim is set lets the planner read the partial index of the few claims
// built from an earlier payer's claim (claims_prior, 0800) instead of every claim.
func (db *DB) COBFamilies(ctx context.Context, resp string) ([]COBFamily, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(cobFamiliesQuery), resp)
	if err != nil {
		return nil, fmt.Errorf("store: COB families: %w", err)
	}
	type fam struct{ base, prior string }
	var found []fam
	seen := map[string]bool{}
	for rows.Next() {
		var date string
		var f fam
		if err := rows.Scan(&date, &f.base, &f.prior); err != nil {
			rows.Close()
			return nil, err
		}
		if !seen[f.base] { // every member of a family is built from the same earlier family
			seen[f.base] = true
			found = append(found, f)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]COBFamily, 0, len(found))
	for _, f := range found {
		cf, err := db.cobFamily(ctx, f.base, f.prior)
		if err != nil {
			return nil, err
		}
		out = append(out, cf)
	}
	return out, nil
}

// cobFamily loads one family of COBFamilies.
func (db *DB) cobFamily(ctx context.Context, base, priorBase string) (COBFamily, error) {
	cf := COBFamily{Prior: map[string]claims.Claim{}}
	// The latest filed member is the one in the latest file: created_at can tie, and a
	// replacement's CLM01 does not sort after its original's in every case (R10 < R9).
	var id, data string
	if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT c.id, c.data FROM claims c JOIN claim_submissions s ON s.claim_id = c.id
		WHERE c.base_id = ? AND `+sent("c.state")+` ORDER BY s.file_id DESC, c.id DESC LIMIT 1`), base).Scan(&id, &data); err != nil {
		return cf, fmt.Errorf("store: claim family %s: %w", base, err)
	}
	if err := json.Unmarshal([]byte(data), &cf.Claim); err != nil {
		return cf, fmt.Errorf("store: claim %s data: %w", id, err)
	}
	var err error
	if cf.Version, err = db.nextVersion(ctx, base); err != nil {
		return cf, fmt.Errorf("store: claim family %s: %w", base, err)
	}
	if cf.Postings, err = db.postedCLPs(ctx, id); err != nil {
		return cf, err
	}
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT id, data FROM claims WHERE base_id = ? ORDER BY id`), priorBase)
	if err != nil {
		return cf, fmt.Errorf("store: claim family %s: %w", priorBase, err)
	}
	for rows.Next() {
		var pid, pdata string
		if err := rows.Scan(&pid, &pdata); err != nil {
			rows.Close()
			return cf, err
		}
		var c claims.Claim
		if err := json.Unmarshal([]byte(pdata), &c); err != nil {
			rows.Close()
			return cf, fmt.Errorf("store: claim %s data: %w", pid, err)
		}
		cf.Prior[pid] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return cf, err
	}
	cf.PriorPostings, err = db.postedCLPsWhere(ctx, `r.claim_id IN (SELECT id FROM claims WHERE base_id = ?)`, priorBase)
	return cf, err
}

// postedCLPs returns the CLPs posted for a claim with their adjustments, oldest first.
func (db *DB) postedCLPs(ctx context.Context, claimID string) ([]PostedCLP, error) {
	return db.postedCLPsWhere(ctx, `r.claim_id = ?`, claimID)
}

// postedCLPsWhere returns the CLPs posted for the claims a condition on remit_claims r
// selects, with their adjustments, oldest first; claimID names them in errors.
func (db *DB) postedCLPsWhere(ctx context.Context, cond, claimID string) ([]PostedCLP, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT r.payment_id, r.seq, r.claim_id, r.payer_id, r.check_no, r.status, r.payer_claim,
		r.charge_cents, r.paid_cents, r.patient_cents, r.outcome, r.denial_category, r.appeal_due, r.pay_date, p.payer, p.balanced
		FROM remit_claims r JOIN remit_payments p ON p.id = r.payment_id WHERE `+cond+` ORDER BY r.payment_id, r.seq`), claimID)
	if err != nil {
		return nil, fmt.Errorf("store: postings of claim %s: %w", claimID, err)
	}
	type key struct{ pay, seq int64 }
	var out []PostedCLP
	var keys []key
	for rows.Next() {
		var pc PostedCLP
		var k key
		var charge, paid, patient, balanced int64
		if err := rows.Scan(&k.pay, &k.seq, &pc.ClaimID, &pc.Payer, &pc.Check, &pc.Status, &pc.PayerClaim, &charge, &paid, &patient,
			&pc.Outcome, &pc.DenialCategory, &pc.AppealDue, &pc.Date, &pc.PayerName, &balanced); err != nil {
			rows.Close()
			return nil, err
		}
		pc.Charge, pc.Paid, pc.Patient, pc.Balanced = x12.Amount(charge), x12.Amount(paid), x12.Amount(patient), balanced != 0
		out = append(out, pc)
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return out, nil
	}
	// One statement for every CLP's adjustments, prepared once per DB rather than per CLP.
	adj, err := db.stmt(ctx, `SELECT line_no, code, grp, reason, amount_cents FROM remit_adjustments
			WHERE payment_id = ? AND seq = ? ORDER BY line_no, grp, reason`)
	if err != nil {
		return nil, fmt.Errorf("store: adjustments of claim %s: %w", claimID, err)
	}
	for i, k := range keys {
		rows, err := adj.QueryContext(ctx, k.pay, k.seq)
		if err != nil {
			return nil, fmt.Errorf("store: adjustments of claim %s: %w", claimID, err)
		}
		if out[i].Adjustments, err = collectRows(rows, scanPostedAdjustment); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanPostedAdjustment(sc scanner) (PostedAdjustment, error) {
	var a PostedAdjustment
	var amt int64
	err := sc.Scan(&a.Line, &a.Code, &a.Group, &a.Reason, &amt)
	a.Amount = x12.Amount(amt)
	return a, err
}

// resubmittedSession is the version of a billed session that its claim's replacement is
// built from: the changed data when the practice sent a change after billing, none when it
// voided the session (keep false), else what was billed; the authorization intake matched
// stays on it (REF*G1).
func resubmittedSession(sid, kind, data, pending, authNumber string) (s claims.Session, keep bool, err error) {
	if kind == ChangeVoidCandidate {
		return s, false, nil
	}
	src := data
	if kind == ChangeReplacementCandidate && pending != "" {
		src = pending
	}
	if err := json.Unmarshal([]byte(src), &s); err != nil {
		return s, false, fmt.Errorf("store: session %s data: %w", sid, err)
	}
	if s.Authorization == "" {
		s.Authorization = authNumber
	}
	return s, true, nil
}

// ClaimRevision names a claim and its revision (ClaimRecord.Revision).
type ClaimRevision struct {
	ID       string
	Revision int64
}

// ClaimRevisions lists the claims in a state by date of service, then id (the order of
// Claims), without their data: a caller that holds some of them already decodes only the
// others (ClaimsByID).
func (db *DB) ClaimRevisions(ctx context.Context, state lifecycle.State) ([]ClaimRevision, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT id, revision FROM claims WHERE state = ? ORDER BY service_date, id`), state)
	if err != nil {
		return nil, fmt.Errorf("store: claims %s: %w", state, err)
	}
	return collectRows(rows, func(sc scanner) (ClaimRevision, error) {
		var r ClaimRevision
		err := sc.Scan(&r.ID, &r.Revision)
		return r, err
	})
}

// ClaimsByID returns the claims of ids that exist, as Claims does (without findings or
// submissions), in no particular order.
func (db *DB) ClaimsByID(ctx context.Context, ids []string) ([]ClaimRecord, error) {
	var out []ClaimRecord
	err := chunks(ids, idsPerStatement, func(part []string) error {
		in, args := inList(part)
		rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT `+claimColumns+` FROM claims WHERE id IN `+in), args...)
		if err != nil {
			return err
		}
		got, err := collectRows(rows, scanClaim)
		out = append(out, got...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claims by id: %w", err)
	}
	return out, nil
}
