package intake

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/crashtest"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/store/storetest"
)

// crashInputs are the files both runs start from: a generated batch, a file with invalid
// records, a later file changing and voiding sessions of the first, and a CSV.
func crashInputs(t testing.TB) map[string][]byte {
	var gen bytes.Buffer
	if err := fixtures.WriteSessions(&gen, 600, 7); err != nil {
		t.Fatal(err)
	}
	bad := storetest.Session("S-BAD", "2026-11-02")
	bad.Charge = 0
	void := storetest.Session("S-VOID", "2026-11-02")
	voided := *void
	voided.Status = "void"
	return map[string][]byte{
		"1-generated.ndjson": gen.Bytes(),
		"2-mixed.ndjson": ndjson(t, storetest.Auth("AUTH5566", 3, "2026-10-01", "2027-03-31"), storetest.Session("S-1", "2026-11-02"),
			bad, void, storetest.Session("S-2", "2026-11-03"), storetest.Session("S-3", "2026-11-04"), storetest.Session("S-4", "2026-11-05")),
		"3-changes.ndjson": ndjson(t, &voided, storetest.Auth("AUTH5566", 6, "2026-10-01", "2027-03-31")),
		"4-authorizations.csv": []byte("type,number,payer,client_id,member_id,codes,units,unit_kind,start,end\n" +
			"authorization,AUTH-CSV,demo-commercial,C-000019,W000000019,90832;90834;90837,40,visit,2026-09-01,2027-02-28\n"),
	}
}

func setupDir(t testing.TB, dir string, files map[string][]byte) {
	if err := os.MkdirAll(filepath.Join(dir, "inbox"), 0o700); err != nil {
		t.Fatal(err)
	}
	mtime := testNow.Add(-time.Hour)
	names := []string{"1-generated.ndjson", "2-mixed.ndjson", "3-changes.ndjson", "4-authorizations.csv"}
	for i, name := range names {
		p := filepath.Join(dir, "inbox", name)
		if err := os.WriteFile(p, files[name], 0o600); err != nil {
			t.Fatal(err)
		}
		// Distinct mtimes fix the processing order.
		m := mtime.Add(time.Duration(i) * time.Second)
		os.Chtimes(p, m, m)
	}
}

// runIntake is one intake process's work: open, process everything, close. With killAfter
// > 0 the process kills itself (SIGKILL) right after its killAfter-th store batch: a crash
// at an exact point, whatever the machine's speed.
func runIntake(dir string, batch, killAfter int) error {
	cfg := config.Default()
	cfg.DataDir = dir
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		return err
	}
	defer db.Close()
	st := &hookStore{DB: db}
	if killAfter > 0 {
		st.after = func() {
			if killAfter--; killAfter == 0 {
				syscall.Kill(syscall.Getpid(), syscall.SIGKILL)
			}
		}
	}
	in, err := New(cfg, st, zerolog.Nop())
	if err != nil {
		return err
	}
	in.SetClock(func() time.Time { return testNow })
	in.BatchSize = batch
	_, err = in.RunOnce(context.Background(), true)
	return err
}

type snapshot struct {
	Sessions map[string]string
	History  map[string][]string
	Auths    map[string]int
	Files    []string
}

func snap(t testing.TB, dir string) snapshot {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	s := snapshot{Sessions: map[string]string{}, History: map[string][]string{}, Auths: map[string]int{}}
	ss, err := db.Sessions(ctx, store.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ss {
		s.Sessions[r.ID] = fmt.Sprintf("%s/%s/%s/%d/%s", r.State, r.HoldReason, r.AuthNumber, r.AuthUnits, r.Session.Status)
		evs, err := db.Events(ctx, "session", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			s.History[r.ID] = append(s.History[r.ID], string(e.Kind)+string(e.Detail))
		}
	}
	as, err := db.Authorizations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		s.Auths[a.Key().String()] = a.Used
	}
	for _, sub := range []string{"inbox", "archive", "rejected"} {
		for _, f := range listDir(t, filepath.Join(dir, sub)) {
			b, _ := os.ReadFile(filepath.Join(dir, sub, f))
			if filepath.Ext(f) == ".json" && bytes.Contains(b, []byte(`"at"`)) {
				b = nil // error files carry the time they were written
			}
			s.Files = append(s.Files, fmt.Sprintf("%s/%s %d", sub, f, len(b)))
		}
	}
	return s
}

// TestCrashRestart kills intake (SIGKILL) at random points, restarts it until it finishes,
// and requires the same final state as one uninterrupted run: no session lost or doubled,
// no unit consumed twice, every file archived or rejected once.
func TestCrashRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns and kills processes")
	}
	files := crashInputs(t)
	const batch = 25
	ref := t.TempDir()
	setupDir(t, ref, files)
	if err := runIntake(ref, batch, 0); err != nil {
		t.Fatal(err)
	}
	want := snap(t, ref)
	if len(want.Sessions) < 600 {
		t.Fatalf("reference run stored %d sessions", len(want.Sessions))
	}

	// The first round kills at exact points: each child kills itself right after its
	// k-th store batch (a commit), so kills land part-way through however loaded the
	// machine is. The other rounds kill at random times drawn from how long one whole child
	// run takes here (process start included), reaching points no batch boundary marks.
	exact := []int{1, 4, 2, 7, 3, 11, 1}
	window := childRunTime(t, files, batch)
	partial := 0 // kills that left some but not all sessions stored: the interesting ones
	seed := time.Now().UnixNano()
	r := rand.New(rand.NewPCG(uint64(seed), 1))
	for round := 0; round < 4; round++ {
		dir := t.TempDir()
		setupDir(t, dir, files)
		kills := 0
		for attempt := 0; ; attempt++ {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
			cmd.Env = append(os.Environ(), "EDIGATE_CRASH_DIR="+dir, "EDIGATE_CRASH_BATCH="+strconv.Itoa(batch))
			if round == 0 && attempt < len(exact) {
				cmd.Env = append(cmd.Env, "EDIGATE_CRASH_KILL_AFTER="+strconv.Itoa(exact[attempt]))
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			switch {
			case round == 0:
				err = <-done
			case attempt < 15:
				select {
				case err = <-done:
				case <-time.After(time.Duration(r.Int64N(int64(window)))):
					cmd.Process.Signal(syscall.SIGKILL)
					err = <-done
				}
			default:
				err = <-done
			}
			if killed(err) {
				kills++
				if n := countSessions(t, dir); n > 0 && n < len(want.Sessions) {
					partial++
				}
				continue
			}
			if err != nil {
				t.Fatalf("round %d attempt %d (seed %d): child failed: %v\n%s", round, attempt, seed, err, stderr.String())
			}
			break
		}
		if round == 0 && kills < len(exact)-1 {
			t.Errorf("round 0: %d exact kills, want %d (fewer batches than expected?)", kills, len(exact))
		}
		got := snap(t, dir)
		if !reflect.DeepEqual(got.Auths, want.Auths) {
			t.Errorf("round %d (seed %d, %d kills): authorization use differs:\n got %v\nwant %v", round, seed, kills, got.Auths, want.Auths)
		}
		if !reflect.DeepEqual(got.Sessions, want.Sessions) {
			t.Errorf("round %d (seed %d, %d kills): sessions differ (%d vs %d)", round, seed, kills, len(got.Sessions), len(want.Sessions))
		}
		if !reflect.DeepEqual(got.History, want.History) {
			for id, h := range want.History {
				if !reflect.DeepEqual(got.History[id], h) {
					t.Errorf("round %d (seed %d): history of %s = %v, want %v", round, seed, id, got.History[id], h)
					break
				}
			}
		}
		if !reflect.DeepEqual(got.Files, want.Files) {
			t.Errorf("round %d (seed %d): files = %v, want %v", round, seed, got.Files, want.Files)
		}
		t.Logf("round %d: %d kills before a run completed", round, kills)
	}
	t.Logf("%d kills landed mid-intake", partial)
	if partial == 0 {
		t.Fatalf("no kill landed while intake was part-way (seed %d): the test proved nothing", seed)
	}
}

// killed reports whether a child ended by SIGKILL (shared with scripts/sigkill).
func killed(err error) bool { return crashtest.Killed(err) }

// childRunTime is the wall time of one uninterrupted intake child process.
func childRunTime(t *testing.T, files map[string][]byte, batch int) time.Duration {
	dir := t.TempDir()
	setupDir(t, dir, files)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), "EDIGATE_CRASH_DIR="+dir, "EDIGATE_CRASH_BATCH="+strconv.Itoa(batch))
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("timing run: %v\n%s", err, out)
	}
	return max(time.Since(start), 50*time.Millisecond)
}

func countSessions(t testing.TB, dir string) int {
	if _, err := os.Stat(filepath.Join(dir, "edigate.db")); err != nil {
		return 0
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := db.CountSessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// TestCrashChild is the process TestCrashRestart kills.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("EDIGATE_CRASH_DIR")
	if dir == "" {
		t.Skip("child process of TestCrashRestart")
	}
	batch, _ := strconv.Atoi(os.Getenv("EDIGATE_CRASH_BATCH"))
	killAfter, _ := strconv.Atoi(os.Getenv("EDIGATE_CRASH_KILL_AFTER"))
	if err := runIntake(dir, batch, killAfter); err != nil {
		t.Fatal(err)
	}
}
