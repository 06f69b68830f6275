package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/edigate/edigate/scheduler"
)

// The store keeps the scheduler's cluster leases (scheduler.Leases): one row per lease in
// the table every instance shares, so the same code holds on PostgreSQL (instances on
// several hosts) and on SQLite (several processes on one file, where the single writer
// serialises the upserts). A table rather than PostgreSQL advisory locks because SQLite
// has none, because a lease must survive a pooled connection being recycled, and because a
// row shows who holds what (and its token fences a holder that lost it).
var _ scheduler.Leases = (*DB)(nil)

// dbNowMillis is the database's clock in Unix milliseconds: expiry is judged by the one
// clock every instance shares, not by each host's.
func (db *DB) dbNowMillis() string {
	if db.dialect.name == "postgres" {
		return `CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)`
	}
	return `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`
}

// AcquireLease takes the lease name for holder for ttl when nobody holds it or its holder
// let it expire (a holder cannot take its own unexpired lease twice). It returns the new
// fencing token, or ok false when another holder has it.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (int64, bool, error) {
	now := db.dbNowMillis()
	var token int64
	err := db.sql.QueryRowContext(ctx, db.Rebind(`INSERT INTO leases (name, holder, token, acquired_at, expires_at)
		VALUES (?, ?, 1, `+now+`, `+now+` + ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = leases.token + 1,
		acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
		WHERE leases.expires_at <= excluded.acquired_at
		RETURNING token`), name, holder, ttl.Milliseconds()).Scan(&token)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: lease %s: %w", name, err)
	}
	return token, true, nil
}

// RenewLease extends holder's lease by ttl from now, only while it still holds it with
// this token and it has not expired; ok false means it is lost.
func (db *DB) RenewLease(ctx context.Context, name, holder string, token int64, ttl time.Duration) (bool, error) {
	now := db.dbNowMillis()
	res, err := db.sql.ExecContext(ctx, db.Rebind(`UPDATE leases SET expires_at = `+now+` + ?
		WHERE name = ? AND holder = ? AND token = ? AND expires_at > `+now), ttl.Milliseconds(), name, holder, token)
	if err != nil {
		return false, fmt.Errorf("store: lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseLease ends holder's lease now so another instance need not wait for the expiry;
// a lease already lost is left to its new holder.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string, token int64) error {
	_, err := db.sql.ExecContext(ctx, db.Rebind(`UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ? AND token = ?`),
		name, holder, token)
	if err != nil {
		return fmt.Errorf("store: lease %s: %w", name, err)
	}
	return nil
}

// Lease is one row of the leases table, as an operator sees it.
type Lease struct {
	Name, Holder string
	Token        int64
	AcquiredAt   time.Time
	ExpiresAt    time.Time
}

// Leases lists every lease ever taken (expired ones too), by name.
func (db *DB) Leases(ctx context.Context) ([]Lease, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT name, holder, token, acquired_at, expires_at FROM leases ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: leases: %w", err)
	}
	return collectRows(rows, func(sc scanner) (Lease, error) {
		var l Lease
		var at, exp int64
		if err := sc.Scan(&l.Name, &l.Holder, &l.Token, &at, &exp); err != nil {
			return l, err
		}
		l.AcquiredAt, l.ExpiresAt = time.UnixMilli(at).UTC(), time.UnixMilli(exp).UTC()
		return l, nil
	})
}
