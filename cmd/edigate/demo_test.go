package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/store"
)

// TestDemoOnce runs the README's first command (one pass): the sample batch is taken in,
// its invalid record set aside with a reason, the valid sessions held or turned into 837P
// claims filed for the simulator.
func TestDemoOnce(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("APP_CONFIG", "")
	code, out, errOut := runCmd(t, "", "demo", "--once", "--data", dir)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "1 sample file(s) copied") {
		t.Fatalf("output: %s", out)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "archive", "*", "demo-demo-batch.json")); len(m) != 1 {
		t.Fatalf("batch not archived: %v", m)
	}
	rej, _ := filepath.Glob(filepath.Join(dir, "rejected", "*.error.json"))
	if len(rej) != 1 {
		t.Fatalf("want the one invalid record rejected, got %v", rej)
	}
	if b, _ := os.ReadFile(rej[0]); !strings.Contains(string(b), `"field": "client.dob"`) {
		t.Fatalf("reason: %s", b)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, _ := db.CountSessions(context.Background())
	// The batch shows every authorization hold reason (5), a scheduled and a void session.
	if counts[store.StateHeld] != 5 || counts[store.StateScheduled] != 1 || counts[store.StateVoid] != 1 || counts[store.StateBilled] < 10 {
		t.Fatalf("sessions by state: %v", counts)
	}
	// Every session not on an authorization hold is billed: a scrubber hold here would keep
	// its simulator scenario (S-1021: deny-auth, the demo's CO-197) from ever being shown.
	if counts[store.StateReady] != 0 || counts[store.StateBilled] != 13 {
		t.Fatalf("sessions by state: %v, want 13 billed and none left ready", counts)
	}
	// A session on an authorization hold has no claim; its trace is still its history.
	if code, out, errOut := runCmd(t, "", "trace", "--data", dir, "S-1010"); code != exitOK ||
		!strings.Contains(out, "session S-1010") || !strings.Contains(out, "auth_expired") {
		t.Errorf("trace of a held session: exit %d\n%s%s", code, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "outbound", "sim", "sent", "837P_*.x12"))
	if len(files) != 1 {
		t.Fatalf("837P not uploaded: %v", files)
	}
	if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
		t.Fatalf("837P mode %v", fi.Mode().Perm())
	}
}
