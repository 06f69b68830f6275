package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
)

// rebuildClaim overwrites a stored claim that is still built or held with a rebuilt one
// and clears its lines, session links and findings for PutClaim to write again. It returns
// the state and holding rules it replaced and the revision the claim has now. A claim
// found sent is left alone (ErrClaimFiled); a claim whose state or revision changes between
// the read and the guarded write (an instance sharing the database rebuilt or filed it) is
// read again.
func (b *Batch) rebuildClaim(c *claims.Claim, state lifecycle.State, holds, data string) (lifecycle.State, string, int64, error) {
	for try := 0; try < 4; try++ {
		row, err := b.queryRow(`SELECT state, hold_rules, revision FROM claims WHERE id = ?`, c.ID)
		if err != nil {
			return "", "", 0, err
		}
		var old lifecycle.State
		var oldHolds string
		var rev int64
		if err := row.Scan(&old, &oldHolds, &rev); errors.Is(err, sql.ErrNoRows) {
			return "", "", 0, fmt.Errorf("store: claim %s: present on insert, gone on rebuild", c.ID)
		} else if err != nil {
			return "", "", 0, fmt.Errorf("store: claim %s: %w", c.ID, err)
		}
		if old != lifecycle.Built && old != lifecycle.Held {
			return old, oldHolds, rev, fmt.Errorf("store: claim %s is %s: %w", c.ID, old, ErrClaimFiled)
		}
		res, err := b.exec(`UPDATE claims SET payer = ?, clearinghouse = ?, frequency = ?, responsibility = ?, total_cents = ?,
			payer_claim_ref = ?, state = ?, hold_rules = ?, data = ?, updated_at = ?, revision = revision + 1
			WHERE id = ? AND state = ? AND revision = ?`,
			c.Payer, c.Clearinghouse, c.Frequency, c.Responsibility(), int64(c.Total), c.PayerControlNumber,
			state, holds, data, timestamp(b.now), c.ID, old, rev)
		if err != nil {
			return "", "", 0, fmt.Errorf("store: claim %s: %w", c.ID, err)
		}
		if k, _ := res.RowsAffected(); k != 1 {
			continue
		}
		for _, t := range []string{"claim_lines", "claim_sessions", "claim_findings"} {
			if _, err := b.exec(`DELETE FROM `+t+` WHERE claim_id = ?`, c.ID); err != nil {
				return "", "", 0, fmt.Errorf("store: claim %s: %w", c.ID, err)
			}
		}
		return old, oldHolds, rev + 1, nil
	}
	return "", "", 0, fmt.Errorf("store: claim %s: state keeps changing under a rebuild", c.ID)
}

// LostWorkError names the work items of a file (claims, 270 traces, 276 traces) that
// another writer sharing the database took first: nothing of the file was recorded, and
// it must be written again without them.
type LostWorkError struct{ IDs []string }

func (e *LostWorkError) Error() string {
	return fmt.Sprintf("store: %d items of the file were taken by another writer", len(e.IDs))
}

// UnsentClaimFile is a recorded 837P file with claims still filed (not uploaded).
type UnsentClaimFile struct {
	ID            int64
	Name          string
	Clearinghouse string
}

// UnsentClaimFiles lists the files written in data folder origin that are the latest file
// of some claim still filed. It starts from the filed claims, so its cost follows the
// claims waiting for upload, not the history.
func (db *DB) UnsentClaimFiles(ctx context.Context, origin string) ([]UnsentClaimFile, error) {
	if origin == "" {
		return nil, nil
	}
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT DISTINCT f.id, f.name, f.clearinghouse FROM claims c
		JOIN claim_submissions s ON s.claim_id = c.id
		JOIN claim_files f ON f.id = s.file_id
		WHERE c.state = ? AND f.origin = ?
		AND s.file_id = (SELECT MAX(s2.file_id) FROM claim_submissions s2 WHERE s2.claim_id = c.id)
		ORDER BY f.id`), lifecycle.Filed, origin)
	if err != nil {
		return nil, fmt.Errorf("store: unsent claim files: %w", err)
	}
	return collectRows(rows, func(sc scanner) (UnsentClaimFile, error) {
		var f UnsentClaimFile
		err := sc.Scan(&f.ID, &f.Name, &f.Clearinghouse)
		return f, err
	})
}

// RefileLostClaimFile puts the claims of a file that went missing before its upload back
// from filed to built (each only while filed and this file is still its latest), with an
// event on each claim and on the file, and returns how many moved. Their sessions stay
// billed: the claim that bills them is the same, it goes out in another file.
func (b *Batch) RefileLostClaimFile(fileID int64, name string) (int, error) {
	rows, err := b.query(`SELECT claim_id FROM claim_submissions WHERE file_id = ? ORDER BY claim_id`, fileID)
	if err != nil {
		return 0, err
	}
	ids, err := collectRows(rows, scanString)
	if err != nil {
		return 0, fmt.Errorf("store: claims of file %s: %w", name, err)
	}
	now := timestamp(b.now)
	var moved []string
	for _, cid := range ids {
		res, err := b.exec(`UPDATE claims SET state = ?, updated_at = ?, revision = revision + 1 WHERE id = ? AND state = ?
			AND NOT EXISTS (SELECT 1 FROM claim_submissions s WHERE s.claim_id = claims.id AND s.file_id > ?)`,
			lifecycle.Built, now, cid, lifecycle.Filed, fileID)
		if err != nil {
			return 0, fmt.Errorf("store: claim %s: %w", cid, err)
		}
		if k, _ := res.RowsAffected(); k != 1 {
			continue
		}
		moved = append(moved, cid)
		if err := b.Event(lifecycle.EntityClaim, cid, lifecycle.Built.Event(), name, map[string]any{"lost_file": name, "file_id": fileID}); err != nil {
			return 0, err
		}
	}
	if len(moved) == 0 {
		return 0, nil
	}
	return len(moved), b.Event(lifecycle.EntityFile, name, lifecycle.FileLost, name, map[string]any{"file_id": fileID, "claims": len(moved)})
}
