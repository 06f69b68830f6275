package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/store"
)

// The daemon's log says only that a response file failed and to see `edigate responses`;
// that command must exist and show the stored reason.
func TestResponsesListsFailedFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("APP_CONFIG", "")
	d := "--data=" + dir
	if code, out, errOut := runCmd(t, "", "responses", d); code != exitOK || !strings.Contains(out, "no failed response files") {
		t.Fatalf("empty: exit %d %s %s", code, out, errOut)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.MarkInbound(context.Background(), store.InboundFile{SHA256: "ab12", Path: "inbound/sim/2026-11-20/ERA_9.835",
		Clearinghouse: "sim", Kind: "835", State: store.InboundFailed, Error: "835 BPR02: not a number"})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "", "responses", d)
	if code != exitOK || !strings.Contains(out, filepath.Join(dir, "inbound/sim/2026-11-20/ERA_9.835")) ||
		!strings.Contains(out, "835 BPR02: not a number") {
		t.Fatalf("list: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := runCmd(t, "", "responses", d, "--json"); code != exitOK || !strings.Contains(out, `"kind": "835"`) {
		t.Errorf("json: %s", out)
	}
}
