package pipeline

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
)

// TestQueuesDenialBecomesAppeal: through the queue service the CLI and the web UI share, a
// denial assigned and noted, then resolved as appeal_sent, becomes an appeals item with the
// same assignee and the denial's notes; the actions show in the claim's history; wrong
// kinds, keys and outcomes are refused without a change.
func TestQueuesDenialBecomesAppeal(t *testing.T) {
	ctx := context.Background()
	p, now := clockPipeline(t)
	ids := fileTwoClaims(t, p)
	denied := ids["W1"]
	*now = now.AddDate(0, 0, 10)
	post(t, p, denied, "CHK9", "0", "PAYCLM1")
	q := Queues{p}
	den, err := q.Items(ctx, queue.Denials)
	if err != nil || len(den) != 1 {
		t.Fatalf("denials = %+v %v", den, err)
	}
	key := den[0].Key()
	for _, a := range []queue.Action{
		{Kind: queue.ActAssign, Who: "lee", Assignee: "kim", Source: "web"},
		{Kind: queue.ActNote, Who: "kim", Text: "asked for the treatment notes", Source: "cli"},
	} {
		if err := q.Act(ctx, queue.Denials, key, a); err != nil {
			t.Fatalf("%s: %v", a.Kind, err)
		}
	}
	refused := []struct {
		kind queue.Kind
		key  string
		a    queue.Action
		want error
	}{
		{queue.Appeals, key, queue.Action{Kind: queue.ActNote, Text: "x"}, queue.ErrNoItem},      // not an appeal
		{queue.Denials, "nope", queue.Action{Kind: queue.ActNote, Text: "x"}, queue.ErrNoItem},   // not an id
		{queue.Denials, "999999", queue.Action{Kind: queue.ActNote, Text: "x"}, queue.ErrNoItem}, // no such item
		{queue.Denials, key, queue.Action{Kind: queue.ActResolve, Outcome: queue.AppealWon}, queue.ErrBadAction},
		{queue.Holds, "session-NOPE", queue.Action{Kind: queue.ActNote, Text: "x"}, queue.ErrNoItem},
	}
	for _, r := range refused {
		if err := q.Act(ctx, r.kind, r.key, r.a); !errors.Is(err, r.want) {
			t.Errorf("%s %s %s: %v, want %v", r.kind, r.key, r.a.Kind, err, r.want)
		}
	}
	res, err := q.Resolve(ctx, queue.Denials, key, queue.Action{Kind: queue.ActResolve, Who: "kim", Outcome: queue.AppealSent,
		Text: "appeal faxed", Source: "cli"})
	if err != nil || res.Item.State != queue.Resolved || res.Claim != "" {
		t.Fatalf("resolve: %+v %v", res, err)
	}
	ap, err := q.Items(ctx, queue.Appeals)
	if err != nil || len(ap) != 1 {
		t.Fatalf("appeals = %+v %v", ap, err)
	}
	var got []string
	for _, e := range ap[0].Thread {
		got = append(got, fmt.Sprintf("%s %s %s from %d", e.Who, e.What, e.Text, e.From))
	}
	want := []string{
		fmt.Sprintf("lee assign kim from %s", key),
		fmt.Sprintf("kim note asked for the treatment notes from %s", key),
		fmt.Sprintf("kim note appeal faxed from %s", key),
		fmt.Sprintf("kim resolve appeal_sent from %s", key),
	}
	if ap[0].Assignee != "kim" || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("appeal assignee %q thread\n%q\nwant\n%q", ap[0].Assignee, got, want)
	}
	if n, ok := ap[0].LatestNote(); !ok || n.Text != "appeal faxed" {
		t.Errorf("latest note %+v", n)
	}
	var kinds []string
	evs, _ := p.DB.Events(ctx, "claim", denied)
	for _, e := range evs {
		if e.Kind == "queue_assign" || e.Kind == "queue_note" || e.Kind == "queue_resolve" {
			kinds = append(kinds, e.Kind+"/"+e.SourceFile)
		}
	}
	if fmt.Sprint(kinds) != "[queue_assign/web queue_note/cli queue_resolve/cli]" {
		t.Errorf("claim history of the actions = %v", kinds)
	}
	if err := q.Act(ctx, queue.Denials, key, queue.Action{Kind: queue.ActResolve, Outcome: queue.WrittenOff}); !errors.Is(err, queue.ErrResolved) {
		t.Errorf("resolving twice: %v", err)
	}
	if st, _, _ := p.DB.ClaimState(ctx, denied); st != "appealed" {
		t.Errorf("claim state %q", st)
	}
	all, _ := q.List(ctx, "", true)
	if len(all) != 2 {
		t.Errorf("all items = %+v", all)
	}
	if _, err := p.DB.QueueItem(ctx, ap[0].ID); err != nil {
		t.Fatal(err)
	}
	if it, _ := q.Item(ctx, "", fmt.Sprint(ap[0].ID)); it.Kind != store.QueueAppeals {
		t.Errorf("item by id = %+v", it)
	}
}
