package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
)

// ErrChanged is a guarded write whose row changed since it was read (another instance, a
// re-sent session): nothing was written; read again and retry.
var ErrChanged = errors.New("changed meanwhile")

// SessionCorrections returns the biller's corrections of the sessions, by session id.
func (db *DB) SessionCorrections(ctx context.Context, ids ...string) (map[string][]claims.Override, error) {
	out := map[string][]claims.Override{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids)
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT session_id, field, value, practice, claim_id, who, at FROM session_corrections
		WHERE session_id IN `+in+` ORDER BY session_id, field`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: session corrections: %w", err)
	}
	list, err := collectRows(rows, func(sc scanner) (claims.Override, error) {
		var o claims.Override
		var f string
		err := sc.Scan(&o.SessionID, &f, &o.Value, &o.Practice, &o.ClaimID, &o.Who, &o.At)
		o.Field = claims.Field(f)
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: session corrections: %w", err)
	}
	for _, o := range list {
		out[o.SessionID] = append(out[o.SessionID], o)
	}
	return out, nil
}

// putCorrections stores a correction's overrides, each expecting its session as it was
// read (updated_at): a session the practice system re-sent in between fails the whole
// resolution (ErrChanged) rather than pairing the correction with data nobody looked at.
func (b *Batch) putCorrections(ovs []claims.Override, updated map[string]string) error {
	checked := map[string]bool{}
	for _, o := range ovs {
		if !checked[o.SessionID] {
			checked[o.SessionID] = true
			r, err := b.exec(`UPDATE sessions SET updated_at = updated_at WHERE id = ? AND updated_at = ?`, o.SessionID, updated[o.SessionID])
			if err := oneRow(r, err); err != nil {
				return fmt.Errorf("session %s: %w", o.SessionID, ErrChanged)
			}
		}
		if _, err := b.exec(`INSERT INTO session_corrections (session_id, field, value, practice, claim_id, who, at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (session_id, field) DO UPDATE SET value = excluded.value, practice = excluded.practice, claim_id = excluded.claim_id,
			who = excluded.who, at = excluded.at`, o.SessionID, string(o.Field), o.Value, o.Practice, o.ClaimID, o.Who, o.At); err != nil {
			return fmt.Errorf("session %s correction %s: %w", o.SessionID, o.Field, err)
		}
	}
	return nil
}

// ApplyConflictPick stores a biller's pick on a correction conflict
// (claims.ResolveConflict): the override as it was read (value and practice value) is
// replaced by keep, or dropped when keep is nil; one row, else ErrChanged and nothing
// changes. The change is recorded on the session.
func (db *DB) ApplyConflictPick(ctx context.Context, was claims.Override, keep *claims.Override, ch claims.FieldChange, pick claims.Pick, who, source string) error {
	err := db.Batch(ctx, nil, func(b *Batch) error {
		var r sql.Result
		var err error
		if keep != nil {
			r, err = b.exec(`UPDATE session_corrections SET practice = ?, who = ?, at = ? WHERE session_id = ? AND field = ? AND value = ? AND practice = ?`,
				keep.Practice, keep.Who, keep.At, was.SessionID, string(was.Field), was.Value, was.Practice)
		} else {
			r, err = b.exec(`DELETE FROM session_corrections WHERE session_id = ? AND field = ? AND value = ? AND practice = ?`,
				was.SessionID, string(was.Field), was.Value, was.Practice)
		}
		if err := oneRow(r, err); err != nil {
			return fmt.Errorf("correction %s of session %s: %w", was.Field, was.SessionID, ErrChanged)
		}
		return b.Event(lifecycle.EntitySession, was.SessionID, lifecycle.CorrectionConflict, source,
			correctionDetail(ch, who, map[string]any{"pick": string(pick)}))
	})
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// correctionDetail is the detail of a correction recorded in the history.
func correctionDetail(ch claims.FieldChange, who string, extra map[string]any) map[string]any {
	d := map[string]any{"who": who, "field": string(ch.Field), "old": ch.Old, "new": ch.New, "change": ch.Words()}
	if ch.Line > 0 {
		d["line"] = ch.Line
	}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

// SessionAsSent returns a session as the practice system sends it now (a pending re-send's
// data, else the stored data) and the biller's corrections of it; ok is false for a
// voided session or one without corrections.
func (db *DB) SessionAsSent(ctx context.Context, id string) (s claims.Session, ovs []claims.Override, ok bool, err error) {
	all, err := db.SessionCorrections(ctx, id)
	if err != nil || len(all[id]) == 0 {
		return s, nil, false, err
	}
	sn, err := db.resubmissionSessions(ctx, []string{id})
	if err != nil || len(sn.practice) == 0 {
		return s, nil, false, err
	}
	return sn.practice[0], sn.overrides[id], true, nil
}

// CorrectedSessions lists the sessions that carry a biller's correction (few: corrections
// are made one claim at a time), for finding the conflicts among them.
func (db *DB) CorrectedSessions(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT DISTINCT session_id FROM session_corrections ORDER BY session_id`)
	if err != nil {
		return nil, fmt.Errorf("store: corrected sessions: %w", err)
	}
	return collectRows(rows, scanString)
}
