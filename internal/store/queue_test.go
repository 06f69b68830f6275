package store_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
)

// resolve resolves an item as the queue service does: plan from the stored item, apply.
func resolve(ctx context.Context, db *store.DB, id int64, outcome queue.Outcome, note string) (store.QueueItem, error) {
	it, err := db.QueueItem(ctx, id)
	if err != nil {
		return it, err
	}
	p, err := queue.Resolve(it, outcome, note, "biller", time.Now(), queue.Deadlines{})
	if err != nil {
		return it, err
	}
	if _, err := db.ApplyResolution(ctx, p, "test", nil); err != nil {
		return it, err
	}
	return db.QueueItem(ctx, id)
}

// TestQueueThreadMigration: a store from before threads keeps its items' assignees and
// notes as thread entries, and an appeal opened from a denial then gets the denial's
// assignee and thread; on SQLite and, when it runs here, PostgreSQL.
func TestQueueThreadMigration(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testThreadMigration(t, filepath.Join(t.TempDir(), "edigate.db")) })
	t.Run("postgres", func(t *testing.T) { testThreadMigration(t, postgresSchemas(t)(t)) })
}

func testThreadMigration(t *testing.T, target string) {
	ctx := context.Background()
	db, err := store.Open(ctx, target, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sq := db.SQL()
	for _, q := range []string{
		`DROP TABLE queue_thread`,
		`DELETE FROM schema_migrations WHERE version = 520`,
		`INSERT INTO queue_items (id, kind, claim_id, reason, state, assignee, notes, outcome, created_at, resolved_at)
			VALUES (1, 'denials', 'C1', 'CO-197', 'resolved', 'kim', 'kim: called the payer
lee: faxed', 'appeal_sent', '2026-01-01T00:00:00.000000000Z', '2026-01-05T00:00:00.000000000Z')`,
		`INSERT INTO queue_items (id, kind, claim_id, reason, source, state, created_at)
			VALUES (2, 'appeals', 'C1', 'CO-197', 'queue:1', 'open', '2026-01-05T00:00:00.000000000Z')`,
		`INSERT INTO queue_items (id, kind, claim_id, reason, state, created_at) VALUES (3, 'rejections', 'C2', 'A7', 'open', '2026-01-02T00:00:00.000000000Z')`,
	} {
		if _, err := sq.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db, err = store.Open(ctx, target, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	den := []queue.Entry{
		{At: "2026-01-01T00:00:00.000000000Z", What: queue.ActAssign, Text: "kim"},
		{At: "2026-01-01T00:00:00.000000000Z", What: queue.ActNote, Text: "kim: called the payer\nlee: faxed"},
		{At: "2026-01-05T00:00:00.000000000Z", What: queue.ActResolve, Text: "appeal_sent"},
	}
	if it, err := db.QueueItem(ctx, 1); err != nil || !reflect.DeepEqual(it.Thread, den) {
		t.Errorf("denial thread = %+v %v", it.Thread, err)
	}
	for i := range den {
		den[i].From = 1
	}
	if it, err := db.QueueItem(ctx, 2); err != nil || it.Assignee != "kim" || !reflect.DeepEqual(it.Thread, den) {
		t.Errorf("appeal = %+v %v", it, err)
	}
	if it, err := db.QueueItem(ctx, 3); err != nil || it.Assignee != "" || len(it.Thread) != 0 {
		t.Errorf("untouched rejection = %+v %v", it, err)
	}
}
