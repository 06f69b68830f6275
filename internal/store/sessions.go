package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
)

// Session states and changes: the domain's words (claims), named here for callers of
// the store.
const (
	StateReady     = claims.SessionReady
	StateHeld      = claims.SessionHeld
	StateScheduled = claims.SessionScheduled
	StateBilled    = claims.SessionBilled
	StateVoid      = claims.SessionVoid
	StateReplaced  = claims.SessionReplaced

	ChangeCreated              = claims.ChangeCreated
	ChangeUpdated              = claims.ChangeUpdated
	ChangeUnchanged            = claims.ChangeUnchanged
	ChangeReplacementCandidate = claims.ChangeReplacementCandidate
	ChangeVoidCandidate        = claims.ChangeVoidCandidate
)

// Result is the outcome of putting one record.
type Result struct {
	Change     string `json:"change"`
	State      string `json:"state,omitempty"`
	HoldReason string `json:"hold_reason,omitempty"`
	AuthNumber string `json:"auth_number,omitempty"`
	Units      int    `json:"units,omitempty"`
}

// SessionRecord is a stored session with its processing state.
type SessionRecord struct {
	ID         string `json:"id"`
	Practice   string `json:"practice"`
	ClientID   string `json:"client_id"`
	Payer      string `json:"payer"`
	Code       string `json:"code"`
	Date       string `json:"date"`
	Status     string `json:"status"`
	State      string `json:"state"`
	HoldReason string `json:"hold_reason,omitempty"`
	AuthNumber string `json:"auth_number,omitempty"`
	AuthUnits  int    `json:"auth_units,omitempty"`
	ClaimRef   string `json:"claim_ref,omitempty"`
	// Claim is the session's current claim: the one it is billed on, else the latest one
	// built from it (held or built); ClaimState is where that claim stands (paid, denied...).
	Claim       string          `json:"claim,omitempty"`
	ClaimState  lifecycle.State `json:"claim_state,omitempty"`
	PendingKind string          `json:"pending_kind,omitempty"`
	ClaimHold   *ClaimHold      `json:"claim_hold,omitempty"` // the scrubber holds its claim (state stays ready)
	// ScrubHold is the last scrub of a ready session (intake's dry build or the claims
	// step); nil when it was clean or not scrubbed yet.
	ScrubHold  *ScrubHold     `json:"scrub_hold,omitempty"`
	SourceFile string         `json:"source_file,omitempty"`
	ReceivedAt string         `json:"received_at"`
	UpdatedAt  string         `json:"updated_at"`
	Session    claims.Session `json:"session"`
}

// ClaimHold is the held claim a ready session is on and the scrubber rules that hold it.
type ClaimHold struct {
	Claim string   `json:"claim"`
	Rules []string `json:"rules"`
}

// contentHash is the SHA-256 of the record's canonical JSON (struct field order), so the
// same session sent as JSON, NDJSON or CSV hashes alike.
func contentHash(v any) (string, error) {
	_, h, err := contentJSON(v)
	return h, err
}

// contentJSON is the record's JSON and its hash, marshalled once.
func contentJSON(v any) ([]byte, string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, "", err
	}
	h := sha256.Sum256(b)
	return b, hex.EncodeToString(h[:]), nil
}

type storedSession struct {
	state, hash, authPayer, authNumber, claimRef, receivedAt string
	authUnits                                                int
	// practice is set for sessions written in this batch (the outbox names it without a
	// lookup); "" for sessions only read.
	practice string
}

const sessionLookup = `SELECT id, state, hash, auth_payer, auth_number, auth_units, claim_ref, received_at FROM sessions WHERE id `

// PrefetchSessions reads the stored state of the sessions a batch is about to put with a
// few IN queries, instead of one lookup per session.
func (b *Batch) PrefetchSessions(ids []string) error {
	if b.known == nil {
		b.known = make(map[string]*storedSession, len(ids))
	}
	// Ids the batch already knows (put earlier in it, maybe not yet written) keep that state.
	var todo []string
	for _, id := range ids {
		if _, ok := b.known[id]; !ok {
			todo = append(todo, id)
		}
	}
	for part := range slices.Chunk(todo, 500) {
		in, args := inList(part)
		rows, err := b.query(sessionLookup+"IN "+in, args...)
		if err != nil {
			return fmt.Errorf("store: prefetch sessions: %w", err)
		}
		for _, id := range part {
			b.known[id] = nil
		}
		for rows.Next() {
			var id string
			var st storedSession
			if err := rows.Scan(&id, &st.state, &st.hash, &st.authPayer, &st.authNumber, &st.authUnits, &st.claimRef, &st.receivedAt); err != nil {
				rows.Close()
				return fmt.Errorf("store: prefetch sessions: %w", err)
			}
			b.known[id] = &st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: prefetch sessions: %w", err)
		}
	}
	return nil
}

func (b *Batch) lookupSession(id string) (storedSession, bool, error) {
	if st, ok := b.known[id]; ok {
		if st == nil {
			return storedSession{}, false, nil
		}
		return *st, true, nil
	}
	var st storedSession
	row, err := b.queryRow(sessionLookup+"= ?", id)
	if err != nil {
		return st, false, err
	}
	switch err := row.Scan(&id, &st.state, &st.hash, &st.authPayer, &st.authNumber, &st.authUnits, &st.claimRef, &st.receivedAt); {
	case errors.Is(err, sql.ErrNoRows):
		return st, false, nil
	case err != nil:
		return st, false, err
	}
	return st, true, nil
}

// PutSession stores a validated session: a no-op when identical to the stored one; an
// update otherwise (returning units it had consumed, then checking again), except that a
// billed session is never changed silently: the change is kept as a replacement or void
// candidate for the claims engine.
func (b *Batch) PutSession(s *claims.Session, source string) (Result, error) {
	p, err := PrepareSession(s)
	if err != nil {
		return Result{}, err
	}
	return b.PutPrepared(p, source)
}

// PreparedSession is a session with its stored JSON and content hash already computed, so
// a caller can do that work on another goroutine than the one holding the transaction.
type PreparedSession struct {
	Session *claims.Session
	data    string // converted here, off the writer: the driver copies it again anyway
	hash    string
}

// PrepareSession computes what PutPrepared stores for s. s must not change afterwards.
func PrepareSession(s *claims.Session) (*PreparedSession, error) {
	data, hash, err := contentJSON(s)
	if err != nil {
		return nil, fmt.Errorf("store: session %s: %w", s.ID, err)
	}
	return &PreparedSession{Session: s, data: string(data), hash: hash}, nil
}

// PutPrepared is PutSession for a prepared session.
func (b *Batch) PutPrepared(p *PreparedSession, source string) (Result, error) {
	r, err := b.putSession(p.Session, p.data, p.hash, source)
	if err != nil {
		return r, fmt.Errorf("store: session %s: %w", p.Session.ID, err)
	}
	return r, nil
}

// putSession applies the domain's admission plan (claims.AuthRules.Admit) for s.
func (b *Batch) putSession(s *claims.Session, data, hash, source string) (Result, error) {
	old, exists, err := b.lookupSession(s.ID)
	if err != nil {
		return Result{}, err
	}
	var stored *claims.StoredSession
	if exists {
		stored = &claims.StoredSession{State: old.state, SameContent: old.hash == hash,
			Auth: claims.AuthKey{Payer: old.authPayer, Number: old.authNumber}, Units: old.authUnits, ClaimRef: old.claimRef}
	}
	// The candidates are copies (Codes shared, read only): the plan must not see its own
	// effects, the batch's copies change only when the plan is applied.
	var buf [4]claims.AuthUse
	auths := buf[:0]
	if b.rules.AuthsNeeded(s, stored) {
		sts, err := b.cachedAuths(s.Coverage.Payer, s.Client.ID, s.Coverage.MemberID)
		if err != nil {
			return Result{}, err
		}
		for _, st := range sts {
			auths = append(auths, st.AuthUse)
		}
	}
	adm := b.rules.Admit(s, stored, auths)
	res := Result{Change: adm.Change, State: adm.State, HoldReason: adm.Hold, AuthNumber: adm.Take.Auth.Number, Units: adm.Take.Units}
	switch adm.Change {
	case ChangeUnchanged:
		return res, nil
	case ChangeReplacementCandidate, ChangeVoidCandidate:
		r, err := b.exec(`UPDATE sessions SET pending_kind = ?, pending_data = ?, updated_at = ? WHERE id = ? AND state = ?`,
			adm.Change, data, timestamp(b.now), s.ID, StateBilled)
		if err := oneRow(r, err); err != nil {
			return Result{}, fmt.Errorf("keep %s: %w", adm.Change, err)
		}
		return res, b.sessionEvents(s.ID, source, adm.Events())
	}
	evs := adm.Events()
	if adm.Return.Units > 0 {
		// returnUnits checks the row still holds the units and records the plan's first
		// event, units_returned.
		if err := b.returnUnits(s.ID, adm.Return.Auth.Payer, adm.Return.Auth.Number, adm.Return.Units, source); err != nil {
			return Result{}, err
		}
		if len(evs) > 0 && evs[0].Kind == lifecycle.UnitsReturned {
			evs = evs[1:]
		}
	}
	if adm.Take.Units > 0 {
		if err := b.take(adm.Take, s.ID); err != nil {
			return Result{}, err
		}
	}
	if err := b.writeSession(s, &old, exists, &adm, data, hash, source); err != nil {
		return Result{}, err
	}
	return res, b.sessionEvents(s.ID, source, evs)
}

// writeSession inserts or updates the session's row as the admission left it.
func (b *Batch) writeSession(s *claims.Session, old *storedSession, exists bool, adm *claims.Admission, data, hash, source string) error {
	// A session put ends a run of authorization records: their read-ahead may not hold.
	b.authRows, b.noHeld = nil, nil
	now := b.nowStamp()
	receivedAt := now
	if exists {
		receivedAt = old.receivedAt
	}
	// The scrub columns start empty (not scrubbed); an update keeps them (sessionUpsertTail).
	row := []any{s.ID, s.Practice, s.Client.ID, s.Coverage.Payer, s.Coverage.MemberID, s.Service.Code, s.Date, s.Status, adm.State,
		adm.Hold, adm.Take.Auth.Payer, adm.Take.Auth.Number, adm.Take.Units, data, hash, source, receivedAt, now, "", "", ""}
	if exists {
		// Updates are rare: one upsert, after the queued rows (one of them may be this id).
		if err := b.flushSessions(); err != nil {
			return err
		}
		if _, err := b.execRaw(sessionInsert+sessionRow+sessionUpsertTail, row...); err != nil {
			return err
		}
	} else if err := b.queueSession(row); err != nil {
		return err
	}
	// The row may still be queued: lookups in this batch must find it here.
	if b.known == nil {
		b.known = map[string]*storedSession{}
	}
	b.known[s.ID] = &storedSession{state: adm.State, hash: hash, authPayer: adm.Take.Auth.Payer, authNumber: adm.Take.Auth.Number,
		authUnits: adm.Take.Units, claimRef: old.claimRef, receivedAt: receivedAt, practice: s.Practice}
	b.noteWritten(s, exists, adm.State, hash, adm.Take)
	return nil
}

// sessionEvents queues a plan's session events. The details are written by hand in the
// bytes json.Marshal gives these maps (keys sorted): map encoding of two events a session
// was a visible share of intake time.
func (b *Batch) sessionEvents(id, source string, evs []claims.SessionEvent) error {
	for i := range evs {
		if err := b.queueEvent(lifecycle.EntitySession, id, evs[i].Kind, source, sessionEventDetail(&evs[i])); err != nil {
			return err
		}
	}
	return nil
}

func sessionEventDetail(e *claims.SessionEvent) []byte {
	field := func(d []byte, name, v string) []byte {
		if len(d) > 1 {
			d = append(d, ',')
		}
		return appendJSONString(append(append(append(d, '"'), name...), `":`...), v)
	}
	d := append(make([]byte, 0, 64), '{')
	switch e.Kind {
	case lifecycle.ReplacementCandidate, lifecycle.VoidCandidate:
		d = field(d, "claim_ref", e.ClaimRef)
	case lifecycle.SessionHeld:
		d = field(d, "reason", e.Reason)
	case lifecycle.Received, lifecycle.Updated:
		d = field(field(d, "state", e.State), "status", e.Status)
	default: // units consumed or returned, released
		d = append(field(d, "authorization", e.Auth), `,"units":`...)
		d = strconv.AppendInt(d, int64(e.Units), 10)
	}
	if e.Was != "" {
		d = field(d, "was", e.Was)
	}
	return append(d, '}')
}

// appendJSONString appends s as encoding/json writes it: plain printable ASCII is only
// quoted, the rest (escapes, HTML characters, invalid UTF-8) goes through json.Marshal.
func appendJSONString(d []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always marshals
			return append(d, b...)
		}
	}
	return append(append(append(d, '"'), s...), '"')
}

// take spends units of an authorization for a session, guarded: the batch's copy must
// still have them (it is current: see Batch.auths), and flushAuths checks the row again.
func (b *Batch) take(m claims.UnitMove, cause string) error {
	st, err := b.authByKey(m.Auth)
	if err != nil {
		return err
	}
	if st.Used+m.Units > st.Units {
		return fmt.Errorf("authorization %s: %d units no longer available", m.Auth, m.Units)
	}
	b.use(st, m.Units)
	return b.authAlerts(&st.AuthUse, cause, false)
}

// giveBack returns units to an authorization, guarded like take.
func (b *Batch) giveBack(m claims.UnitMove, cause string) error {
	st, err := b.authByKey(m.Auth)
	if err != nil {
		return err
	}
	if st.Used < m.Units {
		return fmt.Errorf("authorization %s: %d units to return, %d used", m.Auth, m.Units, st.Used)
	}
	b.use(st, -m.Units)
	return b.authAlerts(&st.AuthUse, cause, true)
}

// sessionInsert is the session insert head; rows follow as sessionRow groups.
const sessionInsert = `INSERT INTO sessions (id, practice, client_id, payer, member_id, code, service_date, status, state,
			hold_reason, auth_payer, auth_number, auth_units, data, hash, source_file, received_at, updated_at,
			scrub_hash, scrub_rules, scrub_findings)
		VALUES `

const sessionRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// Positions in a session row of the values a scrub in the batch fills in (queuedScrub).
const (
	sessionRowState     = 8
	sessionRowHash      = 14
	sessionRowScrubHash = 18
)

const sessionUpsertTail = `
		ON CONFLICT (id) DO UPDATE SET practice = excluded.practice, client_id = excluded.client_id,
			payer = excluded.payer, member_id = excluded.member_id, code = excluded.code,
			service_date = excluded.service_date, status = excluded.status, state = excluded.state,
			hold_reason = excluded.hold_reason, auth_payer = excluded.auth_payer,
			auth_number = excluded.auth_number, auth_units = excluded.auth_units, data = excluded.data,
			hash = excluded.hash, source_file = excluded.source_file, updated_at = excluded.updated_at`

const (
	sessionColumnCount = 21
	sessionsPerInsert  = 100
)

// queueSession adds the row of a session not yet stored to the batch's pending inserts.
// The batch knows it is new (prefetched or looked up, under the write lock), so the rows go
// in as plain multi-row INSERTs. They wait until a statement needs them or the batch ends,
// so that a scrub in the batch (ScrubWritten) writes its findings with the insert instead
// of updating every row it just inserted.
func (b *Batch) queueSession(row []any) error {
	if b.queued == nil {
		b.queued = map[string]int{}
	}
	b.queued[row[0].(string)] = len(b.sessRows)
	b.sessRows = append(b.sessRows, row...)
	return nil
}

// flushSessions writes the pending session rows (bulkInsert): one COPY on PostgreSQL, on
// SQLite statements of up to sessionsPerInsert rows (two statement texts a batch: full
// chunks and the last one, each prepared once).
//
// On SQLite the statement is INSERT OR FAIL: with the default ABORT a multi-row statement
// copies every page it touches into a statement journal so it can undo itself alone, which
// cost more than the inserts. A failure here fails the whole batch anyway, and the batch's
// transaction rolls back.
func (b *Batch) flushSessions() error {
	if err := b.bulkInsert(sessionInsert, sessionColumnCount, sessionsPerInsert, b.sessRows); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	b.sessRows = b.sessRows[:0]
	clear(b.queued)
	return nil
}

// returnUnits gives a session's consumed units back to its authorization (a void or a
// change of the session) and clears them from the session, whose row must still hold them.
func (b *Batch) returnUnits(sessionID, payer, number string, n int, source string) error {
	m := claims.UnitMove{Auth: claims.AuthKey{Payer: payer, Number: number}, Units: n}
	if err := b.giveBack(m, sessionID); err != nil {
		return err
	}
	delete(b.known, sessionID)
	r, err := b.exec(`UPDATE sessions SET auth_units = 0, auth_number = '', auth_payer = '', updated_at = ?
		WHERE id = ? AND auth_payer = ? AND auth_number = ? AND auth_units = ?`, timestamp(b.now), sessionID, payer, number, n)
	if err := oneRow(r, err); err != nil {
		return fmt.Errorf("return units of session %s: %w", sessionID, err)
	}
	return b.sessionEvents(sessionID, source, []claims.SessionEvent{{Kind: lifecycle.UnitsReturned, Auth: number, Units: n}})
}

// oneRow checks that a guarded statement changed exactly one row: a state change names
// the state it expects and changes nothing otherwise.
func oneRow(r sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%w (%d rows)", ErrStale, n)
	}
	return nil
}

// ErrStale reports a guarded change whose row is no longer in the state it expected:
// another writer changed it first.
var ErrStale = errors.New("changed by another writer")

// MarkBilled records that the sessions are on claim claimRef.
func (b *Batch) MarkBilled(claimRef string, ids ...string) error {
	for _, id := range ids {
		delete(b.known, id)
		res, err := b.exec(`UPDATE sessions SET state = ?, claim_ref = ?, updated_at = ? WHERE id = ? AND state = ?`,
			StateBilled, claimRef, timestamp(b.now), id, StateReady)
		if err != nil {
			return fmt.Errorf("store: bill session %s: %w", id, err)
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return fmt.Errorf("store: bill session %s: not ready", id)
		}
		if err := b.Event(lifecycle.EntitySession, id, lifecycle.SessionBilled, "", map[string]string{"claim_ref": claimRef}); err != nil {
			return err
		}
	}
	return nil
}

// The last column is the claim the scrubber holds the session on, if any ("CLAIM rule,rule"):
// such a session stays ready (its claim is rebuilt when it is corrected) but is not billable.
const sessionColumns = sessionOwnColumns + `,
	COALESCE((SELECT c.id || ' ' || c.hold_rules FROM claim_sessions cs JOIN claims c ON c.id = cs.claim_id
		WHERE cs.session_id = sessions.id AND c.state = 'held' LIMIT 1), ''),
	COALESCE((SELECT c.id || ' ' || c.state FROM claims c WHERE c.id = sessions.claim_ref),
		(SELECT c.id || ' ' || c.state FROM claim_sessions cs JOIN claims c ON c.id = cs.claim_id
		WHERE cs.session_id = sessions.id ORDER BY c.created_at DESC, c.id DESC LIMIT 1), ''),
	scrub_rules, scrub_findings`

// sessionOwnColumns are the session row's own columns; leanSessionColumns read them with
// empty claim columns, for SessionFilter.Lean.
const sessionOwnColumns = `id, practice, client_id, payer, code, service_date, status, state, hold_reason, auth_number,
	auth_units, claim_ref, pending_kind, source_file, received_at, updated_at, data`

const leanSessionColumns = sessionOwnColumns + `, '', '', scrub_rules, scrub_findings`

func scanSession(r scanner) (SessionRecord, error) {
	s, data, err := scanSessionRow(r)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(data), &s.Session); err != nil {
		return s, fmt.Errorf("session %s data: %w", s.ID, err)
	}
	return s, nil
}

// scanSessionRow is scanSession without decoding the session's data, which it returns.
func scanSessionRow(r scanner) (SessionRecord, string, error) {
	var s SessionRecord
	var data, claimHold, claim, scrubRules, scrubFindings string
	if err := r.Scan(&s.ID, &s.Practice, &s.ClientID, &s.Payer, &s.Code, &s.Date, &s.Status, &s.State, &s.HoldReason,
		&s.AuthNumber, &s.AuthUnits, &s.ClaimRef, &s.PendingKind, &s.SourceFile, &s.ReceivedAt, &s.UpdatedAt, &data, &claimHold, &claim,
		&scrubRules, &scrubFindings); err != nil {
		return s, "", err
	}
	if s.State == StateReady {
		h, err := scrubHoldOf(scrubRules, scrubFindings)
		if err != nil {
			return s, "", fmt.Errorf("session %s scrub findings: %w", s.ID, err)
		}
		s.ScrubHold = h
	}
	if id, st, ok := strings.Cut(claim, " "); ok {
		s.Claim, s.ClaimState = id, lifecycle.State(st)
	}
	if id, rules, ok := strings.Cut(claimHold, " "); ok {
		s.ClaimHold = &ClaimHold{Claim: id, Rules: strings.Split(rules, ",")}
	}
	return s, data, nil
}

// scanSessionsDecoding reads rows of sessions as scanSession does, decoding their data on
// another goroutine while this one steps the rows: the claims step reads every ready
// session (100,000 of them), and reading the rows (SQLite's engine) and decoding their
// JSON each take about a second of CPU that two cores do side by side. The records come
// back in row order; the first error by row order wins.
func scanSessionsDecoding(rows *sql.Rows) ([]SessionRecord, error) {
	defer rows.Close()
	const chunk = 512
	type part struct {
		recs []SessionRecord
		data []string
	}
	work := make(chan part, 8)
	done := make(chan error, 1)
	var out []SessionRecord
	go func() {
		var first error
		for p := range work {
			for i := range p.recs {
				if first != nil {
					break
				}
				if err := json.Unmarshal([]byte(p.data[i]), &p.recs[i].Session); err != nil {
					first = fmt.Errorf("session %s data: %w", p.recs[i].ID, err)
				}
			}
			out = append(out, p.recs...)
		}
		done <- first
	}()
	cur := part{recs: make([]SessionRecord, 0, chunk), data: make([]string, 0, chunk)}
	var err error
	for rows.Next() {
		var s SessionRecord
		var data string
		if s, data, err = scanSessionRow(rows); err != nil {
			break
		}
		cur.recs = append(cur.recs, s)
		cur.data = append(cur.data, data)
		if len(cur.recs) == chunk {
			work <- cur
			cur = part{recs: make([]SessionRecord, 0, chunk), data: make([]string, 0, chunk)}
		}
	}
	if err == nil {
		err = rows.Err()
	}
	if len(cur.recs) > 0 {
		work <- cur
	}
	close(work)
	derr := <-done
	if err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	return out, nil
}

// Session returns one stored session, or ErrNotFound.
func (db *DB) Session(ctx context.Context, id string) (SessionRecord, error) {
	st, err := db.stmt(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`)
	if err != nil {
		return SessionRecord{}, err
	}
	s, err := scanSession(st.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("store: session %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("store: session %s: %w", id, err)
	}
	return s, nil
}

// SessionFilter selects sessions; empty fields match everything.
type SessionFilter struct {
	State    string
	Payer    string
	ClientID string
	// ScrubHeld selects the ready sessions whose last scrub found errors.
	ScrubHeld bool
	// Lean leaves Claim, ClaimState and ClaimHold empty: they cost two lookups a session,
	// and the eligibility and claims steps, which list every ready session, need only the
	// session itself.
	Lean bool
}

// Sessions lists sessions by date of service, then id.
func (db *DB) Sessions(ctx context.Context, f SessionFilter) ([]SessionRecord, error) {
	cond, args := f.where()
	from := "sessions"
	if f.ScrubHeld {
		from = db.sessionsBy("sessions_scrub_held")
	}
	cols := sessionColumns
	if f.Lean {
		cols = leanSessionColumns
	}
	q := `SELECT ` + cols + ` FROM ` + from + cond + " ORDER BY service_date, id"
	rows, err := db.sql.QueryContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	if f.Lean {
		out, err := scanSessionsDecoding(rows)
		if err != nil {
			return nil, fmt.Errorf("store: sessions: %w", err)
		}
		return out, nil
	}
	defer rows.Close()
	return collectRows(rows, func(sc scanner) (SessionRecord, error) {
		s, err := scanSession(sc)
		if err != nil {
			return s, fmt.Errorf("store: sessions: %w", err)
		}
		return s, nil
	})
}

// CountSessions counts sessions per state.
func (db *DB) CountSessions(ctx context.Context) (map[string]int, error) {
	return db.countBy(ctx, "count sessions", `SELECT state, COUNT(*) FROM sessions GROUP BY state`)
}
