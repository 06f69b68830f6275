package outbox

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

func TestWants(t *testing.T) {
	for _, c := range []struct {
		entity lifecycle.Entity
		kind   lifecycle.EventKind
		want   bool
	}{
		{lifecycle.EntitySession, lifecycle.Received, true},
		{lifecycle.EntitySession, lifecycle.SessionHeld, true},
		{lifecycle.EntitySession, lifecycle.UnitsConsumed, false},
		{lifecycle.EntitySession, lifecycle.EligibilityRequested, false},
		{lifecycle.EntityClaim, lifecycle.Paid.Event(), true},
		{lifecycle.EntityClaim, lifecycle.Filed.Event(), false},
		{lifecycle.EntityClaim, lifecycle.PayerClaimNumber, false},
		{lifecycle.EntityFile, lifecycle.Received, false},
		{lifecycle.EntityAuthorization, lifecycle.Created, false},
	} {
		if got := Wants(c.entity, c.kind); got != c.want {
			t.Errorf("Wants(%s, %s) = %v", c.entity, c.kind, got)
		}
	}
}

func detail(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuild(t *testing.T) {
	one := []Session{{ID: "S-1", Practice: "p"}}
	two := []Session{{ID: "S-1", Practice: "p"}, {ID: "S-2", Practice: "p"}}
	copay := x12.MustAmount("25")
	visits := 3
	pay := &remit.PaymentEvent{Moved: true, Check: "CHK", CLP02: "1", Charge: "300.00", Paid: "200.00", Patient: "50.00",
		Lines: []remit.PaymentEventLine{
			{Line: 1, Code: "90837", Charge: x12.MustAmount("150"), Paid: x12.MustAmount("100"), Adjustments: []remit.Adjustment{{Group: "PR", Reason: "3", Amount: x12.MustAmount("25")}, {Group: "CO", Reason: "45", Amount: x12.MustAmount("25")}}},
			{Line: 2, Code: "90837", Charge: x12.MustAmount("150"), Paid: x12.MustAmount("100"), Adjustments: []remit.Adjustment{{Group: "PR", Reason: "1", Amount: x12.MustAmount("25")}, {Group: "CO", Reason: "999", Amount: x12.MustAmount("25")}}},
		}}
	lines := []ClaimLine{{Line: 1, SessionID: "S-1", Code: "90837", Date: "2026-11-02"}, {Line: 2, SessionID: "S-2", Code: "90837", Date: "2026-11-09"}}
	for _, c := range []struct {
		name  string
		ev    Event
		facts Facts
		check func(t *testing.T, ms []Message)
	}{
		{"session held for an authorization: the practice acts", Event{lifecycle.EntitySession, "S-1", lifecycle.SessionHeld, detail(t, map[string]string{"reason": "auth_expired"}), nil}, Facts{Sessions: one},
			func(t *testing.T, ms []Message) {
				if len(ms) != 1 || ms[0].Event != Held || ms[0].Hold.Who != ActorPractice || !strings.Contains(ms[0].Hold.Words, "authorization ended") || ms[0].SessionID != "S-1" || ms[0].Practice != "p" {
					t.Fatalf("%+v", ms)
				}
			}},
		{"eligibility answer that holds: the answer, then the hold", Event{lifecycle.EntitySession, "S-1", lifecycle.EligibilityAnswered, detail(t, map[string]string{"trace": "T", "hold": eligibility.HoldInactive}), nil},
			Facts{Sessions: one, EligibilityResult: &eligibility.Result{Active: false, Copay: &copay, VisitsRemaining: &visits}},
			func(t *testing.T, ms []Message) {
				if len(ms) != 2 || ms[0].Event != Eligibility || ms[0].Eligibility.Active || *ms[0].Eligibility.Copay != copay || *ms[0].Eligibility.VisitsRemaining != 3 ||
					ms[0].Eligibility.Hold != eligibility.HoldInactive || ms[1].Event != Held || ms[1].Hold.Reason != "eligibility_coverage_inactive" || ms[1].Hold.Who != ActorPractice {
					t.Fatalf("%+v", ms)
				}
			}},
		{"eligibility hold skipped: only the answer", Event{lifecycle.EntitySession, "S-1", lifecycle.EligibilityAnswered, detail(t, map[string]string{"hold": "no_response", "hold_skipped": "x"}), nil}, Facts{Sessions: one},
			func(t *testing.T, ms []Message) {
				if len(ms) != 1 || ms[0].Event != Eligibility {
					t.Fatalf("%+v", ms)
				}
			}},
		{"billed names the claim", Event{lifecycle.EntitySession, "S-1", lifecycle.SessionBilled, detail(t, map[string]string{"claim_ref": "CLM-9"}), nil}, Facts{Sessions: one},
			func(t *testing.T, ms []Message) {
				if len(ms) != 1 || ms[0].Event != Billed || ms[0].ClaimID != "CLM-9" {
					t.Fatalf("%+v", ms)
				}
			}},
		{"rejected in words", Event{lifecycle.EntityClaim, "CLM-1", lifecycle.Rejected.Event(), detail(t, map[string]any{"category": "A7", "status": "562", "moved": true}), nil}, Facts{Sessions: one},
			func(t *testing.T, ms []Message) {
				if len(ms) != 1 || ms[0].Rejection == nil || ms[0].Rejection.Words == "" || strings.Contains(ms[0].Rejection.Words, "unknown") || ms[0].ClaimID != "CLM-1" {
					t.Fatalf("%+v", ms)
				}
			}},
		{"a move that did not happen is not told", Event{lifecycle.EntityClaim, "CLM-1", lifecycle.Accepted.Event(), detail(t, map[string]any{"moved": false}), nil}, Facts{Sessions: one},
			func(t *testing.T, ms []Message) {
				if len(ms) != 0 {
					t.Fatalf("%+v", ms)
				}
			}},
		{"a claim of two sessions: each gets its own line, the claim totals once each", Event{lifecycle.EntityClaim, "CLM-2", lifecycle.Paid.Event(), detail(t, pay), nil},
			Facts{Sessions: two, PayerClaimNumber: "PCN", Lines: lines},
			func(t *testing.T, ms []Message) {
				if len(ms) != 2 || ms[0].SessionID != "S-1" || ms[1].SessionID != "S-2" || ms[0].PayerClaimNumber != "PCN" {
					t.Fatalf("%+v", ms)
				}
				for i, m := range ms {
					p := m.Payment
					if p.ClaimPaid != x12.MustAmount("200") || len(p.Lines) != 1 || p.Lines[0].Line != i+1 || p.Lines[0].Date != lines[i].Date ||
						p.Lines[0].PatientResponsibility != x12.MustAmount("25") || p.Lines[0].Adjustments[0].GroupWords != "patient responsibility" {
						t.Fatalf("%d: %+v", i, p)
					}
				}
				if w := ms[1].Payment.Lines[0].Adjustments[1].Words; w != "adjustment reason 999" {
					t.Fatalf("unknown CARC words %q", w)
				}
			}},
		{"an 835 without SVC lines pays the claim's one line", Event{lifecycle.EntityClaim, "CLM-4", lifecycle.Paid.Event(),
			detail(t, &remit.PaymentEvent{Moved: true, Charge: "150.00", Paid: "125.00", Patient: "25.00", Adjustments: []remit.Adjustment{{Group: "PR", Reason: "3", Amount: x12.MustAmount("25")}}}), nil},
			Facts{Sessions: one, Lines: lines[:1]},
			func(t *testing.T, ms []Message) {
				if len(ms) != 1 || len(ms[0].Payment.Lines) != 1 {
					t.Fatalf("%+v", ms)
				}
				if l := ms[0].Payment.Lines[0]; l.Date != "2026-11-02" || l.Paid != x12.MustAmount("125") || l.PatientResponsibility != x12.MustAmount("25") || len(l.Adjustments) != 1 {
					t.Fatalf("%+v", l)
				}
			}},
		{"no session: nothing", Event{lifecycle.EntityClaim, "CLM-3", lifecycle.Closed.Event(), detail(t, map[string]any{"moved": true}), nil}, Facts{},
			func(t *testing.T, ms []Message) {
				if len(ms) != 0 {
					t.Fatalf("%+v", ms)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ms, err := Build(c.ev, c.facts)
			if err != nil {
				t.Fatal(err)
			}
			// The store hands Build the detail's value as well; the messages are the same.
			var v any = remit.Detail{}
			if c.ev.Kind == lifecycle.Paid.Event() {
				v = &remit.PaymentEvent{}
			}
			if err := json.Unmarshal(c.ev.Detail, &v); err != nil {
				t.Fatal(err)
			}
			withValue := c.ev
			withValue.Value = v
			if again, err := Build(withValue, c.facts); err != nil || !reflect.DeepEqual(again, ms) {
				t.Fatalf("from the value: %+v %v\nfrom the JSON: %+v", again, err, ms)
			}
			for _, m := range ms {
				if m.Version != Version || m.Words == "" {
					t.Fatalf("%+v", m)
				}
			}
			c.check(t, ms)
		})
	}
	if _, err := Build(Event{lifecycle.EntitySession, "S", lifecycle.Received, json.RawMessage("{"), nil}, Facts{}); err == nil || !strings.Contains(err.Error(), "session S received") {
		t.Fatalf("bad detail: %v", err)
	}
}

func TestSignVerify(t *testing.T) {
	body := []byte("{\"seq\":1}\n")
	sig := Sign([]byte("k"), body)
	// HMAC-SHA256("k", body), as `printf '{"seq":1}\n' | openssl dgst -sha256 -hmac k` prints it.
	if sig != "sha256=be4a61b104138b1ca1f65ac8f4bdec43c622daac38f5287079f537b6214e1ab6" {
		t.Fatalf("sign %s", sig)
	}
	for _, c := range []struct {
		secret, body, header string
		ok                   bool
	}{
		{"k", string(body), sig, true},
		{"other", string(body), sig, false},
		{"k", "{\"seq\":2}\n", sig, false},
		{"k", string(body), strings.TrimPrefix(sig, "sha256="), false},
		{"k", string(body), "sha256=zz", false},
	} {
		if got := Verify([]byte(c.secret), []byte(c.body), c.header); got != c.ok {
			t.Errorf("Verify(%q, %q, %q) = %v", c.secret, c.body, c.header, got)
		}
	}
}

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{0, 0}, {1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {6, 16 * time.Minute}, {7, 20 * time.Minute}, {40, 20 * time.Minute}} {
		if got := Backoff(c.n, 30*time.Second, 20*time.Minute); got != c.want {
			t.Errorf("Backoff(%d) = %v, want %v", c.n, got, c.want)
		}
	}
}

func TestFileNamesSort(t *testing.T) {
	if a, b := FileName(9, 12), FileName(13, 100); a >= b || !strings.HasSuffix(a, ".ndjson") {
		t.Fatalf("%s %s", a, b)
	}
}

func paidMsg(client, session, claim string, ev Kind, date string, charge, paid, pr string, adj ...Adjustment) PaidMessage {
	return PaidMessage{ClientID: client, Message: Message{Event: ev, SessionID: session, ClaimID: claim, Payment: &Payment{Check: "CHK-" + claim,
		Lines: []Line{{Line: 1, Date: date, Code: "90837", Charge: x12.MustAmount(charge), Paid: x12.MustAmount(paid), PatientResponsibility: x12.MustAmount(pr), Adjustments: adj}}}}}
}

func TestStatements(t *testing.T) {
	copay := Adjustment{Group: "PR", Reason: "3", Words: "Co-payment amount", Amount: x12.MustAmount("25")}
	ded := Adjustment{Group: "PR", Reason: "1", Words: "Deductible amount", Amount: x12.MustAmount("1234.5")}
	co := Adjustment{Group: "CO", Reason: "45", Words: "Charge exceeds fee schedule", Amount: x12.MustAmount("45")}
	msgs := []PaidMessage{
		paidMsg("C-1", "S-1", "CLM-1", Paid, "2026-11-02", "150", "80", "25", co, copay),
		paidMsg("C-2", "S-2", "CLM-2", Denied, "2026-10-01", "150", "0", "0"),
		// CLM-3 paid, reversed, paid again: the second payment counts.
		paidMsg("C-1", "S-3", "CLM-3", Paid, "2026-11-09", "2000", "700", "0"),
		paidMsg("C-1", "S-3", "CLM-3", Reversed, "2026-11-09", "-2000", "-700", "0"),
		paidMsg("C-1", "S-3", "CLM-3", PartiallyPaid, "2026-11-09", "2000", "720.50", "1234.50", ded, co),
		// CLM-4 paid then reversed without a new payment: off the statement.
		paidMsg("C-1", "S-4", "CLM-4", Paid, "2026-11-10", "150", "80", "25", copay),
		paidMsg("C-1", "S-4", "CLM-4", Reversed, "2026-11-10", "-150", "-80", "-25"),
	}
	lines := Statements(msgs, "")
	if len(lines) != 3 || lines[0].ClaimID != "CLM-1" || lines[1].ClaimID != "CLM-3" || lines[2].ClientID != "C-2" {
		t.Fatalf("%+v", lines)
	}
	if l := lines[1]; l.Paid != x12.MustAmount("720.50") || l.Patient != x12.MustAmount("1234.50") || len(l.Reasons) != 1 || l.Reasons[0] != "Deductible amount $1,234.50 (1)" {
		t.Fatalf("%+v", l)
	}
	if since := Statements(msgs, "2026-11-05"); len(since) != 1 || since[0].ClaimID != "CLM-3" {
		t.Fatalf("since: %+v", since)
	}
	var buf bytes.Buffer
	formula := lines[0]
	formula.ClientID, formula.Paid = "=HYPERLINK(1)", x12.MustAmount("-1")
	if err := WriteStatementsCSV(&buf, []StatementLine{lines[0], formula}); err != nil {
		t.Fatal(err)
	}
	want := "Client,Session,Claim,Date of service,CPT,Billed,Paid by insurance,Client owes,Why the client owes,Check or EFT\n" +
		"C-1,S-1,CLM-1,\"Nov 2, 2026\",90837,$150.00,$80.00,$25.00,Co-payment amount $25.00 (3),CHK-CLM-1\n" +
		"'=HYPERLINK(1),S-1,CLM-1,\"Nov 2, 2026\",90837,$150.00,-$1.00,$25.00,Co-payment amount $25.00 (3),CHK-CLM-1\n"
	if buf.String() != want {
		t.Fatalf("CSV:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]string{"0": "$0.00", "1234.5": "$1,234.50", "-0.06": "-$0.06", "1000000": "$1,000,000.00", "999.99": "$999.99"} {
		if got := Money(x12.MustAmount(in)); got != want {
			t.Errorf("Money(%s) = %s, want %s", in, got, want)
		}
	}
	if Date("2026-12-04") != "Dec 4, 2026" || Date("x") != "x" {
		t.Error("Date")
	}
}

// Unmoved tells the store which events Build has nothing to say of, so it looks nothing up.
func TestUnmoved(t *testing.T) {
	for _, c := range []struct {
		v    any
		want bool
	}{
		{&remit.PaymentEvent{Moved: false}, true}, {&remit.PaymentEvent{Moved: true}, false},
		{remit.Detail{"moved": false}, true}, {remit.Detail{"moved": true}, false}, {remit.Detail{}, false},
		{map[string]string{"reason": "x"}, false}, {nil, false},
	} {
		if got := Unmoved(c.v); got != c.want {
			t.Errorf("Unmoved(%#v) = %v", c.v, got)
		}
		ms, err := Build(Event{Entity: lifecycle.EntityClaim, ID: "C", Kind: lifecycle.Paid.Event(), Detail: detail(t, c.v), Value: c.v}, Facts{Sessions: []Session{{ID: "S", Practice: "p"}}})
		if c.want && (err != nil || len(ms) != 0) {
			t.Errorf("%#v: %+v %v", c.v, ms, err)
		}
	}
}
