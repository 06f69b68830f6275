package store

import (
	"context"
	"fmt"

	"github.com/edigate/edigate/x12"
)

var _ x12.ControlNumbers = (*DB)(nil)

// Next returns the next control number of key (1 first). The increment and its read are
// one statement, committed before the number is returned, so a number is never handed out
// twice: not to concurrent callers, not after a crash (a crash may skip a number, which
// receivers accept; reuse they reject as a duplicate interchange).
func (db *DB) Next(ctx context.Context, key x12.SequenceKey) (int64, error) {
	s, err := db.stmt(ctx, `INSERT INTO sequences (sender, receiver, kind, value) VALUES (?, ?, ?, 1)
		ON CONFLICT (sender, receiver, kind) DO UPDATE SET value = sequences.value + 1
		WHERE sequences.value < ?
		RETURNING value`)
	if err != nil {
		return 0, fmt.Errorf("store: sequence: %w", err)
	}
	var v int64
	// The WHERE makes the upsert a no-op (no row returned) once nine digits run out.
	if err := s.QueryRowContext(ctx, key.Sender, key.Receiver, key.Kind, int64(x12.MaxControl)).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: %s control numbers for %s->%s: %w", key.Kind, key.Sender, key.Receiver, err)
	}
	return v, nil
}
