package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/x12"
)

// QueueItem is package queue's item: the store records it, the CLI and the web UI show it.
type QueueItem = queue.Item

// Queue kinds, states and outcomes, as package queue names them.
const (
	QueueRejections = queue.Rejections
	QueueDenials    = queue.Denials
	QueueAppeals    = queue.Appeals
	QueueFollowUp   = queue.FollowUp
	QueueReview     = queue.Review

	QueueOpen     = queue.Open
	QueueResolved = queue.Resolved

	OutcomeResubmitted = queue.Resubmitted
	OutcomeAppealSent  = queue.AppealSent
	OutcomeWrittenOff  = queue.WrittenOff
	OutcomeAppealWon   = queue.AppealWon
	OutcomeAppealLost  = queue.AppealLost
	OutcomeNoAction    = queue.NoAction
	// OutcomeRemitted closes a follow-up item by itself once an 835 for the claim is posted.
	OutcomeRemitted = queue.Remitted
)

// enqueue opens it (unless already open: see queue) and counts it in out.Queued.
func (b *Batch) enqueue(it QueueItem, out *ApplyResult) error {
	ok, err := b.queue(it)
	if ok {
		out.Queued++
		if it.Kind == QueueReview {
			out.Review++
		}
	}
	return err
}

// enqueueMany opens items like enqueue, with multi-row statements (one statement per run
// of items of one kind, so the review count stays exact): posting a large 835 opens an
// item for most claims, and one statement per item was a sixth of its cost. Items with a
// thread go through enqueue, which needs each new item's id.
func (b *Batch) enqueueMany(items []QueueItem, out *ApplyResult) error {
	for len(items) > 0 {
		n := 1
		for n < len(items) && n < 100 && items[n].Kind == items[0].Kind && len(items[n].Thread) == 0 {
			n++
		}
		if len(items[0].Thread) > 0 {
			if err := b.enqueue(items[0], out); err != nil {
				return err
			}
			items = items[1:]
			continue
		}
		rows := make([][]any, n)
		for i, it := range items[:n] {
			rows[i] = []any{string(it.Kind), it.ClaimID, it.Line, it.Payer, it.Reason, it.Category, it.Action, it.Message, it.Due,
				int64(it.Amount), it.Source, string(QueueOpen), it.Assignee, b.nowStamp()}
		}
		k, err := b.insertSparse(queueItemsTable, rows, ` ON CONFLICT (kind, claim_id, line_no, reason, source) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("queue %s: %w", items[0].Kind, err)
		}
		out.Queued += int(k)
		if items[0].Kind == QueueReview {
			out.Review += int(k)
		}
		items = items[n:]
	}
	return nil
}

// queue opens an item, with its assignee and thread when it has them; an item with the
// same kind, claim, line, reason and source is opened once (false then).
func (b *Batch) queue(it QueueItem) (bool, error) {
	res, err := b.exec(`INSERT INTO queue_items (kind, claim_id, line_no, payer, reason, category, action, message, due, amount_cents, source, state, assignee, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, claim_id, line_no, reason, source) DO NOTHING`,
		string(it.Kind), it.ClaimID, it.Line, it.Payer, it.Reason, it.Category, it.Action, it.Message, it.Due, int64(it.Amount), it.Source,
		string(QueueOpen), it.Assignee, b.nowStamp())
	if err != nil {
		return false, fmt.Errorf("queue %s %s: %w", it.Kind, it.ClaimID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if len(it.Thread) == 0 {
		return true, nil
	}
	var id int64
	err = b.eachRow(`SELECT id FROM queue_items WHERE kind = ? AND claim_id = ? AND line_no = ? AND reason = ? AND source = ?`,
		[]any{string(it.Kind), it.ClaimID, it.Line, it.Reason, it.Source}, func(sc func(...any) error) error { return sc(&id) })
	if err != nil {
		return false, fmt.Errorf("queue %s %s: %w", it.Kind, it.ClaimID, err)
	}
	return true, b.appendThread(id, it.Thread)
}

// appendThread adds entries to an item's thread, in order.
func (b *Batch) appendThread(id int64, entries []queue.Entry) error {
	for _, e := range entries {
		if _, err := b.exec(`INSERT INTO queue_thread (item_id, at, who, what, body, from_item) VALUES (?, ?, ?, ?, ?, ?)`,
			id, e.At, e.Who, string(e.What), e.Text, e.From); err != nil {
			return fmt.Errorf("queue item %d thread: %w", id, err)
		}
	}
	return nil
}

// noteOpen adds a note to the open items of a kind and claim (a 277 answer on a claim
// being followed up), by the engine itself.
func (b *Batch) noteOpen(kind queue.Kind, claimID, note string) error {
	var ids []int64
	err := b.eachRow(`SELECT id FROM queue_items WHERE kind = ? AND claim_id = ? AND state = ? ORDER BY id`,
		[]any{string(kind), claimID, string(QueueOpen)}, func(sc func(...any) error) error {
			var id int64
			err := sc(&id)
			ids = append(ids, id)
			return err
		})
	if err != nil {
		return fmt.Errorf("queue %s %s: %w", kind, claimID, err)
	}
	for _, id := range ids {
		if err := b.appendThread(id, []queue.Entry{{At: timestamp(b.now), Who: queue.Engine, What: queue.ActNote, Text: note}}); err != nil {
			return err
		}
	}
	return nil
}

const queueCols = `id, kind, claim_id, line_no, payer, reason, category, action, message, due, amount_cents, source, state,
	assignee, outcome, created_at, resolved_at`

func scanQueue(sc scanner) (QueueItem, error) {
	var it QueueItem
	var amt int64
	err := sc.Scan(&it.ID, &it.Kind, &it.ClaimID, &it.Line, &it.Payer, &it.Reason, &it.Category, &it.Action, &it.Message,
		&it.Due, &amt, &it.Source, &it.State, &it.Assignee, &it.Outcome, &it.CreatedAt, &it.ResolvedAt)
	it.Amount = x12.Amount(amt)
	return it, err
}

// QueueFilter selects queue items; empty fields match everything.
type QueueFilter struct {
	Kind     queue.Kind
	ClaimID  string
	OpenOnly bool
}

const queueWhere = `(? = '' OR kind = ?) AND (? = '' OR claim_id = ?) AND (? = 0 OR state = 'open')`

func (f QueueFilter) args() []any {
	return []any{string(f.Kind), string(f.Kind), f.ClaimID, f.ClaimID, boolInt(f.OpenOnly)}
}

// QueueItems lists queue items with their threads, the nearest deadline first.
func (db *DB) QueueItems(ctx context.Context, f QueueFilter) ([]QueueItem, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT `+queueCols+` FROM queue_items WHERE `+queueWhere+`
		ORDER BY CASE WHEN due = '' THEN 1 ELSE 0 END, due, id`), f.args()...)
	if err != nil {
		return nil, fmt.Errorf("store: queue: %w", err)
	}
	items, err := collectRows(rows, func(sc scanner) (QueueItem, error) {
		it, err := scanQueue(sc)
		if err != nil {
			return it, fmt.Errorf("store: queue: %w", err)
		}
		return it, nil
	})
	if err != nil || len(items) == 0 {
		return items, err
	}
	threads, err := db.threads(ctx, `item_id IN (SELECT id FROM queue_items WHERE `+queueWhere+`)`, f.args()...)
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i].Thread = threads[items[i].ID]
	}
	return items, nil
}

// threads reads the thread entries of the items where selects, by item.
func (db *DB) threads(ctx context.Context, where string, args ...any) (map[int64][]queue.Entry, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT item_id, at, who, what, body, from_item FROM queue_thread WHERE `+where+` ORDER BY id`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: queue thread: %w", err)
	}
	defer rows.Close()
	out := map[int64][]queue.Entry{}
	for rows.Next() {
		var id int64
		var e queue.Entry
		if err := rows.Scan(&id, &e.At, &e.Who, &e.What, &e.Text, &e.From); err != nil {
			return nil, fmt.Errorf("store: queue thread: %w", err)
		}
		out[id] = append(out[id], e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: queue thread: %w", err)
	}
	return out, nil
}

// QueueItem returns one queue item with its thread, or ErrNotFound.
func (db *DB) QueueItem(ctx context.Context, id int64) (QueueItem, error) {
	it, err := scanQueue(db.sql.QueryRowContext(ctx, db.Rebind(`SELECT `+queueCols+` FROM queue_items WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, fmt.Errorf("store: queue item %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return it, fmt.Errorf("store: queue item %d: %w", id, err)
	}
	th, err := db.threads(ctx, `item_id = ?`, id)
	if err != nil {
		return it, err
	}
	it.Thread = th[id]
	return it, nil
}

// ApplyQueueChange records an assignment or a note (queue.Record) on it. A stored item
// must still be open; a hold (no stored item) has its thread in its subject's history.
func (db *DB) ApplyQueueChange(ctx context.Context, it QueueItem, c queue.Change, source string) error {
	err := db.Batch(ctx, nil, func(b *Batch) error {
		if it.ID != 0 {
			if err := b.updateOpen(it.ID, c.Entries, `assignee = CASE WHEN ? = '' THEN assignee ELSE ? END`, c.Assignee, c.Assignee); err != nil {
				return err
			}
		}
		return b.planEvent(c.Event, source)
	})
	if err != nil {
		return fmt.Errorf("store: queue item %s: %w", it.Key(), err)
	}
	return nil
}

// updateOpen sets columns (set, with args) of item id, which must still be open, and
// appends entries to its thread. It changes exactly that item or nothing: an item gone is
// ErrNotFound, one resolved meanwhile queue.ErrResolved.
func (b *Batch) updateOpen(id int64, entries []queue.Entry, set string, args ...any) error {
	res, err := b.exec(`UPDATE queue_items SET `+set+` WHERE id = ? AND state = ?`, append(args, id, string(QueueOpen))...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		return b.appendThread(id, entries)
	}
	var st string
	err = b.eachRow(`SELECT state FROM queue_items WHERE id = ?`, []any{id}, func(sc func(...any) error) error { return sc(&st) })
	switch {
	case err != nil:
		return err
	case st == "":
		return ErrNotFound
	}
	return queue.ErrResolved
}

func (b *Batch) planEvent(e queue.Event, source string) error {
	return b.Event(e.Entity, e.ID, e.Kind, source, e.Detail)
}

// Resubmission is the corrected claim a resubmitted item is stored with, built and scrubbed
// before the transaction.
type Resubmission struct {
	Claim  *claims.Claim
	Result claims.Result
	// Adopt moves the sessions onto the new claim: filing an original does not move them
	// from the rejected claim.
	Adopt bool
	// Overrides are the biller's corrections the claim was built with, stored with it;
	// Updated the corrected sessions' updated_at as read (ClaimResubmission.Updated).
	Overrides []claims.Override
	Updated   map[string]string
}

// ApplyResolution applies a resolution plan (queue.Resolve) in one transaction: the item
// resolved (it must still be open), its thread, the claim's move, the follow-up items with
// their threads, the events, and the corrected claim of a resubmission (nil otherwise).
// It returns the state the corrected claim was stored in ("" without one).
func (db *DB) ApplyResolution(ctx context.Context, p queue.Plan, source string, r *Resubmission) (string, error) {
	var state string
	it := p.Item
	err := db.Batch(ctx, nil, func(b *Batch) error {
		state = ""
		if err := b.updateOpen(it.ID, p.Entries, `state = ?, outcome = ?, resolved_at = ?`, string(it.State), string(it.Outcome), it.ResolvedAt); err != nil {
			return err
		}
		if p.To != "" && it.ClaimID != "" {
			if _, err := b.MoveClaim(it.ClaimID, p.To, source, p.MoveDetail()); err != nil {
				return err
			}
		}
		for _, f := range p.FollowUps {
			if _, err := b.queue(f); err != nil {
				return err
			}
		}
		for _, e := range p.Events {
			if err := b.planEvent(e, source); err != nil {
				return err
			}
		}
		if r == nil {
			return nil
		}
		if err := b.putCorrections(r.Overrides, r.Updated); err != nil {
			return err
		}
		var err error
		var st lifecycle.State
		if st, err = b.PutClaim(r.Claim, r.Result); err != nil {
			return err
		}
		state = string(st)
		if r.Adopt {
			return b.AdoptSessions(r.Claim.ID)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: resolve queue item %d: %w", it.ID, err)
	}
	return state, nil
}
