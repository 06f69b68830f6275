package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/edigate/edigate/lifecycle"
)

// Inbound file states.
const (
	InboundProcessed = "processed"
	InboundFailed    = "failed"
)

// InboundFile is one downloaded response file and what became of it.
type InboundFile struct {
	SHA256        string `json:"sha256"`
	Path          string `json:"path"`
	Clearinghouse string `json:"clearinghouse"`
	Kind          string `json:"kind"`
	State         string `json:"state"`
	Error         string `json:"error,omitempty"`
	ProcessedAt   string `json:"processed_at"`
}

// InboundFileState returns the record of a response file by content hash, or ErrNotFound.
func (db *DB) InboundFileState(ctx context.Context, sha string) (InboundFile, error) {
	var f InboundFile
	err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT sha256, path, clearinghouse, kind, state, error, processed_at
		FROM inbound_files WHERE sha256 = ?`), sha).Scan(&f.SHA256, &f.Path, &f.Clearinghouse, &f.Kind, &f.State, &f.Error, &f.ProcessedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("store: inbound file: %w", err)
	}
	return f, nil
}

// MarkInbound records (or updates) what became of a response file.
func (db *DB) MarkInbound(ctx context.Context, f InboundFile) error {
	return db.Batch(ctx, nil, func(b *Batch) error {
		if _, err := b.exec(`INSERT INTO inbound_files (sha256, path, clearinghouse, kind, state, error, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (sha256) DO UPDATE SET state = excluded.state, error = excluded.error, processed_at = excluded.processed_at, kind = excluded.kind`,
			f.SHA256, f.Path, f.Clearinghouse, f.Kind, f.State, f.Error, timestamp(b.now)); err != nil {
			return fmt.Errorf("store: inbound file %s: %w", f.Path, err)
		}
		return b.Event(lifecycle.EntityFile, f.Path, lifecycle.FileResponsePrefx+lifecycle.EventKind(f.State), f.Path, map[string]string{"kind": f.Kind, "error": f.Error})
	})
}

// FailedInbound lists response files that could not be processed.
func (db *DB) FailedInbound(ctx context.Context) ([]InboundFile, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT sha256, path, clearinghouse, kind, state, error, processed_at
		FROM inbound_files WHERE state = ? ORDER BY processed_at`), InboundFailed)
	if err != nil {
		return nil, err
	}
	return collectRows(rows, func(sc scanner) (InboundFile, error) {
		var f InboundFile
		err := sc.Scan(&f.SHA256, &f.Path, &f.Clearinghouse, &f.Kind, &f.State, &f.Error, &f.ProcessedAt)
		return f, err
	})
}
