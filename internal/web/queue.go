package web

import (
	"context"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/scheduler"
	"github.com/rs/zerolog"
)

// QueueService is the one queue service (pipeline.Queues) that `edigate queue` uses too,
// so an action taken here means what it means on the command line: the same thread
// entries, events and corrected claims.
type QueueService interface {
	Items(ctx context.Context, kind queue.Kind) ([]queue.Item, error)
	Act(ctx context.Context, kind queue.Kind, key string, a queue.Action) error
}

// Queue is one work queue as the pages use it. The service records the action (thread
// and history) itself.
type Queue interface {
	// Items lists the open items, nearest deadline first.
	Items(ctx context.Context) ([]queue.Item, error)
	// Act applies an action to the item with key: queue.ErrNoItem for an item not in this
	// queue, queue.ErrResolved for one resolved meanwhile, queue.ErrBadAction for an action
	// the item does not take.
	Act(ctx context.Context, key string, a queue.Action) error
}

// ServiceQueues returns the queues of kinds over s (every queue when none is named).
func ServiceQueues(s QueueService, kinds ...queue.Kind) map[queue.Kind]Queue {
	if len(kinds) == 0 {
		kinds = queue.Kinds()
	}
	out := map[queue.Kind]Queue{}
	for _, k := range kinds {
		out[k] = serviceQueue{s, k}
	}
	return out
}

type serviceQueue struct {
	s    QueueService
	kind queue.Kind
}

func (q serviceQueue) Items(ctx context.Context) ([]queue.Item, error) { return q.s.Items(ctx, q.kind) }

func (q serviceQueue) Act(ctx context.Context, key string, a queue.Action) error {
	return q.s.Act(ctx, q.kind, key, a)
}

// The store is the production implementation of what the pages read.
var _ Store = (*store.DB)(nil)

// StoreDeps is the usual wiring: the store for pages, every queue over the queue service,
// and the scheduler's job and clearinghouse states. The daemon adds the appeal letters.
func StoreDeps(db *store.DB, cfg *config.Config, users Users, queues QueueService, jobs func() []scheduler.JobStatus,
	health func() []scheduler.Health, log zerolog.Logger) Deps {
	return Deps{Store: db, Config: cfg, Users: users, Queues: ServiceQueues(queues), Jobs: jobs, Health: health, Log: log}
}
