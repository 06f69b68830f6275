package pipeline

import (
	"context"

	"github.com/edigate/edigate/internal/store"
)

// Queues is the store's queue service with resolution going through ResolveQueueItem, so a
// biller resolving an item in the web UI gets the same corrected claim as `edigate queue
// resolve` does.
type Queues struct {
	*Pipeline
}

// QueueItems lists queue items.
func (q Queues) QueueItems(ctx context.Context, f store.QueueFilter) ([]store.QueueItem, error) {
	return q.DB.QueueItems(ctx, f)
}

// AssignQueueItem assigns an item to a biller.
func (q Queues) AssignQueueItem(ctx context.Context, id int64, who string) error {
	return q.DB.AssignQueueItem(ctx, id, who)
}

// NoteQueueItem adds a note to an item.
func (q Queues) NoteQueueItem(ctx context.Context, id int64, note string) error {
	return q.DB.NoteQueueItem(ctx, id, note)
}

// ResolveQueueItem resolves an item; "resubmitted" builds the corrected claim.
func (q Queues) ResolveQueueItem(ctx context.Context, id int64, outcome, note string) (store.QueueItem, error) {
	r, err := q.Pipeline.ResolveQueueItem(ctx, id, outcome, note)
	if err != nil {
		return store.QueueItem{}, err
	}
	return r.Item, nil
}
