package daemon

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/moov-io/base/admin"
)

// startAdmin serves moov-io/base's admin server: /live (the store answers), /ready (no
// clearinghouse is in alert), /metrics, and /jobs with the scheduler's state.
func (d *Daemon) startAdmin() (*admin.Server, error) {
	if d.cfg.Admin.Listen == "" {
		return nil, nil
	}
	adm, err := admin.New(admin.Opts{Addr: d.cfg.Admin.Listen})
	if err != nil {
		return nil, fmt.Errorf("daemon: admin server: %w", err)
	}
	adm.AddLivenessCheck("store", func() error { return d.DB.SQL().Ping() })
	adm.AddReadinessCheck("clearinghouses", func() error {
		for _, h := range d.Failures.Health() {
			if h.Alert {
				return fmt.Errorf("clearinghouse %s: %d consecutive failures", h.Clearinghouse, h.ConsecutiveFailures)
			}
		}
		return nil
	})
	adm.AddHandler("/alerts", d.serveAlerts)
	adm.AddHandler("/jobs", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(d.Status())
	})
	go func() {
		if err := adm.Listen(); err != nil && err != http.ErrServerClosed {
			d.log.Error().Err(err).Msg("admin server stopped")
		}
	}()
	return adm, nil
}
