package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
)

// Page returns one page of the open items of kind that f selects and how many match in
// all, paged and counted in the store: the web UI shows page 1 of 40,000 holds by reading
// 50. The holds of the page are read one by one with their threads, as acting on one does.
func (q Queues) Page(ctx context.Context, kind queue.Kind, f store.QueuePageFilter) ([]queue.Item, int, error) {
	f.Kind = kind
	if kind != queue.Holds {
		items, total, err := q.DB.QueuePage(ctx, f)
		if items == nil {
			items = []queue.Item{}
		}
		return items, total, err
	}
	f.FilingDays = q.filingLimits()
	refs, total, err := q.DB.HoldPage(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("holds queue: %w", err)
	}
	out := make([]queue.Item, 0, len(refs))
	for _, r := range refs {
		it, err := q.hold(ctx, r.Key())
		if errors.Is(err, queue.ErrNoItem) {
			continue // released or acted on since the page was counted
		}
		if err != nil {
			return nil, 0, err
		}
		out = append(out, it)
	}
	return out, total, nil
}

// Summary counts the open items of kind, those overdue on today and the nearest deadline.
func (q Queues) Summary(ctx context.Context, kind queue.Kind, today string) (store.QueueSummary, error) {
	return q.DB.QueueSummarize(ctx, kind, today, q.filingLimits())
}

// filingLimits is each configured payer's timely-filing limit in days.
func (p *Pipeline) filingLimits() map[string]int {
	out := map[string]int{}
	for _, pc := range p.Cfg.Payers {
		if pc.TimelyFilingDays > 0 {
			out[pc.ID] = pc.TimelyFilingDays
		}
	}
	return out
}
