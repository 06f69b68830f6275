package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/outbox"
)

// practiceReader is the practice system: it reads every outbox file it finds and deletes
// it, remembering each line by its seq with the file it came in.
type practiceReader struct {
	dir   string
	mu    sync.Mutex
	lines map[int64][]seen
	files int
	bad   []string
}

type seen struct {
	file, line string
}

func (r *practiceReader) sweep() {
	ents, _ := os.ReadDir(r.dir)
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".ndjson") || strings.HasPrefix(e.Name(), "replay-") {
			continue
		}
		p := filepath.Join(r.dir, e.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			continue // renamed over or gone: the next sweep sees it
		}
		os.Remove(p)
		r.mu.Lock()
		r.files++
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var m outbox.Message
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				r.bad = append(r.bad, e.Name()+": "+err.Error())
				continue
			}
			r.lines[m.Seq] = append(r.lines[m.Seq], seen{e.Name(), sc.Text()})
		}
		if len(b) > 0 && b[len(b)-1] != '\n' {
			r.bad = append(r.bad, e.Name()+": last line has no newline (a partial file was visible)")
		}
		r.mu.Unlock()
	}
}

// TestOutboxSurvivesKill runs the real daemon (`edigate demo`: intake, eligibility,
// claims, the simulator's acknowledgements and payments, and the outbox job every few
// seconds), SIGKILLs it at random points several times while a practice reader takes and
// deletes the outbox files, then lets it run and flushes the rest. Every event numbered is
// read, none is missing; an event read twice came both times in the same file name with the
// same bytes (the crash-between-rename-and-cursor rewrite); every session's received
// history events each reached the practice once.
func TestOutboxSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "edigate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(tmp, "data")
	cfgPath := filepath.Join(tmp, "edigate.yml")
	if err := os.WriteFile(cfgPath, []byte("web: {listen: \"\"}\nadmin: {listen: \"\"}\noutbox: {max_per_file: 3}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rd := &practiceReader{dir: filepath.Join(dir, "outbox"), lines: map[int64][]seen{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				rd.sweep()
			}
		}
	}()
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "demo", "--config", cfgPath, "--data", dir)
		cmd.Env = append(os.Environ(), "APP_CONFIG=", "APP_CONFIG_SECRETS=")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	// waitFor polls until cond holds (or a generous limit passes: the checks below then
	// say what did not happen); it paces the test by progress, not by the clock.
	waitFor := func(limit time.Duration, cond func() bool) {
		for end := time.Now().Add(limit); !cond() && time.Now().Before(end); {
			time.Sleep(50 * time.Millisecond)
		}
	}
	filesRead := func() int { rd.mu.Lock(); defer rd.mu.Unlock(); return rd.files }
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	kills := 0
	for i := 0; i < 8; i++ {
		before := filesRead()
		cmd := start()
		// Each run gets going (it writes an outbox file, unless everything due is told and
		// the next events wait for the simulator), then dies at a random point of its work,
		// however slow the machine is today.
		waitFor(15*time.Second, func() bool { return filesRead() > before })
		time.Sleep(time.Duration(rng.IntN(2500)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				kills++
			}
		}
	}
	rd.mu.Lock()
	readBeforeEnd := len(rd.lines)
	rd.mu.Unlock()
	// The last run ends normally once the simulator has paid (or the limit passed).
	before := filesRead()
	cmd := start()
	waitFor(2*time.Minute, func() bool {
		rd.mu.Lock()
		defer rd.mu.Unlock()
		for _, ls := range rd.lines {
			if strings.Contains(ls[0].line, `"event":"paid"`) {
				return true
			}
		}
		return false
	})
	// Give this run a chance to write (it may have nothing new: the kill rounds can
	// have done everything), then stop it.
	waitFor(10*time.Second, func() bool { return filesRead() > before })
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Logf("last run: %v", err) // how it stops is not under test; the flush below is
	}
	if out, err := exec.Command(bin, "outbox", "write", "--config", cfgPath, "--data", dir).CombinedOutput(); err != nil {
		t.Fatalf("outbox write: %v\n%s", err, out)
	}
	close(stop)
	wg.Wait()
	rd.sweep()

	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	last, err := db.OutboxLast(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seed %d: %d kills, %d events, %d files read (%d events before the last run)", seed, kills, last, rd.files, readBeforeEnd)
	if kills < 6 || readBeforeEnd == 0 || last < 40 {
		t.Fatalf("the runs proved nothing: %d kills, %d events read before the last run, %d events", kills, readBeforeEnd, last)
	}
	if len(rd.bad) > 0 {
		t.Fatalf("bad files: %v", rd.bad)
	}
	events := map[string]int{}
	received := map[string]int{}
	for seq := int64(1); seq <= last; seq++ {
		ls := rd.lines[seq]
		if len(ls) == 0 {
			t.Fatalf("seq %d never reached the practice", seq)
		}
		for _, s := range ls[1:] {
			if s != ls[0] {
				t.Fatalf("seq %d read twice from different files or bytes: %+v", seq, ls)
			}
		}
		var m outbox.Message
		_ = json.Unmarshal([]byte(ls[0].line), &m)
		events[string(m.Event)]++
		if m.Event == outbox.Received {
			received[m.SessionID]++
		}
	}
	if int64(len(rd.lines)) != last {
		t.Fatalf("read %d seqs, the store numbered %d", len(rd.lines), last)
	}
	if events["billed"] == 0 || events["received"] == 0 || events["paid"] == 0 {
		t.Fatalf("events read: %v", events)
	}
	t.Logf("events read: %v", events)
	sessions, err := db.Sessions(ctx, store.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sessions {
		evs, err := db.Events(ctx, "session", s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, e := range evs {
			if e.Kind == "received" || e.Kind == "updated" {
				want++
			}
		}
		if received[s.ID] != want {
			t.Errorf("session %s: %d received events in its history, %d told", s.ID, want, received[s.ID])
		}
	}
}
