package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/testenv"
)

// practiceBatch is clients [from, to) with five 90837 sessions each on five days and a
// 3-visit authorization, so two of each client's sessions wait for a renewal.
func practiceBatch(from, to int, days []string) []map[string]any {
	var out []map[string]any
	for c := from; c < to; c++ {
		member := fmt.Sprintf("WM%04d", c)
		out = append(out, authorization(c, "A1", "2026-01-01", "2026-12-31"))
		for i, d := range days {
			out = append(out, map[string]any{"type": "session", "id": fmt.Sprintf("S-%04d-%d", c, i), "practice": "demo-practice", "status": "completed",
				"client": map[string]any{"id": fmt.Sprintf("C-%04d", c), "first_name": "Pat", "last_name": "Lee", "dob": "1985-02-03", "gender": "F",
					"address": map[string]any{"line1": "1 Elm St", "city": "Springfield", "state": "IL", "zip": "62702"}},
				"coverage": map[string]any{"payer": "demo-commercial", "member_id": member, "group": "GRP1", "relationship": "self", "priority": "primary"},
				"date":     d, "start": "10:00", "end": "10:55",
				"service":   map[string]any{"code": "90837", "units": 1, "place_of_service": "11"},
				"diagnoses": []string{"F41.1"}, "rendering_provider": "1245319599", "charge": "150.00"})
		}
	}
	return out
}

// authorization is client c's 3-visit authorization for 90837.
func authorization(c int, number, start, end string) map[string]any {
	return map[string]any{"type": "authorization", "number": fmt.Sprintf("%s-%04d", number, c), "payer": "demo-commercial",
		"client_id": fmt.Sprintf("C-%04d", c), "member_id": fmt.Sprintf("WM%04d", c), "codes": []string{"90837"}, "units": 3,
		"unit_kind": "visit", "start": start, "end": end}
}

// drop writes records into an inbox as one complete file.
func drop(t *testing.T, inbox, name string, recs []map[string]any) {
	t.Helper()
	b, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(inbox, name+".part")
	if err := os.WriteFile(part, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(part, filepath.Join(inbox, name)); err != nil {
		t.Fatal(err)
	}
}

// TestInstancesOnePostgres: three daemons share one PostgreSQL database, each with a data
// folder of its own or all with one, and take 2,000 sessions (400 clients x 5, 3-visit authorizations)
// dropped across their inboxes (a quarter of that with one shared folder), then renewals arriving at two of them at once, through
// `run --once` passes run at the same time. Afterwards every CLM01 is in one 837P only,
// every session is billed once on one claim, released at most once, and the units the
// authorizations count as used equal the sessions billed.
func TestInstancesOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 sessions through three daemons")
	}
	// The shared folder runs a quarter of the batch: the race it adds is on files, which
	// every pass exercises, and the whole suite stays within a few minutes.
	for _, tt := range []struct {
		shared  bool
		clients int
	}{{false, 400}, {true, 100}} {
		t.Run(fmt.Sprintf("shared=%v", tt.shared), func(t *testing.T) { testInstancesOnePostgres(t, tt.shared, tt.clients) })
	}
}

func testInstancesOnePostgres(t *testing.T, sharedFolder bool, clients int) {
	ctx := context.Background()
	url := testenv.PostgresSchema(t)
	const perFile = 50
	var ds []*Daemon
	shared := t.TempDir()
	for range 3 {
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		if sharedFolder {
			cfg.DataDir = shared
		}
		cfg.Store = url
		d, err := New(ctx, Options{Config: cfg, Log: zerolog.Nop(), SimPaymentDelay: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		ds = append(ds, d)
	}
	var days []string
	for i := 5; i >= 1; i-- {
		days = append(days, time.Now().UTC().AddDate(0, 0, -i).Format("2006-01-02"))
	}
	for f := 0; f*perFile < clients; f++ {
		inbox := filepath.Join(ds[f%len(ds)].cfg.DataDir, "inbox")
		drop(t, inbox, fmt.Sprintf("batch-%02d.json", f), practiceBatch(f*perFile, (f+1)*perFile, days))
	}
	runAll := func(passes int) {
		var wg sync.WaitGroup
		for _, d := range ds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range passes {
					runErrors(t, d.RunOnce(ctx))
				}
			}()
		}
		wg.Wait()
	}
	runAll(2)
	// The renewal reaches two instances at once (each practice feed delivers it).
	var renewals []map[string]any
	for c := range clients {
		renewals = append(renewals, authorization(c, "A2", "2026-01-01", "2026-12-31"))
	}
	drop(t, filepath.Join(ds[0].cfg.DataDir, "inbox"), "renewal.json", renewals)
	drop(t, filepath.Join(ds[1].cfg.DataDir, "inbox"), "renewal-copy.json", renewals)
	runAll(2)
	for _, d := range ds { // settle what a lost race left for the next pass
		runErrors(t, d.RunOnce(ctx))
	}
	checkOneBilling(t, ds, clients*5)
}

// runErrors fails the test on any step error of a pass: with the exchange, responses,
// follow-up, alerts and housekeeping under cluster leases, instances sharing one data
// folder no longer find each other's files gone or clean each other's downloads.
func runErrors(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		t.Errorf("run: %s", line)
	}
}

// checkOneBilling asserts the end state of TestInstancesOnePostgres.
func checkOneBilling(t *testing.T, ds []*Daemon, sessions int) {
	t.Helper()
	ctx := context.Background()
	db := ds[0].DB
	// Every 837P written (outbound, then outbound/sent) and every one the simulators
	// received, once per data folder.
	written, received := map[string][]string{}, map[string][]string{}
	walked := map[string]bool{}
	for _, d := range ds {
		if !walked[d.cfg.DataDir] {
			walked[d.cfg.DataDir] = true
			clm01sUnder(t, filepath.Join(d.cfg.DataDir, "outbound"), written)
			clm01sUnder(t, filepath.Join(d.cfg.DataDir, "sim"), received)
		}
	}
	for clm, paths := range written {
		if len(paths) != 1 {
			t.Errorf("CLM01 %s in %d 837Ps: %v", clm, len(paths), paths)
		}
		if n := len(received[clm]); n != 1 {
			t.Errorf("CLM01 %s received %d times by the simulators", clm, n)
		}
	}
	if len(received) != len(written) {
		t.Errorf("%d CLM01s received, %d written", len(received), len(written))
	}
	counts, err := db.CountSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.StateBilled] != sessions {
		t.Errorf("sessions %v, want %d billed", counts, sessions)
	}
	q := func(query string) int {
		var n int
		if err := db.SQL().QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	if n := q(`SELECT COUNT(*) FROM claims`); n != len(written) {
		t.Errorf("%d claims stored, %d CLM01s in 837Ps", n, len(written))
	}
	if n := q(`SELECT COUNT(*) FROM (SELECT session_id FROM claim_sessions GROUP BY session_id HAVING COUNT(*) > 1) x`); n != 0 {
		t.Errorf("%d sessions on more than one claim", n)
	}
	if n := q(`SELECT COUNT(DISTINCT session_id) FROM claim_sessions`); n != sessions {
		t.Errorf("%d sessions on claims, want %d", n, sessions)
	}
	if n := q(`SELECT COUNT(*) FROM (SELECT entity_id FROM events WHERE entity_kind = 'session' AND kind = 'released'
		GROUP BY entity_id HAVING COUNT(*) > 1) x`); n != 0 {
		t.Errorf("%d sessions released more than once", n)
	}
	if used := q(`SELECT COALESCE(SUM(used), 0) FROM authorizations`); used != sessions {
		t.Errorf("authorizations count %d units used, %d sessions billed", used, sessions)
	}
	t.Logf("%d claims written and received once each, %d data folders", len(written), len(walked))
}

// clm01sUnder adds, for every X12 file under root carrying CLM segments, its path to the
// CLM01s it carries; a temp file left behind is an error.
func clm01sUnder(t *testing.T, root string, into map[string][]string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if strings.HasPrefix(e.Name(), "837P_") && strings.HasSuffix(path, ".tmp") {
			t.Errorf("temp file left: %s", path)
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil || len(b) < 106 || string(b[:3]) != "ISA" {
			return err
		}
		elem, term := string(b[3]), string(b[105])
		for _, seg := range strings.Split(string(b), term) {
			if f := strings.Split(strings.TrimSpace(seg), elem); f[0] == "CLM" {
				into[f[1]] = append(into[f[1]], path)
			}
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}
