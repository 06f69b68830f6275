package intake

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/store/storetest"
)

// hookStore runs before ahead of every batch (a writer appending meanwhile) and after it
// (a crash at an exact point), and fails the lookup of the file failHash.
type hookStore struct {
	*store.DB
	before   func() error
	after    func()
	failHash string
}

func (h *hookStore) InboxFile(ctx context.Context, hash string) (store.InboxFile, error) {
	if hash == h.failHash {
		return store.InboxFile{}, errors.New("database is locked")
	}
	return h.DB.InboxFile(ctx, hash)
}

func (h *hookStore) Batch(ctx context.Context, rules *claims.AuthRules, fn func(b *store.Batch) error) error {
	if h.before != nil {
		if err := h.before(); err != nil {
			return err
		}
	}
	err := h.DB.Batch(ctx, rules, fn)
	if h.after != nil {
		h.after()
	}
	return err
}

func alertsOf(t *testing.T, e *env, kind string) []store.Alert {
	t.Helper()
	all, err := e.db.Alerts(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Alert
	for _, a := range all {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

// A name of 235 characters used to fail every run (the reject file's name grew past 255
// bytes): its records are now processed and the file after it too.
func TestLongFileName(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("L", 228) + ".ndjson"
	bad := storetest.Session("S-LBAD", "2026-11-02")
	bad.Client.DOB = "nope"
	e.drop(t, long, ndjson(t, storetest.Session("S-LONG", "2026-11-02"), bad))
	e.drop(t, "z-after.ndjson", ndjson(t, storetest.Session("S-AFTER", "2026-11-02")))
	sum := e.run(t)
	if sum.Files != 2 || sum.Accepted != 2 || sum.Rejected != 1 {
		t.Fatalf("summary = %+v", sum)
	}
	for _, f := range listDir(t, filepath.Join(e.dir, "rejected")) {
		if len(f) > maxStem+maxExt+40 {
			t.Errorf("rejected name %d bytes: %s", len(f), f)
		}
	}
	if got := listDir(t, filepath.Join(e.dir, "archive")); len(got) != 2 {
		t.Fatalf("archive = %v", got)
	}
}

// A file that keeps failing stays for maxAttempts runs without holding up the files after
// it, then moves whole to rejected/ with a reason file naming it and an alert naming its id.
func TestFailingFileIsSetAside(t *testing.T) {
	e := newEnv(t)
	badData := ndjson(t, storetest.Session("S-FAIL", "2026-11-02"))
	badID := hashOf(badData)
	hs := &hookStore{DB: e.db, failHash: badID}
	var logs bytes.Buffer
	in, err := New(e.cfg, hs, zerolog.New(&logs))
	if err != nil {
		t.Fatal(err)
	}
	in.SetClock(e.in.now)
	const secret = "Jane Doe 1990-04-02"
	e.drop(t, secret+".ndjson", badData)
	for run := 1; run <= maxAttempts; run++ {
		e.drop(t, "ok-"+string(rune('0'+run))+".ndjson", ndjson(t, storetest.Session("S-OK"+string(rune('0'+run)), "2026-11-02")))
		sum, err := in.RunOnce(context.Background(), true)
		if _, serr := e.db.Session(context.Background(), "S-OK"+string(rune('0'+run))); serr != nil {
			t.Fatalf("run %d: the file after the failing one was not processed: %v", run, serr)
		}
		if run < maxAttempts {
			if err == nil || sum.Failed != 1 || !strings.Contains(err.Error(), shortID(badID)) {
				t.Fatalf("run %d: summary %+v, err %v: want the failure reported by file id", run, sum, err)
			}
			continue
		}
		if err != nil || sum.SetAside != 1 {
			t.Fatalf("last run: summary %+v, err %v", sum, err)
		}
	}
	rej := filepath.Join(e.dir, "rejected")
	if got := listDir(t, rej); len(got) != 2 || got[0] != secret+".ndjson" {
		t.Fatalf("rejected/ = %v", got)
	}
	var r rejection
	readJSON(t, filepath.Join(rej, secret+".ndjson.error.json"), &r)
	if r.File != secret+".ndjson" || r.FileID != badID || !strings.Contains(r.Message, "database is locked") {
		t.Fatalf("reason file = %+v", r)
	}
	if as := alertsOf(t, e, "intake_file_failed"); len(as) != 1 || as[0].EntityID != badID {
		t.Fatalf("alerts = %+v", as)
	}
	if strings.Contains(logs.String(), "Jane") {
		t.Fatalf("a log line names the file:\n%s", logs.String())
	}
}

// Links (to a file, outside the data folder, to a folder, dangling), folders and FIFOs are
// never followed: each moves to rejected/ with a reason file, the link's target untouched.
func TestSpecialFilesRefused(t *testing.T) {
	e := newEnv(t)
	inbox := filepath.Join(e.dir, "inbox")
	target := filepath.Join(t.TempDir(), "target.ndjson")
	data := ndjson(t, storetest.Session("S-LINKED", "2026-11-02"))
	os.WriteFile(target, data, 0o600)
	mk := []struct {
		name, reason string
		make         func(p string) error
	}{
		{"to-file.ndjson", "symbolic link", func(p string) error { return os.Symlink(target, p) }},
		{"to-passwd.ndjson", "symbolic link", func(p string) error { return os.Symlink("/etc/passwd", p) }},
		{"to-dir.ndjson", "symbolic link", func(p string) error { return os.Symlink(t.TempDir(), p) }},
		{"dangling.ndjson", "symbolic link", func(p string) error { return os.Symlink(filepath.Join(inbox, "nowhere"), p) }},
		{"folder.ndjson", "folder", func(p string) error { return os.Mkdir(p, 0o700) }},
		{"pipe.ndjson", "named pipe", func(p string) error { return syscall.Mkfifo(p, 0o600) }},
	}
	for _, m := range mk {
		if err := m.make(filepath.Join(inbox, m.name)); err != nil {
			t.Fatal(err)
		}
	}
	e.drop(t, "plain.ndjson", ndjson(t, storetest.Session("S-PLAIN", "2026-11-02")))
	sum := e.run(t)
	if sum.SetAside != len(mk) || sum.Accepted != 1 {
		t.Fatalf("summary = %+v", sum)
	}
	if _, err := e.db.Session(context.Background(), "S-LINKED"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a link was followed: %v", err)
	}
	if b, _ := os.ReadFile(target); !bytes.Equal(b, data) {
		t.Fatal("link target changed")
	}
	for _, m := range mk {
		fi, err := os.Lstat(filepath.Join(e.dir, "rejected", m.name))
		if err != nil {
			t.Errorf("%s not in rejected/: %v", m.name, err)
			continue
		}
		if fi.Mode().IsRegular() {
			t.Errorf("%s became a regular file", m.name)
		}
		var r rejection
		readJSON(t, filepath.Join(e.dir, "rejected", m.name+".error.json"), &r)
		if r.File != m.name || !strings.Contains(r.Reason, m.reason) || r.FileID != nameID(m.name) {
			t.Errorf("%s reason file = %+v", m.name, r)
		}
	}
	if got := listDir(t, inbox); len(got) != 0 {
		t.Fatalf("inbox = %v", got)
	}
	if as := alertsOf(t, e, "intake_file_refused"); len(as) != len(mk) {
		t.Fatalf("alerts = %d, want %d", len(as), len(mk))
	}
}

// Bytes a writer appends after intake read the file, before or after the move to archive/,
// become a new inbox file that the next run takes: nothing is lost, and an alert says so.
func TestAppendedAfterTaken(t *testing.T) {
	csvHead := "id,practice,status,client.id,client.first_name,client.last_name,client.dob,client.gender,client.address.line1,client.address.city,client.address.state,client.address.zip,coverage.payer,coverage.member_id,coverage.relationship,coverage.priority,date,minutes,service.code,service.place_of_service,diagnoses,rendering_provider,charge\n"
	csvRow := func(id string) []byte {
		return []byte(id + ",demo-practice,completed,C-77,Jane,Doe,1990-04-02,F,12 Oak Ave,Springfield,IL,62702,demo-commercial,W123456789,self,primary,2026-11-10,53,90837,10,F41.1,1245319599,150.00\n")
	}
	tests := []struct {
		name   string
		file   string
		first  func(t *testing.T) []byte
		more   func(t *testing.T) []byte
		during bool // append while the first batch is stored, before the move
		ids    []string
	}{
		{"ndjson after the move", "w.ndjson",
			func(t *testing.T) []byte { return ndjson(t, storetest.Session("S-A1", "2026-11-02")) },
			func(t *testing.T) []byte {
				return ndjson(t, storetest.Session("S-A2", "2026-11-03"), storetest.Session("S-A3", "2026-11-04"))
			},
			false, []string{"S-A1", "S-A2", "S-A3"}},
		{"ndjson before the move", "w.ndjson",
			func(t *testing.T) []byte { return ndjson(t, storetest.Session("S-B1", "2026-11-02")) },
			func(t *testing.T) []byte { return ndjson(t, storetest.Session("S-B2", "2026-11-03")) },
			true, []string{"S-B1", "S-B2"}},
		{"csv gets its header", "w-sessions.csv",
			func(*testing.T) []byte { return append([]byte(csvHead), csvRow("S-C1")...) },
			func(*testing.T) []byte { return csvRow("S-C2") },
			false, []string{"S-C1", "S-C2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			appendTo := func(path string) {
				f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				f.Write(tt.more(t))
				f.Close()
			}
			if tt.during {
				hs := &hookStore{DB: e.db}
				once := false
				hs.before = func() error {
					if !once {
						once = true
						appendTo(filepath.Join(e.dir, "inbox", tt.file))
					}
					return nil
				}
				in, err := New(e.cfg, hs, zerolog.Nop())
				if err != nil {
					t.Fatal(err)
				}
				in.SetClock(e.in.now)
				e.in = in
			}
			e.drop(t, tt.file, tt.first(t))
			first := e.run(t)
			if !tt.during {
				appendTo(filepath.Join(e.dir, "archive", "2026-11-23", tt.file))
				// The run finds the change first, then takes the new input.
				if sum := e.run(t); sum.Changed != 1 || sum.Files != 1 || sum.Rejected != 0 {
					t.Fatalf("run after the append = %+v; rejected/ %v", sum, listDir(t, filepath.Join(e.dir, "rejected")))
				}
			} else {
				if first.Changed != 1 {
					t.Fatalf("run = %+v, want the change seen before the run ends", first)
				}
				if sum := e.run(t); sum.Files != 1 || sum.Rejected != 0 {
					t.Fatalf("run of the new input = %+v; rejected/ %v", sum, listDir(t, filepath.Join(e.dir, "rejected")))
				}
			}
			for _, id := range tt.ids {
				if _, err := e.db.Session(context.Background(), id); err != nil {
					t.Errorf("session %s: %v", id, err)
				}
			}
			if as := alertsOf(t, e, "file_changed_after_intake"); len(as) != 1 {
				t.Fatalf("alerts = %+v", as)
			}
			if sum := e.run(t); sum.Changed != 0 || sum.Files != 0 {
				t.Fatalf("a quiet run = %+v", sum)
			}
		})
	}
}

func TestCompleteRules(t *testing.T) {
	tests := []struct {
		rule      string
		withDone  bool
		wantFiles int
	}{
		{completeRename, false, 1},
		{completeDone, false, 0},
		{completeDone, true, 1},
		{completeQuiet, false, 0}, // just written: not yet quiet for stable_for
	}
	for _, tt := range tests {
		e := newEnv(t)
		e.in.completeRule = tt.rule
		e.in.stableFor = 2 * 60e9
		e.drop(t, "a.ndjson", ndjson(t, storetest.Session("S-1", "2026-11-02")))
		now := testNow
		os.Chtimes(filepath.Join(e.dir, "inbox", "a.ndjson"), now, now)
		if tt.withDone {
			e.drop(t, "a.ndjson.done", nil)
		}
		sum, err := e.in.RunOnce(context.Background(), false)
		if err != nil || sum.Files != tt.wantFiles {
			t.Errorf("%s (marker %v): summary %+v, err %v; want %d files", tt.rule, tt.withDone, sum, err, tt.wantFiles)
		}
	}
}

// Log lines name inbox files by id: the practice's names may hold a patient's name.
func TestLogsNameFilesByID(t *testing.T) {
	e := newEnv(t)
	var logs bytes.Buffer
	in, err := New(e.cfg, e.db, zerolog.New(&logs))
	if err != nil {
		t.Fatal(err)
	}
	in.SetClock(e.in.now)
	bad := storetest.Session("S-BAD", "2026-11-02")
	bad.Client.DOB = "x"
	data := ndjson(t, storetest.Session("S-1", "2026-11-02"), bad)
	e.drop(t, "Jane Doe visits.ndjson", data)
	e.drop(t, "Jane Doe again.ndjson", data)
	e.drop(t, "Jane Doe broken.json", []byte("[{"))
	os.Symlink("/etc/passwd", filepath.Join(e.dir, "inbox", "Jane Doe link.ndjson"))
	if _, err := in.RunOnce(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), shortID(hashOf(data))) {
		t.Fatalf("no log line names the file id:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "Jane") {
		t.Fatalf("a log line names a file:\n%s", logs.String())
	}
}

// A file at fault itself (it cannot be opened or read) is set aside at the first failure.
func TestFileFaultSetAsideAtOnce(t *testing.T) {
	e := newEnv(t)
	e.drop(t, "unreadable.ndjson", []byte("x"))
	var sum Summary
	if err := e.in.failed(context.Background(), "unreadable.ndjson", fileFault{"cannot be read", errors.New("input/output error")}, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.SetAside != 1 || sum.Failed != 0 {
		t.Fatalf("summary = %+v", sum)
	}
	var r rejection
	readJSON(t, filepath.Join(e.dir, "rejected", "unreadable.ndjson.error.json"), &r)
	if r.Reason != "cannot be read" || r.FileID != nameID("unreadable.ndjson") || !strings.Contains(r.Message, "input/output error") {
		t.Fatalf("reason file = %+v", r)
	}
	if as := alertsOf(t, e, "intake_file_failed"); len(as) != 1 || as[0].EntityID != nameID("unreadable.ndjson") {
		t.Fatalf("alerts = %+v", as)
	}
}

// Bytes appended to a taken file are caught by the next process too (`run --once` from
// cron, a restarted daemon): the watch list is kept in DATA/intake-watch/, and a watch
// that ends (the file moved away) leaves no record behind.
func TestAppendedAfterRestart(t *testing.T) {
	e := newEnv(t)
	e.drop(t, "later.ndjson", ndjson(t, storetest.Session("S-R1", "2026-11-02")))
	e.run(t)
	archived := filepath.Join(e.dir, "archive", testNow.UTC().Format("2006-01-02"), "later.ndjson")
	f, err := os.OpenFile(archived, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(ndjson(t, storetest.Session("S-R2", "2026-11-02")))
	f.Close()

	next, err := New(e.cfg, e.db, zerolog.Nop()) // a new process: nothing in memory
	if err != nil {
		t.Fatal(err)
	}
	next.SetClock(e.in.now)
	for i := 0; i < 2; i++ { // the first run writes the new input, the same or next takes it
		if _, err := next.RunOnce(context.Background(), true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.db.Session(context.Background(), "S-R2"); err != nil {
		t.Fatalf("the appended record was lost across a restart: %v", err)
	}
	if as := alertsOf(t, e, "file_changed_after_intake"); len(as) != 1 {
		t.Fatalf("alerts = %+v", as)
	}
	// Once the file is gone, its watch ends and its record goes.
	for _, n := range listDir(t, filepath.Join(e.dir, "archive", testNow.UTC().Format("2006-01-02"))) {
		os.Remove(filepath.Join(e.dir, "archive", testNow.UTC().Format("2006-01-02"), n))
	}
	third, _ := New(e.cfg, e.db, zerolog.Nop())
	third.SetClock(e.in.now)
	if _, err := third.RunOnce(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, filepath.Join(e.dir, watchDir)); len(got) != 0 {
		t.Fatalf("watch records left: %v", got)
	}
}
