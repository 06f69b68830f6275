package storetest

import (
	"slices"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
)

// testWriteScrubbing: session rows written as scrubbed clean before their scrub is
// recorded (Batch.WriteScrubbing: intake's inserts beside its dry build) end as if the
// scrub had been in their inserts: a clean one scrubbed, a held one with its rules and a
// scrub_held event, one the scrub does not name left for ScrubNew; and with no scrub
// recorded (the build failed) every one of them is left for ScrubNew.
func testWriteScrubbing(t *testing.T, db *store.DB) {
	bad := []claims.Finding{{Rule: "R1", Severity: claims.SeverityError, Message: "bad"}}
	warn := []claims.Finding{{Rule: "W1", Severity: claims.SeverityWarning, Message: "look"}}
	put := func(ids []string, scrubs func(hash map[string]string) []store.SessionScrub) int {
		t.Helper()
		n := 0
		err := db.Batch(ctx, Rules(t), func(b *store.Batch) error {
			if _, err := b.PutAuthorization(Auth("A-W", 20, "2026-09-01", "2027-02-28"), "test.json"); err != nil {
				return err
			}
			for i, id := range ids {
				if _, err := b.PutSession(Session(id, "2026-11-0"+string(rune('1'+i))), "test.json"); err != nil {
					return err
				}
			}
			targets, err := b.WrittenReady()
			if err != nil {
				return err
			}
			hash := map[string]string{}
			for _, tg := range targets {
				hash[tg.ID] = tg.Hash
			}
			if len(hash) != len(ids) {
				t.Fatalf("written ready: %v", hash)
			}
			if err := b.WriteScrubbing(); err != nil {
				return err
			}
			n, err = b.RecordScrubs(scrubs(hash))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	unscrubbed := func() []string {
		t.Helper()
		ts, err := db.UnscrubbedSessions(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tg := range ts {
			ids = append(ids, tg.ID)
		}
		return ids
	}

	n := put([]string{"W1", "W2", "W3", "W6", "W7"}, func(hash map[string]string) []store.SessionScrub {
		return []store.SessionScrub{{Session: "W1", Hash: hash["W1"]}, {Session: "W2", Hash: hash["W2"], Findings: bad},
			{Session: "W6", Hash: hash["W6"], Findings: warn}, {Session: "W7", Hash: hash["W7"], Findings: bad}}
	})
	if n != 4 {
		t.Fatalf("recorded %d, want 4", n)
	}
	if got := unscrubbed(); !slices.Equal(got, []string{"W3"}) {
		t.Fatalf("unscrubbed = %v, want the one no scrub named", got)
	}
	if s := session(t, db, "W1"); s.ScrubHold != nil {
		t.Fatalf("W1 clean: %+v", s.ScrubHold)
	}
	if s := session(t, db, "W2"); !s.ScrubHold.Held() || s.ScrubHold.RuleText() != "R1" || len(s.ScrubHold.Findings) != 1 {
		t.Fatalf("W2 held: %+v", s.ScrubHold)
	}
	if s := session(t, db, "W7"); s.ScrubHold.RuleText() != "R1" {
		t.Fatalf("W7 held: %+v", s.ScrubHold)
	}
	if s := session(t, db, "W6"); s.ScrubHold.Held() || len(s.ScrubHold.Findings) != 1 {
		t.Fatalf("W6 warned: %+v", s.ScrubHold)
	}
	for id, held := range map[string]bool{"W1": false, "W2": true, "W6": false, "W7": true} {
		if kinds := eventKinds(t, db, "session", id); slices.Contains(kinds, "scrub_held") != held {
			t.Fatalf("%s events: %v", id, kinds)
		}
	}

	if n := put([]string{"W4", "W5"}, func(map[string]string) []store.SessionScrub { return nil }); n != 0 {
		t.Fatalf("recorded %d with no scrubs", n)
	}
	if got := unscrubbed(); !slices.Equal(got, []string{"W3", "W4", "W5"}) {
		t.Fatalf("unscrubbed = %v, want every row of the failed scrub", got)
	}
}
