package pipeline

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
)

func holdKeys(t *testing.T, p *Pipeline) map[string]queue.Item {
	t.Helper()
	items, err := p.Holds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]queue.Item{}
	for _, it := range items {
		out[it.Key()] = it
	}
	return out
}

// TestScrubAtIntake: the scrubber runs on the sessions intake stored, before any claim is
// built: the sessions list and the holds queue show its holds at once, a session grouped
// with one scrubbed earlier is judged on the claim they will share, a corrected session is
// cleared, a configuration-caused hold names the key, and the claims step takes over.
func TestScrubAtIntake(t *testing.T) {
	eachDialect(t, scrubAtIntake)
}

func scrubAtIntake(t *testing.T, p *Pipeline) {
	ctx := context.Background()
	short := billable(session("S2", "W2", "2026-11-18", "90791"))
	short.Diagnoses = []string{"4111"} // not ICD-10-CM
	put(t, p, billable(session("S1", "W1", "2026-11-18", "90791")), short)

	sum, err := p.ScrubNew(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sessions != 2 || sum.Held != 1 || sum.Recorded != 2 {
		t.Fatalf("first scrub: %+v", sum)
	}
	s2, err := p.DB.Session(ctx, "S2")
	if err != nil {
		t.Fatal(err)
	}
	if s2.State != store.StateReady || !s2.ScrubHold.Held() || !slices.Contains(s2.ScrubHold.Rules, "icd10.format") {
		t.Fatalf("S2 after the scrub: state %s hold %+v", s2.State, s2.ScrubHold)
	}
	if s1, _ := p.DB.Session(ctx, "S1"); s1.ScrubHold != nil {
		t.Errorf("clean S1 has a scrub hold %+v", s1.ScrubHold)
	}
	holds := holdKeys(t, p)
	it, ok := holds["session-S2"]
	if !ok || len(holds) != 1 || !strings.Contains(it.Reason, "icd10.format") || !strings.Contains(it.Action, "practice system") {
		t.Fatalf("holds queue: %+v", holds)
	}
	if got, err := (Queues{p}).Item(ctx, queue.Holds, "session-S2"); err != nil || got.SessionID != "S2" {
		t.Fatalf("hold by key: %+v %v", got, err)
	}
	if evs, _ := p.DB.Events(ctx, string(lifecycle.EntitySession), "S2"); !slices.ContainsFunc(evs, func(e store.Event) bool { return e.Kind == lifecycle.ScrubHeld }) {
		t.Errorf("no scrub_held event: %+v", evs)
	}

	// Nothing new: nothing scrubbed.
	if sum, err = p.ScrubNew(ctx); err != nil || sum.Sessions != 0 {
		t.Fatalf("second scrub: %+v %v", sum, err)
	}

	// An add-on arriving later is scrubbed on the claim it will share with S1 (a peer read
	// back), so it is not held for lacking its primary service.
	put(t, p, billable(session("S3", "W1", "2026-11-18", "90785")))
	if sum, err = p.ScrubNew(ctx); err != nil || sum.Sessions != 1 || sum.Peers != 1 || sum.Held != 0 {
		t.Fatalf("add-on scrub: %+v %v", sum, err)
	}
	if s3, _ := p.DB.Session(ctx, "S3"); s3.ScrubHold.Held() {
		t.Errorf("add-on held: %+v", s3.ScrubHold)
	}

	// The practice system corrects S2: scrubbed again, cleared, gone from the holds.
	fixed := billable(session("S2", "W2", "2026-11-18", "90791"))
	put(t, p, fixed)
	if sum, err = p.ScrubNew(ctx); err != nil || sum.Sessions != 1 || sum.Held != 0 {
		t.Fatalf("corrected scrub: %+v %v", sum, err)
	}
	if _, ok := holdKeys(t, p)["session-S2"]; ok {
		t.Error("corrected S2 still on the holds queue")
	}
	if _, err := (Queues{p}).Item(ctx, queue.Holds, "session-S2"); !errors.Is(err, queue.ErrNoItem) {
		t.Errorf("cleared hold by key: %v", err)
	}
	if evs, _ := p.DB.Events(ctx, string(lifecycle.EntitySession), "S2"); !slices.ContainsFunc(evs, func(e store.Event) bool { return e.Kind == lifecycle.ScrubCleared }) {
		t.Errorf("no scrub_cleared event: %+v", evs)
	}

	// A configuration mistake: every new session is held, and the item names the key.
	p.Cfg.Practices[0].NPI = "1234567890"
	put(t, p, billable(session("S4", "W4", "2026-11-19", "90791")))
	if sum, err = p.ScrubNew(ctx); err != nil || sum.Held != 1 {
		t.Fatalf("config scrub: %+v %v", sum, err)
	}
	it = holdKeys(t, p)["session-S4"]
	if !strings.Contains(it.Message, "configuration") || !strings.Contains(it.Action, "practices[0].npi") || strings.Contains(it.Action, "practice system") {
		t.Fatalf("config hold item: %+v", it)
	}

	// The claims step builds the claims (the practice NPI holds all three) and the claims'
	// holds are listed instead of the sessions'.
	if _, held, err := p.BuildAndStoreClaims(ctx); err != nil || held != 3 {
		t.Fatalf("claims step: held %d %v", held, err)
	}
	holds = holdKeys(t, p)
	if _, ok := holds["session-S4"]; ok || len(holds) != 3 {
		t.Fatalf("after the claims step: %+v", holds)
	}
	for _, it := range holds {
		if it.ClaimID == "" || !strings.Contains(it.Action, "practices[0].npi") {
			t.Errorf("claim hold: %+v", it)
		}
	}
}

// TestRecordScrubExpectsContent: a scrub of content the practice system has since changed
// records nothing (the new content is scrubbed next), and neither does one of a session no
// longer ready.
func TestRecordScrubExpectsContent(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	put(t, p, billable(session("S1", "W1", "2026-11-18", "90791")))
	targets, err := p.DB.UnscrubbedSessions(ctx, 0)
	if err != nil || len(targets) != 1 {
		t.Fatalf("unscrubbed: %v %v", targets, err)
	}
	changed := billable(session("S1", "W1", "2026-11-18", "90791"))
	changed.Minutes = 60
	put(t, p, changed)
	bad := []claims.Finding{{Rule: "x.y", Severity: claims.SeverityError, Message: "m"}}
	if n, err := p.DB.RecordScrubs(ctx, []store.SessionScrub{{Session: "S1", Hash: targets[0].Hash, Findings: bad}}); err != nil || n != 0 {
		t.Fatalf("stale scrub recorded: %d %v", n, err)
	}
	if n, err := p.DB.RecordScrubs(ctx, []store.SessionScrub{{Session: "nope", Hash: "h", Findings: bad}}); err != nil || n != 0 {
		t.Fatalf("unknown session recorded: %d %v", n, err)
	}
	if again, _ := p.DB.UnscrubbedSessions(ctx, 0); len(again) != 1 || again[0].Hash == targets[0].Hash {
		t.Fatalf("changed session not waiting for its scrub: %+v", again)
	}
}
