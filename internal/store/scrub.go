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

// ReadyPeers lists the ids of ready sessions that share a payer, date and client or member
// with one of keys. It reads four short columns of the ready sessions, not their content.
func (db *DB) ReadyPeers(ctx context.Context, keys []GroupKey) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	type pd struct{ payer, date, who string }
	want := make(map[pd]bool, 2*len(keys))
	for _, k := range keys {
		want[pd{k.Payer, k.Date, "c:" + k.Client}] = true
		want[pd{k.Payer, k.Date, "m:" + k.Member}] = true
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, payer, service_date, client_id, member_id FROM sessions WHERE state = 'ready'`)
	if err != nil {
		return nil, fmt.Errorf("store: ready peers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, payer, date, client, member string
		if err := rows.Scan(&id, &payer, &date, &client, &member); err != nil {
			return nil, fmt.Errorf("store: ready peers: %w", err)
		}
		if (client != "" && want[pd{payer, date, "c:" + client}]) || (member != "" && want[pd{payer, date, "m:" + member}]) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
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
		n = 0
		var clean []any // id, hash pairs of sessions clean now and before: only marked scrubbed
		for _, s := range list {
			if len(s.Findings) == 0 && s.Hash != "" && s.Before != nil && *s.Before == "" {
				clean = append(clean, s.Session, s.Hash)
				continue
			}
			ok, err := b.recordScrub(s)
			if err != nil {
				return err
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
				return fmt.Errorf("store: mark session %s scrubbed: %w", clean[i], err)
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	return n, err
}

func (b *Batch) recordScrub(s SessionScrub) (bool, error) {
	var rules []string
	for _, f := range s.Findings {
		if f.Severity == claims.SeverityError && !slices.Contains(rules, f.Rule) {
			rules = append(rules, f.Rule)
		}
	}
	findings := ""
	if len(s.Findings) > 0 {
		d, err := json.Marshal(s.Findings)
		if err != nil {
			return false, fmt.Errorf("store: session %s scrub: %w", s.Session, err)
		}
		findings = string(d)
	}
	ruleText := strings.Join(rules, ",")
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
