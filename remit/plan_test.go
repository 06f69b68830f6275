package remit

import (
	"testing"

	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/ack"
)

func facts(claims map[string]ClaimFacts) Facts {
	return Facts{Claims: claims, ByTrace: map[string]string{}, BySet: map[SetRef][]string{}, ByISA: map[int64][]string{}}
}

func TestPlan835(t *testing.T) {
	paid := ClaimPayment{PatientControl: "C1", Status: "1", Charge: 15000, Paid: 10000, PayerClaim: "PCN-1"}
	denied := ClaimPayment{PatientControl: "C1", Status: "4", Charge: 15000, AppealDue: "2026-03-01",
		Denials: []Denial{{Line: 1, Group: "CO", Reason: "197", Amount: 15000, Category: CategoryAuthorization, Action: ActionAppeal}}}
	reversal := ClaimPayment{PatientControl: "C1", Status: "22", Charge: -15000, Paid: -10000, PayerClaim: "PCN-1"}
	predet := ClaimPayment{PatientControl: "C1", Status: "25", Charge: 15000}
	filed := ClaimFacts{State: lifecycle.Accepted, Payer: "p", Frequency: "1", Date: "2026-01-10"}
	void := ClaimFacts{State: lifecycle.Accepted, Payer: "p", Frequency: "8", Date: "2026-01-10"}
	type step struct {
		from, next  lifecycle.State
		kind        lifecycle.EventKind
		queue       []queue.Kind
		payerClaim  string
		unmatched   bool
		record      lifecycle.EventKind
		returnUnits bool
		noMove      bool
		outcome     lifecycle.State
	}
	tests := []struct {
		name     string
		facts    map[string]ClaimFacts
		clps     []ClaimPayment
		balanced bool
		want     []step
		review   bool
	}{
		{"paid", map[string]ClaimFacts{"C1": filed}, []ClaimPayment{paid}, true,
			[]step{{from: lifecycle.Accepted, next: lifecycle.Paid, kind: "paid", payerClaim: "PCN-1", outcome: lifecycle.Paid}}, false},
		{"denied with an appeal item", map[string]ClaimFacts{"C1": filed}, []ClaimPayment{denied}, true,
			[]step{{from: lifecycle.Accepted, next: lifecycle.Denied, kind: "denied", queue: []queue.Kind{queue.Denials}, outcome: lifecycle.Denied}}, false},
		{"reversal then repayment chain", map[string]ClaimFacts{"C1": {State: lifecycle.Paid, PayerClaim: "PCN-1"}}, []ClaimPayment{reversal, paid}, true,
			[]step{{from: lifecycle.Paid, next: lifecycle.Reversed, kind: "reversed", outcome: lifecycle.Reversed},
				{from: lifecycle.Reversed, next: lifecycle.Paid, kind: "paid", outcome: lifecycle.Paid}}, false},
		{"late 835 on a closed claim", map[string]ClaimFacts{"C1": {State: lifecycle.Closed, PayerClaim: "PCN-1"}}, []ClaimPayment{paid}, true,
			[]step{{from: lifecycle.Closed, next: lifecycle.Closed, kind: "paid", outcome: lifecycle.Paid}}, false},
		{"predetermination moves nothing", map[string]ClaimFacts{"C1": filed}, []ClaimPayment{predet}, true,
			[]step{{noMove: true}}, false},
		{"unknown claim goes to review, with no history event", map[string]ClaimFacts{}, []ClaimPayment{paid}, true,
			[]step{{noMove: true, unmatched: true, queue: []queue.Kind{queue.Review}, outcome: lifecycle.Paid}}, false},
		{"unbalanced payment goes to review", map[string]ClaimFacts{"C1": filed}, []ClaimPayment{paid}, false,
			[]step{{from: lifecycle.Accepted, next: lifecycle.Paid, kind: "paid", payerClaim: "PCN-1", outcome: lifecycle.Paid}}, true},
		{"void reversed: void, units back", map[string]ClaimFacts{"C1": void}, []ClaimPayment{reversal}, true,
			[]step{{from: lifecycle.Accepted, next: lifecycle.Void, kind: "void", returnUnits: true, outcome: lifecycle.Reversed}}, false},
		{"void paid: not paid, review", map[string]ClaimFacts{"C1": void}, []ClaimPayment{paid}, true,
			[]step{{noMove: true, record: "paid", queue: []queue.Kind{queue.Review}, payerClaim: "PCN-1", outcome: lifecycle.Paid}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Remittance{Payments: []Payment{{PayerID: "P1", Check: "CHK", Balanced: tt.balanced, Claims: tt.clps}}}
			pl := Plan835("f.835", r, facts(tt.facts))
			if pl.Kind != "835" || len(pl.Payments) != 1 {
				t.Fatalf("plan %+v", pl)
			}
			pp := pl.Payments[0]
			if (pp.Review != nil) != tt.review {
				t.Errorf("review item %+v, want %v", pp.Review, tt.review)
			}
			if len(pp.Steps) != len(tt.want) {
				t.Fatalf("%d steps, want %d", len(pp.Steps), len(tt.want))
			}
			for i, w := range tt.want {
				st := pp.Steps[i]
				if st.Post == nil || st.Post.Seq != i || st.Post.Outcome != w.outcome {
					t.Errorf("step %d posting %+v, want outcome %q", i, st.Post, w.outcome)
				}
				switch {
				case w.noMove && st.Move != nil:
					t.Errorf("step %d moves %+v", i, st.Move)
				case !w.noMove && (st.Move == nil || st.Move.From != w.from || st.Move.Next != w.next || st.Move.Kind != w.kind ||
					st.Move.ReturnUnits != w.returnUnits):
					t.Errorf("step %d move %+v, want %s -> %s as %s (units back %v)", i, st.Move, w.from, w.next, w.kind, w.returnUnits)
				}
				if (st.Record == nil && w.record != "") || (st.Record != nil && st.Record.Kind != w.record) {
					t.Errorf("step %d record %+v, want %q", i, st.Record, w.record)
				}
				if st.PayerClaim != w.payerClaim || st.Unmatched != w.unmatched {
					t.Errorf("step %d payer claim %q unmatched %v", i, st.PayerClaim, st.Unmatched)
				}
				var kinds []queue.Kind
				for _, it := range st.Queue {
					kinds = append(kinds, it.Kind)
					if it.Kind == queue.Denials && it.Due != "2026-03-01" {
						t.Errorf("denial item due %q, want the appeal deadline", it.Due)
					}
				}
				if len(kinds) != len(w.queue) || (len(kinds) > 0 && kinds[0] != w.queue[0]) {
					t.Errorf("step %d queue %v, want %v", i, kinds, w.queue)
				}
			}
		})
	}
}

func TestPlan277(t *testing.T) {
	due := Deadlines{TimelyFilingDays: map[string]int{"p": 90}}
	known := map[string]ClaimFacts{
		"C1": {State: lifecycle.FileAccepted, Payer: "p", Frequency: "1", Date: "2026-01-10"},
		"C2": {State: lifecycle.Paid, Payer: "p", Frequency: "1", Date: "2026-01-10"},
		"V1": {State: lifecycle.FileAccepted, Payer: "p", Frequency: "8", Date: "2026-01-10"},
		"N1": {State: lifecycle.FileAccepted, Payer: "other", Frequency: "1", Date: "2026-01-10"},
	}
	amt := x12.Amount(15000)
	tests := []struct {
		name        string
		version     string
		c           ClaimStatus
		trace       map[string]string
		from, next  lifecycle.State
		kind        lifecycle.EventKind
		record      lifecycle.EventKind
		queueDue    string
		unmatched   bool
		returnUnits bool
		payerClaim  string
		answer      bool
	}{
		{name: "accepted", version: Version277CA, c: ClaimStatus{PatientControl: "C1", Category: "A2", Accepted: true, PayerClaim: "PC1"},
			from: lifecycle.FileAccepted, next: lifecycle.Accepted, kind: "accepted", payerClaim: "PC1"},
		{name: "rejected, due by timely filing", version: Version277CA, c: ClaimStatus{PatientControl: "C1", Category: "A7", Status: "562", Rejected: true, Charge: &amt},
			from: lifecycle.FileAccepted, next: lifecycle.Rejected, kind: "rejected", queueDue: "2026-04-10"},
		{name: "rejected, payer without timely filing", version: Version277CA, c: ClaimStatus{PatientControl: "N1", Category: "A7", Rejected: true},
			from: lifecycle.FileAccepted, next: lifecycle.Rejected, kind: "rejected", queueDue: "-"},
		{name: "late acceptance stays paid", version: Version277CA, c: ClaimStatus{PatientControl: "C2", Category: "A2", Accepted: true},
			from: lifecycle.Paid, next: lifecycle.Paid, kind: "accepted"},
		{name: "void accepted", version: Version277CA, c: ClaimStatus{PatientControl: "V1", Category: "A2", Accepted: true},
			from: lifecycle.FileAccepted, next: lifecycle.Void, kind: "void", returnUnits: true},
		{name: "unknown claim", version: Version277CA, c: ClaimStatus{PatientControl: "X", Category: "A2", Accepted: true},
			unmatched: true, record: "accepted"},
		{name: "X212 finalized paid, found by trace", version: Version277, trace: map[string]string{"T1": "C1"},
			c:    ClaimStatus{PatientControl: "?", Trace: "T1", Category: "F1", Finalized: true, Statuses: []StatusCode{{Category: "F1"}}},
			from: lifecycle.FileAccepted, next: lifecycle.Paid, kind: "paid", record: "status_f1", answer: true},
		{name: "X212 rejection moves nothing", version: Version277, c: ClaimStatus{PatientControl: "C1", Category: "A4", Rejected: true},
			record: "status_a4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(known)
			for k, v := range tt.trace {
				f.ByTrace[k] = v
			}
			pl := Plan277("f.277", []*StatusReport{{Version: tt.version, Claims: []ClaimStatus{tt.c}}}, f, due)
			if len(pl.Steps) != 1 {
				t.Fatalf("steps %+v", pl.Steps)
			}
			st := pl.Steps[0]
			if tt.kind != "" && (st.Move == nil || st.Move.From != tt.from || st.Move.Next != tt.next || st.Move.Kind != tt.kind ||
				st.Move.ReturnUnits != tt.returnUnits) {
				t.Errorf("move %+v, want %s -> %s as %s", st.Move, tt.from, tt.next, tt.kind)
			}
			if tt.kind == "" && st.Move != nil {
				t.Errorf("moves %+v", st.Move)
			}
			if (tt.record == "") != (st.Record == nil) || (st.Record != nil && st.Record.Kind != tt.record) {
				t.Errorf("record %+v, want %q", st.Record, tt.record)
			}
			switch {
			case tt.queueDue == "" && len(st.Queue) != 0:
				t.Errorf("queue %+v", st.Queue)
			case tt.queueDue != "" && (len(st.Queue) != 1 || st.Queue[0].Kind != queue.Rejections || st.Queue[0].Due != map[bool]string{true: "", false: tt.queueDue}[tt.queueDue == "-"]):
				t.Errorf("queue %+v, want a rejection due %s", st.Queue, tt.queueDue)
			}
			if st.Unmatched != tt.unmatched || st.PayerClaim != tt.payerClaim || (st.Answer != nil) != tt.answer {
				t.Errorf("step %+v", st)
			}
		})
	}
}

func TestPlanAcks(t *testing.T) {
	f := facts(map[string]ClaimFacts{
		"C1": {State: lifecycle.Submitted, Payer: "p", Date: "2026-01-10"},
		"C2": {State: lifecycle.Accepted, Payer: "p", Date: "2026-01-10"},
		"C3": {State: lifecycle.Submitted, Payer: "p", Date: "2026-01-10"},
	})
	f.BySet[SetRef{GS: 101, ST: "0001"}] = []string{"C1", "C2"}
	f.ByISA[102] = []string{"C3"}
	acks := []*ack.Ack999{{GroupControl: "101", Sets: []ack.SetAck{{Control: "0001", Status: "A"}}}}
	ta1s := []ack.TA1{{Control: "000000102", Status: "R", Note: "022", NoteMessage: "bad"}}
	if q := NeedsAcks(acks, ta1s); len(q.Sets) != 1 || q.Sets[0] != (SetRef{GS: 101, ST: "0001"}) || len(q.Interchanges) != 1 || q.Interchanges[0] != 102 {
		t.Fatalf("needs %+v", q)
	}
	pl := PlanAcks("f.999", acks, ta1s, f, Deadlines{TimelyFilingDays: map[string]int{"p": 30}})
	type want struct {
		claim      string
		from, next lifecycle.State
		queued     bool
	}
	ws := []want{
		{"C1", lifecycle.Submitted, lifecycle.FileAccepted, false},
		{"C2", lifecycle.Accepted, lifecycle.Accepted, false}, // a late 999
		{"C3", lifecycle.Submitted, lifecycle.FileRejected, true},
	}
	if len(pl.Steps) != len(ws) {
		t.Fatalf("steps %+v", pl.Steps)
	}
	for i, w := range ws {
		st := pl.Steps[i]
		if st.Claim != w.claim || st.Move.From != w.from || st.Move.Next != w.next || (len(st.Queue) == 1) != w.queued {
			t.Errorf("step %d = %+v %+v, want %+v", i, st, st.Move, w)
		}
		if w.queued && (st.Queue[0].Due != "2026-02-09" || st.Queue[0].Reason != "TA1 022") {
			t.Errorf("rejection item %+v", st.Queue[0])
		}
	}
}
