package store

import (
	"context"
	"fmt"
)

// SetQueueItemDue sets the deadline of an open item that has none (a rejection's
// timely-filing date, which needs the payer's configuration the store does not hold).
func (db *DB) SetQueueItemDue(ctx context.Context, id int64, due string) error {
	_, err := db.sql.ExecContext(ctx, db.Rebind(`UPDATE queue_items SET due = ? WHERE id = ? AND due = '' AND state = ?`), due, id, QueueOpen)
	if err != nil {
		return fmt.Errorf("store: queue item %d due: %w", id, err)
	}
	return nil
}
