package daemon

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/moov-io/base/admin"
)

// startAdmin serves moov-io/base's admin server: /live (the store answers), /ready (the
// store answers and no clearinghouse's SFTP exchange is failing run after run), /metrics
// (with edigate_open_alerts{kind}, see metrics.go), /alerts, and /jobs with the
// scheduler's state. Overdue 999s and 277CAs do not fail /ready: a slow clearinghouse or
// payer does not stop this daemon from working, so they are counted on /metrics instead.
func (d *Daemon) startAdmin() (*admin.Server, error) {
	if d.cfg.Admin.Listen == "" {
		return nil, nil
	}
	adm, err := admin.New(admin.Opts{Addr: d.cfg.Admin.Listen})
	if err != nil {
		return nil, fmt.Errorf("daemon: admin server: %w", err)
	}
	adm.AddLivenessCheck("store", func() error { return d.DB.SQL().Ping() })
	adm.AddReadinessCheck("store", func() error { return d.DB.SQL().Ping() })
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
	serveAlertMetrics(d)
	go func() {
		defer stopAlertMetrics(d)
		if err := adm.Listen(); err != nil && err != http.ErrServerClosed {
			d.log.Error().Err(err).Msg("admin server stopped")
		}
	}()
	return adm, nil
}
