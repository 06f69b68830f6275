package storetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// deniedClaim stores a filed claim and posts an 835 denying it (CO-197), which opens a
// denial item; it returns that item.
func deniedClaim(t *testing.T, db *store.DB, id string) store.QueueItem {
	t.Helper()
	if _, err := db.SQL().ExecContext(ctx, db.Rebind(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id,
		service_date, frequency, responsibility, total_cents, state, data, created_at, updated_at)
		VALUES (?, ?, 'demo-practice', 'demo-commercial', 'sim', 'C-77', '2026-11-02', '1', 'P', 15000, 'filed', '{}', 't', 't')`), id, id); err != nil {
		t.Fatal(err)
	}
	c := remit.ClaimPayment{PatientControl: id, Status: "4", PayerClaim: "PC-" + id, Charge: x12.MustAmount("150"),
		Lines: []remit.LinePayment{{Code: "90837", Charge: x12.MustAmount("150"),
			Adjustments: []remit.Adjustment{{Group: "CO", Reason: "197", Amount: x12.MustAmount("150")}}}}}
	p := remit.Payment{Payer: "DEMO", PayerID: "DEMO1", Check: "CHK-" + id, Date: "20261110", Claims: []remit.ClaimPayment{c}}
	remit.NewClassifier(nil).Classify(&p)
	p.Balance()
	if _, err := db.PostRemittance(ctx, store.ResponseFile{SHA256: "835-" + id, Name: "835-" + id}, &remit.Remittance{Payments: []remit.Payment{p}}); err != nil {
		t.Fatal(err)
	}
	den, err := db.QueueItems(ctx, store.QueueFilter{Kind: queue.Denials, ClaimID: id, OpenOnly: true})
	if err != nil || len(den) != 1 {
		t.Fatalf("denials of %s = %+v %v", id, den, err)
	}
	return den[0]
}

func record(t *testing.T, db *store.DB, it store.QueueItem, a queue.Action) store.QueueItem {
	t.Helper()
	c, err := queue.Record(it, a, Today)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyQueueChange(ctx, it, c, "test"); err != nil {
		t.Fatal(err)
	}
	it, err = db.QueueItem(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// testQueueThread: a denial's assignee and notes are on the appeal it becomes, with the
// denial's resolution; the claim is appealed; a plan made on a stale read (the item was
// resolved meanwhile) changes nothing.
func testQueueThread(t *testing.T, db *store.DB) {
	den := deniedClaim(t, db, "PCN-Q1")
	den = record(t, db, den, queue.Action{Kind: queue.ActAssign, Who: "lee", Assignee: "kim"})
	den = record(t, db, den, queue.Action{Kind: queue.ActNote, Who: "kim", Text: "asked the practice for the auth record"})
	if den.Assignee != "kim" || len(den.Thread) != 2 {
		t.Fatalf("denial after assign and note = %+v", den)
	}
	plan, err := queue.Resolve(den, queue.AppealSent, "faxed with the auth record", "kim", Today, queue.Deadlines{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyResolution(ctx, plan, "test", nil); err != nil {
		t.Fatal(err)
	}
	ap, err := db.QueueItems(ctx, store.QueueFilter{Kind: queue.Appeals, ClaimID: "PCN-Q1"})
	if err != nil || len(ap) != 1 {
		t.Fatalf("appeals = %+v %v", ap, err)
	}
	at := queue.Stamp(Today)
	want := []queue.Entry{
		{At: at, Who: "lee", What: queue.ActAssign, Text: "kim", From: den.ID},
		{At: at, Who: "kim", What: queue.ActNote, Text: "asked the practice for the auth record", From: den.ID},
		{At: at, Who: "kim", What: queue.ActNote, Text: "faxed with the auth record", From: den.ID},
		{At: at, Who: "kim", What: queue.ActResolve, Text: "appeal_sent", From: den.ID},
	}
	if a := ap[0]; a.Assignee != "kim" || a.State != queue.Open || !reflect.DeepEqual(a.Thread, want) {
		t.Errorf("appeal = %+v\nthread %+v\nwant   %+v", a, a.Thread, want)
	}
	got, err := db.QueueItem(ctx, den.ID)
	if err != nil || got.State != queue.Resolved || got.Outcome != queue.AppealSent || len(got.Thread) != 4 || got.Thread[3].From != 0 {
		t.Errorf("resolved denial = %+v %v", got, err)
	}
	if st, _, err := db.ClaimState(ctx, "PCN-Q1"); err != nil || st != remit.StateAppealed {
		t.Errorf("claim state %q %v, want appealed", st, err)
	}
	// The same plan again, and a note planned on the open item read before: both expect
	// the item open and change nothing.
	if _, err := db.ApplyResolution(ctx, plan, "test", nil); !errors.Is(err, queue.ErrResolved) {
		t.Errorf("second resolution: %v, want ErrResolved", err)
	}
	c, _ := queue.Record(den, queue.Action{Kind: queue.ActNote, Who: "kim", Text: "late"}, Today)
	if err := db.ApplyQueueChange(ctx, den, c, "test"); !errors.Is(err, queue.ErrResolved) {
		t.Errorf("note on a resolved item: %v, want ErrResolved", err)
	}
	if ap, _ := db.QueueItems(ctx, store.QueueFilter{Kind: queue.Appeals}); len(ap) != 1 {
		t.Errorf("appeals after the repeated plan = %d", len(ap))
	}
	if got, _ := db.QueueItem(ctx, den.ID); len(got.Thread) != 4 {
		t.Errorf("thread after refused changes = %+v", got.Thread)
	}
	if _, err := db.QueueItem(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown item: %v", err)
	}
	missing := den
	missing.ID, missing.State = 999999, queue.Open
	c, _ = queue.Record(missing, queue.Action{Kind: queue.ActNote, Who: "kim", Text: "x"}, Today)
	if err := db.ApplyQueueChange(ctx, missing, c, "test"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("note on an unknown item: %v, want ErrNotFound", err)
	}
}
