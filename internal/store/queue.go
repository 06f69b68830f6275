package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// Queue kinds and states.
const (
	QueueRejections = "rejections"
	QueueDenials    = "denials"
	QueueAppeals    = "appeals"
	QueueFollowUp   = "follow-up"
	QueueReview     = "review" // unbalanced 835s, remittances for claims we do not know

	QueueOpen     = "open"
	QueueResolved = "resolved"
)

// Queue outcomes a biller resolves an item with.
const (
	OutcomeResubmitted = "resubmitted" // sent again as a replacement (frequency 7) or corrected original
	OutcomeAppealSent  = "appeal_sent"
	OutcomeWrittenOff  = "written_off"
	OutcomeAppealWon   = "appeal_won"
	OutcomeAppealLost  = "appeal_lost"
	OutcomeNoAction    = "no_action"
)

// enqueue opens it (unless already open: see queue) and counts it in out.Queued.
func (b *Batch) enqueue(it QueueItem, out *ApplyResult) error {
	ok, err := b.queue(it)
	if ok {
		out.Queued++
	}
	return err
}

func (b *Batch) queue(it QueueItem) (bool, error) {
	res, err := b.exec(`INSERT INTO queue_items (kind, claim_id, line_no, payer, reason, category, action, message, due, amount_cents, source, state, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, claim_id, line_no, reason, source) DO NOTHING`,
		it.Kind, it.ClaimID, it.Line, it.Payer, it.Reason, it.Category, it.Action, it.Message, it.Due, int64(it.Amount), it.Source,
		QueueOpen, timestamp(b.now))
	if err != nil {
		return false, fmt.Errorf("queue %s %s: %w", it.Kind, it.ClaimID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// QueueItem is one piece of work for a biller: a rejected claim, a denial, an appeal to
// send or follow, a claim with no answer, a remittance to review.
type QueueItem struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	ClaimID    string     `json:"claim_id"`
	Line       int        `json:"line,omitempty"`
	Payer      string     `json:"payer,omitempty"`
	Reason     string     `json:"reason"`
	Category   string     `json:"category,omitempty"`
	Action     string     `json:"action,omitempty"`
	Message    string     `json:"message,omitempty"`
	Due        string     `json:"due,omitempty"`
	Amount     x12.Amount `json:"amount"`
	Source     string     `json:"source,omitempty"`
	State      string     `json:"state"`
	Assignee   string     `json:"assignee,omitempty"`
	Notes      string     `json:"notes,omitempty"`
	Outcome    string     `json:"outcome,omitempty"`
	CreatedAt  string     `json:"created_at"`
	ResolvedAt string     `json:"resolved_at,omitempty"`
}

const queueCols = `id, kind, claim_id, line_no, payer, reason, category, action, message, due, amount_cents, source, state,
	assignee, notes, outcome, created_at, resolved_at`

func scanQueue(sc scanner) (QueueItem, error) {
	var it QueueItem
	var amt int64
	err := sc.Scan(&it.ID, &it.Kind, &it.ClaimID, &it.Line, &it.Payer, &it.Reason, &it.Category, &it.Action, &it.Message,
		&it.Due, &amt, &it.Source, &it.State, &it.Assignee, &it.Notes, &it.Outcome, &it.CreatedAt, &it.ResolvedAt)
	it.Amount = x12.Amount(amt)
	return it, err
}

// QueueFilter selects queue items; empty fields match everything.
type QueueFilter struct {
	Kind     string
	ClaimID  string
	OpenOnly bool
}

// QueueItems lists queue items, the nearest deadline first.
func (db *DB) QueueItems(ctx context.Context, f QueueFilter) ([]QueueItem, error) {
	q := `SELECT ` + queueCols + ` FROM queue_items WHERE (? = '' OR kind = ?) AND (? = '' OR claim_id = ?) AND (? = 0 OR state = 'open')
		ORDER BY CASE WHEN due = '' THEN 1 ELSE 0 END, due, id`
	rows, err := db.sql.QueryContext(ctx, db.Rebind(q), f.Kind, f.Kind, f.ClaimID, f.ClaimID, boolInt(f.OpenOnly))
	if err != nil {
		return nil, fmt.Errorf("store: queue: %w", err)
	}
	return collectRows(rows, func(sc scanner) (QueueItem, error) {
		it, err := scanQueue(sc)
		if err != nil {
			return it, fmt.Errorf("store: queue: %w", err)
		}
		return it, nil
	})
}

// QueueItem returns one queue item or ErrNotFound.
func (db *DB) QueueItem(ctx context.Context, id int64) (QueueItem, error) {
	it, err := scanQueue(db.sql.QueryRowContext(ctx, db.Rebind(`SELECT `+queueCols+` FROM queue_items WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, ErrNotFound
	}
	if err != nil {
		return it, fmt.Errorf("store: queue item %d: %w", id, err)
	}
	return it, nil
}

// AssignQueueItem sets who works an item.
func (db *DB) AssignQueueItem(ctx context.Context, id int64, who string) error {
	return db.updateQueue(ctx, id, "assigned", `UPDATE queue_items SET assignee = ? WHERE id = ?`, who, id)
}

// NoteQueueItem appends a note to an item.
func (db *DB) NoteQueueItem(ctx context.Context, id int64, note string) error {
	return db.updateQueue(ctx, id, "noted", `UPDATE queue_items SET notes = CASE WHEN notes = '' THEN ? ELSE notes || '
' || ? END WHERE id = ?`, note, note, id)
}

func (db *DB) updateQueue(ctx context.Context, id int64, kind, q string, args ...any) error {
	return db.Batch(ctx, nil, func(b *Batch) error {
		res, err := b.exec(q, args...)
		if err != nil {
			return fmt.Errorf("store: queue item %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: queue item %d: %w", id, ErrNotFound)
		}
		return b.Event("queue", fmt.Sprint(id), kind, "", nil)
	})
}

// ResolveQueueItem closes an item with an outcome. Resolving moves the claim on: appeal
// sent -> appealed (and an appeals item to follow, due at the appeal deadline);
// resubmitted -> corrected; written off -> closed; an appeals item won or lost closes the
// appeal. Building the replacement claim itself is the claims package's job: see
// ResolveQueueItemWith.
func (db *DB) ResolveQueueItem(ctx context.Context, id int64, outcome, note string) (QueueItem, error) {
	return db.ResolveQueueItemWith(ctx, id, outcome, note, nil)
}

// ResolveQueueItemWith resolves an item like ResolveQueueItem and runs also in the same
// transaction (when not nil), so a resubmission's new claim is stored together with the
// resolution or not at all.
func (db *DB) ResolveQueueItemWith(ctx context.Context, id int64, outcome, note string, also func(b *Batch, it QueueItem) error) (QueueItem, error) {
	switch outcome {
	case OutcomeResubmitted, OutcomeAppealSent, OutcomeWrittenOff, OutcomeAppealWon, OutcomeAppealLost, OutcomeNoAction:
	default:
		return QueueItem{}, fmt.Errorf("store: queue item %d: unknown outcome %q", id, outcome)
	}
	it, err := db.QueueItem(ctx, id)
	if err != nil {
		return it, err
	}
	if it.State == QueueResolved {
		return it, fmt.Errorf("store: queue item %d is already resolved (%s)", id, it.Outcome)
	}
	err = db.Batch(ctx, nil, func(b *Batch) error {
		if err := b.resolveItem(it, id, outcome, note); err != nil {
			return err
		}
		if also != nil {
			return also(b, it)
		}
		return nil
	})
	if err != nil {
		return it, fmt.Errorf("store: resolve queue item %d: %w", id, err)
	}
	return db.QueueItem(ctx, id)
}

func (b *Batch) resolveItem(it QueueItem, id int64, outcome, note string) error {
	if _, err := b.exec(`UPDATE queue_items SET state = ?, outcome = ?, resolved_at = ?,
			notes = CASE WHEN ? = '' THEN notes WHEN notes = '' THEN ? ELSE notes || '
' || ? END WHERE id = ?`,
		QueueResolved, outcome, timestamp(b.now), note, note, note, id); err != nil {
		return err
	}
	if err := b.Event("queue", fmt.Sprint(id), "resolved", "", map[string]string{"outcome": outcome, "claim": it.ClaimID}); err != nil {
		return err
	}
	if it.ClaimID == "" {
		return nil
	}
	detail := map[string]any{"queue_item": id, "outcome": outcome}
	switch outcome {
	case OutcomeAppealSent:
		if _, err := b.moveClaim(it.ClaimID, remit.StateAppealed, "", "", 0, detail); err != nil {
			return err
		}
		_, err := b.queue(QueueItem{Kind: QueueAppeals, ClaimID: it.ClaimID, Line: it.Line, Payer: it.Payer, Reason: it.Reason,
			Category: it.Category, Action: "follow appeal", Message: it.Message, Due: it.Due, Amount: it.Amount,
			Source: fmt.Sprintf("queue:%d", id)})
		return err
	case OutcomeResubmitted:
		_, err := b.moveClaim(it.ClaimID, remit.StateCorrected, "", "", 0, detail)
		return err
	case OutcomeWrittenOff:
		_, err := b.moveClaim(it.ClaimID, remit.StateClosed, "", "", 0, detail)
		return err
	case OutcomeAppealWon, OutcomeAppealLost:
		return b.Event("claim", it.ClaimID, outcome, "", detail)
	}
	return nil
}
