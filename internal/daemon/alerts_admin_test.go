package daemon

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/scheduler"
)

func newTestDaemon(t *testing.T, cfg *config.Config, now func() time.Time) *Daemon {
	t.Helper()
	cfg.DataDir = t.TempDir()
	d, err := New(context.Background(), Options{Config: cfg, Log: zerolog.Nop(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func getAdmin(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestAdminOpenAlerts: an overdue 999 is counted on /metrics by kind (the kinds with none
// open read 0) while /ready stays 200, since a silent clearinghouse does not stop the
// daemon from working.
func TestAdminOpenAlerts(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.Admin.Listen = "127.0.0.1:0"
	d := newTestDaemon(t, cfg, nil)
	for _, a := range []struct{ entityKind, id, kind string }{
		{"upload", "sim/837P_sim_000000501.x12", store.AlertAckOverdue},
		{"upload", "sim/837P_sim_000000502.x12", store.AlertAckOverdue},
		{"file", "sim/broken.x12", store.AlertOutboundInvalid},
	} {
		if _, err := d.DB.RaiseAlert(ctx, a.entityKind, a.id, a.kind, map[string]any{"clearinghouse": "sim"}); err != nil {
			t.Fatal(err)
		}
	}
	adm, err := d.startAdmin()
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Shutdown()

	code, body := getAdmin(t, adm.BindAddr(), "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		"# TYPE edigate_open_alerts gauge",
		`edigate_open_alerts{kind="ack_overdue"} 2`,
		`edigate_open_alerts{kind="outbound_rejected"} 1`,
		`edigate_open_alerts{kind="claim_ack_overdue"} 0`,
		`edigate_open_alerts{kind="low_units"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	code, body = getAdmin(t, adm.BindAddr(), "/ready")
	if code != http.StatusOK || !strings.Contains(body, `"store":"good"`) {
		t.Errorf("/ready with open alerts: %d %s", code, body)
	}
}

// A daemon whose admin server has stopped is no longer read by /metrics (its store may be
// closed next), unless another daemon took over.
func TestAlertMetricsRelease(t *testing.T) {
	a := newTestDaemon(t, config.Default(), nil)
	b := newTestDaemon(t, config.Default(), nil)
	serveAlertMetrics(a)
	serveAlertMetrics(b)
	stopAlertMetrics(a)
	if got := alertMetrics.d.Load(); got != b {
		t.Fatalf("after stopping a replaced daemon the collector reads %p, want %p", got, b)
	}
	stopAlertMetrics(b)
	if got := alertMetrics.d.Load(); got != nil {
		t.Fatalf("after stopping the serving daemon the collector still reads %p", got)
	}
}

// TestOverdueHonoursAcksExpectedFor runs the alerts step over an 837 and a 270 that went
// out 25 hours ago with no 999: with clearinghouses[].acks_expected_for at its default
// the 270 raises nothing, listing 270 makes it alert, and the 837 alerts either way.
func TestOverdueHonoursAcksExpectedFor(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		sets []string
		want []string
	}{
		{"default: no 999 expected for a 270", nil, []string{"sim/837P_sim_000000601.x12"}},
		{"clearinghouse acknowledges 270s", []string{"837", "270"}, []string{"sim/270_sim_000000602.x12", "sim/837P_sim_000000601.x12"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			now := t0
			cfg := config.Default()
			cfg.Clearinghouses[0].AcksExpectedFor = c.sets
			d := newTestDaemon(t, cfg, func() time.Time { return now })
			ledger := pipeline.ExchangeStore{DB: d.DB}
			for _, u := range []scheduler.Upload{
				{LocalName: "837P_sim_000000601.x12", Set: "837", Control: "000000601", Groups: []string{"601"}},
				{LocalName: "270_sim_000000602.x12", Set: "270", Control: "000000602", Groups: []string{"602"}},
			} {
				u.Clearinghouse, u.SHA256, u.RemoteName = "sim", "sha-"+u.LocalName, "in/"+u.LocalName
				u.State, u.CreatedAt, u.UploadedAt = scheduler.UploadDone, t0, t0
				if err := ledger.PutUpload(ctx, u, ""); err != nil {
					t.Fatal(err)
				}
			}
			now = t0.Add(time.Duration(cfg.Claims.AckOverdueHours+1) * time.Hour)
			runStep(t, d, "alerts")
			var got []string
			for _, a := range openAlerts(t, d) {
				if a.Kind == store.AlertAckOverdue {
					got = append(got, a.EntityID)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("ack_overdue alerts %v, want %v", got, c.want)
			}
		})
	}
}
