package web

import (
	"context"
	"strconv"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
)

// PagedQueueService is a QueueService that pages, filters and counts in the store
// (pipeline.Queues): a page of 40,000 open items reads its 50, and the dashboard counts
// with aggregates. A service without it is listed whole and paged here.
type PagedQueueService interface {
	Page(ctx context.Context, kind queue.Kind, f store.QueuePageFilter) ([]queue.Item, int, error)
	Summary(ctx context.Context, kind queue.Kind, today string) (store.QueueSummary, error)
}

// pagedQueue is a Queue that pages in the store.
type pagedQueue interface {
	Page(ctx context.Context, f store.QueuePageFilter) ([]queue.Item, int, error)
	Summary(ctx context.Context, today string) (store.QueueSummary, error)
}

func (q serviceQueue) Page(ctx context.Context, f store.QueuePageFilter) ([]queue.Item, int, error) {
	if ps, ok := q.s.(PagedQueueService); ok {
		return ps.Page(ctx, q.kind, f)
	}
	return listedPage(ctx, q, f)
}

func (q serviceQueue) Summary(ctx context.Context, today string) (store.QueueSummary, error) {
	if ps, ok := q.s.(PagedQueueService); ok {
		return ps.Summary(ctx, q.kind, today)
	}
	return listedSummary(ctx, q, today)
}

// pageFilter is the store's form of what the biller narrowed the queue to.
func (f queueFilter) pageFilter(me, today string, pg store.Page) store.QueuePageFilter {
	out := store.QueuePageFilter{Payer: f.Payer, Category: f.Category, Assignee: f.Assignee, Page: pg}
	if out.Assignee == "me" {
		out.Assignee = me
	}
	if n, err := strconv.Atoi(f.Within); err == nil && n >= 0 {
		if t, err := time.Parse(time.DateOnly, today); err == nil {
			out.Until = t.AddDate(0, 0, n).Format(time.DateOnly)
		}
	}
	return out
}

// pageQueue is one page of q and the number of items matching in all.
func pageQueue(ctx context.Context, q Queue, f store.QueuePageFilter) ([]queue.Item, int, error) {
	if pq, ok := q.(pagedQueue); ok {
		return pq.Page(ctx, f)
	}
	return listedPage(ctx, q, f)
}

// listedPage pages a queue that can only list all of its items.
func listedPage(ctx context.Context, q Queue, f store.QueuePageFilter) ([]queue.Item, int, error) {
	items, err := q.Items(ctx)
	if err != nil {
		return nil, 0, err
	}
	var kept []queue.Item
	for _, it := range items {
		switch {
		case it.Outcome != "",
			f.Payer != "" && it.Payer != f.Payer,
			f.Category != "" && it.Category != f.Category,
			f.Assignee == "none" && it.Assignee != "",
			f.Assignee != "" && f.Assignee != "none" && it.Assignee != f.Assignee,
			f.Until != "" && (it.Due == "" || it.Due > f.Until):
			continue
		}
		kept = append(kept, it)
	}
	limit := f.Page.Limit
	if limit <= 0 {
		limit = pageSize
	}
	total := len(kept)
	from := min(max(f.Page.Offset, 0), total)
	return kept[from:min(from+limit, total)], total, nil
}

func summarizeQueue(ctx context.Context, q Queue, today string) (store.QueueSummary, error) {
	if pq, ok := q.(pagedQueue); ok {
		return pq.Summary(ctx, today)
	}
	return listedSummary(ctx, q, today)
}

func listedSummary(ctx context.Context, q Queue, today string) (store.QueueSummary, error) {
	var s store.QueueSummary
	items, err := q.Items(ctx)
	if err != nil {
		return s, err
	}
	for _, it := range items {
		if it.Outcome != "" {
			continue
		}
		s.Open++
		if it.Due != "" && it.Due < today {
			s.Overdue++
		}
		if it.Due != "" && (s.Nearest == "" || it.Due < s.Nearest) {
			s.Nearest = it.Due
		}
	}
	return s, nil
}
