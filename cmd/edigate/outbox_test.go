package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/outbox"
)

// TestOutboxCommands: after one demo pass the outbox folder holds every event; status
// says so, replay writes a range again into one file and says where, statements writes
// the CSV (0600 with --out), and bad flags say what is wrong.
func TestOutboxCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("APP_CONFIG", "")
	if code, out, errOut := runCmd(t, "", "demo", "--once", "--data", dir); code != exitOK {
		t.Fatalf("demo: %d\n%s\n%s", code, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "outbox", "outbox-*.ndjson"))
	if len(files) == 0 {
		t.Fatal("demo --once wrote no outbox file")
	}
	code, out, errOut := runCmd(t, "", "outbox", "status", "--data", dir)
	if code != exitOK || !strings.Contains(out, "HTTP delivery: off") {
		t.Fatalf("status: %d %s %s", code, out, errOut)
	}
	var last string
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "Events numbered: "); ok {
			last = v
		}
	}
	if last == "" || last == "0" || !strings.Contains(out, "Written to files through: "+last+" ") {
		t.Fatalf("status: %s", out)
	}
	code, out, errOut = runCmd(t, "", "outbox", "replay", "--data", dir, "--from", "2", "--to", "4")
	want := filepath.Join(dir, "outbox", outbox.ReplayName(2, 4))
	if code != exitOK || strings.TrimSpace(out) != "3 event(s) written to "+want {
		t.Fatalf("replay: %d %q %s", code, out, errOut)
	}
	if b, err := os.ReadFile(want); err != nil || strings.Count(string(b), "\n") != 3 || !strings.HasPrefix(string(b), `{"version":1,"seq":2,`) {
		t.Fatalf("replay file: %v %q", err, b)
	}
	if code, _, errOut := runCmd(t, "", "outbox", "replay", "--data", dir); code != exitUsage || !strings.Contains(errOut, "--from N is required") {
		t.Fatalf("replay without --from: %d %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, "", "outbox", "replay", "--data", dir, "--from", "100000"); code != exitInvalid || !strings.Contains(errOut, "nothing from 100000") {
		t.Fatalf("replay past the end: %d %s", code, errOut)
	}
	csvPath := filepath.Join(dir, "statements", "all.csv")
	if code, out, errOut := runCmd(t, "", "outbox", "statements", "--data", dir, "--out", csvPath); code != exitOK || !strings.Contains(out, csvPath) {
		t.Fatalf("statements: %d %s %s", code, out, errOut)
	}
	if fi, err := os.Stat(csvPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("statements file: %v %v", err, fi)
	}
	if b, _ := os.ReadFile(csvPath); !strings.HasPrefix(string(b), strings.Join(outbox.StatementHeader, ",")+"\n") {
		t.Fatalf("statements: %q", b)
	}
	if code, _, errOut := runCmd(t, "", "outbox", "statements", "--data", dir, "--from", "12/04/2026"); code != exitUsage || !strings.Contains(errOut, "not a date") {
		t.Fatalf("bad --from: %d %s", code, errOut)
	}
	if code, out, errOut := runCmd(t, "", "outbox", "write", "--data", dir); code != exitOK || out != "" {
		t.Fatalf("write with nothing new: %d %q %s", code, out, errOut)
	}
}
