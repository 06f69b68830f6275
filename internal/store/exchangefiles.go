package store

import (
	"context"
	"fmt"

	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/x12"
)

// SentFile is one 837P written for a clearinghouse and what came back for it: the
// upload, and its claims counted by their 999 and 277CA outcomes (a claim counts under
// every outcome its history has: rejected by a 277CA, then accepted when re-sent, shows
// under both only if sent again in the same file, which never happens).
type SentFile struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	ISAControl int64      `json:"isa_control"`
	Claims     int        `json:"claims"`
	Total      x12.Amount `json:"total"`
	CreatedAt  string     `json:"created_at"`
	UploadedAt string     `json:"uploaded_at,omitempty"` // "" until uploaded (the file's uploaded event)
	// Claims by outcome: the 999 (file accepted or rejected), then the 277CA.
	FileAccepted int `json:"file_accepted"`
	FileRejected int `json:"file_rejected"`
	Accepted     int `json:"accepted"`
	Rejected     int `json:"rejected"`
}

// SentFiles lists a clearinghouse's 837P files, newest first, one page, and how many
// there are in all.
func (db *DB) SentFiles(ctx context.Context, clearinghouse string, p Page) ([]SentFile, int, error) {
	var total int
	if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM claim_files WHERE clearinghouse = ?`), clearinghouse).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: sent files: %w", err)
	}
	lim, largs := p.sql()
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT f.id, f.name, f.isa_control, f.claims, f.total_cents, f.created_at,
		COALESCE((SELECT MIN(e.at) FROM events e WHERE e.entity_kind = 'file' AND e.entity_id = f.name AND e.kind = ?), '')
		FROM claim_files f WHERE f.clearinghouse = ? ORDER BY f.created_at DESC, f.id DESC`+lim), append([]any{string(lifecycle.FileUploaded), clearinghouse}, largs...)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: sent files: %w", err)
	}
	files, err := collectRows(rows, func(sc scanner) (SentFile, error) {
		var f SentFile
		err := sc.Scan(&f.ID, &f.Name, &f.ISAControl, &f.Claims, &f.Total, &f.CreatedAt, &f.UploadedAt)
		return f, err
	})
	if err != nil || len(files) == 0 {
		return files, total, err
	}
	ids := make([]string, len(files))
	at := map[int64]*SentFile{}
	for i := range files {
		ids[i] = fmt.Sprint(files[i].ID)
		at[files[i].ID] = &files[i]
	}
	in, args := inList(ids)
	// One count per file and outcome, from the claims' own histories (the moves the 999
	// and 277CA made), so the page and the claim pages say the same.
	rows, err = db.sql.QueryContext(ctx, db.Rebind(`SELECT cs.file_id, e.kind, COUNT(DISTINCT cs.claim_id) FROM claim_submissions cs
		JOIN events e ON e.entity_kind = 'claim' AND e.entity_id = cs.claim_id
		WHERE CAST(cs.file_id AS TEXT) IN `+in+` AND e.kind IN (?, ?, ?, ?) GROUP BY cs.file_id, e.kind`),
		append(args, string(lifecycle.FileAccepted), string(lifecycle.FileRejected), string(lifecycle.Accepted), string(lifecycle.Rejected))...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: sent file outcomes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind string
		var n int
		if err := rows.Scan(&id, &kind, &n); err != nil {
			return nil, 0, fmt.Errorf("store: sent file outcomes: %w", err)
		}
		f := at[id]
		switch lifecycle.State(kind) {
		case lifecycle.FileAccepted:
			f.FileAccepted = n
		case lifecycle.FileRejected:
			f.FileRejected = n
		case lifecycle.Accepted:
			f.Accepted = n
		case lifecycle.Rejected:
			f.Rejected = n
		}
	}
	return files, total, rows.Err()
}

// ReceivedFiles lists a clearinghouse's response files as the responses step recorded
// them (applied, or failed with the reason), failed ones first, then newest first; one
// page and how many there are in all.
func (db *DB) ReceivedFiles(ctx context.Context, clearinghouse string, p Page) ([]InboundFile, int, error) {
	var total int
	if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM inbound_files WHERE clearinghouse = ?`), clearinghouse).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: received files: %w", err)
	}
	lim, largs := p.sql()
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT sha256, path, clearinghouse, kind, state, error, processed_at FROM inbound_files
		WHERE clearinghouse = ? ORDER BY CASE WHEN state = ? THEN 0 ELSE 1 END, processed_at DESC, path DESC`+lim),
		append([]any{clearinghouse, InboundFailed}, largs...)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: received files: %w", err)
	}
	files, err := collectRows(rows, func(sc scanner) (InboundFile, error) {
		var f InboundFile
		err := sc.Scan(&f.SHA256, &f.Path, &f.Clearinghouse, &f.Kind, &f.State, &f.Error, &f.ProcessedAt)
		return f, err
	})
	return files, total, err
}

// RetriedInbound records the outcome of applying a failed response file again: the record
// must still be failed (one row, else ErrChanged: another retry or instance got there).
func (db *DB) RetriedInbound(ctx context.Context, f InboundFile) error {
	return db.Batch(ctx, nil, func(b *Batch) error {
		r, err := b.exec(`UPDATE inbound_files SET state = ?, error = ?, kind = ?, processed_at = ? WHERE sha256 = ? AND state = ?`,
			f.State, f.Error, f.Kind, timestamp(b.now), f.SHA256, InboundFailed)
		if err := oneRow(r, err); err != nil {
			return fmt.Errorf("store: inbound file %s: %w", f.Path, ErrChanged)
		}
		return b.Event(lifecycle.EntityFile, f.Path, lifecycle.FileResponsePrefx+lifecycle.EventKind(f.State), f.Path,
			map[string]string{"kind": f.Kind, "error": f.Error, "retry": "yes"})
	})
}
