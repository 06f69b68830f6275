package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
)

// ScrubHold is what the last scrub of a ready session found (the intake's dry build or
// the claims step): the error rules that hold it, the configuration keys that cause some
// of them, and every finding of its claim.
type ScrubHold struct {
	Rules      []string         `json:"rules,omitempty"`
	ConfigKeys []string         `json:"config_keys,omitempty"`
	Findings   []claims.Finding `json:"findings"`
}

// Held reports whether the scrub found errors.
func (h *ScrubHold) Held() bool { return h != nil && len(h.Rules) > 0 }

// RuleText is the rules as stored ("" for none or a nil hold).
func (h *ScrubHold) RuleText() string {
	if h == nil {
		return ""
	}
	return strings.Join(h.Rules, ",")
}

// ScrubTarget is a ready session to scrub with the content hash the scrub will see.
type ScrubTarget struct {
	SessionRecord
	Hash string
	// RulesUnread: ScrubHold is not the session's last scrub (a session this batch wrote
	// over an earlier version); recording the scrub reads the rules it replaces.
	RulesUnread bool
}

// scrubColumns are what a dry build reads of a session: not sessionColumns, whose claim
// lookups per row cost more than the scrub itself (ScrubTarget leaves Claim, ClaimState,
// ClaimHold and the timestamps empty).
const scrubColumns = `id, practice, client_id, payer, code, service_date, status, state, auth_number, auth_units, data,
	scrub_rules, scrub_findings, hash`

// UnscrubbedSessions lists the ready sessions whose content was not scrubbed yet (new or
// changed since), by id, at most limit (0: all).
func (db *DB) UnscrubbedSessions(ctx context.Context, limit int) ([]ScrubTarget, error) {
	q := `SELECT ` + scrubColumns + ` FROM ` + db.sessionsBy("sessions_unscrubbed") + ` WHERE state = 'ready' AND scrub_hash <> hash ORDER BY id`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return db.scrubTargets(ctx, q)
}

// ReadySessionsByID reads the ready sessions with these ids (missing or no longer ready ones are
// left out), for the peers a dry build groups a new session with.
func (db *DB) ReadySessionsByID(ctx context.Context, ids []string) ([]ScrubTarget, error) {
	var out []ScrubTarget
	for part := range slices.Chunk(ids, 500) {
		in, args := inList(part)
		got, err := db.scrubTargets(ctx, `SELECT `+scrubColumns+` FROM sessions WHERE state = 'ready' AND id IN `+in, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (db *DB) scrubTargets(ctx context.Context, q string, args ...any) ([]ScrubTarget, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: sessions to scrub: %w", err)
	}
	return collectScrubTargets(rows)
}

func collectScrubTargets(rows *sql.Rows) ([]ScrubTarget, error) {
	return collectRows(rows, func(sc scanner) (ScrubTarget, error) {
		var t ScrubTarget
		var data, rules, findings string
		err := sc.Scan(&t.ID, &t.Practice, &t.ClientID, &t.Payer, &t.Code, &t.Date, &t.Status, &t.State, &t.AuthNumber,
			&t.AuthUnits, &data, &rules, &findings, &t.Hash)
		if err == nil {
			err = json.Unmarshal([]byte(data), &t.Session)
		}
		if err == nil {
			t.ScrubHold, err = scrubHoldOf(rules, findings)
		}
		if err != nil {
			return t, fmt.Errorf("store: sessions to scrub: %s: %w", t.ID, err)
		}
		return t, nil
	})
}

// GroupKey is what may put ready sessions on one claim: the same payer and date of service
// and the same client (or member). A dry build reads the ready sessions that share a key
// with the new ones, so it groups them as the claims step will.
type GroupKey struct{ Payer, Client, Member, Date string }

// ReadyPeers lists the ids of ready sessions that share a payer, date and client with one
// of keys (a claim groups sessions by client id, which every session has). It looks each
// client and day up in sessions_ready_client, so its cost follows the keys, not the ready
// sessions stored.
func (db *DB) ReadyPeers(ctx context.Context, keys []GroupKey) ([]string, error) {
	return readyPeers(keys, func(q string, args ...any) (*sql.Rows, error) {
		return db.sql.QueryContext(ctx, db.Rebind(q), args...)
	}, db.sessionsAsBy("s", "sessions_ready_client"))
}

// readyPeersQuery selects the ready sessions of n client and day pairs, one index lookup
// a pair: the CROSS JOIN keeps SQLite from reading the sessions side first; from is the
// sessions table as s (sessionsAsBy).
func readyPeersQuery(n int, from string) string {
	return `WITH k (client_id, service_date) AS (VALUES ` + valuesList(n, 2) + `)
		SELECT s.id, s.payer, s.service_date, s.client_id FROM k CROSS JOIN ` + from + `
		WHERE s.state = 'ready' AND s.client_id = k.client_id AND s.service_date = k.service_date`
}

func readyPeers(keys []GroupKey, query func(q string, args ...any) (*sql.Rows, error), from string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	type pdc struct{ payer, date, client string }
	want := make(map[pdc]bool, len(keys))
	var pairs [][2]string // client, date
	seen := make(map[[2]string]bool, len(keys))
	for _, k := range keys {
		want[pdc{k.Payer, k.Date, k.Client}] = true
		if p := [2]string{k.Client, k.Date}; k.Client != "" && !seen[p] {
			seen[p] = true
			pairs = append(pairs, p)
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	var out []string
	for part := range slices.Chunk(pairs, rowsPerStatement) {
		args := make([]any, 0, 2*len(part))
		for _, p := range part {
			args = append(args, p[0], p[1])
		}
		rows, err := query(readyPeersQuery(len(part), from), args...)
		if err != nil {
			return nil, fmt.Errorf("store: ready peers: %w", err)
		}
		err = func() error {
			defer rows.Close()
			for rows.Next() {
				var id, payer, date, client string
				if err := rows.Scan(&id, &payer, &date, &client); err != nil {
					return err
				}
				if want[pdc{payer, date, client}] {
					out = append(out, id)
				}
			}
			return rows.Err()
		}()
		if err != nil {
			return nil, fmt.Errorf("store: ready peers: %w", err)
		}
	}
	return out, nil
}

// SessionScrub is the scrub of one session to record: the findings of the claim it is on
// and the content hash they are about. Without a hash (the claims step, which scrubbed
// what it read a moment ago) the findings are recorded but the content is not marked
// scrubbed, so a session the claims step built before intake's scrub saw it is still
// scrubbed once more.
type SessionScrub struct {
	Session  string
	Hash     string
	Findings []claims.Finding
	// Before is the rules the session's last scrub found, as read with the session
	// (ScrubTarget); nil reads them here.
	Before *string
}

// RecordScrubs records scrubs on their sessions in one transaction. Each update expects
// the session still ready and, with a Hash, still that content: a session billed, held or
// changed meanwhile is left alone (a changed one is scrubbed again). A session the scrub
// newly holds, or no longer holds, gets an event. It returns how many it recorded.
func (db *DB) RecordScrubs(ctx context.Context, list []SessionScrub) (int, error) {
	n := 0
	err := db.Batch(ctx, nil, func(b *Batch) error {
		var err error
		n, err = b.RecordScrubs(list)
		return err
	})
	return n, err
}

// RecordScrubs is DB.RecordScrubs in the batch's transaction. A session this batch
// inserted and has not written yet gets its scrub in its insert (the row is still in
// memory: nothing can have changed it); one WriteScrubbing wrote is updated only when the
// scrub found something; the others are updated as DB.RecordScrubs does. The rows
// WriteScrubbing wrote that list does not name are set back to unscrubbed.
func (b *Batch) RecordScrubs(list []SessionScrub) (int, error) {
	n := 0
	var rest, found []SessionScrub
	// First the queued rows: any statement below writes them out.
	for _, s := range list {
		if h, ok := b.scrubbing[s.Session]; ok && h == s.Hash {
			delete(b.scrubbing, s.Session)
			if len(s.Findings) == 0 {
				n++ // written so
				continue
			}
			found = append(found, s)
			continue
		}
		ok, err := b.queuedScrub(s)
		if err != nil {
			return n, err
		}
		if ok {
			n++
			continue
		}
		rest = append(rest, s)
	}
	if err := b.unscrub(); err != nil {
		return n, err
	}
	k, err := b.rescrubWritten(found)
	n += k
	if err != nil {
		return n, err
	}
	var clean []any // id, hash pairs of sessions clean now and before: only marked scrubbed
	for _, s := range rest {
		if len(s.Findings) == 0 && s.Hash != "" && s.Before != nil && *s.Before == "" {
			clean = append(clean, s.Session, s.Hash)
			continue
		}
		ok, err := b.recordScrub(s)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	// Nearly every new session is clean, now and before: only its content is marked
	// scrubbed, by id (the primary key), expecting that content.
	for i := 0; i < len(clean); i += 2 {
		res, err := b.exec(`UPDATE sessions SET scrub_hash = hash WHERE `+b.unlockedSession(`id = ? AND state = 'ready' AND hash = ?`), clean[i], clean[i+1])
		if err != nil {
			return n, fmt.Errorf("store: mark session %s scrubbed: %w", clean[i], err)
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// WriteScrubbing writes the session rows this batch queued (and its other pending writes),
// the ready ones as scrubbed and clean: their inserts are most of what a batch has left to
// write, and written now they run beside the dry build of the same sessions on other
// goroutines instead of after it (intake's ScrubWritten). The caller then records the
// scrub in the same batch (RecordScrubs, with no scrubs when the build failed), which
// updates the few rows it found something on and sets back to unscrubbed those it does
// not name. Nothing outside the transaction sees the rows in between.
func (b *Batch) WriteScrubbing() error {
	if b.scrubbing == nil {
		b.scrubbing = make(map[string]string, len(b.queued))
	}
	for id, at := range b.queued {
		row := b.sessRows[at : at+sessionColumnCount]
		if row[sessionRowState] != StateReady {
			continue
		}
		row[sessionRowScrubHash] = row[sessionRowHash]
		b.scrubbing[id] = row[sessionRowHash].(string)
	}
	return b.flushWrites()
}

// rescrubWritten records the scrubs that found something on rows WriteScrubbing wrote as
// clean: a multi-row UPDATE per rowsPerStatement rows (a statement a row was a round trip
// each on PostgreSQL), each row expected ready with the content scrubbed. The rows are new,
// so any error rule newly holds the session (its event, as for a queued row).
func (b *Batch) rescrubWritten(list []SessionScrub) (int, error) {
	n := 0
	for part := range slices.Chunk(list, rowsPerStatement) {
		args := make([]any, 0, 4*len(part))
		rules := make([][]string, len(part))
		for i, s := range part {
			r, ruleText, findings, err := scrubColumnsOf(s)
			if err != nil {
				return n, err
			}
			rules[i] = r
			args = append(args, s.Session, s.Hash, ruleText, findings)
		}
		rows, err := b.query(`WITH v (id, hash, rules, findings) AS (VALUES `+valuesList(len(part), 4)+`)
			UPDATE sessions SET scrub_rules = v.rules, scrub_findings = v.findings FROM v
			WHERE sessions.id = v.id AND sessions.state = 'ready' AND sessions.hash = v.hash RETURNING sessions.id`, args...)
		if err != nil {
			return n, fmt.Errorf("store: session scrubs: %w", err)
		}
		ids, err := collectRows(rows, scanString)
		if err != nil {
			return n, fmt.Errorf("store: session scrubs: %w", err)
		}
		done := make(map[string]bool, len(ids))
		for _, id := range ids {
			done[id] = true
		}
		for i, s := range part {
			if !done[s.Session] {
				continue
			}
			n++
			if len(rules[i]) > 0 {
				// Rule ids only: messages may quote codes, the history stays PHI-free.
				if err := b.Event(lifecycle.EntitySession, s.Session, lifecycle.ScrubHeld, "", map[string]any{"rules": rules[i]}); err != nil {
					return n, err
				}
			}
		}
	}
	return n, nil
}

// unscrub sets the rows WriteScrubbing wrote and no scrub named back to unscrubbed, for
// ScrubNew.
func (b *Batch) unscrub() error {
	ids := make([]string, 0, len(b.scrubbing))
	for id := range b.scrubbing {
		ids = append(ids, id)
	}
	clear(b.scrubbing)
	slices.Sort(ids)
	for part := range slices.Chunk(ids, idsPerStatement) {
		in, args := inList(part)
		if _, err := b.exec(`UPDATE sessions SET scrub_hash = '' WHERE id IN `+in+` AND state = 'ready' AND scrub_hash = hash`, args...); err != nil {
			return fmt.Errorf("store: unscrubbed sessions: %w", err)
		}
	}
	return nil
}

// queuedScrub records a scrub in the queued insert of a session this batch wrote ready
// with that content; false when there is no such row (written already, or other content).
func (b *Batch) queuedScrub(s SessionScrub) (bool, error) {
	at, ok := b.queued[s.Session]
	if !ok || s.Hash == "" {
		return false, nil
	}
	row := b.sessRows[at : at+sessionColumnCount]
	if row[sessionRowHash] != s.Hash || row[sessionRowState] != StateReady {
		return false, nil
	}
	rules, ruleText, findings, err := scrubColumnsOf(s)
	if err != nil {
		return false, err
	}
	row[sessionRowScrubHash], row[sessionRowScrubHash+1], row[sessionRowScrubHash+2] = s.Hash, ruleText, findings
	if ruleText != "" {
		// A new row had no scrub before: any error rule newly holds it.
		return true, b.Event(lifecycle.EntitySession, s.Session, lifecycle.ScrubHeld, "", map[string]any{"rules": rules})
	}
	return true, nil
}

// scrubColumnsOf is what a scrub stores: the error rules (in finding order, each once),
// them comma-joined, and the findings as JSON ("" for none).
func scrubColumnsOf(s SessionScrub) (rules []string, ruleText, findings string, err error) {
	for _, f := range s.Findings {
		if f.Severity == claims.SeverityError && !slices.Contains(rules, f.Rule) {
			rules = append(rules, f.Rule)
		}
	}
	if len(s.Findings) > 0 {
		d, err := json.Marshal(s.Findings)
		if err != nil {
			return nil, "", "", fmt.Errorf("store: session %s scrub: %w", s.Session, err)
		}
		findings = string(d)
	}
	return rules, strings.Join(rules, ","), findings, nil
}

// writtenSession is the last write of a session in this batch.
type writtenSession struct {
	s      *claims.Session
	exists bool // stored before this put: its row held an earlier scrub
	state  string
	hash   string
	take   claims.UnitMove
}

func (b *Batch) noteWritten(s *claims.Session, exists bool, state, hash string, take claims.UnitMove) {
	if b.written == nil {
		b.written = map[string]*writtenSession{}
	}
	b.written[s.ID] = &writtenSession{s: s, exists: exists, state: state, hash: hash, take: take}
}

// WrittenReady lists, by id, the sessions this batch wrote (new or changed) that it left
// ready, as a scrub in the batch sees them. A session changed later in the batch by a
// statement (units returned, say) is read back from the store instead.
func (b *Batch) WrittenReady() ([]ScrubTarget, error) {
	ids := make([]string, 0, len(b.written))
	for id, w := range b.written {
		if w.state == StateReady {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]ScrubTarget, 0, len(ids))
	for _, id := range ids {
		w := b.written[id]
		k := b.known[id]
		if k == nil || k.hash != w.hash || k.state != StateReady {
			continue // changed by a statement since (known dropped it): ScrubNew reads it later
		}
		out = append(out, ScrubTarget{SessionRecord: SessionRecord{ID: id, Practice: w.s.Practice, ClientID: w.s.Client.ID,
			Payer: w.s.Coverage.Payer, Code: w.s.Service.Code, Date: w.s.Date, Status: w.s.Status, State: StateReady,
			AuthNumber: k.authNumber, AuthUnits: k.authUnits, Session: *w.s}, Hash: w.hash, RulesUnread: w.exists})
	}
	return out, nil
}

// ReadyPeers is DB.ReadyPeers in the batch's transaction, with the peers' content: the
// ready sessions sharing a payer, date and client with one of keys, except those in skip
// (the batch's own, which the caller has). Rows the batch has not written yet are not
// read, so skip must hold every session the batch wrote ready.
func (b *Batch) ReadyPeers(keys []GroupKey, skip map[string]bool) ([]ScrubTarget, error) {
	ids, err := readyPeers(keys, b.queryRaw, b.db.sessionsAsBy("s", "sessions_ready_client"))
	if err != nil {
		return nil, err
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return skip[id] })
	var out []ScrubTarget
	for part := range slices.Chunk(ids, idsPerStatement) {
		in, args := inList(part)
		rows, err := b.queryRaw(`SELECT `+scrubColumns+` FROM sessions WHERE state = 'ready' AND id IN `+in, args...)
		if err != nil {
			return nil, fmt.Errorf("store: ready peers: %w", err)
		}
		got, err := collectScrubTargets(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// AuthUses returns the authorizations with these keys (those that exist) as the batch
// sees them: with the units it consumed and has not written yet.
func (b *Batch) AuthUses(keys []claims.AuthKey) ([]claims.AuthUse, error) {
	if err := b.flushAuthInserts(); err != nil {
		return nil, err
	}
	var out []claims.AuthUse
	byPayer := map[string][]string{}
	for _, k := range keys {
		if st, ok := b.byAuth[k]; ok {
			out = append(out, st.AuthUse)
			continue
		}
		byPayer[k.Payer] = append(byPayer[k.Payer], k.Number)
	}
	payers := make([]string, 0, len(byPayer))
	for p := range byPayer {
		payers = append(payers, p)
	}
	slices.Sort(payers)
	for _, payer := range payers {
		seen := map[string]bool{}
		err := chunks(byPayer[payer], idsPerStatement, func(part []string) error {
			in, args := inList(part)
			// Raw: the batch's unwritten consumption is in byAuth, taken above.
			rows, err := b.queryRaw(`SELECT number, hash, data, used FROM authorizations WHERE payer = ? AND number IN `+in, append([]any{payer}, args...)...)
			if err != nil {
				return err
			}
			out, err = b.appendAuths(out, rows, payer, seen)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("store: authorizations: %w", err)
		}
	}
	return out, nil
}

func (b *Batch) recordScrub(s SessionScrub) (bool, error) {
	rules, ruleText, findings, err := scrubColumnsOf(s)
	if err != nil {
		return false, err
	}
	var before string
	if s.Before != nil {
		before = *s.Before
	} else {
		row, err := b.queryRow(`SELECT scrub_rules FROM sessions WHERE id = ? AND state = 'ready'`, s.Session)
		if err != nil {
			return false, err
		}
		if err := row.Scan(&before); err != nil {
			return false, nil // gone from ready: billed, held or voided meanwhile
		}
	}
	q := `UPDATE sessions SET scrub_rules = ?, scrub_findings = ? WHERE ` + b.unlockedSession(`id = ? AND state = 'ready'`)
	args := []any{ruleText, findings, s.Session}
	if s.Hash != "" {
		q = `UPDATE sessions SET scrub_hash = hash, scrub_rules = ?, scrub_findings = ? WHERE ` + b.unlockedSession(`id = ? AND state = 'ready' AND hash = ?`)
		args = append(args, s.Hash)
	}
	res, err := b.exec(q, args...)
	if err != nil {
		return false, fmt.Errorf("store: session %s scrub: %w", s.Session, err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return false, nil // changed meanwhile: its new content is scrubbed next time
	}
	switch {
	case ruleText != "" && ruleText != before:
		// Rule ids only: messages may quote codes, the history stays PHI-free.
		return true, b.Event(lifecycle.EntitySession, s.Session, lifecycle.ScrubHeld, "", map[string]any{"rules": rules})
	case ruleText == "" && before != "":
		return true, b.Event(lifecycle.EntitySession, s.Session, lifecycle.ScrubCleared, "", map[string]any{"was": strings.Split(before, ",")})
	}
	return true, nil
}

// sessionsBy names the sessions table read through one of its partial indexes. SQLite's
// planner, without statistics, prefers the state index and reads every ready session;
// PostgreSQL's weighs the partial index itself.
func (db *DB) sessionsBy(index string) string {
	if db.dialect.name == "sqlite" {
		return "sessions INDEXED BY " + index
	}
	return "sessions"
}

// sessionsAsBy is sessionsBy with an alias for the table.
func (db *DB) sessionsAsBy(alias, index string) string {
	if db.dialect.name == "sqlite" {
		return "sessions AS " + alias + " INDEXED BY " + index
	}
	return "sessions AS " + alias
}

// unlockedSession is the condition selecting the session row cond names, except, on
// PostgreSQL, while another transaction holds it (filing it, or intake changing it): the
// scrub then leaves that session for the next run instead of waiting with the rows it
// already updated locked, which could deadlock with a filing that waits for one of them.
// SQLite has one writer at a time, so there is nothing to skip.
func (b *Batch) unlockedSession(cond string) string {
	if b.db.dialect.name != "postgres" {
		return cond
	}
	return `id = (SELECT id FROM sessions WHERE ` + cond + ` FOR UPDATE SKIP LOCKED)`
}

// RecordScrub records one scrub in the batch's transaction (see RecordScrubs); the
// claims step records its scrub with the claim it stores.
func (b *Batch) RecordScrub(s SessionScrub) (bool, error) { return b.recordScrub(s) }

// scrubHoldOf decodes the scrub columns of a session row.
func scrubHoldOf(rules, findings string) (*ScrubHold, error) {
	if rules == "" && findings == "" {
		return nil, nil
	}
	h := &ScrubHold{}
	if rules != "" {
		h.Rules = strings.Split(rules, ",")
	}
	if findings != "" {
		if err := json.Unmarshal([]byte(findings), &h.Findings); err != nil {
			return nil, err
		}
	}
	h.ConfigKeys = claims.ConfigKeys(h.Findings)
	return h, nil
}
