package queue

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/lifecycle"
)

var now = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func denial() Item {
	return Item{ID: 7, Kind: Denials, ClaimID: "PCN1", Line: 1, Payer: "60054", Reason: "CO-197", Category: "authorization",
		Action: "appeal", Message: "Precertification absent", Due: "2027-01-10", Amount: 15000, State: Open, Assignee: "kim",
		Thread: []Entry{
			{At: "t1", Who: "lee", What: ActAssign, Text: "kim"},
			{At: "t2", Who: "kim", What: ActNote, Text: "faxed the auth record"},
		}}
}

func TestResolvePlans(t *testing.T) {
	open := func(k Kind, claim string) Item { return Item{ID: 3, Kind: k, ClaimID: claim, State: Open} }
	tests := []struct {
		name      string
		it        Item
		outcome   Outcome
		d         Deadlines
		to        lifecycle.State
		resubmit  bool
		followUps int
		events    []lifecycle.EventKind
		err       error
	}{
		{"appeal sent", denial(), AppealSent, Deadlines{}, lifecycle.Appealed, false, 1, []lifecycle.EventKind{lifecycle.QueueResolve}, nil},
		{"denial resubmitted builds a claim", open(Denials, "C"), Resubmitted, Deadlines{}, lifecycle.Corrected, true, 0, []lifecycle.EventKind{lifecycle.QueueResolve}, nil},
		{"rejection resubmitted builds a claim", open(Rejections, "C"), Resubmitted, Deadlines{}, lifecycle.Corrected, true, 0, []lifecycle.EventKind{lifecycle.QueueResolve}, nil},
		{"follow-up resubmitted only marks", open(FollowUp, "C"), Resubmitted, Deadlines{}, lifecycle.Corrected, false, 0, []lifecycle.EventKind{lifecycle.QueueResolve}, nil},
		{"written off closes", open(Denials, "C"), WrittenOff, Deadlines{}, lifecycle.Closed, false, 0, []lifecycle.EventKind{lifecycle.QueueResolve}, nil},
		{"no action", open(Review, "C"), NoAction, Deadlines{}, "", false, 0, []lifecycle.EventKind{lifecycle.QueueResolve}, nil},
		{"appeal won", open(Appeals, "C"), AppealWon, Deadlines{}, "", false, 0, []lifecycle.EventKind{lifecycle.QueueResolve, lifecycle.AppealWon}, nil},
		{"appeal lost", open(Appeals, "C"), AppealLost, Deadlines{}, "", false, 0, []lifecycle.EventKind{lifecycle.QueueResolve, lifecycle.AppealLost}, nil},
		{"no claim: nothing moves", open(Review, ""), AppealSent, Deadlines{}, "", false, 0, []lifecycle.EventKind{lifecycle.QueueResolve}, nil},
		{"appeal outcome on a denial", open(Denials, "C"), AppealWon, Deadlines{}, "", false, 0, nil, ErrBadAction},
		{"denial outcome on an appeal", open(Appeals, "C"), WrittenOff, Deadlines{}, "", false, 0, nil, ErrBadAction},
		{"holds are not resolved", Item{Kind: Holds, SessionID: "S-1", State: Open}, NoAction, Deadlines{}, "", false, 0, nil, ErrBadAction},
		{"already resolved", Item{ID: 3, Kind: Denials, State: Resolved, Outcome: NoAction}, WrittenOff, Deadlines{}, "", false, 0, nil, ErrResolved},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Resolve(tc.it, tc.outcome, "", "biller", now, tc.d)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			var kinds []lifecycle.EventKind
			for _, e := range p.Events {
				kinds = append(kinds, e.Kind)
			}
			if p.To != tc.to || p.Resubmit != tc.resubmit || len(p.FollowUps) != tc.followUps || !reflect.DeepEqual(kinds, tc.events) {
				t.Errorf("plan to=%q resubmit=%v follow-ups=%d events=%v", p.To, p.Resubmit, len(p.FollowUps), kinds)
			}
			if p.Item.State != Resolved || p.Item.Outcome != tc.outcome || p.Item.ResolvedAt != Stamp(now) {
				t.Errorf("item = %+v", p.Item)
			}
		})
	}
}

// The appeal a denial becomes keeps the denial's assignee and its whole thread, the
// resolution and its comment included, each entry naming the denial it was written on.
func TestResolveAppealKeepsThread(t *testing.T) {
	den := denial()
	p, err := Resolve(den, AppealSent, "sent with the auth record", "kim", now, Deadlines{})
	if err != nil {
		t.Fatal(err)
	}
	ap := p.FollowUps[0]
	if ap.Kind != Appeals || ap.ClaimID != "PCN1" || ap.Assignee != "kim" || ap.Due != den.Due || ap.Source != "queue:7" ||
		ap.State != Open || ap.Reason != "CO-197" || ap.Amount != den.Amount {
		t.Errorf("appeal item = %+v", ap)
	}
	want := []Entry{
		{At: "t1", Who: "lee", What: ActAssign, Text: "kim", From: 7},
		{At: "t2", Who: "kim", What: ActNote, Text: "faxed the auth record", From: 7},
		{At: Stamp(now), Who: "kim", What: ActNote, Text: "sent with the auth record", From: 7},
		{At: Stamp(now), Who: "kim", What: ActResolve, Text: "appeal_sent", From: 7},
	}
	if !reflect.DeepEqual(ap.Thread, want) {
		t.Errorf("appeal thread =\n%+v\nwant\n%+v", ap.Thread, want)
	}
	if n, ok := ap.LatestNote(); !ok || n.Text != "sent with the auth record" {
		t.Errorf("latest note = %+v", n)
	}
	if len(p.Entries) != 2 || len(p.Item.Thread) != 4 || p.Item.Thread[0].From != 0 {
		t.Errorf("denial's own entries = %+v, thread %+v", p.Entries, p.Item.Thread)
	}
	// The denial's thread is not changed by planning (the caller's slice stays as it was).
	if len(den.Thread) != 2 {
		t.Errorf("input thread changed: %+v", den.Thread)
	}
	if d := p.MoveDetail(); d["queue_item"] != int64(7) || d["outcome"] != "appeal_sent" {
		t.Errorf("move detail %v", d)
	}
	// A configured answer time dates the appeal from today instead.
	p, _ = Resolve(den, AppealSent, "", "kim", now, Deadlines{AppealAnswerDays: 30})
	if got := p.FollowUps[0].Due; got != "2026-12-20" {
		t.Errorf("appeal due %s, want 2026-12-20", got)
	}
}

func TestRecord(t *testing.T) {
	tests := []struct {
		name     string
		it       Item
		a        Action
		assignee string
		entries  []ActionKind
		event    lifecycle.EventKind
		subject  lifecycle.Entity
		err      error
	}{
		{"assign", denial(), Action{Kind: ActAssign, Who: "lee", Assignee: "kim"}, "kim", []ActionKind{ActAssign}, lifecycle.QueueAssign, lifecycle.EntityClaim, nil},
		{"assign with comment", denial(), Action{Kind: ActAssign, Who: "lee", Assignee: "kim", Text: "yours"}, "kim", []ActionKind{ActAssign, ActNote}, lifecycle.QueueAssign, lifecycle.EntityClaim, nil},
		{"note on a held session", Item{Kind: Holds, SessionID: "S-4", State: Open}, Action{Kind: ActNote, Who: "kim", Text: "called"}, "", []ActionKind{ActNote}, lifecycle.QueueNote, lifecycle.EntitySession, nil},
		{"note on an item without claim", Item{ID: 9, Kind: Review, State: Open}, Action{Kind: ActNote, Who: "kim", Text: "x"}, "", []ActionKind{ActNote}, lifecycle.QueueNote, lifecycle.EntityQueue, nil},
		{"empty assignee", denial(), Action{Kind: ActAssign}, "", nil, "", "", ErrBadAction},
		{"empty note", denial(), Action{Kind: ActNote}, "", nil, "", "", ErrBadAction},
		{"resolve is not a record", denial(), Action{Kind: ActResolve}, "", nil, "", "", ErrBadAction},
		{"resolved item", Item{ID: 1, State: Resolved}, Action{Kind: ActNote, Text: "x"}, "", nil, "", "", ErrResolved},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Record(tc.it, tc.a, now)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			var kinds []ActionKind
			for _, e := range c.Entries {
				kinds = append(kinds, e.What)
				if e.Who != tc.a.Who || e.At != Stamp(now) {
					t.Errorf("entry %+v", e)
				}
			}
			if c.Assignee != tc.assignee || !reflect.DeepEqual(kinds, tc.entries) || c.Event.Kind != tc.event || c.Event.Entity != tc.subject {
				t.Errorf("change = %+v", c)
			}
			if c.Event.Detail["who"] != tc.a.Who || c.Event.Detail["item"] != tc.it.Key() {
				t.Errorf("event detail %v", c.Event.Detail)
			}
		})
	}
}

func TestParse(t *testing.T) {
	for _, k := range Kinds() {
		if got, err := ParseKind(string(k)); err != nil || got != k {
			t.Errorf("ParseKind(%s) = %v %v", k, got, err)
		}
	}
	if _, err := ParseKind("denial"); err == nil || !strings.Contains(err.Error(), "holds, rejections, denials, appeals, follow-up, review") {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := ParseOutcome("appeal"); err == nil || !strings.Contains(err.Error(), "resubmitted, appeal_sent, written_off, appeal_won, appeal_lost, no_action") {
		t.Errorf("unknown outcome: %v", err)
	}
	if o, err := ParseOutcome("written_off"); err != nil || o != WrittenOff {
		t.Errorf("ParseOutcome = %v %v", o, err)
	}
}

func TestHolds(t *testing.T) {
	s := SessionHold(HeldSession{ID: "S-4", Payer: "p", Code: "90837", Date: "2026-06-01", Reason: "auth_missing", Charge: 100}, 180)
	if s.Key() != "session-S-4" || s.Due != "2026-11-28" || !strings.HasPrefix(s.Message, "No authorization on file") || s.Action == "" {
		t.Errorf("session hold = %+v", s)
	}
	c := ClaimHold(HeldClaim{ID: "C-1", Date: "2026-06-01", Rules: []string{"a", "b"}}, 0)
	if c.Key() != "claim-C-1" || c.Due != "" || c.Reason != "a, b" {
		t.Errorf("claim hold = %+v", c)
	}
	if w, a := HoldWords("coverage_inactive"); w != "coverage_inactive" || a != "Review the session" {
		t.Errorf("unknown reason words %q %q", w, a)
	}
	items := []Item{{ID: 2}, {ID: 3, Due: "2026-12-01"}, {ID: 1, Due: "2026-11-01"}, {ID: 4, Due: "2026-12-01"}}
	SortByDue(items)
	var ids []int64
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	if !reflect.DeepEqual(ids, []int64{1, 3, 4, 2}) {
		t.Errorf("sorted %v", ids)
	}
}

// A hold's thread is the history of its subject: Record's events replayed give the same
// entries Record planned, and events of other items are not this one's.
func TestReplay(t *testing.T) {
	hold := Item{Kind: Holds, SessionID: "S-4", State: Open}
	var evs []Event
	var want []Entry
	for _, a := range []Action{
		{Kind: ActAssign, Who: "lee", Assignee: "kim", Text: "yours"},
		{Kind: ActNote, Who: "kim", Text: "called the payer"},
	} {
		c, err := Record(hold, a, now)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, c.Event)
		want = append(want, c.Entries...)
	}
	other := Item{Kind: Holds, SessionID: "S-5"}
	c, _ := Record(other, Action{Kind: ActNote, Who: "kim", Text: "not S-4"}, now)
	evs = append(evs, c.Event, Event{Kind: lifecycle.SessionHeld, Detail: map[string]any{"item": hold.Key()}})
	for _, e := range evs {
		d := map[string]string{}
		for k, v := range e.Detail {
			d[k] = v.(string)
		}
		hold.Replay(e.Kind, Stamp(now), d)
	}
	if hold.Assignee != "kim" || !reflect.DeepEqual(hold.Thread, want) {
		t.Errorf("replayed hold = %+v\nwant thread %+v", hold, want)
	}
}
