package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ExchangeUpload is one outbound file's SFTP exchange record (see scheduler.Upload).
type ExchangeUpload struct {
	Clearinghouse string
	SHA256        string
	LocalName     string
	Size          int64
	RemoteName    string
	TempName      string
	Set           string
	Control       string
	Groups        []string
	Transactions  []string
	Claims        []string
	State         string
	Inferred      bool
	CreatedAt     time.Time
	UploadedAt    time.Time // zero until uploaded
}

// ExchangeDownload is one remote file version seen and stored (see scheduler.Download).
type ExchangeDownload struct {
	Clearinghouse string
	RemotePath    string
	Size          int64
	ModTime       time.Time // second precision
	SHA256        string
	LocalPath     string
	Duplicate     bool
	DownloadedAt  time.Time
}

// ExchangeUpload returns the upload of this content to this clearinghouse, or ErrNotFound.
func (db *DB) ExchangeUpload(ctx context.Context, clearinghouse, sha string) (ExchangeUpload, error) {
	var u ExchangeUpload
	var groups, txns, claims, created, uploaded string
	var inferred int
	err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT clearinghouse, sha256, local_name, size, remote_name, temp_name,
		set_id, control, groups, transactions, claims, state, inferred, created_at, uploaded_at
		FROM exchange_uploads WHERE clearinghouse = ? AND sha256 = ?`), clearinghouse, sha).Scan(
		&u.Clearinghouse, &u.SHA256, &u.LocalName, &u.Size, &u.RemoteName, &u.TempName,
		&u.Set, &u.Control, &groups, &txns, &claims, &u.State, &inferred, &created, &uploaded)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("store: exchange upload: %w", err)
	}
	u.Inferred = inferred != 0
	for _, p := range []struct {
		s   string
		dst *[]string
	}{{groups, &u.Groups}, {txns, &u.Transactions}, {claims, &u.Claims}} {
		if err := json.Unmarshal([]byte(p.s), p.dst); err != nil {
			return u, fmt.Errorf("store: exchange upload %s: %w", u.LocalName, err)
		}
	}
	if u.CreatedAt, err = parseExchangeStamp(created); err != nil {
		return u, fmt.Errorf("store: exchange upload %s: %w", u.LocalName, err)
	}
	if u.UploadedAt, err = parseExchangeStamp(uploaded); err != nil {
		return u, fmt.Errorf("store: exchange upload %s: %w", u.LocalName, err)
	}
	return u, nil
}

// PutExchangeUpload inserts or replaces the upload keyed by clearinghouse and hash; it is
// committed (durable) when it returns.
func (db *DB) PutExchangeUpload(ctx context.Context, u ExchangeUpload) error {
	enc := func(v []string) string {
		if v == nil {
			v = []string{}
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	inferred := 0
	if u.Inferred {
		inferred = 1
	}
	uploaded := ""
	if !u.UploadedAt.IsZero() {
		uploaded = timestamp(u.UploadedAt)
	}
	_, err := db.sql.ExecContext(ctx, db.Rebind(`INSERT INTO exchange_uploads (clearinghouse, sha256, local_name, size,
		remote_name, temp_name, set_id, control, groups, transactions, claims, state, inferred, created_at, uploaded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (clearinghouse, sha256) DO UPDATE SET local_name = excluded.local_name, remote_name = excluded.remote_name,
		temp_name = excluded.temp_name, state = excluded.state, inferred = excluded.inferred, uploaded_at = excluded.uploaded_at`),
		u.Clearinghouse, u.SHA256, u.LocalName, u.Size, u.RemoteName, u.TempName, u.Set, u.Control,
		enc(u.Groups), enc(u.Transactions), enc(u.Claims), u.State, inferred, timestamp(u.CreatedAt), uploaded)
	if err != nil {
		return fmt.Errorf("store: exchange upload %s: %w", u.LocalName, err)
	}
	return nil
}

const exchangeDownloadCols = `clearinghouse, remote_path, size, mtime, sha256, local_path, duplicate, downloaded_at`

func scanExchangeDownload(row *sql.Row) (ExchangeDownload, error) {
	var d ExchangeDownload
	var mtime int64
	var dup int
	var at string
	err := row.Scan(&d.Clearinghouse, &d.RemotePath, &d.Size, &mtime, &d.SHA256, &d.LocalPath, &dup, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("store: exchange download: %w", err)
	}
	d.ModTime = time.Unix(mtime, 0).UTC()
	d.Duplicate = dup != 0
	d.DownloadedAt, err = parseExchangeStamp(at)
	return d, err
}

// ExchangeDownloadByRemote returns the download of exactly this remote file version.
func (db *DB) ExchangeDownloadByRemote(ctx context.Context, clearinghouse, path string, size int64, mtime time.Time) (ExchangeDownload, error) {
	return scanExchangeDownload(db.sql.QueryRowContext(ctx, db.Rebind(`SELECT `+exchangeDownloadCols+` FROM exchange_downloads
		WHERE clearinghouse = ? AND remote_path = ? AND size = ? AND mtime = ? ORDER BY id LIMIT 1`),
		clearinghouse, path, size, mtime.Unix()))
}

// ExchangeDownloadByContent returns the first stored (non-duplicate) download of this content.
func (db *DB) ExchangeDownloadByContent(ctx context.Context, clearinghouse, sha string) (ExchangeDownload, error) {
	return scanExchangeDownload(db.sql.QueryRowContext(ctx, db.Rebind(`SELECT `+exchangeDownloadCols+` FROM exchange_downloads
		WHERE clearinghouse = ? AND sha256 = ? AND duplicate = 0 ORDER BY id LIMIT 1`), clearinghouse, sha))
}

// RecordExchangeDownload appends a download; it is committed when it returns.
func (db *DB) RecordExchangeDownload(ctx context.Context, d ExchangeDownload) error {
	dup := 0
	if d.Duplicate {
		dup = 1
	}
	_, err := db.sql.ExecContext(ctx, db.Rebind(`INSERT INTO exchange_downloads (`+exchangeDownloadCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		d.Clearinghouse, d.RemotePath, d.Size, d.ModTime.Unix(), d.SHA256, d.LocalPath, dup, timestamp(d.DownloadedAt))
	if err != nil {
		return fmt.Errorf("store: exchange download %s: %w", d.RemotePath, err)
	}
	return nil
}

func parseExchangeStamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
