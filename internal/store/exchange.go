package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/scheduler"
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

// PutExchangeUpload records the upload keyed by clearinghouse and hash, expecting it in
// state from: from "" inserts it (nothing may be recorded yet), else the stored record must
// be in state from. Anything else changes nothing and returns scheduler.ErrLedgerConflict.
// It is committed (durable) when it returns.
func (db *DB) PutExchangeUpload(ctx context.Context, u ExchangeUpload, from string) error {
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
	var res sql.Result
	var err error
	if from == "" {
		res, err = db.sql.ExecContext(ctx, db.Rebind(`INSERT INTO exchange_uploads (clearinghouse, sha256, local_name, size,
			remote_name, temp_name, set_id, control, groups, transactions, claims, state, inferred, created_at, uploaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (clearinghouse, sha256) DO NOTHING`),
			u.Clearinghouse, u.SHA256, u.LocalName, u.Size, u.RemoteName, u.TempName, u.Set, u.Control,
			enc(u.Groups), enc(u.Transactions), enc(u.Claims), u.State, inferred, timestamp(u.CreatedAt), uploaded)
	} else {
		res, err = db.sql.ExecContext(ctx, db.Rebind(`UPDATE exchange_uploads SET local_name = ?, remote_name = ?, temp_name = ?,
			state = ?, inferred = ?, uploaded_at = ? WHERE clearinghouse = ? AND sha256 = ? AND state = ?`),
			u.LocalName, u.RemoteName, u.TempName, u.State, inferred, uploaded, u.Clearinghouse, u.SHA256, from)
	}
	if err != nil {
		return fmt.Errorf("store: exchange upload %s: %w", u.LocalName, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: exchange upload %s: %w", u.LocalName, err)
	} else if n != 1 {
		return fmt.Errorf("store: exchange upload %s to %s from %q: %w", u.LocalName, u.State, from, scheduler.ErrLedgerConflict)
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

// RecordExchangeDownload appends a download, once per remote file version (else
// scheduler.ErrLedgerConflict); it is committed when it returns.
func (db *DB) RecordExchangeDownload(ctx context.Context, d ExchangeDownload) error {
	dup := 0
	if d.Duplicate {
		dup = 1
	}
	res, err := db.sql.ExecContext(ctx, db.Rebind(`INSERT INTO exchange_downloads (`+exchangeDownloadCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (clearinghouse, remote_path, size, mtime) DO NOTHING`),
		d.Clearinghouse, d.RemotePath, d.Size, d.ModTime.Unix(), d.SHA256, d.LocalPath, dup, timestamp(d.DownloadedAt))
	if err != nil {
		return fmt.Errorf("store: exchange download %s: %w", d.RemotePath, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: exchange download %s: %w", d.RemotePath, err)
	} else if n != 1 {
		return fmt.Errorf("store: exchange download %s: %w", d.RemotePath, scheduler.ErrLedgerConflict)
	}
	return nil
}

func parseExchangeStamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// Alert kinds raised for a clearinghouse's silence and for outbound files it never got.
const (
	AlertAckOverdue      = "ack_overdue"       // entity upload <clearinghouse>/<file>: no 999 in time
	AlertClaimAckOverdue = "claim_ack_overdue" // entity claim <CLM01>: no 277CA in time
	AlertOutboundInvalid = "outbound_rejected" // entity file <clearinghouse>/<file>: not sendable
)

// The store is the scheduler's acknowledgement store: the overdue check reads 999/TA1 files
// and keeps what it finds here, in the scheduler's own types.
var _ scheduler.AckStore = (*DB)(nil)

type (
	// ExchangeAck is one acknowledgement found in a downloaded 999 (one per AK1) or TA1.
	ExchangeAck = scheduler.Ack
	// AckFile is a processed 999/TA1 response file not yet read for exchange acknowledgements.
	AckFile = scheduler.AckFile
	// OverdueCheck sets the thresholds of CheckExchangeOverdue.
	OverdueCheck = scheduler.OverdueCheck
	// OverdueResult counts what one CheckExchangeOverdue did.
	OverdueResult = scheduler.OverdueResult
)

// UnscannedAckFiles lists the 999 and TA1 files (processed or failed: either way a response
// arrived) whose acknowledgements are not yet in exchange_acks.
func (db *DB) UnscannedAckFiles(ctx context.Context) ([]AckFile, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT i.sha256, i.path, i.clearinghouse, i.processed_at FROM inbound_files i
		WHERE i.kind IN ('999', 'TA1') AND NOT EXISTS (SELECT 1 FROM exchange_ack_files a WHERE a.sha256 = i.sha256)
		ORDER BY i.processed_at, i.sha256`)
	if err != nil {
		return nil, fmt.Errorf("store: unscanned acknowledgements: %w", err)
	}
	return collectRows(rows, func(sc scanner) (AckFile, error) {
		var f AckFile
		var at string
		if err := sc.Scan(&f.SHA256, &f.Path, &f.Clearinghouse, &at); err != nil {
			return f, fmt.Errorf("store: unscanned acknowledgements: %w", err)
		}
		f.ProcessedAt, _ = parseExchangeStamp(at)
		return f, nil
	})
}

// RecordExchangeAcks stores the acknowledgements read from f and marks f read, in one
// transaction; recording the same file again changes nothing.
func (db *DB) RecordExchangeAcks(ctx context.Context, f AckFile, acks []ExchangeAck) error {
	err := db.Batch(ctx, nil, func(b *Batch) error {
		at := f.ProcessedAt
		if at.IsZero() {
			at = b.now
		}
		for _, a := range acks {
			if _, err := b.exec(`INSERT INTO exchange_acks (clearinghouse, file_sha, kind, functional_id, control, accepted, received_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (file_sha, kind, functional_id, control) DO NOTHING`,
				f.Clearinghouse, f.SHA256, a.Kind, a.FunctionalID, a.Control, boolInt(a.Accepted), timestamp(at)); err != nil {
				return err
			}
		}
		_, err := b.exec(`INSERT INTO exchange_ack_files (sha256, scanned_at) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING`, f.SHA256, timestamp(b.now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: acknowledgements in %s: %w", f.Path, err)
	}
	return nil
}

// setFunctionalID is GS01 for the sets edigate sends: the 999's AK101 names the group by it.
var setFunctionalID = map[string]string{"837": "HC", "270": "HS", "276": "HR", "834": "BE", "820": "RA"}

type awaitedUpload struct {
	ch, sha, local, remote, set, control, uploaded string
	groups                                         []string
}

// CheckExchangeOverdue settles which uploads a 999 or rejecting TA1 has answered, raises
// ack_overdue once per upload still unanswered AckAfter after it went out (of the sets
// ExpectsAck names for its clearinghouse), raises
// claim_ack_overdue once per claim still waiting for its 277CA (state submitted or
// file_accepted) ClaimAckAfter after its latest upload, and clears either alert once the
// response is in. One transaction, so a crash leaves the alerts as they were.
func (db *DB) CheckExchangeOverdue(ctx context.Context, c OverdueCheck) (OverdueResult, error) {
	var out OverdueResult
	now := c.Now.UTC()
	err := db.Batch(ctx, nil, func(b *Batch) error {
		out = OverdueResult{}
		waiting, err := b.awaitedUploads()
		if err != nil {
			return err
		}
		open := map[string]bool{}
		for _, u := range waiting {
			at, err := b.ackFor(u)
			if err != nil {
				return fmt.Errorf("upload %s: %w", u.local, err)
			}
			if at != "" {
				if _, err := b.exec(`UPDATE exchange_uploads SET acked_at = ? WHERE clearinghouse = ? AND sha256 = ?`, at, u.ch, u.sha); err != nil {
					return fmt.Errorf("upload %s: %w", u.local, err)
				}
				out.Acked++
				continue
			}
			if c.ExpectsAck != nil && !c.ExpectsAck(u.ch, u.set) {
				continue
			}
			out.Waiting++
			id := u.ch + "/" + u.local
			open[id] = true
			sent, err := time.Parse(time.RFC3339Nano, u.uploaded)
			if err != nil || c.AckAfter <= 0 || now.Sub(sent) < c.AckAfter {
				continue
			}
			raised, err := b.raiseOnce("upload", id, AlertAckOverdue, map[string]any{"clearinghouse": u.ch, "file": u.local,
				"remote": u.remote, "set": u.set, "isa": u.control, "groups": u.groups, "uploaded_at": u.uploaded,
				"due_by": timestamp(sent.Add(c.AckAfter)), "message": "no 999 acknowledgement from the clearinghouse"}, now)
			if err != nil {
				return err
			}
			if raised {
				out.Raised++
			}
		}
		n, err := b.clearUnless("upload", AlertAckOverdue, open, now)
		if err != nil {
			return err
		}
		out.Cleared += n

		claimsWaiting, err := b.claimsAwaiting277CA()
		if err != nil {
			return err
		}
		openClaims := map[string]bool{}
		for id, w := range claimsWaiting {
			openClaims[id] = true
			sent, err := time.Parse(time.RFC3339Nano, w.uploaded)
			if err != nil || c.ClaimAckAfter <= 0 || now.Sub(sent) < c.ClaimAckAfter {
				continue
			}
			raised, err := b.raiseOnce("claim", id, AlertClaimAckOverdue, map[string]any{"clearinghouse": w.ch, "file": w.local,
				"isa": w.control, "state": w.state, "submitted_at": w.uploaded, "due_by": timestamp(sent.Add(c.ClaimAckAfter)),
				"message": "no 277CA claim acknowledgement from the clearinghouse"}, now)
			if err != nil {
				return err
			}
			if raised {
				out.Raised++
			}
		}
		n, err = b.clearUnless("claim", AlertClaimAckOverdue, openClaims, now)
		out.Cleared += n
		return err
	})
	if err != nil {
		return OverdueResult{}, fmt.Errorf("store: overdue responses: %w", err)
	}
	return out, nil
}

func (b *Batch) awaitedUploads() ([]awaitedUpload, error) {
	rows, err := b.query(`SELECT clearinghouse, sha256, local_name, remote_name, set_id, control, groups, uploaded_at
		FROM exchange_uploads WHERE state = 'uploaded' AND acked_at = '' ORDER BY uploaded_at, local_name`)
	if err != nil {
		return nil, err
	}
	return collectRows(rows, func(sc scanner) (awaitedUpload, error) {
		var u awaitedUpload
		var groups string
		if err := sc.Scan(&u.ch, &u.sha, &u.local, &u.remote, &u.set, &u.control, &groups, &u.uploaded); err != nil {
			return u, err
		}
		if err := json.Unmarshal([]byte(groups), &u.groups); err != nil {
			return u, fmt.Errorf("upload %s groups: %w", u.local, err)
		}
		return u, nil
	})
}

// ackFor returns when u was answered: a 999 AK1 for one of its groups (of the same
// functional id, as 837 and 270 groups may share numbers), or a TA1 rejecting its
// interchange (no 999 follows one); "" while unanswered.
func (b *Batch) ackFor(u awaitedUpload) (string, error) {
	var first string
	keep := func(q string, args ...any) error {
		row, err := b.queryRow(q, args...)
		if err != nil {
			return err
		}
		var at sql.NullString
		if err := row.Scan(&at); err != nil {
			return err
		}
		if at.Valid && at.String != "" && (first == "" || at.String < first) {
			first = at.String
		}
		return nil
	}
	fid := setFunctionalID[u.set]
	for _, g := range u.groups {
		n, err := strconv.ParseInt(strings.TrimSpace(g), 10, 64)
		if err != nil {
			continue
		}
		if err := keep(`SELECT MIN(received_at) FROM exchange_acks WHERE clearinghouse = ? AND kind = '999' AND control = ?
			AND (functional_id = ? OR CAST(? AS TEXT) = '')`, u.ch, n, fid, fid); err != nil {
			return "", err
		}
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(u.control), 10, 64); err == nil {
		if err := keep(`SELECT MIN(received_at) FROM exchange_acks WHERE clearinghouse = ? AND kind = 'TA1' AND control = ? AND accepted = 0`, u.ch, n); err != nil {
			return "", err
		}
	}
	return first, nil
}

type awaitedClaim struct{ ch, local, control, uploaded, state string }

// claimsAwaiting277CA returns the uploaded claims no 277CA (nor anything after it, nor a
// rejecting 999/TA1) has moved, with their latest upload.
func (b *Batch) claimsAwaiting277CA() (map[string]awaitedClaim, error) {
	rows, err := b.query(`SELECT cs.claim_id, u.clearinghouse, u.local_name, u.control, u.uploaded_at, c.state
		FROM claim_submissions cs
		JOIN claims c ON c.id = cs.claim_id
		JOIN claim_files f ON f.id = cs.file_id
		JOIN exchange_uploads u ON u.clearinghouse = f.clearinghouse AND u.sha256 = f.sha256
		WHERE u.state = 'uploaded' AND c.state IN (?, ?, ?)`, lifecycle.Filed, lifecycle.Submitted, lifecycle.FileAccepted)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]awaitedClaim{}
	for rows.Next() {
		var id string
		var w awaitedClaim
		if err := rows.Scan(&id, &w.ch, &w.local, &w.control, &w.uploaded, &w.state); err != nil {
			return nil, err
		}
		if prev, ok := out[id]; !ok || w.uploaded > prev.uploaded {
			out[id] = w
		}
	}
	return out, rows.Err()
}

// raiseOnce opens an alert unless one (open or cleared) exists for the entity and kind: a
// late response clears it, and the same silence is not reported twice.
func (b *Batch) raiseOnce(entityKind, entityID, kind string, detail map[string]any, now time.Time) (bool, error) {
	d, err := json.Marshal(detail)
	if err != nil {
		return false, err
	}
	res, err := b.exec(`INSERT INTO alerts (entity_kind, entity_id, kind, detail, raised_at)
		SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT) WHERE NOT EXISTS (SELECT 1 FROM alerts WHERE entity_kind = ? AND entity_id = ? AND kind = ?)`,
		entityKind, entityID, kind, string(d), timestamp(now), entityKind, entityID, kind)
	if err != nil {
		return false, fmt.Errorf("alert %s %s: %w", kind, entityID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// clearUnless clears the open alerts of this kind whose entity is not in still.
func (b *Batch) clearUnless(entityKind, kind string, still map[string]bool, now time.Time) (int, error) {
	rows, err := b.query(`SELECT id, entity_id FROM alerts WHERE entity_kind = ? AND kind = ? AND cleared_at = ''`, entityKind, kind)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var ent string
		if err := rows.Scan(&id, &ent); err != nil {
			rows.Close()
			return 0, err
		}
		if !still[ent] {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := b.exec(`UPDATE alerts SET cleared_at = ? WHERE id = ?`, timestamp(now), id); err != nil {
			return 0, fmt.Errorf("clear alert %d: %w", id, err)
		}
	}
	return len(ids), nil
}

// RaiseAlert opens an alert unless one (open or cleared) exists for the entity and kind;
// it reports whether it did.
func (db *DB) RaiseAlert(ctx context.Context, entityKind, entityID, kind string, detail map[string]any) (bool, error) {
	var raised bool
	err := db.Batch(ctx, nil, func(b *Batch) error {
		var err error
		raised, err = b.raiseOnce(entityKind, entityID, kind, detail, b.now)
		return err
	})
	return raised, err
}
