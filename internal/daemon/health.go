package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/scheduler"
)

// saveHealth records every exchanged clearinghouse's state after an upload or download
// step, so that a dashboard started later (or another instance) still knows it.
func (d *Daemon) saveHealth(ctx context.Context) error {
	var errs []error
	for _, h := range d.Failures.Health() {
		errs = append(errs, d.DB.SaveExchangeHealth(ctx, store.ExchangeHealth{
			Clearinghouse: h.Clearinghouse, ConsecutiveFailures: h.ConsecutiveFailures, LastError: h.LastError,
			LastFailure: h.LastFailure, LastSuccess: h.LastSuccess, Alert: h.Alert,
		}))
	}
	return errors.Join(errs...)
}

// exchangeHealth reads the clearinghouses' last recorded exchange states from the store;
// when the store cannot answer it falls back to this daemon's own counters.
func (d *Daemon) exchangeHealth() []scheduler.Health {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	saved, err := d.DB.ExchangeHealths(ctx)
	if err != nil {
		d.log.Warn().Err(err).Msg("exchange health: store unavailable, showing this daemon's own")
		return d.Failures.Health()
	}
	out := make([]scheduler.Health, len(saved))
	for i, h := range saved {
		out[i] = scheduler.Health{Clearinghouse: h.Clearinghouse, ConsecutiveFailures: h.ConsecutiveFailures,
			LastError: h.LastError, LastFailure: h.LastFailure, LastSuccess: h.LastSuccess, Alert: h.Alert}
	}
	return out
}
