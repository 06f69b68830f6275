package queue

import (
	"fmt"
	"strings"
)

// Kinds lists the queues in the order a biller works them.
func Kinds() []Kind { return []Kind{Holds, Rejections, Denials, Appeals, FollowUp, Review} }

var kindWords = map[Kind]struct{ title, dueFor string }{
	Holds:      {"Holds", "timely filing"},
	Rejections: {"Rejections", "timely filing"},
	Denials:    {"Denials", "appeal"},
	Appeals:    {"Appeals", "appeal"},
	FollowUp:   {"Follow-up", "follow-up"},
	Review:     {"Remittance review", ""},
}

// Title names the queue for a biller.
func (k Kind) Title() string {
	if w, ok := kindWords[k]; ok {
		return w.title
	}
	return string(k)
}

// DueFor says what an item's deadline is in this queue ("appeal", "timely filing").
func (k Kind) DueFor() string { return kindWords[k].dueFor }

// Outcomes lists what an item of this queue can be resolved with. Holds take none: a hold
// leaves the queue when its authorization arrives or its session is corrected. An appeal
// being followed ends won or lost. Remitted is the jobs' outcome, never a biller's.
func (k Kind) Outcomes() []Outcome {
	switch k {
	case Holds:
		return nil
	case Appeals:
		return []Outcome{AppealWon, AppealLost, NoAction}
	}
	return []Outcome{Resubmitted, AppealSent, WrittenOff, NoAction}
}

// Takes checks that o is one of k's outcomes; the error (ErrBadAction) lists them.
func (k Kind) Takes(o Outcome) error {
	outs := k.Outcomes()
	if len(outs) == 0 {
		return fmt.Errorf("%w: %s items are not resolved by hand; they leave the queue by themselves", ErrBadAction, k)
	}
	for _, x := range outs {
		if x == o {
			return nil
		}
	}
	return fmt.Errorf("%w: outcome %q on a %s item: want one of %s", ErrBadAction, o, k, join(outs))
}

// ParseKind reads a queue name; an unknown one is an error that lists the queues.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown queue %q: want one of %s", s, join(Kinds()))
}

// Outcomes lists every outcome a biller can resolve an item with, in any queue.
func Outcomes() []Outcome {
	return []Outcome{Resubmitted, AppealSent, WrittenOff, AppealWon, AppealLost, NoAction}
}

// ParseOutcome reads an outcome a biller gave; an unknown one is an error that lists the
// valid ones.
func ParseOutcome(s string) (Outcome, error) {
	for _, o := range Outcomes() {
		if string(o) == s {
			return o, nil
		}
	}
	return "", fmt.Errorf("unknown outcome %q: want one of %s", s, join(Outcomes()))
}

func join[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}
