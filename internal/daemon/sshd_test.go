package daemon

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/scheduler/sshdtest"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// testClock is a clock the test moves forward (silence only shows as time passes).
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// runStep runs the daemon's named step as `run --once` would.
func runStep(t *testing.T, d *Daemon, name string) {
	t.Helper()
	for _, s := range d.Steps() {
		if s.Name == name {
			if err := s.Run(context.Background()); err != nil {
				t.Fatalf("step %s: %v", name, err)
			}
			return
		}
	}
	t.Fatalf("no step %q", name)
}

// openAlerts reads /alerts as an operator would.
func openAlerts(t *testing.T, d *Daemon) []store.Alert {
	t.Helper()
	rec := httptest.NewRecorder()
	d.serveAlerts(rec, httptest.NewRequest("GET", "/alerts", nil))
	var body struct {
		Alerts []store.Alert `json:"alerts"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("/alerts: %v: %s", err, rec.Body.String())
	}
	return body.Alerts
}

func alertKinds(as []store.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Kind+" "+a.EntityKind)
	}
	sort.Strings(out)
	return out
}

// TestFullCycleOverOpenSSH is issue 7's end-to-end proof on a real OpenSSH sshd: a batch
// in the inbox becomes an 837P uploaded over SFTP (key auth, pinned host key); the
// clearinghouse stays silent for six days, so the alerts job raises ack_overdue for the
// file and claim_ack_overdue for each claim; then it answers (the simulator's responder
// plays it, writing into the sshd's download folder), and download -> responses moves the
// claims to paid, denied and rejected, fills the queues and clears every overdue alert.
func TestFullCycleOverOpenSSH(t *testing.T) {
	srv := sshdtest.Start(t)
	for _, dir := range []string{"outbound", "inbound"} {
		if err := os.MkdirAll(filepath.Join(srv.Remote, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	clk := &testClock{t: time.Now().UTC()}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Claims.WaitForEligibility = 0 // one cycle bills: the 271 wait has its own tests
	ch := &cfg.Clearinghouses[0]      // the payers route to it
	ch.Simulator = false
	ch.SFTP.Host, ch.SFTP.Port, ch.SFTP.User, ch.SFTP.KeyFile = "127.0.0.1", srv.Port, srv.User, srv.KeyFile
	ch.SFTP.Password, ch.SFTP.PasswordEnv, ch.SFTP.HostKey = "", "", srv.KnownHostsLine()
	ch.SFTP.Retries = 0
	d, err := New(ctx, Options{Config: cfg, Log: zerolog.Nop(), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if len(d.sims) != 0 {
		t.Fatal("a simulator was started for a real clearinghouse")
	}

	date := clk.Now().AddDate(0, 0, -3).Format("2006-01-02")
	b, _ := json.Marshal(inboxBatch(date))
	if err := os.WriteFile(filepath.Join(cfg.DataDir, "inbox", "batch.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	d.once = true // the inbox file is complete, as under `run --once`
	for _, step := range []string{"intake", "claims", "upload"} {
		runStep(t, d, step)
	}
	uploaded, _ := filepath.Glob(filepath.Join(srv.Remote, "outbound", "837_*.x12"))
	if len(uploaded) != 1 {
		ents, _ := os.ReadDir(filepath.Join(srv.Remote, "outbound"))
		t.Fatalf("sshd outbound holds %v, want one final 837 file and no temp file", ents)
	}
	if sent, _ := filepath.Glob(filepath.Join(cfg.DataDir, "outbound", ch.ID, "sent", "*.x12")); len(sent) != 1 {
		t.Fatalf("local sent/ = %v", sent)
	}
	upload, err := os.ReadFile(uploaded[0])
	if err != nil {
		t.Fatal(err)
	}

	// Silence: nothing overdue after a day less an hour, everything after six days.
	clk.Add(23 * time.Hour)
	runStep(t, d, "alerts")
	if as := openAlerts(t, d); len(as) != 0 {
		t.Fatalf("alerts before any deadline: %v", alertKinds(as))
	}
	clk.Add(5 * 24 * time.Hour)
	runStep(t, d, "alerts")
	want := []string{"ack_overdue upload", "claim_ack_overdue claim", "claim_ack_overdue claim", "claim_ack_overdue claim"}
	if got := alertKinds(openAlerts(t, d)); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("open alerts %v, want %v", got, want)
	}

	// The clearinghouse answers: 999, 277CA and the 835s, all at once.
	rules := sim.DefaultRules()
	rules.Members["WDENY"] = []sim.Scenario{sim.DenyAuth}
	rules.Members["WREJ"] = []sim.Scenario{sim.RejectA7}
	resp := &sim.Responder{Answerer: sim.Answerer{Rules: rules, ID: ch.ISA.ReceiverID, Usage: ch.ISA.Usage, Now: clk.Now,
		Controls: x12.NewMemorySequence()}, Guides: guides.Registry}
	answers, err := resp.Respond(ctx, upload)
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) < 3 {
		t.Fatalf("the responder answered with %d files", len(answers))
	}
	for _, a := range answers {
		p := filepath.Join(srv.Remote, "inbound", a.Name)
		if err := os.WriteFile(p+".part", a.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p+".part", p); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []string{"download", "responses", "alerts"} {
		runStep(t, d, step)
	}
	if left, _ := os.ReadDir(filepath.Join(srv.Remote, "inbound")); len(left) != 0 {
		t.Errorf("after_download delete left %d files on the sshd", len(left))
	}
	if failed, _ := d.DB.FailedInbound(ctx); len(failed) != 0 {
		t.Errorf("response files failed: %+v", failed)
	}
	claimOf := func(session string) string {
		ids, err := d.DB.ClaimsForSession(ctx, session)
		if err != nil || len(ids) == 0 {
			t.Fatalf("session %s: no claim (%v)", session, err)
		}
		return ids[0]
	}
	for s, st := range map[string]lifecycle.State{"S-1": lifecycle.Paid, "S-2": lifecycle.Denied, "S-3": lifecycle.Rejected} {
		if got, _, err := d.DB.ClaimState(ctx, claimOf(s)); err != nil || got != st {
			t.Errorf("%s: state %q, want %q (%v)", s, got, st, err)
		}
	}
	den, _ := d.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueDenials, OpenOnly: true})
	if len(den) != 1 || den[0].ClaimID != claimOf("S-2") || den[0].Category != remit.CategoryAuthorization {
		t.Errorf("denial queue: %+v", den)
	}
	rej, _ := d.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueRejections, OpenOnly: true})
	if len(rej) != 1 || rej[0].ClaimID != claimOf("S-3") {
		t.Errorf("rejection queue: %+v", rej)
	}
	if as := openAlerts(t, d); len(as) != 0 {
		t.Errorf("alerts still open once the clearinghouse answered: %v", alertKinds(as))
	}

	// A second full pass over the same sshd changes nothing.
	if err := d.RunOnce(ctx); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if den2, _ := d.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueDenials}); len(den2) != len(den) {
		t.Errorf("second run changed the denial queue: %d -> %d", len(den), len(den2))
	}
	if up2, _ := filepath.Glob(filepath.Join(srv.Remote, "outbound", "*")); len(up2) != 1 {
		t.Errorf("second run uploaded again: %v", up2)
	}
}
