package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// clockPipeline is a pipeline whose store and steps share a clock the test moves, since
// follow-up is about days passing.
func clockPipeline(t *testing.T) (*Pipeline, *time.Time) {
	t.Helper()
	now := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Claims.WaitForEligibility = 0 // bill at once: these tests are about follow-up
	db, err := store.Open(context.Background(), filepath.Join(cfg.DataDir, "edigate.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Pipeline{Cfg: cfg, DB: db, Log: zerolog.Nop(), Now: clock}, &now
}

// fileTwoClaims stores sessions of two members, builds and files their claims, and returns
// the claim ids by member.
func fileTwoClaims(t *testing.T, p *Pipeline) map[string]string {
	t.Helper()
	ctx := context.Background()
	put(t, p, billable(session("S1", "W1", "2026-11-18", "90791")), billable(session("S2", "W2", "2026-11-18", "90791")))
	if built, held, err := p.BuildAndStoreClaims(ctx); err != nil || built != 2 || held != 0 {
		t.Fatalf("build: %d built %d held %v", built, held, err)
	}
	if files, err := p.FileClaims(ctx); err != nil || len(files) != 1 {
		t.Fatalf("file: %v %v", files, err)
	}
	ids := map[string]string{}
	for _, s := range []string{"S1", "S2"} {
		rec, err := p.DB.Session(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		ids[rec.Session.Coverage.MemberID] = rec.ClaimRef
	}
	return ids
}

func fill(t *testing.T, tmpl string, kv ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", tmpl))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer(kv...).Replace(string(b)))
}

func eventKinds(t *testing.T, p *Pipeline, claim string) []string {
	t.Helper()
	return entityEventKinds(t, p, "claim", claim)
}

// entityEventKinds is the kinds of an entity's history events, oldest first.
func entityEventKinds(t *testing.T, p *Pipeline, entity, id string) []string {
	t.Helper()
	evs, err := p.DB.Events(context.Background(), entity, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Kind))
	}
	return out
}

// post posts an 835 built in code for one claim: paid, or denied CO-197 when paid is 0.
func post(t *testing.T, p *Pipeline, claim, check, paid, payerClaim string) {
	t.Helper()
	c := remit.ClaimPayment{PatientControl: claim, Status: "1", Charge: x12.MustAmount("150"), Paid: x12.MustAmount(paid),
		PayerClaim: payerClaim, Lines: []remit.LinePayment{{Code: "90791", Charge: x12.MustAmount("150"), Paid: x12.MustAmount(paid)}}}
	if adj := c.Charge - c.Paid; adj != 0 {
		reason := "45"
		if c.Paid == 0 {
			c.Status, reason = "4", "197"
		}
		c.Lines[0].Adjustments = []remit.Adjustment{{Group: "CO", Reason: reason, Amount: adj}}
	}
	pay := remit.Payment{Payer: "DEMO", PayerID: "DEMO1", Check: check, Date: "20261201", Total: c.Paid, Claims: []remit.ClaimPayment{c}}
	remit.NewClassifier(p.Cfg.RemitPayers()).Classify(&pay)
	pay.Balance()
	ctx := context.Background()
	d := &remit.Document{Remittance: &remit.Remittance{Payments: []remit.Payment{pay}}}
	plan, err := remit.PlanResponse(ctx, p.DB, check+".835", d, p.deadlines())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DB.ApplyResponse(ctx, store.ResponseFile{SHA256: check, Name: check + ".835"}, plan); err != nil {
		t.Fatal(err)
	}
}

// TestFollowUp: a claim with no 835 after follow_up_days goes on the follow-up queue once,
// a 276 for it appears in the clearinghouse's outbound folder, the 277 answers (pending,
// then finalized paid, matched by trace only) land in its history and state, and the 835
// that finally comes closes the item. A claim that was paid in time is never queued.
func TestFollowUp(t *testing.T) {
	ctx := context.Background()
	p, now := clockPipeline(t)
	ids := fileTwoClaims(t, p)
	paidInTime, silent := ids["W1"], ids["W2"]
	*now = now.AddDate(0, 0, 10)
	post(t, p, paidInTime, "CHK1", "120", "PAYCLM1")
	if r, err := p.FollowUp(ctx); err != nil || len(r.Queued) != 0 || r.Inquiries != 0 {
		t.Fatalf("day 10: %+v %v", r, err)
	}
	*now = now.AddDate(0, 0, 21) // 31 days after filing
	r, err := p.FollowUp(ctx)
	if err != nil || len(r.Queued) != 1 || r.Queued[0].ClaimID != silent || r.Inquiries != 1 || len(r.Files) != 1 || len(r.Skipped) != 0 {
		t.Fatalf("day 31: %+v %v", r, err)
	}
	file := r.Files[0]
	if !strings.HasPrefix(filepath.Base(file), "276_") || filepath.Dir(file) != p.OutboundDir(p.Cfg.Payers[0].Clearinghouse) {
		t.Errorf("276 path %s, want %s/276_<isa>.x12", file, p.OutboundDir(p.Cfg.Payers[0].Clearinghouse))
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("276 file: %v %v", fi, err)
	}
	data, _ := os.ReadFile(file)
	res, err := x12.Validate(ctx, bytes.NewReader(data), x12.ParseOptions{Guides: guides.Registry})
	if err != nil || !res.Valid() {
		t.Fatalf("276 invalid: %v %+v", err, res)
	}
	if !strings.Contains(string(data), "REF*EJ*"+silent+"~") || strings.Contains(string(data), paidInTime) {
		t.Errorf("276 asks about the wrong claims:\n%s", data)
	}
	if tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "*.tmp")); len(tmps) != 0 {
		t.Errorf("temp files left: %v", tmps)
	}
	items, _ := p.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueFollowUp, OpenOnly: true})
	if len(items) != 1 || items[0].ClaimID != silent {
		t.Fatalf("follow-up queue = %+v", items)
	}

	// Same day again: queued once per claim, not asked again within follow_up_days.
	if r, err := p.FollowUp(ctx); err != nil || len(r.Queued) != 0 || r.Inquiries != 0 {
		t.Fatalf("second run: %+v %v", r, err)
	}

	inqs, err := p.DB.StatusInquiries(ctx, silent)
	if err != nil || len(inqs) != 1 {
		t.Fatalf("inquiries: %+v %v", inqs, err)
	}
	answer := func(isa, stc, paid string) {
		t.Helper()
		b := fill(t, "277-x212-answer.x12.tmpl", "{{ISA}}", isa, "{{MEMBER}}", "W2", "{{TRACE}}", inqs[0].Trace, "{{STC}}", stc, "{{PAID}}", paid)
		if err := p.ResponseHandlers()[Kind277](ctx, "STATUS_"+isa+".277", bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
	}
	answer("000005001", "P1:20", "0")
	if st, pc, _ := p.DB.ClaimState(ctx, silent); st != lifecycle.Accepted || pc != "PAYCLM9" {
		t.Errorf("after P1: state %q payer claim %q, want accepted PAYCLM9", st, pc)
	}
	answer("000005002", "F1:65", "120")
	if st, _, _ := p.DB.ClaimState(ctx, silent); st != lifecycle.Paid {
		t.Errorf("after F1: state %q, want paid", st)
	}
	kinds := strings.Join(eventKinds(t, p, silent), " ")
	for _, k := range []string{"follow_up", "status_inquiry", "status_p1", "status_f1"} {
		if !strings.Contains(kinds, k) {
			t.Errorf("history lacks %s: %s", k, kinds)
		}
	}
	it, _ := p.DB.QueueItem(ctx, items[0].ID)
	var notes []string
	for _, e := range it.Thread {
		notes = append(notes, e.Who+" "+string(e.What)+" "+e.Text)
	}
	// The 277 answers are notes by the engine on the item's thread.
	if all := strings.Join(notes, "|"); it.State != store.QueueOpen || !strings.Contains(all, "edigate note 277") ||
		!strings.Contains(all, "F1") || !strings.Contains(all, "P1") {
		t.Errorf("follow-up item after answers: %+v", it)
	}
	if inqs, _ := p.DB.StatusInquiries(ctx, silent); inqs[0].Answer != "F1:65" {
		t.Errorf("inquiry answer %+v", inqs[0])
	}

	// The 835 arrives: the next run closes the item, and nothing is queued again.
	post(t, p, silent, "CHK2", "120", "PAYCLM9")
	r, err = p.FollowUp(ctx)
	if err != nil || r.Closed != 1 || len(r.Queued) != 0 {
		t.Fatalf("after the 835: %+v %v", r, err)
	}
	if it, _ := p.DB.QueueItem(ctx, items[0].ID); it.State != store.QueueResolved || it.Outcome != store.OutcomeRemitted {
		t.Errorf("follow-up item = %+v", it)
	}
}

// TestFollowUpRecoversTempFile: a 276 temp file whose inquiries were recorded is published;
// one never recorded (crash before the commit) is deleted.
func TestFollowUpRecoversTempFile(t *testing.T) {
	ctx := context.Background()
	p, _ := clockPipeline(t)
	dir := p.OutboundDir("x")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "276_000000007.x12.tmp"), []byte("ISA"), 0o600)
	os.WriteFile(filepath.Join(dir, "276_000000008.x12.tmp"), []byte("ISA"), 0o600)
	if err := p.DB.RecordStatusInquiries(ctx, "276_000000007.x12", 7, []store.StatusInquiryRecord{{Trace: "T7", ClaimID: "C7"}}); err != nil {
		t.Fatal(err)
	}
	if err := p.RecoverStatusFiles(ctx, dir); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(names) != 1 || filepath.Base(names[0]) != "276_000000007.x12" {
		t.Fatalf("after recovery: %v", names)
	}
}

func TestFollowUpOff(t *testing.T) {
	p, now := clockPipeline(t)
	fileTwoClaims(t, p)
	*now = now.AddDate(1, 0, 0)
	p.Cfg.Claims.FollowUpDays = 0
	if r, err := p.FollowUp(context.Background()); err != nil || len(r.Queued) != 0 || r.Inquiries != 0 {
		t.Fatalf("follow_up_days 0: %+v %v", r, err)
	}
}

// TestResolveResubmitted: a denied claim resolved as resubmitted gets a frequency-7
// replacement quoting the payer's claim number; a 277CA-rejected claim gets a corrected
// original under a new CLM01 of its family. Both are filed by the normal FileClaims step.
func TestResolveResubmitted(t *testing.T) {
	ctx := context.Background()
	p, now := clockPipeline(t)
	ids := fileTwoClaims(t, p)
	denied, rejected := ids["W1"], ids["W2"]
	*now = now.AddDate(0, 0, 1)
	if err := p.ResponseHandlers()[Kind277CA](ctx, "ACK.277", bytes.NewReader(fill(t, "277ca-reject.x12.tmpl", "{{CLAIM}}", rejected, "{{MEMBER}}", "W2"))); err != nil {
		t.Fatal(err)
	}
	*now = now.AddDate(0, 0, 10)
	post(t, p, denied, "CHK9", "0", "PAYCLM1")

	den, _ := p.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueDenials, ClaimID: denied, OpenOnly: true})
	rej, _ := p.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueRejections, ClaimID: rejected, OpenOnly: true})
	if len(den) != 1 || len(rej) != 1 {
		t.Fatalf("queues: denials %+v rejections %+v", den, rej)
	}
	r1, err := p.ResolveQueueItem(ctx, den[0].ID, store.OutcomeResubmitted, "fixed modifier")
	if err != nil {
		t.Fatal(err)
	}
	if r1.Frequency != claims.FrequencyReplacement || r1.Claim != claims.Resubmission(denied, claims.FrequencyReplacement, 1) ||
		r1.Replaces != "PAYCLM1" || r1.State != string(lifecycle.Built) || r1.Item.State != store.QueueResolved {
		t.Fatalf("replacement: %+v", r1)
	}
	// The rejected claim sent again unchanged would be rejected again: refused, with the
	// reason and what to fix, and the item stays open.
	_, err = p.ResolveQueueItem(ctx, rej[0].ID, store.OutcomeResubmitted, "")
	var unchanged *remit.UnchangedError
	if !errors.As(err, &unchanged) || !strings.Contains(err.Error(), "SUBSCRIBER ID INVALID") || !strings.Contains(unchanged.Fix, "member id") {
		t.Fatalf("unchanged resubmission: %v", err)
	}
	if it, _ := p.DB.QueueItem(ctx, rej[0].ID); it.State != store.QueueOpen {
		t.Fatalf("refused item: %+v", it)
	}
	r2, err := Queues{p}.Correct(ctx, rejected, "", claims.Correction{MemberID: "W2X"}, queue.Action{Who: "kim", Source: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Frequency != claims.FrequencyOriginal || r2.Claim == rejected || claims.ControlBase(r2.Claim) != claims.ControlBase(rejected) ||
		r2.Replaces != "" || r2.State != string(lifecycle.Built) {
		t.Fatalf("corrected original: %+v", r2)
	}
	if s, _ := p.DB.Session(ctx, "S2"); s.ClaimRef != r2.Claim {
		t.Errorf("S2 claim_ref %q, want the corrected original %q", s.ClaimRef, r2.Claim)
	}
	for _, id := range []string{denied, rejected} {
		if st, _, _ := p.DB.ClaimState(ctx, id); st != lifecycle.Corrected {
			t.Errorf("%s: state %q, want corrected", id, st)
		}
		if !strings.Contains(strings.Join(eventKinds(t, p, id), " "), "resubmitted_as") {
			t.Errorf("%s: no resubmitted_as event", id)
		}
	}
	if _, err := p.ResolveQueueItem(ctx, den[0].ID, store.OutcomeResubmitted, ""); err == nil {
		t.Error("resolving twice: no error")
	}

	files, err := p.FileClaims(ctx)
	if err != nil || len(files) != 1 || files[0].Claims != 2 {
		t.Fatalf("filing the corrections: %+v %v", files, err)
	}
	data, _ := os.ReadFile(files[0].File)
	text := string(data)
	for _, want := range []string{"CLM*" + r1.Claim + "*150***11:B:7", "REF*F8*PAYCLM1~", "CLM*" + r2.Claim + "*150***11:B:1"} {
		if !strings.Contains(text, want) {
			t.Errorf("837P lacks %q", want)
		}
	}
	if strings.Count(text, "REF*F8*") != 1 {
		t.Errorf("want REF*F8 only on the replacement:\n%s", text)
	}
	if s, _ := p.DB.Session(ctx, "S1"); s.ClaimRef != r1.Claim {
		t.Errorf("S1 claim_ref %q after filing the replacement, want %q", s.ClaimRef, r1.Claim)
	}
}
