package storetest

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/outbox"
	"github.com/edigate/edigate/x12"
)

// testEligibilityAnswers: a 271's answers applied a chunk at a time (ApplyEligibilities)
// do what one answer at a time did: holds only ready sessions and says when it did not,
// releases only an eligibility hold, a retry holds nothing, an answer whose session an
// earlier answer of the same chunk moved sees that move, a trace twice is applied once,
// the same answers again change nothing, and the practice is told each answer with what
// the 271 said.
func testEligibilityAnswers(t *testing.T, db *store.DB) {
	put(t, db, Auth("A", 20, "2026-10-01", "2027-03-31"))
	for _, id := range []string{"S-1", "S-2", "S-3", "S-4", "S-5", "S-6"} {
		put(t, db, Session(id, "2026-11-0"+id[2:]))
	}
	// S-2 is billed already: a hold must leave it alone.
	if _, err := db.SQL().ExecContext(ctx, db.Rebind(`UPDATE sessions SET state = 'billed' WHERE id = ?`), "S-2"); err != nil {
		t.Fatal(err)
	}
	check := func(trace string, ids ...string) store.EligibilityCheck {
		return store.EligibilityCheck{Trace: trace, Payer: "demo-commercial", MemberID: "W" + trace, ClientID: "C-77",
			ServiceDate: "2026-11-02", SessionIDs: ids}
	}
	if err := db.RecordEligibilityRequests(ctx, []store.EligibilityCheck{check("T1", "S-1", "S-2"), check("T2", "S-3"),
		check("T3", "S-4"), check("T4", "S-5"), check("T5", "S-5"), check("T6", "S-6"), check("T7", "S-6"), check("T8", "S-6")}, "270_1.x12"); err != nil {
		t.Fatal(err)
	}
	copay := x12.MustAmount("25.00")
	inactive := eligibility.Result{Trace: "T1", Active: false, Copay: &copay}
	hold := func(reason string, r eligibility.Result) store.EligibilityOutcome {
		return store.EligibilityOutcome{Hold: true, Reason: reason, Result: r, Decision: eligibility.Decision{Hold: true, Reason: reason}}
	}
	clean := func(r eligibility.Result, warnings ...string) store.EligibilityOutcome {
		return store.EligibilityOutcome{Warnings: warnings, Result: r, Decision: eligibility.Decision{Warnings: warnings}}
	}
	apply := func(file string, answers ...store.EligibilityAnswer) (int, error) {
		t.Helper()
		var n int
		err := db.Batch(ctx, nil, func(b *store.Batch) error {
			traces := make([]string, len(answers))
			for i, a := range answers {
				traces[i] = a.Trace
			}
			targets, err := b.EligibilityTargets(traces)
			if err != nil {
				return err
			}
			n, err = b.ApplyEligibilities(file, answers, targets)
			return err
		})
		return n, err
	}
	// S-5 and S-6 start on an eligibility hold (an earlier 271).
	if n, err := apply("271_0.x12", store.EligibilityAnswer{Trace: "T4", Outcome: hold(eligibility.HoldInactive, eligibility.Result{Trace: "T4"})},
		store.EligibilityAnswer{Trace: "T8", Outcome: hold(eligibility.HoldInactive, eligibility.Result{Trace: "T8"})}); err != nil || n != 2 {
		t.Fatalf("first hold: %d %v", n, err)
	}
	answers := []store.EligibilityAnswer{
		{Trace: "T1", Outcome: hold(eligibility.HoldInactive, inactive)}, // S-2 is billed: skipped
		{Trace: "T2", Outcome: clean(eligibility.Result{Trace: "T2", Active: true}, "auth <required>")},
		{Trace: "T3", Outcome: store.EligibilityOutcome{Retry: true, Result: eligibility.Result{Trace: "T3"}, Decision: eligibility.Decision{Retry: true}}},
		{Trace: "T1", Outcome: clean(eligibility.Result{Trace: "T1", Active: true})}, // the same trace again: the first wins
		// S-5: released by T5. S-6: released by T6, then held again by T7 of the same
		// file, which must see T6's release (all at once, the hold would find S-6 held
		// and skip it, and the release then leave it ready).
		{Trace: "T5", Outcome: clean(eligibility.Result{Trace: "T5", Active: true})},
		{Trace: "T6", Outcome: clean(eligibility.Result{Trace: "T6", Active: true})},
		{Trace: "T7", Outcome: hold(eligibility.HoldCarveOut, eligibility.Result{Trace: "T7"})},
	}
	before, err := db.OutboxLast(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := apply("271_1.x12", answers...)
	if err != nil || n != 6 {
		t.Fatalf("applied %d (%v), want 6", n, err)
	}
	want := map[string][2]string{
		"S-1": {store.StateHeld, "eligibility_coverage_inactive"}, "S-2": {store.StateBilled, ""},
		"S-3": {store.StateReady, ""}, "S-4": {store.StateReady, ""}, "S-5": {store.StateReady, ""}, "S-6": {store.StateHeld, "eligibility_carve_out"},
	}
	for id, w := range want {
		if s := session(t, db, id); s.State != w[0] || s.HoldReason != w[1] {
			t.Errorf("%s = %s/%q, want %s/%q", id, s.State, s.HoldReason, w[0], w[1])
		}
	}
	for trace, st := range map[string]string{"T1": store.EligAnswered, "T2": store.EligAnswered, "T3": store.EligRetry, "T7": store.EligAnswered} {
		c, err := db.EligibilityCheck(ctx, trace)
		if err != nil || c.State != st || c.AnswerFile != "271_1.x12" {
			t.Errorf("%s = %s from %s (%v), want %s", trace, c.State, c.AnswerFile, err, st)
		}
	}
	if c, _ := db.EligibilityCheck(ctx, "T1"); !json.Valid(c.Result) || !slices.Contains([]string{`false`}, string(mustField(t, c.Result, "active"))) {
		t.Errorf("T1 result %s: the first answer of the trace must be the one stored", c.Result)
	}
	details := func(id string) []string {
		evs, err := db.Events(ctx, "session", id)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			if k := string(e.Kind); k == "eligibility_answered" || k == "eligibility_warning" || k == "released" {
				out = append(out, string(e.Kind)+" "+string(e.Detail))
			}
		}
		return out
	}
	wantEvents := map[string][]string{
		"S-1": {`eligibility_answered {"hold":"coverage_inactive","state":"answered","trace":"T1"}`},
		"S-2": {`eligibility_answered {"hold":"coverage_inactive","hold_skipped":"session is not ready or scheduled","state":"answered","trace":"T1"}`},
		"S-3": {`eligibility_answered {"state":"answered","trace":"T2"}`, `eligibility_warning {"trace":"T2","warning":"auth \u003crequired\u003e"}`},
		"S-4": {`eligibility_answered {"state":"retry","trace":"T3"}`},
		"S-5": {`eligibility_answered {"hold":"coverage_inactive","state":"answered","trace":"T4"}`,
			`eligibility_answered {"state":"answered","trace":"T5"}`, `released {"trace":"T5","was":"eligibility"}`},
		"S-6": {`eligibility_answered {"hold":"coverage_inactive","state":"answered","trace":"T8"}`,
			`eligibility_answered {"state":"answered","trace":"T6"}`, `released {"trace":"T6","was":"eligibility"}`,
			`eligibility_answered {"hold":"carve_out","state":"answered","trace":"T7"}`},
	}
	for id, w := range wantEvents {
		if got := details(id); !slices.Equal(got, w) {
			t.Errorf("%s events:\n got %q\nwant %q", id, got, w)
		}
	}
	// The practice hears each answer with what the 271 said (T1's copay), and the holds.
	rows, err := db.OutboxRange(ctx, before+1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		var m outbox.Message
		if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
			t.Fatal(err)
		}
		line := r.SessionID + " " + string(m.Event)
		if m.Eligibility != nil && m.Eligibility.Copay != nil {
			line += " copay " + m.Eligibility.Copay.String()
		}
		got = append(got, line)
	}
	wantOut := []string{"S-1 eligibility_answered copay 25.00", "S-1 held", "S-2 eligibility_answered copay 25.00",
		"S-3 eligibility_answered", "S-4 eligibility_answered", "S-5 eligibility_answered", "S-5 released",
		"S-6 eligibility_answered", "S-6 released", "S-6 eligibility_answered", "S-6 held"}
	if !slices.Equal(got, wantOut) {
		t.Errorf("outbox:\n got %q\nwant %q", got, wantOut)
	}
	// The same file again (a run stopped midway and started over) changes nothing.
	last, _ := db.OutboxLast(ctx)
	if n, err := apply("271_1.x12", answers...); err != nil || n != 0 {
		t.Fatalf("the same answers again: applied %d (%v), want 0", n, err)
	}
	for id, w := range wantEvents {
		if got := details(id); !slices.Equal(got, w) {
			t.Errorf("%s events after the file again: %q", id, got)
		}
	}
	if l, _ := db.OutboxLast(ctx); l != last {
		t.Errorf("the file again told the practice %d more messages", l-last)
	}
	// A trace edigate never sent is an error, and nothing of its chunk is applied.
	_, err = apply("271_2.x12", store.EligibilityAnswer{Trace: "T2", Outcome: hold(eligibility.HoldInactive, eligibility.Result{})},
		store.EligibilityAnswer{Trace: "NOPE"})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown trace: %v, want ErrNotFound", err)
	}
	if s := session(t, db, "S-3"); s.State != store.StateReady {
		t.Errorf("S-3 = %s after a failed chunk, want ready", s.State)
	}
}

// mustField returns one field of a JSON object.
func mustField(t *testing.T, doc json.RawMessage, name string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	return m[name]
}
