package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// FollowUpResult counts what QueueFollowUps did.
type FollowUpResult struct {
	Queued []QueueItem `json:"queued"` // new follow-up items
	Closed int         `json:"closed"` // open items closed because an 835 arrived since
}

// QueueFollowUps opens a follow-up item for each filed claim submitted at least days ago
// that no 835 has spoken of and that is not rejected, corrected or closed, once per claim;
// and closes the open follow-up items of claims an 835 has since paid or denied.
func (db *DB) QueueFollowUps(ctx context.Context, days int) (FollowUpResult, error) {
	var out FollowUpResult
	err := db.Batch(ctx, nil, func(b *Batch) error {
		out = FollowUpResult{}
		cutoff := timestamp(b.now.AddDate(0, 0, -days))
		var due []QueueItem
		err := b.eachRow(`SELECT c.id, c.payer, MIN(f.created_at), c.total_cents
			FROM claims c JOIN claim_submissions s ON s.claim_id = c.id JOIN claim_files f ON f.id = s.file_id
			WHERE c.state IN (?, ?, ?, ?)
				AND NOT EXISTS (SELECT 1 FROM remit_claims r WHERE r.claim_id = c.id)
				AND NOT EXISTS (SELECT 1 FROM queue_items q WHERE q.kind = ? AND q.claim_id = c.id)
			GROUP BY c.id, c.payer, c.total_cents HAVING MIN(f.created_at) <= ? ORDER BY MIN(f.created_at), c.id`,
			[]any{lifecycle.Filed, lifecycle.Submitted, lifecycle.FileAccepted, lifecycle.Accepted, QueueFollowUp, cutoff},
			func(sc func(...any) error) error {
				var claimID, payer, at string
				var total int64
				if err := sc(&claimID, &payer, &at, &total); err != nil {
					return err
				}
				due = append(due, remit.FollowUpItem(claimID, payer, at, x12.Amount(total), days))
				return nil
			})
		if err != nil {
			return fmt.Errorf("follow-up candidates: %w", err)
		}
		for _, it := range due {
			ok, err := b.queue(it)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if err := b.Event(lifecycle.EntityClaim, it.ClaimID, lifecycle.FollowUp, "", map[string]any{"days": days}); err != nil {
				return err
			}
			out.Queued = append(out.Queued, it)
		}
		var done []int64
		if err := b.eachRow(`SELECT id FROM queue_items WHERE kind = ? AND state = ? AND claim_id IN (SELECT claim_id FROM remit_claims)`,
			[]any{QueueFollowUp, QueueOpen}, func(sc func(...any) error) error {
				var id int64
				if err := sc(&id); err != nil {
					return err
				}
				done = append(done, id)
				return nil
			}); err != nil {
			return err
		}
		for _, id := range done {
			if _, err := b.exec(`UPDATE queue_items SET state = ?, outcome = ?, resolved_at = ? WHERE id = ?`,
				QueueResolved, OutcomeRemitted, timestamp(b.now), id); err != nil {
				return err
			}
			if err := b.appendThread(id, []queue.Entry{{At: timestamp(b.now), Who: queue.Engine, What: queue.ActResolve, Text: string(OutcomeRemitted)}}); err != nil {
				return err
			}
			if err := b.Event(lifecycle.EntityQueue, fmt.Sprint(id), lifecycle.QueueResolved, "", map[string]string{"outcome": string(OutcomeRemitted)}); err != nil {
				return err
			}
		}
		out.Closed = len(done)
		return nil
	})
	if err != nil {
		return FollowUpResult{}, fmt.Errorf("store: follow-up: %w", err)
	}
	return out, nil
}

// FollowUpClaim is a claim with an open follow-up item that is due a 276.
type FollowUpClaim struct {
	QueueID int64 `json:"queue_id"`
	// InquiredAt is when the item's last 276 was recorded ("" for none): recording the
	// next one expects it (StatusInquiryRecord.InquiredAt).
	InquiredAt string       `json:"inquired_at,omitempty"`
	Claim      claims.Claim `json:"claim"`
	PayerClaim string       `json:"payer_claim,omitempty"` // from a 277CA or an earlier answer
}

// FollowUpsToInquire lists the claims with an open follow-up item and no 276 sent in the
// last days days: the first inquiry goes out at once, later ones every days days until an
// 835 arrives or a biller resolves the item.
func (db *DB) FollowUpsToInquire(ctx context.Context, days int) ([]FollowUpClaim, error) {
	cutoff := timestamp(db.now().UTC().AddDate(0, 0, -days))
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT q.id, c.data, c.payer_claim_number, q.inquired_at
		FROM queue_items q JOIN claims c ON c.id = q.claim_id
		WHERE q.kind = ? AND q.state = ?
			AND NOT EXISTS (SELECT 1 FROM status_inquiries i WHERE i.claim_id = q.claim_id AND i.created_at > ?)
		ORDER BY q.id`), QueueFollowUp, QueueOpen, cutoff)
	if err != nil {
		return nil, fmt.Errorf("store: follow-ups to inquire: %w", err)
	}
	return collectRows(rows, func(sc scanner) (FollowUpClaim, error) {
		var f FollowUpClaim
		var data string
		if err := sc.Scan(&f.QueueID, &data, &f.PayerClaim, &f.InquiredAt); err != nil {
			return f, err
		}
		if err := json.Unmarshal([]byte(data), &f.Claim); err != nil {
			return f, fmt.Errorf("store: follow-up item %d claim data: %w", f.QueueID, err)
		}
		return f, nil
	})
}

// StatusInquiryRecord is one 276 inquiry sent: its trace and the claim it asks about.
type StatusInquiryRecord struct {
	Trace   string `json:"trace"`
	ClaimID string `json:"claim_id"`
	// QueueID and InquiredAt name the follow-up item asked about and its last inquiry as
	// read (FollowUpClaim); QueueID 0 records the inquiry without claiming an item.
	QueueID    int64  `json:"queue_id,omitempty"`
	InquiredAt string `json:"inquired_at,omitempty"`
}

// RecordStatusInquiries records the inquiries of a 276 file, with an event per claim. It
// commits before the file is published, so a 277 answer always finds its trace. Each
// inquiry claims its follow-up item (its last inquiry still the one read); when another
// instance asked first, nothing is recorded and the error is a *LostWorkError naming the
// traces to leave out.
func (db *DB) RecordStatusInquiries(ctx context.Context, file string, isa int64, inqs []StatusInquiryRecord) error {
	err := db.Batch(ctx, nil, func(b *Batch) error {
		if err := b.claimFollowUps(inqs); err != nil {
			return err
		}
		for _, q := range inqs {
			if _, err := b.exec(`INSERT INTO status_inquiries (trace, claim_id, file_name, isa_control, created_at) VALUES (?, ?, ?, ?, ?)`,
				q.Trace, q.ClaimID, file, isa, timestamp(b.now)); err != nil {
				return fmt.Errorf("inquiry %s: %w", q.Trace, err)
			}
			if err := b.Event(lifecycle.EntityClaim, q.ClaimID, lifecycle.StatusInquiry, file, map[string]any{"trace": q.Trace, "isa": isa}); err != nil {
				return err
			}
		}
		return b.Event(lifecycle.EntityFile, file, lifecycle.File276Written, file, map[string]any{"isa": isa, "inquiries": len(inqs)})
	})
	var lost *LostWorkError
	if err != nil && !errors.As(err, &lost) {
		return fmt.Errorf("store: record 276 %s: %w", file, err)
	}
	return err
}

// StatusFileRecorded reports whether a 276 file of this name was recorded (crash recovery
// of the temp file, as for 837Ps).
func (db *DB) StatusFileRecorded(ctx context.Context, name string) (bool, error) {
	var n int
	if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM status_inquiries WHERE file_name = ?`), name).Scan(&n); err != nil {
		return false, fmt.Errorf("store: 276 file %s: %w", name, err)
	}
	return n > 0, nil
}

// StatusInquiries lists the 276 inquiries sent for a claim, oldest first.
func (db *DB) StatusInquiries(ctx context.Context, claimID string) ([]StatusInquiry, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT trace, claim_id, file_name, isa_control, created_at, answered_at, answer
		FROM status_inquiries WHERE claim_id = ? ORDER BY created_at, trace`), claimID)
	if err != nil {
		return nil, fmt.Errorf("store: status inquiries: %w", err)
	}
	return collectRows(rows, func(sc scanner) (StatusInquiry, error) {
		var s StatusInquiry
		err := sc.Scan(&s.Trace, &s.ClaimID, &s.File, &s.ISAControl, &s.CreatedAt, &s.AnsweredAt, &s.Answer)
		return s, err
	})
}

// StatusInquiry is a recorded 276 inquiry and its answer, if any.
type StatusInquiry struct {
	Trace      string `json:"trace"`
	ClaimID    string `json:"claim_id"`
	File       string `json:"file"`
	ISAControl int64  `json:"isa_control"`
	CreatedAt  string `json:"created_at"`
	AnsweredAt string `json:"answered_at,omitempty"`
	Answer     string `json:"answer,omitempty"` // STC01 category:status
}

// ClaimResubmission is what a corrected claim is built from: the claim, its sessions as
// they are now, and the numbers the new claim takes.
type ClaimResubmission struct {
	Claim      claims.Claim
	Sessions   []claims.Session // current data: a pending replacement's data, voided sessions left out
	PayerClaim string           // for REF*F8; "" when the payer never adjudicated the claim
	State      lifecycle.State
	Version    int            // next replacement number of the family (as PendingResubmissions counts)
	Originals  int            // originals (frequency 1) the family has, for a corrected original's number
	Taken      map[string]int // authorization units ("payer/number") the sessions already hold
	// Practice is Sessions as the practice system sends them, without the biller's
	// corrections; Overrides the corrections by session id; Updated each session's
	// updated_at as read (a correction stored with the resolution expects it unchanged).
	Practice  []claims.Session
	Overrides map[string][]claims.Override
	Updated   map[string]string
}

// ClaimForResubmission gathers what resubmitting a claim needs.
func (db *DB) ClaimForResubmission(ctx context.Context, id string) (ClaimResubmission, error) {
	var r ClaimResubmission
	rec, err := db.Claim(ctx, id)
	if err != nil {
		return r, err
	}
	r.Claim = rec.Claim
	if r.State, r.PayerClaim, err = db.ClaimState(ctx, id); err != nil {
		return r, err
	}
	if r.Version, err = db.nextVersion(ctx, rec.BaseID); err != nil {
		return r, fmt.Errorf("store: claim %s family: %w", id, err)
	}
	if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM claims WHERE base_id = ? AND frequency = ?`),
		rec.BaseID, claims.FrequencyOriginal).Scan(&r.Originals); err != nil {
		return r, fmt.Errorf("store: claim %s family: %w", id, err)
	}
	sn, err := db.resubmissionSessions(ctx, rec.Claim.SessionIDs)
	if err != nil {
		return r, err
	}
	r.Sessions, r.Taken, r.Practice, r.Overrides, r.Updated = sn.sessions, sn.taken, sn.practice, sn.overrides, sn.updated
	return r, nil
}

// AdoptSessions points the sessions of a claim family at claimID and applies their pending
// changes: what a corrected original (a new frequency-1 claim after a rejection) does at
// once, since filing an original does not (only replacements and voids do).
func (b *Batch) AdoptSessions(claimID string) error {
	return b.resubmitSessions(claimID, claims.ControlBase(claimID))
}
