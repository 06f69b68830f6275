package store

import (
	"context"
	"fmt"
	"time"
)

// ExchangeHealth is a clearinghouse's exchange state after its last SFTP run (see
// scheduler.Health).
type ExchangeHealth struct {
	Clearinghouse       string
	ConsecutiveFailures int
	LastError           string
	LastFailure         time.Time // zero when none
	LastSuccess         time.Time // zero when none
	Alert               bool
}

// SaveExchangeHealth records a clearinghouse's state after a run, replacing the one before.
func (db *DB) SaveExchangeHealth(ctx context.Context, h ExchangeHealth) error {
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return timestamp(t)
	}
	alert := 0
	if h.Alert {
		alert = 1
	}
	_, err := db.sql.ExecContext(ctx, db.Rebind(`INSERT INTO exchange_health (clearinghouse, consecutive_failures,
		last_error, last_failure, last_success, alert) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (clearinghouse) DO UPDATE SET consecutive_failures = excluded.consecutive_failures,
		last_error = excluded.last_error, last_failure = excluded.last_failure, last_success = excluded.last_success,
		alert = excluded.alert`),
		h.Clearinghouse, h.ConsecutiveFailures, h.LastError, stamp(h.LastFailure), stamp(h.LastSuccess), alert)
	if err != nil {
		return fmt.Errorf("store: exchange health %s: %w", h.Clearinghouse, err)
	}
	return nil
}

// ExchangeHealths returns every clearinghouse's last recorded exchange state, by id.
func (db *DB) ExchangeHealths(ctx context.Context) ([]ExchangeHealth, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT clearinghouse, consecutive_failures, last_error, last_failure,
		last_success, alert FROM exchange_health ORDER BY clearinghouse`)
	if err != nil {
		return nil, fmt.Errorf("store: exchange health: %w", err)
	}
	return collectRows(rows, func(sc scanner) (ExchangeHealth, error) {
		var h ExchangeHealth
		var failure, success string
		var alert int
		if err := sc.Scan(&h.Clearinghouse, &h.ConsecutiveFailures, &h.LastError, &failure, &success, &alert); err != nil {
			return h, err
		}
		h.Alert = alert != 0
		if h.LastFailure, err = parseExchangeStamp(failure); err != nil {
			return h, err
		}
		h.LastSuccess, err = parseExchangeStamp(success)
		return h, err
	})
}
