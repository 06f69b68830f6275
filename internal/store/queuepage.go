package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/edigate/edigate/queue"
)

// QueuePageFilter selects the open items of one queue for a page; empty fields match
// everything. Assignee "none" selects unassigned items. Until keeps items due on or before
// it (YYYY-MM-DD), dated ones only.
type QueuePageFilter struct {
	Kind                      queue.Kind
	Payer, Assignee, Category string
	Until                     string
	Page                      Page
	// FilingDays is each payer's timely-filing limit, for the holds queue whose deadline
	// is computed (held sessions and claims store their date of service, not a due date).
	FilingDays map[string]int
}

// QueueSummary is what the dashboard says about one queue.
type QueueSummary struct {
	Open, Overdue int
	Nearest       string // the nearest deadline, "" when none
}

func (f QueuePageFilter) storedWhere() (string, []any) {
	where := []string{"kind = ?", "state = 'open'"}
	args := []any{string(f.Kind)}
	for _, c := range []struct{ col, v string }{{"payer", f.Payer}, {"category", f.Category}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	switch f.Assignee {
	case "":
	case "none":
		where = append(where, "assignee = ''")
	default:
		where = append(where, "assignee = ?")
		args = append(args, f.Assignee)
	}
	if f.Until != "" {
		where = append(where, "due <> '' AND due <= ?")
		args = append(args, f.Until)
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// QueuePage returns one page of a stored queue's open items (nearest deadline first, then
// undated ones) with their threads, and how many match in all. The holds queue is not
// stored: see HoldPage.
func (db *DB) QueuePage(ctx context.Context, f QueuePageFilter) ([]QueueItem, int, error) {
	cond, args := f.storedWhere()
	var total, dated int
	if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN due <> '' THEN 1 ELSE 0 END), 0)
		FROM queue_items`+cond), args...).Scan(&total, &dated); err != nil {
		return nil, 0, fmt.Errorf("store: queue %s page count: %w", f.Kind, err)
	}
	// Dated items first straight off queue_items_page (kind, state, due, id), then the
	// undated ones: one ORDER BY over both would sort every open item for each page.
	limit := f.Page.Limit
	if limit <= 0 {
		limit = 50
	}
	limit, offset := min(limit, MaxPageSize), max(f.Page.Offset, 0)
	var items []QueueItem
	read := func(extra string, p Page) error {
		lim, largs := p.sql()
		rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT `+queueCols+` FROM queue_items`+cond+extra+lim),
			append(append([]any{}, args...), largs...)...)
		if err != nil {
			return fmt.Errorf("store: queue %s page: %w", f.Kind, err)
		}
		got, err := collectRows(rows, scanQueue)
		if err != nil {
			return fmt.Errorf("store: queue %s page: %w", f.Kind, err)
		}
		items = append(items, got...)
		return nil
	}
	if offset < dated {
		if err := read(` AND due <> '' ORDER BY due, id`, Page{Limit: limit, Offset: offset}); err != nil {
			return nil, 0, err
		}
	}
	if rest := limit - len(items); rest > 0 && offset+len(items) < total {
		if err := read(` AND due = '' ORDER BY id`, Page{Limit: rest, Offset: max(offset-dated, 0)}); err != nil {
			return nil, 0, err
		}
	}
	if len(items) == 0 {
		return items, total, nil
	}
	ids := make([]string, len(items))
	targs := make([]any, len(items))
	for i, it := range items {
		ids[i], targs[i] = "?", it.ID
	}
	threads, err := db.threads(ctx, `item_id IN (`+strings.Join(ids, ", ")+`)`, targs...)
	if err != nil {
		return nil, 0, err
	}
	for i := range items {
		items[i].Thread = threads[items[i].ID]
	}
	return items, total, nil
}

// QueueSummarize counts a queue's open items, those past their deadline on today, and the
// nearest deadline, as aggregates (the dashboard never lists a queue).
func (db *DB) QueueSummarize(ctx context.Context, kind queue.Kind, today string, filingDays map[string]int) (QueueSummary, error) {
	if kind == queue.Holds {
		return db.holdSummary(ctx, today, filingDays)
	}
	var s QueueSummary
	err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN due <> '' AND due < ? THEN 1 ELSE 0 END), 0),
		COALESCE(MIN(NULLIF(due, '')), '') FROM queue_items WHERE kind = ? AND state = 'open'`), today, string(kind)).Scan(&s.Open, &s.Overdue, &s.Nearest)
	if err != nil {
		return s, fmt.Errorf("store: queue %s summary: %w", kind, err)
	}
	return s, nil
}
