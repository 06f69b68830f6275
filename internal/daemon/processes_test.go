package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.yaml.in/yaml/v3"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/testenv"
	"github.com/edigate/edigate/x12/guides"
)

// cluster is several real `edigate run` processes (the built binary) on one PostgreSQL
// database, all talking to one clearinghouse simulator over SFTP.
type cluster struct {
	t      *testing.T
	bin    string
	url    string
	sim    *sim.Clearinghouse
	simDir string
	pass   string
	dirs   []string // each instance's data folder (the same one when shared)
	cfgs   []string // each instance's configuration file
	procs  []*exec.Cmd
	logs   []string  // each instance's current log
	all    []string  // every log, killed runs' too
	db     *store.DB // the test's own handle, to watch progress and check the end state
	starts int
}

// edigateBinary builds cmd/edigate once per test.
func edigateBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "edigate")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/edigate").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// newCluster starts the simulator and prepares n instances' configurations (a shared
// data folder or one each); schedules run every second or two, leases expire after 3s.
func newCluster(t *testing.T, bin string, n int, shared bool, paymentDelay time.Duration, schedules map[string]any) *cluster {
	t.Helper()
	ctx := context.Background()
	c := &cluster{t: t, bin: bin, url: testenv.PostgresSchema(t), simDir: t.TempDir(), pass: "sim-secret"}
	var err error
	c.sim, err = sim.Start(sim.Options{Dir: c.simDir, UploadDir: "outbound", DownloadDir: "inbound", ID: "SIMCH", Usage: "T",
		Rules: sim.DefaultRules(), Guides: guides.Registry, PaymentDelay: paymentDelay, Password: c.pass, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.sim.Close() })
	def := config.Default()
	ch := def.Clearinghouses[0]
	ch.Simulator = false
	ch.SFTP = c.sim.SFTP(ch.SFTP)
	ch.SFTP.Password, ch.SFTP.PasswordEnv = "", "EDIGATE_TEST_SIM_PASSWORD"
	sharedDir := t.TempDir()
	cfgDir := t.TempDir()
	logLevel := "info"
	if _, ok := schedules["log_level"]; ok {
		logLevel = schedules["log_level"].(string)
		delete(schedules, "log_level")
	}
	// "wait_for_eligibility" is claims.wait_for_eligibility: a run without 271s (eligibility
	// and the exchange kept out of a measurement) bills only when it does not wait for them.
	claimsOpts := map[string]any{}
	if v, ok := schedules["wait_for_eligibility"]; ok {
		claimsOpts["wait_for_eligibility"] = v
		delete(schedules, "wait_for_eligibility")
	}
	for i := range n {
		dir := sharedDir
		if !shared {
			dir = t.TempDir()
		}
		sched := map[string]any{"intake": "@every 1s", "eligibility": "@every 2s", "claims": "@every 2s",
			"upload": "@every 1s", "download": "@every 1s", "responses": "@every 1s", "follow_up": "@every 10s",
			"alerts": "@every 5s", "housekeeping": "@every 10s", "lease_ttl": "3s"}
		for k, v := range schedules {
			sched[k] = v
		}
		cfg := map[string]any{
			"data_dir": dir, "store": c.url,
			"log":            map[string]any{"level": logLevel, "format": "json"},
			"web":            map[string]any{"listen": ""},
			"admin":          map[string]any{"listen": ""},
			"schedules":      sched,
			"clearinghouses": []config.Clearinghouse{ch},
		}
		if len(claimsOpts) > 0 {
			cfg["claims"] = claimsOpts
		}
		b, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(cfgDir, fmt.Sprintf("edigate-%d.yml", i))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		c.dirs, c.cfgs = append(c.dirs, dir), append(c.cfgs, p)
		c.procs, c.logs = append(c.procs, nil), append(c.logs, "")
		if err := os.MkdirAll(filepath.Join(dir, "inbox"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// Migrate once before the instances start, and keep a handle to watch with.
	if c.db, err = store.Open(ctx, c.url, store.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.db.Close() })
	t.Cleanup(c.stopAll)
	return c
}

// start runs instance i (again, after a kill) with its log in a file of its own.
func (c *cluster) start(i int) {
	c.t.Helper()
	c.starts++
	c.logs[i] = filepath.Join(c.t.TempDir(), fmt.Sprintf("instance-%d-%d.log", i, c.starts))
	c.all = append(c.all, c.logs[i])
	logf, err := os.Create(c.logs[i])
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(c.bin, "run", "--config", c.cfgs[i])
	cmd.Env = append(os.Environ(), "APP_CONFIG=", "EDIGATE_TEST_SIM_PASSWORD="+c.pass)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	logf.Close()
	c.procs[i] = cmd
}

// kill ends instance i at once (SIGKILL): no step finishes, no lease is released.
func (c *cluster) kill(i int) {
	c.t.Helper()
	if err := c.procs[i].Process.Kill(); err != nil {
		c.t.Fatal(err)
	}
	_ = c.procs[i].Wait()
	c.procs[i] = nil
}

// stopAll asks every running instance to stop (SIGTERM) and waits for it.
func (c *cluster) stopAll() {
	for i, p := range c.procs {
		if p == nil {
			continue
		}
		_ = p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(45 * time.Second):
			_ = p.Process.Kill()
			<-done
		}
		c.procs[i] = nil
	}
}

// jobTimes sums, per step, the time every instance spent in it (from the "job done" lines
// a debug log carries).
func (c *cluster) jobTimes() map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, p := range c.all {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var l struct {
				Message string  `json:"message"`
				Job     string  `json:"job"`
				Took    float64 `json:"took"`
			}
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Message == "job done" {
				out[l.Job] += time.Duration(l.Took * float64(time.Millisecond))
				if os.Getenv("EDIGATE_SCALING_RUNS") != "" && l.Job == "claims" {
					fmt.Printf("SCALING run %s claims %.2fs: %s\n", filepath.Base(p), l.Took/1000, sc.Text())
				}
			}
		}
		f.Close()
	}
	return out
}

// count runs a COUNT query on the shared database.
func (c *cluster) count(q string) int {
	c.t.Helper()
	var n int
	if err := c.db.SQL().QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		c.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// waitFor polls until cond holds, failing the test (with the instances' errors) after limit.
func (c *cluster) waitFor(what string, limit time.Duration, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			c.logErrors()
			c.t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// logErrors reports the error lines of every instance's logs.
func (c *cluster) logErrors() int {
	n := 0
	for _, p := range c.all {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if strings.Contains(sc.Text(), `"level":"error"`) {
				n++
				if n <= 20 {
					c.t.Logf("%s: %s", filepath.Base(p), sc.Text())
				}
			}
		}
		f.Close()
	}
	return n
}

// instancesClients is the number of clients (five sessions each) of the process test:
// EDIGATE_INSTANCES_CLIENTS (scripts/instances.sh runs 2,000 = 10,000 sessions), else 200.
func instancesClients(t *testing.T) int {
	if s := os.Getenv("EDIGATE_INSTANCES_CLIENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("EDIGATE_INSTANCES_CLIENTS=%q", s)
		}
		return n
	}
	return 200
}

// TestInstancesProcesses: three `edigate run` processes (the built binary) share one
// PostgreSQL database and one simulated clearinghouse over SFTP, with one data folder each
// or one for all. 1,000 sessions (200 clients x 5, 3-visit authorizations) arrive across
// their inboxes; once claims are being filed one instance is killed (SIGKILL) and started
// again, and the authorizations' renewals arrive at two instances 0.1 s apart. When every
// session is billed and every claim paid: each session is on exactly one claim, each
// CLM01 in one 837P only and received once by the clearinghouse, units used equal
// sessions billed, no session released twice, and each response applied once.
func TestInstancesProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("three edigate processes through a whole cycle")
	}
	bin := edigateBinary(t)
	clients := instancesClients(t)
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) { testInstancesProcesses(t, bin, shared, clients) })
	}
}

func testInstancesProcesses(t *testing.T, bin string, shared bool, clients int) {
	const perFile = 50
	c := newCluster(t, bin, 3, shared, 2*time.Second, nil)
	for i := range c.procs {
		c.start(i)
	}
	var days []string
	for i := 5; i >= 1; i-- {
		days = append(days, time.Now().UTC().AddDate(0, 0, -i).Format("2006-01-02"))
	}
	began := time.Now()
	for f := 0; f*perFile < clients; f++ {
		drop(t, filepath.Join(c.dirs[f%len(c.dirs)], "inbox"), fmt.Sprintf("batch-%03d.json", f),
			practiceBatch(f*perFile, min((f+1)*perFile, clients), days))
	}
	sessions := clients * 5
	limit := time.Duration(clients)*600*time.Millisecond + 3*time.Minute

	// Kill one instance while claims are being filed and sent, and start it again.
	c.waitFor("claims filed", limit, func() bool {
		return c.count(`SELECT COUNT(*) FROM claim_submissions`) >= clients
	})
	c.kill(0)
	t.Logf("instance 0 killed after %s with %d claims filed", time.Since(began).Round(time.Second), c.count(`SELECT COUNT(*) FROM claim_submissions`))
	// The renewals reach two instances 0.1 s apart (each practice feed delivers one).
	var renewals []map[string]any
	for cl := range clients {
		renewals = append(renewals, authorization(cl, "A2", "2026-01-01", "2026-12-31"))
	}
	drop(t, filepath.Join(c.dirs[1], "inbox"), "renewal.json", renewals)
	time.Sleep(100 * time.Millisecond)
	drop(t, filepath.Join(c.dirs[2], "inbox"), "renewal-copy.json", renewals)
	time.Sleep(time.Second)
	c.start(0)

	c.waitFor("every session billed and every claim paid", limit, func() bool {
		return c.count(`SELECT COUNT(*) FROM sessions WHERE state = 'billed'`) == sessions &&
			c.count(`SELECT COUNT(*) FROM claims WHERE state = 'paid'`) == sessions
	})
	t.Logf("%d sessions billed and paid after %s", sessions, time.Since(began).Round(time.Second))
	c.stopAll()
	if n := c.logErrors(); n > 0 {
		t.Logf("%d error lines in the instances' logs (a killed instance's interrupted work is retried)", n)
	}
	c.checkOnce(sessions)
}

// checkOnce asserts that every piece of work was done exactly once.
func (c *cluster) checkOnce(sessions int) {
	t := c.t
	t.Helper()
	written, received := map[string][]string{}, map[string][]string{}
	walked := map[string]bool{}
	for _, d := range c.dirs {
		if !walked[d] {
			walked[d] = true
			clm01sUnder(t, filepath.Join(d, "outbound"), written)
		}
	}
	clm01sUnder(t, filepath.Join(c.simDir, "mailbox"), received)
	for clm, paths := range written {
		if len(paths) != 1 {
			t.Errorf("CLM01 %s in %d 837Ps: %v", clm, len(paths), paths)
		}
		if n := len(received[clm]); n != 1 {
			t.Errorf("CLM01 %s received %d times by the simulator", clm, n)
		}
	}
	if len(received) != len(written) || len(written) != sessions {
		t.Errorf("%d CLM01s received, %d written, %d sessions", len(received), len(written), sessions)
	}
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM sessions WHERE state = 'billed'`:                                                   sessions,
		`SELECT COUNT(*) FROM claims`:                                                                            sessions,
		`SELECT COUNT(DISTINCT session_id) FROM claim_sessions`:                                                  sessions,
		`SELECT COUNT(*) FROM (SELECT session_id FROM claim_sessions GROUP BY session_id HAVING COUNT(*) > 1) x`: 0,
		`SELECT COALESCE(SUM(used), 0) FROM authorizations`:                                                      sessions,
		`SELECT COUNT(*) FROM (SELECT entity_id FROM events WHERE entity_kind = 'session' AND kind = 'released'
			GROUP BY entity_id HAVING COUNT(*) > 1) x`: 0,
		// Each claim's 835 CLP posted once, and each response moved each claim once.
		`SELECT COUNT(*) FROM remit_claims`:                 sessions,
		`SELECT COUNT(DISTINCT claim_id) FROM remit_claims`: sessions,
		`SELECT COUNT(*) FROM (SELECT entity_id, kind FROM events WHERE entity_kind = 'claim'
			AND kind IN ('submitted', 'file_accepted', 'accepted', 'paid') GROUP BY entity_id, kind HAVING COUNT(*) > 1) x`: 0,
		`SELECT COUNT(*) FROM (SELECT remote_path FROM exchange_downloads GROUP BY clearinghouse, remote_path, size, mtime
			HAVING COUNT(*) > 1) x`: 0,
	} {
		if n := c.count(q); n != want {
			t.Errorf("%d, want %d: %s", n, want, strings.Join(strings.Fields(q), " "))
		}
	}
	t.Logf("%d claims written, received and paid once each; %d data folder(s)", len(written), len(walked))
}
