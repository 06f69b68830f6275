package daemon

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
)

// Open alerts are reported on /metrics, not /ready. moov-io/base's readiness checks can
// only pass ("good") or fail (HTTP 400), with no room for a passing detail, and a payer
// or clearinghouse that is slow to answer does not make this daemon unable to work: failing
// /ready for it would only take a healthy instance out of service. A gauge per kind lets
// monitoring alert on it (edigate_open_alerts{kind="ack_overdue"} > 0) while /alerts
// and the web dashboard say which files and claims.
var openAlertsDesc = prometheus.NewDesc("edigate_open_alerts",
	"Open (not yet cleared) alerts by kind, as listed on the admin server's /alerts: ack_overdue (no 999 for an upload), "+
		"claim_ack_overdue (no 277CA for a claim), outbound_rejected (an outbound file could not be sent), "+
		"low_units and end_near (authorizations).",
	[]string{"kind"}, nil)

// reportedAlertKinds are always reported, as 0 when none is open, so a monitoring rule
// sees a count fall to zero instead of a series that disappears.
var reportedAlertKinds = []string{store.AlertAckOverdue, store.AlertClaimAckOverdue, store.AlertOutboundInvalid,
	claims.AlertAuthLowUnits, claims.AlertAuthEndNear}

// collectTimeout bounds the store read a scrape waits for.
const collectTimeout = 5 * time.Second

// alertsCollector reads the open alerts of the daemon serving the admin server at scrape
// time, so the gauge is never staler than the store (an alert cleared by a 999 that just
// arrived stops counting at once). The admin server's /metrics serves Prometheus's default
// registry, which is process-wide: one collector is registered once and pointed at the
// daemon whose admin server is up.
type alertsCollector struct {
	d atomic.Pointer[Daemon]
}

var (
	alertMetrics         = &alertsCollector{}
	registerAlertMetrics sync.Once
)

// serveAlertMetrics makes /metrics report d's open alerts.
func serveAlertMetrics(d *Daemon) {
	registerAlertMetrics.Do(func() {
		if err := prometheus.Register(alertMetrics); err != nil {
			d.log.Error().Err(err).Msg("admin: cannot register the open-alerts gauge")
		}
	})
	alertMetrics.d.Store(d)
}

// stopAlertMetrics stops reporting d's alerts, unless another daemon has taken over.
func stopAlertMetrics(d *Daemon) { alertMetrics.d.CompareAndSwap(d, nil) }

func (c *alertsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- openAlertsDesc }

// Collect reports nothing when the store cannot be read: /live already says so, and
// failing the whole scrape would hide the process metrics too.
func (c *alertsCollector) Collect(ch chan<- prometheus.Metric) {
	d := c.d.Load()
	if d == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), collectTimeout)
	defer cancel()
	counts, err := d.openAlertCounts(ctx)
	if err != nil {
		d.log.Warn().Err(err).Msg("admin /metrics: open alerts unavailable")
		return
	}
	for kind, n := range counts {
		ch <- prometheus.MustNewConstMetric(openAlertsDesc, prometheus.GaugeValue, float64(n), kind)
	}
}

// openAlertCounts counts the open alerts by kind, with every reported kind present.
func (d *Daemon) openAlertCounts(ctx context.Context) (map[string]int, error) {
	as, err := d.DB.Alerts(ctx, true)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(reportedAlertKinds))
	for _, k := range reportedAlertKinds {
		out[k] = 0
	}
	for _, a := range as {
		out[a.Kind]++
	}
	return out, nil
}
