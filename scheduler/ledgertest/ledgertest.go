// Package ledgertest is the conformance suite every scheduler.Ledger passes: the
// in-memory one in the scheduler's tests and the database one in internal/pipeline's.
package ledgertest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/scheduler"
)

// Suite checks round trips of uploads and downloads, and the lookups the exchange relies
// on to never upload or store a file twice.
func Suite(t *testing.T, l scheduler.Ledger) {
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	if _, ok, err := l.UploadFor(ctx, "ch", "h1"); ok || err != nil {
		t.Fatalf("empty ledger: %v %v", ok, err)
	}
	u := scheduler.Upload{Clearinghouse: "ch", SHA256: "h1", LocalName: "a.x12", Size: 10, RemoteName: "out/a", TempName: "out/a.tmp",
		Set: "837", Control: "000000101", Groups: []string{"1"}, Transactions: []string{"0001"}, Claims: []string{"C1", "C2"},
		State: scheduler.UploadIntent, CreatedAt: at}
	if err := l.PutUpload(ctx, u, ""); err != nil {
		t.Fatal(err)
	}
	// Every write names the state it expects: a second intent, or a move from a state
	// the record is not in, changes nothing.
	if err := l.PutUpload(ctx, u, ""); !errors.Is(err, scheduler.ErrLedgerConflict) {
		t.Fatalf("second intent: %v", err)
	}
	u.State = scheduler.UploadDone
	if err := l.PutUpload(ctx, u, scheduler.UploadRenaming); !errors.Is(err, scheduler.ErrLedgerConflict) {
		t.Fatalf("done from renaming while intent: %v", err)
	}
	u.State, u.UploadedAt, u.Inferred = scheduler.UploadDone, at.Add(time.Minute), true
	if err := l.PutUpload(ctx, u, scheduler.UploadIntent); err != nil {
		t.Fatal(err)
	}
	if err := l.PutUpload(ctx, u, scheduler.UploadIntent); !errors.Is(err, scheduler.ErrLedgerConflict) {
		t.Fatalf("done twice: %v", err)
	}
	got, ok, err := l.UploadFor(ctx, "ch", "h1")
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	if got.State != scheduler.UploadDone || !got.Inferred || !got.UploadedAt.Equal(at.Add(time.Minute)) || !got.CreatedAt.Equal(at) ||
		strings.Join(got.Claims, ",") != "C1,C2" || got.RemoteName != "out/a" || got.Control != "000000101" {
		t.Fatalf("round trip: %+v", got)
	}
	if _, ok, _ := l.UploadFor(ctx, "other", "h1"); ok {
		t.Fatal("upload visible under another clearinghouse")
	}

	d := scheduler.Download{Clearinghouse: "ch", RemotePath: "in/r.999", Size: 5, ModTime: at, SHA256: "c1", LocalPath: "/x/r.999", DownloadedAt: at}
	if err := l.RecordDownload(ctx, d); err != nil {
		t.Fatal(err)
	}
	again := d
	again.LocalPath = "/y/r.999"
	if err := l.RecordDownload(ctx, again); !errors.Is(err, scheduler.ErrLedgerConflict) {
		t.Fatalf("same remote version recorded twice: %v", err)
	}
	dup := d
	dup.RemotePath, dup.Duplicate, dup.LocalPath = "in/r2.999", true, d.LocalPath
	if err := l.RecordDownload(ctx, dup); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path  string
		size  int64
		mtime time.Time
		want  bool
	}{
		{"in/r.999", 5, at, true},
		{"in/r.999", 6, at, false},                // same name, new size
		{"in/r.999", 5, at.Add(time.Hour), false}, // same name, new mtime
		{"in/r2.999", 5, at, true},
	} {
		if _, ok, err := l.SeenRemote(ctx, "ch", tc.path, tc.size, tc.mtime); ok != tc.want || err != nil {
			t.Errorf("SeenRemote(%s,%d,%v) = %v, %v", tc.path, tc.size, tc.mtime, ok, err)
		}
	}
	first, ok, err := l.ContentSeen(ctx, "ch", "c1")
	if err != nil || !ok || first.RemotePath != "in/r.999" || first.Duplicate {
		t.Fatalf("ContentSeen = %+v %v %v", first, ok, err)
	}
	if _, ok, _ := l.ContentSeen(ctx, "ch", "c2"); ok {
		t.Fatal("unknown content seen")
	}
}
