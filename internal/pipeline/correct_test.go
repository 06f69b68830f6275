package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
)

// rejectedClaim files two claims and has the 277CA reject the W2 one (A7:164).
func rejectedClaim(t *testing.T, p *Pipeline) (claim string, item queue.Item) {
	t.Helper()
	ctx := context.Background()
	ids := fileTwoClaims(t, p)
	if err := p.ResponseHandlers()[Kind277CA](ctx, "ACK.277", bytes.NewReader(fill(t, "277ca-reject.x12.tmpl", "{{CLAIM}}", ids["W2"], "{{MEMBER}}", "W2"))); err != nil {
		t.Fatal(err)
	}
	rej, err := p.DB.QueueItems(ctx, store.QueueFilter{Kind: queue.Rejections, ClaimID: ids["W2"], OpenOnly: true})
	if err != nil || len(rej) != 1 {
		t.Fatalf("rejections: %+v %v", rej, err)
	}
	return ids["W2"], rej[0]
}

// TestCorrectAndResubmit: a biller's correction of a 277CA-rejected claim goes out as a
// corrected original carrying every corrected field; the corrections are stored on the
// session, each change is in the claim's history (who, field, old -> new), and a later
// rebuild (the practice re-sends the session) keeps them.
func TestCorrectAndResubmit(t *testing.T) {
	ctx := context.Background()
	p, _ := clockPipeline(t)
	rejected, it := rejectedClaim(t, p)
	q := Queues{p}

	corr := claims.Correction{MemberID: "W2FIX", Diagnoses: []string{"F41.1", "F32.9"}, Modifiers: map[int][]string{1: {"95"}},
		PlaceOfService: "10", SubscriberDOB: "1990-01-02"}
	r, err := q.Correct(ctx, rejected, "", corr, queue.Action{Who: "kim", Source: "cli", Text: "member id from card"})
	if err != nil {
		t.Fatal(err)
	}
	if r.State != string(lifecycle.Built) {
		t.Fatalf("corrected claim %s: %s %v %v", r.Claim, r.State, r.Findings, r.Warnings)
	}
	if r.Frequency != claims.FrequencyOriginal || r.Claim == rejected || r.Item.ID != it.ID || r.Item.Outcome != queue.Resubmitted {
		t.Fatalf("resolution: %+v", r)
	}
	rec, err := p.DB.Claim(ctx, r.Claim)
	if err != nil {
		t.Fatal(err)
	}
	c := rec.Claim
	if c.Coverage.MemberID != "W2FIX" || strings.Join(c.Diagnoses, ",") != "F411,F329" || c.PlaceOfService != "10" ||
		!strings.Contains(strings.Join(c.Lines[0].Modifiers, ","), "95") || c.Client.DOB != "1990-01-02" {
		t.Fatalf("corrected claim: member %s dx %v pos %s mods %v dob %s", c.Coverage.MemberID, c.Diagnoses, c.PlaceOfService,
			c.Lines[0].Modifiers, c.Client.DOB)
	}
	// The history: one event per field, with who and old -> new.
	evs, err := p.DB.Events(ctx, "claim", rejected)
	if err != nil {
		t.Fatal(err)
	}
	changes := map[string]map[string]any{}
	for _, e := range evs {
		if e.Kind == lifecycle.FieldCorrected {
			var d map[string]any
			json.Unmarshal(e.Detail, &d)
			changes[d["field"].(string)] = d
		}
	}
	if d := changes["member_id"]; d == nil || d["old"] != "W2" || d["new"] != "W2FIX" || d["who"] != "kim" {
		t.Errorf("member id change: %v", d)
	}
	if d := changes["modifiers"]; d == nil || d["line"] != float64(1) || d["new"] != "95" {
		t.Errorf("modifier change: %v", d)
	}
	if len(changes) != 5 {
		t.Errorf("%d changes recorded, want 5: %v", len(changes), changes)
	}
	ovs, err := p.DB.SessionCorrections(ctx, "S2")
	if err != nil || len(ovs["S2"]) != 5 {
		t.Fatalf("stored corrections: %+v %v", ovs, err)
	}

	// The same correction again: the item is resolved, nothing to correct.
	if _, err := q.Correct(ctx, rejected, "", corr, queue.Action{Who: "kim"}); !errors.Is(err, ErrNothingToCorrect) {
		t.Errorf("second correction: %v", err)
	}

	// The corrected claim goes out and the payer accepts it; the practice then re-sends the
	// session with the old member id and a new charge: a replacement is built, and it keeps
	// the biller's member id while the conflict is shown.
	files, err := p.FileClaims(ctx)
	if err != nil || len(files) != 1 {
		t.Fatalf("file: %+v %v", files, err)
	}
	data, _ := os.ReadFile(files[0].File)
	for _, want := range []string{"NM1*IL*1*Q*Pat****MI*W2FIX~", "HI*ABK:F411*ABF:F329~", "CLM*" + r.Claim + "*150***10:B:1"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("837P lacks %q:\n%s", want, data)
		}
	}
	if cs, err := q.SessionConflicts(ctx, "S2"); err != nil || len(cs) != 0 {
		t.Fatalf("conflicts before any re-send: %+v %v", cs, err)
	}
	again := billable(session("S2", "W2-PRACTICE", "2026-11-18", "90791"))
	put(t, p, again)
	cs, err := q.SessionConflicts(ctx, "S2")
	if err != nil || len(cs) != 1 || cs[0].Field != claims.FieldMemberID || cs[0].Words() != "Member id: practice sent W2-PRACTICE, biller corrected to W2FIX" {
		t.Fatalf("conflicts: %+v %v", cs, err)
	}
	if all, err := q.Conflicts(ctx); err != nil || len(all) != 1 || all[0].SessionID != "S2" {
		t.Fatalf("all conflicts: %+v %v", all, err)
	}
	rs, err := p.DB.ClaimForResubmission(ctx, r.Claim)
	if err != nil || rs.Sessions[0].Coverage.MemberID != "W2FIX" || rs.Practice[0].Coverage.MemberID != "W2-PRACTICE" {
		t.Fatalf("rebuild sessions: %+v %v", rs.Sessions, err)
	}

	// The biller keeps the correction: the conflict is settled and recorded.
	if err := q.PickConflict(ctx, "S2", claims.FieldMemberID, claims.KeepCorrection, "kim", "web"); err != nil {
		t.Fatal(err)
	}
	if cs, _ := q.SessionConflicts(ctx, "S2"); len(cs) != 0 {
		t.Fatalf("conflicts after keep: %+v", cs)
	}
	if err := q.PickConflict(ctx, "S2", claims.FieldMemberID, claims.KeepCorrection, "kim", "web"); !errors.Is(err, queue.ErrNoItem) {
		t.Errorf("picking twice: %v", err)
	}
	// The practice sends yet another member id; this time the biller takes it.
	put(t, p, billable(session("S2", "W2-NEW", "2026-11-18", "90791")))
	if err := q.PickConflict(ctx, "S2", claims.FieldMemberID, claims.TakePractice, "kim", "web"); err != nil {
		t.Fatal(err)
	}
	rs, _ = p.DB.ClaimForResubmission(ctx, r.Claim)
	if rs.Sessions[0].Coverage.MemberID != "W2-NEW" || rs.Sessions[0].Service.PlaceOfService != "10" {
		t.Fatalf("after taking the practice's member id: member %s pos %s", rs.Sessions[0].Coverage.MemberID, rs.Sessions[0].Service.PlaceOfService)
	}
	kinds := strings.Join(sessionEventKinds(t, p, "S2"), " ")
	if strings.Count(kinds, string(lifecycle.CorrectionConflict)) != 2 {
		t.Errorf("session history: %s", kinds)
	}
}

func sessionEventKinds(t *testing.T, p *Pipeline, id string) []string {
	t.Helper()
	return entityEventKinds(t, p, "session", id)
}

// TestCorrectRefused: bad values name the field; a rejection resubmitted unchanged is
// refused with its reason, and the item stays open; a claim without an open rejection or
// denial has nothing to correct.
func TestCorrectRefused(t *testing.T) {
	ctx := context.Background()
	p, _ := clockPipeline(t)
	rejected, it := rejectedClaim(t, p)
	q := Queues{p}
	for _, tc := range []struct {
		name string
		corr claims.Correction
		want string
	}{
		{"bad NPI", claims.Correction{Rendering: "1245319590"}, "Rendering provider (NPI): \"1245319590\" is not a valid NPI"},
		{"no such line", claims.Correction{Modifiers: map[int][]string{3: {"95"}}}, "has no line 3"},
		{"bad POS", claims.Correction{PlaceOfService: "X1"}, "Place of service"},
		{"bad date", claims.Correction{SubscriberDOB: "01/02/1990"}, "Subscriber date of birth"},
		{"same member id", claims.Correction{MemberID: "W2"}, "nothing was corrected: the payer rejected it (acknowledgement: rejected for invalid information (A7:164); SUBSCRIBER ID INVALID) and it would go out the same. Correct the member id"},
	} {
		_, err := q.Correct(ctx, rejected, "", tc.corr, queue.Action{Who: "kim"})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if got, _ := p.DB.QueueItem(ctx, it.ID); got.State != queue.Open {
		t.Errorf("item after refusals: %+v", got)
	}
	if ovs, _ := p.DB.SessionCorrections(ctx, "S2"); len(ovs) != 0 {
		t.Errorf("refused corrections stored: %+v", ovs)
	}
	if _, err := q.Correct(ctx, "NOPE", "", claims.Correction{MemberID: "X"}, queue.Action{Who: "kim"}); !errors.Is(err, ErrNothingToCorrect) {
		t.Errorf("unknown claim: %v", err)
	}
	if _, err := q.Correct(ctx, rejected, "99999", claims.Correction{MemberID: "X"}, queue.Action{Who: "kim"}); !errors.Is(err, queue.ErrNoItem) {
		t.Errorf("item of another claim: %v", err)
	}
}

// TestCorrectDenial: a denied claim corrected goes out as a replacement (frequency 7,
// REF*F8 = the payer's claim number) carrying the correction.
func TestCorrectDenial(t *testing.T) {
	ctx := context.Background()
	p, now := clockPipeline(t)
	ids := fileTwoClaims(t, p)
	*now = now.AddDate(0, 0, 10)
	post(t, p, ids["W1"], "CHK9", "0", "PAYCLM1")
	r, err := Queues{p}.Correct(ctx, ids["W1"], "", claims.Correction{PlaceOfService: "02"}, queue.Action{Who: "kim"})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := p.DB.Claim(ctx, r.Claim)
	if err != nil || r.Frequency != claims.FrequencyReplacement || r.Replaces != "PAYCLM1" || rec.Claim.PayerControlNumber != "PAYCLM1" ||
		rec.Claim.PlaceOfService != "02" || len(r.Changes) != 1 || r.Changes[0].Words() != "Place of service: 11 -> 02" {
		t.Fatalf("replacement: %+v %+v %v", r, rec.Claim, err)
	}
}

// TestCorrectionExpectsTheSessionsItRead: a session the practice system re-sends between
// reading the claim and storing the correction fails the whole resolution (nothing
// stored, the item still open) instead of pairing the correction with data nobody saw.
func TestCorrectionExpectsTheSessionsItRead(t *testing.T) {
	ctx := context.Background()
	p, now := clockPipeline(t)
	rejected, it := rejectedClaim(t, p)
	resub, err := p.resubmission(ctx, it, "kim", &claims.Correction{MemberID: "W2FIX"})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := queue.Resolve(it, queue.Resubmitted, "", "kim", p.now(), queue.Deadlines{})
	if err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Minute)
	put(t, p, billable(session("S2", "W2-RESENT", "2026-11-18", "90791")))
	if _, err := p.DB.ApplyResolution(ctx, plan, "test", &resub.Resubmission); !errors.Is(err, store.ErrChanged) {
		t.Fatalf("apply after a re-send: %v", err)
	}
	if got, _ := p.DB.QueueItem(ctx, it.ID); got.State != queue.Open {
		t.Errorf("item: %+v", got)
	}
	if ovs, _ := p.DB.SessionCorrections(ctx, "S2"); len(ovs) != 0 {
		t.Errorf("corrections stored: %+v", ovs)
	}
	if ids, _ := p.DB.ClaimsForSession(ctx, "S2"); ids[len(ids)-1] != rejected {
		t.Errorf("a corrected claim was stored: %v", ids)
	}
}
