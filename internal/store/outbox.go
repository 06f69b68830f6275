package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/outbox"
	"github.com/edigate/edigate/x12"
)

// The outbox is filled at one place: every event a Batch records goes through queueEvent,
// which keeps the ones outbox.Wants; just before the Batch commits, flushOutbox looks up
// what the messages need (in the same transaction, after every write of the batch), lets
// outbox.Build word them, numbers them from the 'seq' counter and inserts them. The state
// change and its outbox rows commit or roll back together.

// wantOutbox notes an event for the outbox when the practice is told of it.
func (b *Batch) wantOutbox(entity lifecycle.Entity, id string, kind lifecycle.EventKind, detail []byte, value any) {
	if outbox.Wants(entity, kind) && !outbox.Unmoved(value) {
		b.outbox = append(b.outbox, outbox.Event{Entity: entity, ID: id, Kind: kind, Detail: detail, Value: value})
	}
}

// flushOutbox writes the outbox rows of the batch's wanted events.
func (b *Batch) flushOutbox() error {
	if len(b.outbox) == 0 {
		return nil
	}
	evs := b.outbox
	b.outbox = nil
	facts, err := b.outboxFacts(evs)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	var msgs []outbox.Message
	for i := range evs {
		ms, err := outbox.Build(evs[i], facts[i])
		if err != nil {
			return err
		}
		msgs = append(msgs, ms...)
	}
	if len(msgs) == 0 {
		return nil
	}
	// The counter row stays locked until commit (PostgreSQL row lock, SQLite's one
	// writer), so numbers commit in order: whoever sees N committed has all below N.
	var last int64
	row, err := b.queryRowRaw(`UPDATE outbox_cursors SET value = value + ? WHERE name = 'seq' RETURNING value`, len(msgs))
	if err != nil {
		return fmt.Errorf("outbox: sequence: %w", err)
	}
	if err := row.Scan(&last); err != nil {
		return fmt.Errorf("outbox: sequence: %w", err)
	}
	at := timestamp(b.now)
	rows := make([][]any, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		m.Seq, m.At = last-int64(len(msgs))+int64(i)+1, at
		line, err := outbox.Encode(m)
		if err != nil {
			return err
		}
		rows = append(rows, []any{m.Seq, at, string(m.Event), m.Practice, m.SessionID, m.ClaimID, string(line)})
	}
	if _, err := b.insertSparse(outboxTable, rows, ""); err != nil {
		return fmt.Errorf("outbox rows: %w", err)
	}
	return nil
}

// outboxFacts looks up, for each event, its sessions and what its message tells.
func (b *Batch) outboxFacts(evs []outbox.Event) ([]outbox.Facts, error) {
	var sessIDs, claimIDs, traces []string
	for _, e := range evs {
		switch e.Entity {
		case lifecycle.EntitySession:
			sessIDs = append(sessIDs, e.ID)
			if e.Kind == lifecycle.EligibilityAnswered {
				if t := eventTrace(e); t != "" {
					traces = append(traces, t)
				}
			}
		case lifecycle.EntityClaim:
			claimIDs = append(claimIDs, e.ID)
		}
	}
	claimIDs = sortedUnique(claimIDs)
	type claimFacts struct {
		sessions   []string
		payerClaim string
		lines      []outbox.ClaimLine
		findings   []outbox.Finding
	}
	cl := map[string]*claimFacts{}
	for _, id := range claimIDs {
		cl[id] = &claimFacts{}
	}
	if err := b.chunked(claimIDs, `SELECT claim_id, session_id FROM claim_sessions WHERE claim_id IN `, ` ORDER BY claim_id, session_id`,
		func(sc func(...any) error) error {
			var c, s string
			if err := sc(&c, &s); err != nil {
				return err
			}
			cl[c].sessions = append(cl[c].sessions, s)
			sessIDs = append(sessIDs, s)
			return nil
		}); err != nil {
		return nil, fmt.Errorf("claim sessions: %w", err)
	}
	if err := b.chunked(claimIDs, `SELECT id, payer_claim_number FROM claims WHERE id IN `, ``, func(sc func(...any) error) error {
		var c, n string
		if err := sc(&c, &n); err != nil {
			return err
		}
		cl[c].payerClaim = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	if err := b.chunked(claimIDs, `SELECT claim_id, line_no, session_id, code, service_date, charge_cents FROM claim_lines WHERE claim_id IN `, ` ORDER BY claim_id, line_no`,
		func(sc func(...any) error) error {
			var c string
			var l outbox.ClaimLine
			var charge int64
			if err := sc(&c, &l.Line, &l.SessionID, &l.Code, &l.Date, &charge); err != nil {
				return err
			}
			l.Charge = x12.Amount(charge)
			cl[c].lines = append(cl[c].lines, l)
			return nil
		}); err != nil {
		return nil, fmt.Errorf("claim lines: %w", err)
	}
	var held []string
	for _, e := range evs {
		if e.Entity == lifecycle.EntityClaim && e.Kind == lifecycle.Held.Event() {
			held = append(held, e.ID)
		}
	}
	if err := b.chunked(sortedUnique(held), `SELECT claim_id, rule, message, session_id FROM claim_findings WHERE severity = 'error' AND claim_id IN `, ` ORDER BY claim_id, seq`,
		func(sc func(...any) error) error {
			var c string
			var f outbox.Finding
			if err := sc(&c, &f.Rule, &f.Message, &f.SessionID); err != nil {
				return err
			}
			cl[c].findings = append(cl[c].findings, f)
			return nil
		}); err != nil {
		return nil, fmt.Errorf("claim findings: %w", err)
	}
	// Sessions this batch wrote are known; only the others (a claim's, a session an
	// eligibility answer or a claim names) are looked up.
	practice := map[string]string{}
	var unknown []string
	for _, id := range sessIDs {
		if k := b.known[id]; k != nil && k.practice != "" {
			practice[id] = k.practice
		} else if p := b.practices[id]; p != "" {
			practice[id] = p
		} else {
			unknown = append(unknown, id)
		}
	}
	if err := b.chunked(sortedUnique(unknown), `SELECT id, practice FROM sessions WHERE id IN `, ``, func(sc func(...any) error) error {
		var id, p string
		if err := sc(&id, &p); err != nil {
			return err
		}
		practice[id] = p
		return nil
	}); err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	// Answers this batch recorded are known; only others are read back and decoded.
	results := map[string]*eligibility.Result{}
	var stored []string
	for _, t := range traces {
		if r := b.eligResults[t]; r != nil {
			results[t] = r
		} else {
			stored = append(stored, t)
		}
	}
	if err := b.chunked(sortedUnique(stored), `SELECT trace, result FROM eligibility_checks WHERE trace IN `, ``, func(sc func(...any) error) error {
		var trace, res string
		if err := sc(&trace, &res); err != nil {
			return err
		}
		if res == "" {
			return nil
		}
		var r eligibility.Result
		if err := json.Unmarshal([]byte(res), &r); err != nil {
			return fmt.Errorf("eligibility %s result: %w", trace, err)
		}
		results[trace] = &r
		return nil
	}); err != nil {
		return nil, fmt.Errorf("eligibility: %w", err)
	}
	out := make([]outbox.Facts, len(evs))
	for i, e := range evs {
		f := &out[i]
		switch e.Entity {
		case lifecycle.EntitySession:
			f.Sessions = []outbox.Session{{ID: e.ID, Practice: practice[e.ID]}}
			if e.Kind == lifecycle.EligibilityAnswered {
				f.EligibilityResult = results[eventTrace(e)]
			}
		case lifecycle.EntityClaim:
			c := cl[e.ID]
			f.ClaimID, f.PayerClaimNumber, f.Lines, f.Findings = e.ID, c.payerClaim, c.lines, c.findings
			for _, s := range c.sessions {
				f.Sessions = append(f.Sessions, outbox.Session{ID: s, Practice: practice[s]})
			}
		}
	}
	return out, nil
}

// eventTrace is the trace of an eligibility_answered event: its value when the batch
// recorded it (answeredTrace), else read from its detail.
func eventTrace(e outbox.Event) string {
	if t, ok := e.Value.(answeredTrace); ok {
		return string(t)
	}
	var d struct {
		Trace string `json:"trace"`
	}
	if json.Unmarshal(e.Detail, &d) != nil {
		return ""
	}
	return d.Trace
}

// chunked runs q with an IN list of ids, 500 at a time.
func (b *Batch) chunked(ids []string, q, tail string, fn func(scan func(...any) error) error) error {
	for part := range slices.Chunk(ids, 500) {
		in, args := inList(part)
		if err := b.eachRow(q+in+tail, args, fn); err != nil {
			return err
		}
	}
	return nil
}

func sortedUnique(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// OutboxRow is one stored outbox message.
type OutboxRow struct {
	Seq       int64
	At        string
	Event     string
	Practice  string
	SessionID string
	ClaimID   string
	Body      string // the NDJSON line without its newline
}

// OutboxRange returns the messages with from <= seq <= to (to 0: no upper bound), at most
// limit (0: all), in order.
func (db *DB) OutboxRange(ctx context.Context, from, to int64, limit int) ([]OutboxRow, error) {
	if to <= 0 {
		to = 1<<62 - 1
	}
	q := `SELECT seq, at, event, practice, session_id, claim_id, body FROM outbox WHERE seq >= ? AND seq <= ? ORDER BY seq`
	args := []any{from, to}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := db.sql.QueryContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	return collectRows(rows, func(sc scanner) (OutboxRow, error) {
		var r OutboxRow
		err := sc.Scan(&r.Seq, &r.At, &r.Event, &r.Practice, &r.SessionID, &r.ClaimID, &r.Body)
		return r, err
	})
}

// Outbox cursors.
const (
	CursorSeq  = "seq"  // the last number handed out
	CursorFile = "file" // written to files through Value
	CursorHTTP = "http" // delivered over HTTP through Value
)

// OutboxCursor is a delivery cursor: delivered through Value; Pending is the end of the
// range being written (files); the HTTP cursor keeps its failures and next attempt.
type OutboxCursor struct {
	Name        string    `json:"name"`
	Value       int64     `json:"value"`
	Pending     int64     `json:"pending"`
	Attempts    int       `json:"attempts"`
	LastError   string    `json:"last_error"`
	NextAttempt time.Time `json:"next_attempt"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// OutboxCursor reads one cursor.
func (db *DB) OutboxCursor(ctx context.Context, name string) (OutboxCursor, error) {
	c := OutboxCursor{Name: name}
	var next, upd string
	err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT value, pending, attempts, last_error, next_attempt, updated_at FROM outbox_cursors WHERE name = ?`), name).
		Scan(&c.Value, &c.Pending, &c.Attempts, &c.LastError, &next, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("store: outbox cursor %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("store: outbox cursor %q: %w", name, err)
	}
	c.NextAttempt, _ = time.Parse(time.RFC3339Nano, next)
	c.UpdatedAt, _ = time.Parse(time.RFC3339Nano, upd)
	return c, nil
}

// ErrCursorMoved is returned when a cursor is no longer where the caller read it: another
// instance moved it first.
var ErrCursorMoved = errors.New("outbox cursor moved by someone else")

// SetOutboxPending records the end of the range about to be written, from the cursor the
// caller read (value and pending both as read), so a crash before Advance rewrites the
// same range.
func (db *DB) SetOutboxPending(ctx context.Context, name string, value, oldPending, pending int64) error {
	return db.cursorUpdate(ctx, `UPDATE outbox_cursors SET pending = ?, updated_at = ? WHERE name = ? AND value = ? AND pending = ?`,
		pending, timestamp(db.now().UTC()), name, value, oldPending)
}

// AdvanceOutbox moves a cursor from the value the caller read to through, clearing
// failures.
func (db *DB) AdvanceOutbox(ctx context.Context, name string, from, through int64) error {
	return db.cursorUpdate(ctx, `UPDATE outbox_cursors SET value = ?, attempts = 0, last_error = '', next_attempt = '', updated_at = ? WHERE name = ? AND value = ?`,
		through, timestamp(db.now().UTC()), name, from)
}

// OutboxFailed records a failed delivery at the cursor's value: the attempt count, the
// error and when to try again.
func (db *DB) OutboxFailed(ctx context.Context, name string, at int64, attempts int, msg string, next time.Time) error {
	return db.cursorUpdate(ctx, `UPDATE outbox_cursors SET attempts = ?, last_error = ?, next_attempt = ?, updated_at = ? WHERE name = ? AND value = ?`,
		attempts, msg, timestamp(next.UTC()), timestamp(db.now().UTC()), name, at)
}

func (db *DB) cursorUpdate(ctx context.Context, q string, args ...any) error {
	res, err := db.sql.ExecContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return fmt.Errorf("store: outbox cursor: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: outbox cursor: %w", err)
	} else if n != 1 {
		return ErrCursorMoved
	}
	return nil
}

// OutboxLast is the last sequence number handed out (0: none).
func (db *DB) OutboxLast(ctx context.Context) (int64, error) {
	c, err := db.OutboxCursor(ctx, CursorSeq)
	return c.Value, err
}

// StatementMessages returns the payment messages (paid, partially paid, denied, reversed)
// of the outbox with the client of each session, oldest first, for patient statements
// (outbox.Statements); clientID "" is every client.
func (db *DB) StatementMessages(ctx context.Context, clientID string) ([]outbox.PaidMessage, error) {
	q := `SELECT o.seq, s.client_id, o.body FROM outbox o JOIN sessions s ON s.id = o.session_id
		WHERE o.event IN ('paid', 'partially_paid', 'denied', 'reversed')`
	var args []any
	if clientID != "" {
		q += ` AND s.client_id = ?`
		args = append(args, clientID)
	}
	q += ` ORDER BY o.seq`
	rows, err := db.sql.QueryContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: statements: %w", err)
	}
	return collectRows(rows, func(sc scanner) (outbox.PaidMessage, error) {
		var r outbox.PaidMessage
		var seq int64
		var body string
		if err := sc.Scan(&seq, &r.ClientID, &body); err != nil {
			return r, err
		}
		if err := json.Unmarshal([]byte(body), &r.Message); err != nil {
			return r, fmt.Errorf("outbox seq %d: %w", seq, err)
		}
		return r, nil
	})
}
