package daemon

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/scheduler"
)

// checkOverdue is the alerts job's watch on clearinghouse silence: no 999 within
// claims.ack_overdue_hours of an upload (of a set the clearinghouse acknowledges), no
// 277CA within claims.claim_ack_overdue_days.
func (d *Daemon) checkOverdue(ctx context.Context) error {
	o := &scheduler.Overdue{Store: d.DB, DataDir: d.cfg.DataDir, Now: d.opts.Now, Log: d.log,
		AckAfter:      time.Duration(d.cfg.Claims.AckOverdueHours) * time.Hour,
		ClaimAckAfter: time.Duration(d.cfg.Claims.ClaimAckOverdueD) * 24 * time.Hour,
		ExpectsAck:    d.expectsAck}
	_, err := o.Check(ctx)
	return err
}

// expectsAck applies clearinghouses[].acks_expected_for. An upload to a clearinghouse no
// longer configured keeps being watched: silence about a file that went out still matters.
func (d *Daemon) expectsAck(clearinghouse, set string) bool {
	ch, ok := d.cfg.Clearinghouse(clearinghouse)
	if !ok {
		return true
	}
	return ch.ExpectsAck(set)
}

// outboxRejected reports an outbound file the upload job moved to rejected/: a log line
// (name and code only: the reason may quote PHI) and an alert in the store, raised once.
func (d *Daemon) outboxRejected(clearinghouse string) func(context.Context, scheduler.RejectedFile) {
	return func(ctx context.Context, r scheduler.RejectedFile) {
		d.log.Error().Str("clearinghouse", clearinghouse).Str("file", r.File).Str("code", r.Code).
			Msg("outbound file cannot be sent; moved to rejected/ with its reason")
		_, err := d.DB.RaiseAlert(ctx, "file", clearinghouse+"/"+r.File, store.AlertOutboundInvalid,
			map[string]any{"clearinghouse": clearinghouse, "file": r.File, "code": r.Code, "path": r.Path})
		if err != nil {
			d.log.Error().Err(err).Str("file", r.File).Msg("could not record the rejected-file alert")
		}
	}
}

// serveAlerts is the admin server's /alerts: the open alerts (authorizations running out,
// overdue 999s and 277CAs, outbound files that could not be sent); ?all=1 adds cleared ones.
func (d *Daemon) serveAlerts(w http.ResponseWriter, r *http.Request) {
	as, err := d.DB.Alerts(r.Context(), r.URL.Query().Get("all") == "")
	if err != nil {
		http.Error(w, "alerts unavailable", http.StatusInternalServerError)
		d.log.Error().Err(err).Msg("admin /alerts")
		return
	}
	if as == nil {
		as = []store.Alert{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Alerts []store.Alert `json:"alerts"`
	}{as})
}
