package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/edigate/edigate/lifecycle"
)

// Inbox file states.
const (
	FileProcessing = "processing"
	FileDone       = "done"
	FileRejected   = "rejected"
)

// InboxFile is the record of one inbox file, keyed by the SHA-256 of its content.
type InboxFile struct {
	Hash       string `json:"hash"`
	Name       string `json:"name"`
	Size       int64  `json:"size"`
	State      string `json:"state"`
	Records    int    `json:"records"`
	Accepted   int    `json:"accepted"`
	Rejected   int    `json:"rejected"`
	StartedAt  string `json:"started_at"`
	FinishedAt string `json:"finished_at,omitempty"`
}

// InboxFile returns the record of the file with this content hash, or ErrNotFound.
func (db *DB) InboxFile(ctx context.Context, hash string) (InboxFile, error) {
	s, err := db.stmt(ctx, `SELECT hash, name, size, state, records, accepted, rejected, started_at, finished_at FROM inbox_files WHERE hash = ?`)
	if err != nil {
		return InboxFile{}, err
	}
	var f InboxFile
	err = s.QueryRowContext(ctx, hash).Scan(&f.Hash, &f.Name, &f.Size, &f.State, &f.Records, &f.Accepted, &f.Rejected, &f.StartedAt, &f.FinishedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("store: inbox file: %w", err)
	}
	return f, nil
}

// BeginFile records that intake started on a file (a no-op when already recorded).
func (b *Batch) BeginFile(hash, name string, size int64) error {
	if _, err := b.exec(`INSERT INTO inbox_files (hash, name, size, state, started_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (hash) DO NOTHING`, hash, name, size, FileProcessing, timestamp(b.now)); err != nil {
		return fmt.Errorf("store: begin file %.12s: %w", hash, err) // the hash: names may hold PHI
	}
	return nil
}

// FinishFile marks a file done (or rejected) in the same transaction as its last records,
// which is what lets intake move it out of the inbox afterwards.
func (b *Batch) FinishFile(hash, name, state string, records, accepted, rejected int) error {
	if _, err := b.exec(`UPDATE inbox_files SET state = ?, records = ?, accepted = ?, rejected = ?, finished_at = ? WHERE hash = ?`,
		state, records, accepted, rejected, timestamp(b.now), hash); err != nil {
		return fmt.Errorf("store: finish file %.12s: %w", hash, err)
	}
	return b.Event(lifecycle.EntityFile, hash, lifecycle.EventKind(state), name, map[string]int{"records": records, "accepted": accepted, "rejected": rejected})
}
