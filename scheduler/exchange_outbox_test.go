package scheduler

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDirOutboxPendingRejectsUnreadableFiles(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	cases := []struct {
		name, body, code string
	}{
		{"no-isa.x12", "GS*HC*A*B*20240102*1200*1*X*005010X222A1~ST*837*0001~SE*1*0001~GE*1*1~", RejectNotX12},
		{"no-st.x12", strings.Replace(makeX12("301", 0, "C9"), "ST*837*0001*005010X222A1~", "", 1), RejectNoEnvelope},
		{"empty.edi", "", RejectNoEnvelope},
		{"truncated.txt", "ISA*00*          *00*   ", RejectNotX12},
	}
	dir := filepath.Join(t.TempDir(), "outbound", "ch1")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	good := writeOutbound(t, dir, "good.x12", makeX12("300", 0, "C1"))
	for _, c := range cases {
		writeOutbound(t, dir, c.name, c.body)
	}
	var reported []RejectedFile
	ob := &DirOutbox{Dir: dir, Now: func() time.Time { return now },
		OnReject: func(_ context.Context, r RejectedFile) { reported = append(reported, r) }}

	files, err := ob.Pending(context.Background())
	if err != nil {
		t.Fatalf("one bad file failed the whole run: %v", err)
	}
	if len(files) != 1 || files[0].Path != good || files[0].Control != "000000300" {
		t.Fatalf("pending = %+v, want only good.x12", files)
	}
	if len(reported) != len(cases) {
		t.Fatalf("reported %d rejections, want %d: %+v", len(reported), len(cases), reported)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(dir, c.name)); !os.IsNotExist(err) {
				t.Errorf("still in the outbox: %v", err)
			}
			moved := filepath.Join(dir, "rejected", c.name)
			if b, err := os.ReadFile(moved); err != nil || string(b) != c.body {
				t.Errorf("rejected copy: %q, %v", b, err)
			}
			p := moved + ".error.json"
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v, want 0600 (the reason may quote PHI)", p, st.Mode().Perm())
			}
			b, _ := os.ReadFile(p)
			var r RejectedFile
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatal(err)
			}
			if r.File != c.name || r.Code != c.code || r.Reason == "" || r.Path != moved || !r.RejectedAt.Equal(now) {
				t.Errorf("error file = %+v, want code %s", r, c.code)
			}
		})
	}
	// The rejected/ folder is not read as outbox content on the next run.
	reported = nil
	if files, err := ob.Pending(context.Background()); err != nil || len(files) != 1 || len(reported) != 0 {
		t.Fatalf("second listing: %+v, %v, reported %v", files, err, reported)
	}
}

// An upload run with a bad file among good ones delivers the good ones.
func TestUploadSkipsRejectedOutboxFile(t *testing.T) {
	e := newSimEnv(t)
	out := newOutbox(t, filepath.Join(e.data, "outbound"))
	writeOutbound(t, out.Dir, "a.x12", makeX12("311", 0, "C1"))
	writeOutbound(t, out.Dir, "b.x12", "this is not X12")
	writeOutbound(t, out.Dir, "c.x12", makeX12("312", 0, "C2"))
	var codes []string
	out.OnReject = func(_ context.Context, r RejectedFile) { codes = append(codes, r.Code) }
	ups, err := e.exchange().Upload(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 2 || ups[0].LocalName != "a.x12" || ups[1].LocalName != "c.x12" {
		t.Fatalf("uploaded %+v", ups)
	}
	if len(e.remoteFiles("outbound")) != 2 {
		t.Errorf("remote = %v", e.remoteFiles("outbound"))
	}
	if strings.Join(codes, ",") != RejectNotX12 {
		t.Errorf("rejections reported: %v", codes)
	}
}
