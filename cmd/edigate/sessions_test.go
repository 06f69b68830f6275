package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/intake"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/store/storetest"
	"github.com/edigate/edigate/queue"
)

func cli(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &app{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}, args)
	return out.String(), errb.String(), code
}

// intakeDir stores a small batch through intake: AUTH5566 with 2 units, three sessions
// (the third held auth_exhausted) and one 90791 that needs no authorization.
func intakeDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = dir
	db, err := store.OpenConfig(context.Background(), cfg, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in, err := intake.New(cfg, db, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	eval := storetest.Session("S-4", "2026-11-05")
	eval.Service.Code = "90791"
	var b bytes.Buffer
	for _, v := range []any{storetest.Auth("AUTH5566", 2, "2026-10-01", "2027-03-31"), storetest.Session("S-1", "2026-11-02"),
		storetest.Session("S-2", "2026-11-03"), storetest.Session("S-3", "2026-11-04"), eval} {
		j, _ := json.Marshal(v)
		b.Write(append(j, '\n'))
	}
	if err := os.WriteFile(filepath.Join(dir, "inbox", "batch.ndjson"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := in.RunOnce(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSessionsCLI(t *testing.T) {
	dir := intakeDir(t)
	out, errOut, code := cli(t, "sessions", "list", "--data", dir, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var list []store.SessionRecord
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 4 {
		t.Fatalf("list = %d (%v): %s", len(list), err, out)
	}
	out, _, _ = cli(t, "sessions", "list", "--status", "held", "--data", dir, "--json")
	list = nil
	json.Unmarshal([]byte(out), &list)
	if len(list) != 1 || list[0].ID != "S-3" || list[0].HoldReason != claims.HoldAuthExhausted {
		t.Fatalf("held = %+v", list)
	}
	if _, _, code := cli(t, "sessions", "list", "--status", "bogus", "--data", dir); code != exitUsage {
		t.Fatalf("bad --status exit %d, want %d", code, exitUsage)
	}

	out, errOut, code = cli(t, "sessions", "show", "S-1", "--data", dir, "--json")
	if code != exitOK {
		t.Fatalf("show exit %d: %s", code, errOut)
	}
	var show sessionShowJSON
	if err := json.Unmarshal([]byte(out), &show); err != nil {
		t.Fatal(err)
	}
	if show.ID != "S-1" || show.AuthNumber != "AUTH5566" || len(show.Events) != 2 ||
		show.Events[0].Kind != "received" || show.Events[1].Kind != "units_consumed" || show.Events[0].SourceFile != "batch.ndjson" {
		t.Fatalf("show = %+v", show)
	}
	if _, _, code := cli(t, "sessions", "show", "S-404", "--data", dir); code != exitInvalid {
		t.Fatalf("unknown session exit %d, want %d", code, exitInvalid)
	}
	if out, _, code := cli(t, "sessions", "show", "S-3", "--data", dir); code != exitOK || !strings.Contains(out, "auth_exhausted") {
		t.Fatalf("text show = %d %q", code, out)
	}
}

func TestAuthCLI(t *testing.T) {
	dir := intakeDir(t)
	out, errOut, code := cli(t, "auth", "list", "--data", dir, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var list []store.AuthRecord
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 {
		t.Fatalf("auth list = %s (%v)", out, err)
	}
	a := list[0]
	// 2 units, both used: at or below the low-units threshold of 3.
	if a.Number != "AUTH5566" || a.ClientID != "C-77" || a.Payer != "demo-commercial" || a.Used != 2 || a.Remaining != 0 ||
		len(a.Alerts) != 1 || a.Alerts[0] != claims.AlertAuthLowUnits {
		t.Fatalf("auth = %+v", a)
	}
	out, _, code = cli(t, "auth", "alerts", "--data", dir, "--json")
	var alerts []store.Alert
	if err := json.Unmarshal([]byte(out), &alerts); err != nil || code != exitOK || len(alerts) != 1 || alerts[0].Number != "AUTH5566" {
		t.Fatalf("alerts = %s (%v)", out, err)
	}
	// The session held for lack of units is in the holds queue; the text listing has a header.
	out, _, code = cli(t, "queue", "list", "--kind", "holds", "--data", dir, "--json")
	var holds []queue.Item
	if err := json.Unmarshal([]byte(out), &holds); err != nil || code != exitOK || len(holds) != 1 ||
		holds[0].Kind != queue.Holds || holds[0].SessionID != "S-3" || holds[0].Reason != "auth_exhausted" {
		t.Fatalf("holds = %s (%v)", out, err)
	}
	// A hold is assigned by its key, as the web UI does; the holds list shows it.
	if _, errs, code := cli(t, "queue", "assign", "--data", dir, "--who", "lee", "session-S-3", "kim"); code != exitOK {
		t.Fatalf("assign a hold: %d %s", code, errs)
	}
	if _, _, code := cli(t, "queue", "assign", "--data", dir, "session-S-1", "kim"); code != exitInvalid {
		t.Errorf("assigning a session not held: exit %d", code)
	}
	out, _, _ = cli(t, "queue", "list", "--kind", "holds", "--data", dir, "--json")
	holds = nil
	if err := json.Unmarshal([]byte(out), &holds); err != nil || len(holds) != 1 || holds[0].Assignee != "kim" || len(holds[0].Thread) != 1 ||
		holds[0].Thread[0].Who != "lee" {
		t.Fatalf("holds after assign = %s (%v)", out, err)
	}
	out, _, _ = cli(t, "queue", "list", "--data", dir)
	if !strings.HasPrefix(out, "ID") || !strings.Contains(out, "1 held session(s) or claim(s)") {
		t.Fatalf("queue list = %q", out)
	}
	// Text is for a biller: the alert in words, times to the minute.
	out, _, _ = cli(t, "auth", "alerts", "--data", dir)
	if !strings.Contains(out, "Only 0 unit(s) left: request more units") || !strings.Contains(out, "AUTH5566") ||
		strings.Contains(out, "low_units") || strings.Contains(out, "000Z") || !strings.Contains(out, "RAISED (UTC)") {
		t.Fatalf("text alerts = %q", out)
	}
	// Listing again raises nothing new.
	out, _, _ = cli(t, "auth", "alerts", "--all", "--data", dir, "--json")
	alerts = nil
	json.Unmarshal([]byte(out), &alerts)
	if len(alerts) != 1 {
		t.Fatalf("alerts after a second look = %+v", alerts)
	}
}
