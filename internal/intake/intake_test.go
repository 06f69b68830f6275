package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/store/storetest"
)

var testNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type env struct {
	dir string
	cfg *config.Config
	db  *store.DB
	in  *Intake
}

func newEnv(t testing.TB) *env {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = dir
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	in, err := New(cfg, db, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	in.SetClock(func() time.Time { return testNow })
	return &env{dir: dir, cfg: cfg, db: db, in: in}
}

func (e *env) drop(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, "inbox", name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (e *env) run(t testing.TB) Summary {
	t.Helper()
	sum, err := e.in.RunOnce(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func jsonOf(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ndjson(t testing.TB, vs ...any) []byte {
	var b bytes.Buffer
	for _, v := range vs {
		b.Write(jsonOf(t, v))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func listDir(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestFormats(t *testing.T) {
	auth := storetest.Auth("AUTH5566", 12, "2026-10-01", "2027-03-31")
	csvSessions := "id,practice,status,client.id,client.first_name,client.last_name,client.dob,client.gender,client.address.line1,client.address.city,client.address.state,client.address.zip,coverage.payer,coverage.member_id,coverage.relationship,coverage.priority,date,minutes,service.code,service.modifiers,service.place_of_service,diagnoses,rendering_provider,charge\n" +
		"S-CSV1,demo-practice,completed,C-77,Jane,Doe,1990-04-02,F,12 Oak Ave,Springfield,IL,62702,demo-commercial,W123456789,self,primary,2026-11-10,53,90837,95,10,F41.1;F33.1,1245319599,150.00\n"
	csvAuths := "type,number,payer,client_id,member_id,codes,units,unit_kind,start,end\n" +
		"authorization,AUTH9,demo-commercial,C-88,W888,90834;90837,4,visit,2026-10-01,2027-03-31\n"
	tests := []struct {
		name    string
		file    string
		data    func(t testing.TB) []byte
		wantIDs []string
	}{
		{"json object", "one.json", func(t testing.TB) []byte { return jsonOf(t, storetest.Session("S-OBJ", "2026-11-02")) }, []string{"S-OBJ"}},
		{"json array", "batch.json", func(t testing.TB) []byte {
			return jsonOf(t, []any{auth, storetest.Session("S-A1", "2026-11-02"), storetest.Session("S-A2", "2026-11-03")})
		}, []string{"S-A1", "S-A2"}},
		{"ndjson", "batch.ndjson", func(t testing.TB) []byte {
			return ndjson(t, storetest.Session("S-N1", "2026-11-02"), storetest.Session("S-N2", "2026-11-03"))
		}, []string{"S-N1", "S-N2"}},
		{"jsonl", "batch.jsonl", func(t testing.TB) []byte { return ndjson(t, storetest.Session("S-L1", "2026-11-02")) }, []string{"S-L1"}},
		{"csv typed by file name", "2026-11-18-sessions.csv", func(testing.TB) []byte { return []byte(csvSessions) }, []string{"S-CSV1"}},
		{"csv with type column", "export.csv", func(testing.TB) []byte { return []byte(csvAuths) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.drop(t, tt.file, tt.data(t))
			sum := e.run(t)
			if sum.Rejected != 0 || sum.Unparsable != 0 {
				t.Fatalf("summary %+v; rejected: %v", sum, listDir(t, filepath.Join(e.dir, "rejected")))
			}
			for _, id := range tt.wantIDs {
				if _, err := e.db.Session(context.Background(), id); err != nil {
					t.Errorf("session %s: %v", id, err)
				}
			}
			if got := listDir(t, filepath.Join(e.dir, "archive")); len(got) != 1 || got[0] != filepath.Join("2026-11-23", tt.file) {
				t.Fatalf("archive = %v", got)
			}
			if got := listDir(t, filepath.Join(e.dir, "inbox")); len(got) != 0 {
				t.Fatalf("inbox not empty: %v", got)
			}
		})
	}
	t.Run("csv fields land in the contract", func(t *testing.T) {
		e := newEnv(t)
		e.drop(t, "a-authorization.json", jsonOf(t, auth))
		e.drop(t, "sessions.csv", []byte(csvSessions))
		e.run(t)
		s, err := e.db.Session(context.Background(), "S-CSV1")
		if err != nil {
			t.Fatal(err)
		}
		if s.Session.Minutes != 53 || len(s.Session.Diagnoses) != 2 || s.Session.Service.Modifiers[0] != "95" ||
			s.Session.Client.Address.Zip != "62702" || s.State != store.StateReady || s.AuthNumber != "AUTH5566" {
			t.Fatalf("CSV session = %+v", s)
		}
	})
}

func TestRejectedRecords(t *testing.T) {
	e := newEnv(t)
	bad := storetest.Session("S-BAD", "2026-11-02")
	bad.Client.DOB = "1990-13-02"
	noSub := storetest.Session("S-NOSUB", "2026-11-02")
	noSub.Coverage.Relationship = "child"
	data := ndjson(t, storetest.Session("S-OK", "2026-11-02"), bad, noSub)
	data = append(data, []byte(`{"type":"session","id":"S-TYPE","minutes":"fifty"}`+"\n")...)
	data = append(data, []byte(`{"type":"visit","id":"S-X"}`+"\n")...)
	e.drop(t, "mixed.ndjson", data)
	sum := e.run(t)
	if sum.Accepted != 1 || sum.Rejected != 4 || sum.Records != 5 {
		t.Fatalf("summary = %+v", sum)
	}
	lines := bytes.Split(data, []byte("\n"))
	rej := filepath.Join(e.dir, "rejected")
	files := listDir(t, rej)
	if len(files) != 8 {
		t.Fatalf("rejected/ = %v, want 4 records + 4 .error.json", files)
	}
	var er rejection
	readJSON(t, filepath.Join(rej, strings.Replace(files[0], ".ndjson", ".error.json", 1)), &er)
	// files[0] is record-2 (the bad dob), sorted by name.
	orig, _ := os.ReadFile(filepath.Join(rej, files[1]))
	if !strings.Contains(files[1], "record-2.ndjson") || !bytes.Equal(bytes.TrimSpace(orig), lines[1]) {
		t.Fatalf("rejected copy %s = %q, want the original line %q", files[1], orig, lines[1])
	}
	if er.File != "mixed.ndjson" || er.Record != 2 || er.Field != "client.dob" || er.Reason != "is not a date" ||
		er.Message != `record 2: client.dob: "1990-13-02" is not a date` {
		t.Fatalf("error file = %+v", er)
	}
	wantField := map[int]string{3: "coverage.subscriber", 4: "minutes", 5: "type"}
	for n, f := range wantField {
		var r rejection
		_, errName := rejectBase("mixed.ndjson", hashOf(data), n)
		readJSON(t, filepath.Join(rej, errName), &r)
		if r.Field != f {
			t.Errorf("record %d field = %q (%s), want %q", n, r.Field, r.Message, f)
		}
	}
	for _, f := range files {
		fi, _ := os.Stat(filepath.Join(rej, f))
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	if fi, _ := os.Stat(rej); fi.Mode().Perm() != 0o700 {
		t.Errorf("rejected/ mode %v, want 0700", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(filepath.Join(e.dir, "archive", "2026-11-23", "mixed.ndjson")); fi == nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archived file missing or not 0600: %v", fi)
	}
}

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestUnparseableFile(t *testing.T) {
	tests := []struct{ name, data string }{
		{"broken.json", `[{"type":"session",`},
		{"empty.json", ``},
		{"nohint.csv", "id,date\nS-1,2026-11-02\n"},
		{"notes.txt", "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.drop(t, tt.name, []byte(tt.data))
			sum := e.run(t)
			if sum.Unparsable != 1 {
				t.Fatalf("summary = %+v", sum)
			}
			got := listDir(t, filepath.Join(e.dir, "rejected"))
			if len(got) != 2 || got[0] != tt.name || got[1] != tt.name+".error.json" {
				t.Fatalf("rejected/ = %v", got)
			}
			var r rejection
			readJSON(t, filepath.Join(e.dir, "rejected", tt.name+".error.json"), &r)
			if r.File != tt.name || r.Reason == "" {
				t.Fatalf("error file = %+v", r)
			}
		})
	}
}

func TestIdempotentAndDuplicateFile(t *testing.T) {
	e := newEnv(t)
	data := ndjson(t, storetest.Auth("A", 5, "2026-10-01", "2027-03-31"), storetest.Session("S-1", "2026-11-02"), storetest.Session("S-2", "2026-11-03"))
	e.drop(t, "a.ndjson", data)
	e.run(t)
	e.drop(t, "a-again.ndjson", data) // same content, other name
	if sum := e.run(t); sum.Duplicates != 1 || sum.Accepted != 0 {
		t.Fatalf("second drop summary = %+v", sum)
	}
	// Same sessions inside a different file: unchanged, no extra consumption.
	e.drop(t, "b.ndjson", ndjson(t, storetest.Session("S-2", "2026-11-03"), storetest.Session("S-1", "2026-11-02")))
	e.run(t)
	as, _ := e.db.Authorizations(context.Background())
	if as[0].Used != 2 {
		t.Fatalf("used = %d after re-sending, want 2", as[0].Used)
	}
	evs, _ := e.db.Events(context.Background(), "session", "S-1")
	if len(evs) != 2 {
		t.Fatalf("S-1 history grew on re-send: %+v", evs)
	}
	if got := listDir(t, filepath.Join(e.dir, "archive")); len(got) != 3 {
		t.Fatalf("archive = %v", got)
	}
}

func TestCompleteFileRule(t *testing.T) {
	e := newEnv(t)
	e.in.completeRule, e.in.stableFor = completeQuiet, time.Minute
	clock := testNow
	e.in.SetClock(func() time.Time { return clock })
	write := func(name string, mtime time.Time) {
		e.drop(t, name, ndjson(t, storetest.Session("S-"+name, "2026-11-02")))
		os.Chtimes(filepath.Join(e.dir, "inbox", name), mtime, mtime)
	}
	write("fresh.ndjson", clock)                   // just written: wait for two stable polls
	write("marked.ndjson", clock)                  // has a .done marker
	write("old.ndjson", clock.Add(-2*time.Minute)) // renamed in after being written elsewhere
	write(".hidden.ndjson", clock.Add(-time.Hour)) // temporary names are never picked up
	write("upload.ndjson.part", clock.Add(-time.Hour))
	os.WriteFile(filepath.Join(e.dir, "inbox", "marked.ndjson.done"), nil, 0o600)

	run := func() Summary {
		sum, err := e.in.RunOnce(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if sum := run(); sum.Files != 2 || sum.Waiting != 1 {
		t.Fatalf("first poll = %+v, want marked+old processed, fresh waiting", sum)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "inbox", "marked.ndjson.done")); !os.IsNotExist(err) {
		t.Fatalf(".done marker left behind: %v", err)
	}
	clock = clock.Add(30 * time.Second)
	if sum := run(); sum.Files != 0 {
		t.Fatalf("poll before stable_for = %+v", sum)
	}
	// The file grows: the clock restarts.
	f, _ := os.OpenFile(filepath.Join(e.dir, "inbox", "fresh.ndjson"), os.O_APPEND|os.O_WRONLY, 0)
	f.Write(ndjson(t, storetest.Session("S-more", "2026-11-02")))
	f.Close()
	os.Chtimes(filepath.Join(e.dir, "inbox", "fresh.ndjson"), clock, clock)
	clock = clock.Add(45 * time.Second)
	if sum := run(); sum.Files != 0 {
		t.Fatalf("poll after growth = %+v, want still waiting", sum)
	}
	clock = clock.Add(time.Minute)
	if sum := run(); sum.Files != 1 || sum.Accepted != 2 {
		t.Fatalf("stable poll = %+v", sum)
	}
	if got := listDir(t, filepath.Join(e.dir, "inbox")); len(got) != 1 || got[0] != "upload.ndjson.part" {
		t.Fatalf("inbox = %v, want only the .part file (listDir hides the hidden one)", got)
	}
}

func TestAuthorizationLaterReleasesHeld(t *testing.T) {
	e := newEnv(t)
	e.drop(t, "1.ndjson", ndjson(t, storetest.Session("S-1", "2026-11-02")))
	e.run(t)
	if s, _ := e.db.Session(context.Background(), "S-1"); s.HoldReason != claims.HoldAuthMissing {
		t.Fatalf("S-1 = %s/%s", s.State, s.HoldReason)
	}
	e.drop(t, "2.ndjson", ndjson(t, storetest.Auth("A", 5, "2026-10-01", "2027-03-31")))
	e.run(t)
	if s, _ := e.db.Session(context.Background(), "S-1"); s.State != store.StateReady {
		t.Fatalf("S-1 not released: %s/%s", s.State, s.HoldReason)
	}
}
