package remit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/x12/ack"
)

// NeedsAcks lists the sets and interchanges 999s and TA1s answer.
func NeedsAcks(acks []*ack.Ack999, ta1s []ack.TA1) FactsQuery {
	var q FactsQuery
	for _, a := range acks {
		for _, s := range a.Sets {
			q.Sets = append(q.Sets, SetRef{GS: controlNumber(a.GroupControl), ST: s.Control})
		}
	}
	for _, t := range ta1s {
		if !t.Accepted() {
			q.Interchanges = append(q.Interchanges, controlNumber(t.Control))
		}
	}
	return q
}

// PlanAcks plans 999s and TA1s: a 999 set's claims (by GS06 + ST02) move to file accepted
// or file rejected; a rejecting TA1 rejects the claims of the interchange (ISA13). Each
// rejected claim gets a rejection item with the IK3/IK4 errors in words, due by timely
// filing. A TA1 that accepts says only that the envelope was sound: the 999 speaks for
// the sets.
func PlanAcks(source string, acks []*ack.Ack999, ta1s []ack.TA1, facts Facts, due Deadlines) *Plan {
	pl := &Plan{Kind: "999"}
	pn := newPlanner(facts)
	verdict := func(ids []string, accepted bool, reason, msg string, detail Detail) {
		to := lifecycle.FileAccepted
		if !accepted {
			to = lifecycle.FileRejected
		}
		for _, id := range ids {
			f, known := pn.claim(id)
			if !known {
				continue
			}
			d := make(Detail, len(detail)+3)
			for k, v := range detail {
				d[k] = v
			}
			st := Step{Claim: id, Move: pn.move(id, to, "", d)}
			if !accepted {
				st.Queue = []queue.Item{{Kind: queue.Rejections, ClaimID: id, Reason: reason, Category: "999",
					Action: ActionCorrectedClaim, Message: msg, Due: due.RejectionDue(f), Source: source}}
			}
			pl.Steps = append(pl.Steps, st)
		}
	}
	for _, a := range acks {
		for _, s := range a.Sets {
			ids := facts.BySet[SetRef{GS: controlNumber(a.GroupControl), ST: s.Control}]
			verdict(ids, s.Accepted(), "IK5 "+s.Status, SetErrors(s), Detail{"gs": a.GroupControl, "st": s.Control, "ik501": s.Status})
		}
	}
	for _, t := range ta1s {
		if t.Accepted() {
			continue
		}
		verdict(facts.ByISA[controlNumber(t.Control)], false, "TA1 "+t.Note, t.NoteMessage,
			Detail{"isa": t.Control, "ta104": t.Status, "ta105": t.Note})
	}
	return pl
}

// SetErrors renders a 999 set's IK3/IK4 errors in words (no IK404 values: they may be PHI).
func SetErrors(s ack.SetAck) string {
	var parts []string
	for _, c := range s.Codes {
		parts = append(parts, c.Message)
	}
	for _, e := range s.Errors {
		p := fmt.Sprintf("%s at segment %d", e.Segment, e.Position)
		if e.Loop != "" {
			p += " (loop " + e.Loop + ")"
		}
		p += ": " + e.Message
		for _, el := range e.Elements {
			p += fmt.Sprintf("; element %s%02d: %s", e.Segment, el.Position, el.Message)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// controlNumber reads an ISA13 or GS06 as the number the store keeps.
func controlNumber(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimLeft(s, "0"), 10, 64)
	return n
}
