package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/internal/store"
)

// TestApply271StoppedMidway: a 271 whose application stops between chunks (the process
// killed: the chunk in flight rolls back, the ones before it are committed) and is then
// applied again from the start applies every answer exactly once: the first chunk is not
// applied again, the rest is, and a third application changes nothing.
func TestApply271StoppedMidway(t *testing.T) {
	defer func(n int) { answersPerTx = n }(answersPerTx)
	answersPerTx = 2
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
	// The store's clock is read once when each chunk's transaction starts: armed, it
	// cancels the application's context as the second chunk begins, so that chunk's
	// statements fail and it rolls back, as a kill leaves it.
	var batches atomic.Int32
	armed := atomic.Bool{}
	var stop context.CancelFunc
	clock := func() time.Time {
		if armed.Load() && batches.Add(1) == 2 {
			stop()
		}
		return now
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Claims.WaitForEligibility = 0
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "edigate.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := &Pipeline{Cfg: cfg, DB: db, Log: zerolog.Nop(), Now: func() time.Time { return now }}
	put(t, p, session("S1", "W1", "2026-11-18", "90791"), session("S2", "W2", "2026-11-18", "90791"),
		session("S3", "W3", "2026-11-18", "90791"), session("S4", "W4", "2026-11-18", "90791"),
		session("S5", "W5", "2026-11-18", "90791"))
	files, err := p.RequestEligibility(ctx)
	if err != nil || len(files) != 1 {
		t.Fatalf("request: %v %v", files, err)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	answer := simAnswer271(ctx, t, p, data, map[string]sim.Scenario{"W2": sim.Inactive, "W5": sim.Inactive})
	apply := func(ctx context.Context) (int, error) {
		return p.Apply271(ctx, "ELIG_1.271", bytes.NewReader(answer))
	}

	stopped, cancel := context.WithCancel(ctx)
	defer cancel()
	stop = cancel
	armed.Store(true)
	n, err := apply(stopped)
	armed.Store(false)
	if err == nil || n != 2 {
		t.Fatalf("stopped application: %d applied (%v), want 2 and an error", n, err)
	}
	answered := func() int {
		var c int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM eligibility_checks WHERE answer_file = 'ELIG_1.271'`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := answered(); c != 2 {
		t.Fatalf("%d inquiries answered after the stop, want the first chunk's 2", c)
	}
	if n, err := apply(ctx); err != nil || n != 3 {
		t.Fatalf("again: %d applied (%v), want the 3 left", n, err)
	}
	if n, err := apply(ctx); err != nil || n != 0 {
		t.Fatalf("a third time: %d applied (%v), want 0", n, err)
	}
	held := map[string]bool{"S2": true, "S5": true}
	for _, id := range []string{"S1", "S2", "S3", "S4", "S5"} {
		s, err := db.Session(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if (s.State == store.StateHeld) != held[id] {
			t.Errorf("%s: %s/%s", id, s.State, s.HoldReason)
		}
		evs, err := db.Events(ctx, "session", id)
		if err != nil {
			t.Fatal(err)
		}
		answers := 0
		for _, e := range evs {
			if e.Kind == "eligibility_answered" {
				answers++
			}
		}
		if answers != 1 {
			t.Errorf("%s: %d eligibility_answered events, want 1", id, answers)
		}
	}
	rows, err := db.OutboxRange(ctx, 1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	told := map[string]int{}
	for _, r := range rows {
		if r.Event == "eligibility_answered" {
			told[r.SessionID]++
		}
	}
	for _, id := range []string{"S1", "S2", "S3", "S4", "S5"} {
		if told[id] != 1 {
			t.Errorf("%s: the practice was told %d answers, want 1", id, told[id])
		}
	}
}
