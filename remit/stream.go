package remit

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/ack"
)

// Visitor receives a response file piece by piece from Stream. Each callback may return
// an error, which stops the stream and is returned by Stream. What a callback is handed
// is its own: Stream keeps no reference to a claim after the call.
type Visitor struct {
	// Payment is called once per 835 transaction set whose header could be read, before
	// its first claim (or at its end when it has none). p.Claims is empty; p.Set numbers
	// the set in the file. The same p is handed to Claim and PaymentEnd.
	Payment func(p *Payment) error
	// Claim is called with each readable CLP (loop 2100) of p, classified (denials and
	// appeal deadline), in file order; seq is its place among p's claims.
	Claim func(p *Payment, seq int, c *ClaimPayment) error
	// PaymentEnd is called at the end of each set Payment was called for: PLB, Balanced
	// and BalanceErrors are final (balanced with running sums as the claims went by).
	PaymentEnd func(p *Payment) error
	// Status is called with each 277 claim status (2200D/E) once it is complete; r is its
	// transaction set with Claims empty.
	Status func(r *StatusReport, c *ClaimStatus) error
	// StatusEnd is called at the end of each 277 set that could be read whole; r is the
	// set handed to Status (its batch counts final).
	StatusEnd func(r *StatusReport) error
}

// Stream reads a response file like Read, with the same verdict (the same error for the
// same file), but hands every 835 claim payment and 277 claim status to v as soon as it
// is read instead of keeping it: memory is bounded by the largest claim, not by the file.
// 999 and TA1 acknowledgements, which are small, are kept in the Document as Read keeps
// them; its Remittance and Statuses stay empty (Sets835 and Sets277 count the sets).
// Since the verdict comes at the end, a caller that must apply nothing of an invalid file
// streams it twice: once to check, once to apply.
func Stream(ctx context.Context, r io.Reader, opts ReadOptions, v Visitor) (*Document, error) {
	cls := opts.Classifier
	if cls == nil {
		cls = NewClassifier(nil)
	}
	s := &streamer{v: v, cls: cls, d: &Document{}}
	p := x12.NewParser(r, x12.ParseOptions{Guides: opts.Guides, CodeLists: opts.CodeLists,
		NoTree: true, Tree: func(set string) bool { return set == "999" }, Segment: s.segment})
	var other *NotResponseError
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("remit: %w", err)
		}
		tx, err := p.Next()
		if tx != nil {
			s.endSet(tx)
			if s.err != nil {
				return s.d, s.err
			}
			if tx.Set == "999" {
				a, err := ack.Parse999(tx)
				if err != nil {
					s.d.Findings = append(s.d.Findings, setFinding(tx, err))
				} else {
					s.d.Acks = append(s.d.Acks, a)
				}
			} else if tx.Set != "835" && tx.Set != "277" && other == nil {
				other = &NotResponseError{Set: tx.Set, Control: tx.Control}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *x12.SyntaxError
			if errors.As(err, &se) {
				break
			}
			return nil, fmt.Errorf("remit: ack: read: %w", err)
		}
	}
	res := p.Result()
	d := s.d
	d.File = res
	// Guide and envelope findings first, then the mappers', as Read lists them.
	d.Findings = append(res.Findings(), d.Findings...)
	for i := range res.TA1s {
		t, err := ack.ParseTA1(&res.TA1s[i])
		if err != nil {
			d.Findings = append(d.Findings, mapFinding(&res.TA1s[i], "TA1", "", err))
			continue
		}
		d.TA1s = append(d.TA1s, t)
	}
	switch {
	case other != nil:
		return d, other
	case d.Kind() == "" && len(d.Findings) == 0:
		return d, fmt.Errorf("%w: no 835, 277, 999 or TA1 in the file", ErrInvalid)
	case len(d.Findings) > 0 || !res.Valid():
		return d, &FindingsError{N: len(d.Findings)}
	}
	return d, nil
}

// streamer maps the 835 and 277 sets of a Stream segment by segment. The mappers of Map835
// and Map277 do the reading; the streamer takes each claim out of them once the next
// claim (or loop, or the set's end) shows it is complete.
type streamer struct {
	v   Visitor
	cls *Classifier
	d   *Document
	err error // a Visitor's error: the rest of the file is read but not mapped

	set string // ST01 of the set being read; "" outside a set or once it is unreadable
	// 835
	m835    *map835
	hdr     *Payment // the header handed to the Visitor; nil until the first claim
	due     string   // appeal deadline of hdr's denials
	seq     int      // claims handed out of the current set
	bal     balancer
	skip    bool  // reading past an unreadable claim to the next CLP, LX, PLB or SE
	clpOff  int64 // where the current claim starts, for a finding that leaves it out
	setBad  bool
	nPaySet int
	// 277
	m277 *map277
	rep  *StatusReport // the set handed to the Visitor; nil until its first claim
}

// segment is the parser's Segment hook.
func (s *streamer) segment(t *x12.Transaction, seg *x12.Segment) {
	if s.err != nil {
		return
	}
	if seg.Is("ST") {
		s.begin(t)
	}
	if s.setBad {
		return
	}
	switch s.set {
	case "835":
		s.seg835(t, seg)
	case "277":
		s.seg277(t, seg)
	}
}

// begin starts mapping a set.
func (s *streamer) begin(t *x12.Transaction) {
	s.set, s.setBad, s.skip, s.seq = t.Set, false, false, 0
	s.hdr, s.due, s.bal = nil, "", balancer{}
	switch t.Set {
	case "835":
		s.m835 = &map835{p: &Payment{ISAControl: t.Envelope.ISAControl, GSControl: t.Envelope.GSControl, Control: t.Control,
			BalanceErrors: []BalanceError{}, PLB: []ProviderAdjustment{}, Claims: []ClaimPayment{}}}
	case "277":
		s.m277 = &map277{r: &StatusReport{Version: t.Envelope.Version, ISAControl: t.Envelope.ISAControl, Control: t.Control,
			Claims: []ClaimStatus{}}}
	}
}

// fail leaves the rest of the set unread with a finding at its ST.
func (s *streamer) fail(t *x12.Transaction, seg *x12.Segment, err error) {
	s.setBad = true
	s.d.Findings = append(s.d.Findings, x12.Error{Level: x12.LevelTransaction, Set: t.Set, Control: t.Control, Segment: "ST",
		Position: 1, Code: x12.IK5SegmentsInError, Message: err.Error(), Offset: seg.Offset})
}

func (s *streamer) seg835(t *x12.Transaction, seg *x12.Segment) {
	m := s.m835
	isCLP := seg.Is("CLP")
	if s.skip {
		if !isCLP && !seg.Is("LX") && !seg.Is("PLB") && !seg.Is("SE") {
			return
		}
		s.skip = false
	}
	if isCLP {
		s.clpOff = seg.Offset
		if !m.sawBPR {
			s.fail(t, seg, fmt.Errorf("835 %s: no BPR segment", t.Control))
			return
		}
	}
	inClaim := m.clm != nil || isCLP
	if err := m.segment(seg); err != nil {
		if !inClaim {
			s.fail(t, seg, err)
			return
		}
		// The claim cannot be read: leave it out of the payment with a finding at its
		// CLP, and read on from the next claim (a claim runs from its CLP up to the next
		// CLP, LX, PLB or SE).
		if !isCLP {
			m.p.Claims = m.p.Claims[:len(m.p.Claims)-1]
		}
		m.clm, m.line = nil, nil
		s.d.Findings = append(s.d.Findings, x12.Error{Level: x12.LevelSegment, Set: t.Set, Control: t.Control, Segment: "CLP",
			Offset: s.clpOff, Code: x12.IK3ElementErrors, Message: fmt.Sprintf("claim left out of the payment: %v", err)})
		s.skip = true
		if !isCLP {
			return
		}
	}
	s.flush835(false)
}

// flush835 hands the complete claims out of the mapper: all but the one being read, or
// all at the set's end.
func (s *streamer) flush835(end bool) {
	m := s.m835
	n := len(m.p.Claims)
	if !end && m.clm != nil {
		n-- // the claim being read
	}
	if n <= 0 {
		return
	}
	for i := 0; i < n && s.err == nil; i++ {
		if !s.header() {
			return
		}
		c := m.p.Claims[i]
		s.cls.classifyClaim(s.hdr.PayerID, s.due, &c)
		s.bal.claim(&c)
		if s.v.Claim != nil {
			s.err = s.v.Claim(s.hdr, s.seq, &c)
		}
		s.seq++
	}
	// Keep the claim being read at the front (its lines stay where m.line points).
	rest := copy(m.p.Claims, m.p.Claims[n:])
	clear(m.p.Claims[rest:])
	m.p.Claims = m.p.Claims[:rest]
	if m.clm != nil && rest > 0 {
		m.clm = &m.p.Claims[rest-1]
	}
}

// header hands the payment header to the Visitor once; false when a Visitor failed.
func (s *streamer) header() bool {
	if s.hdr != nil {
		return s.err == nil
	}
	m := s.m835
	if m.p.Date == "" {
		m.p.Date = m.production
	}
	h := *m.p
	h.Claims = []ClaimPayment{}
	h.Set = s.nPaySet
	s.nPaySet++
	s.hdr = &h
	s.d.Sets835++
	s.cls.setFees(&h)
	s.due = s.cls.appealDue(&h)
	if s.v.Payment != nil {
		s.err = s.v.Payment(s.hdr)
	}
	return s.err == nil
}

// endSet finishes the set the parser just returned.
func (s *streamer) endSet(t *x12.Transaction) {
	defer func() { s.set, s.m835, s.m277, s.hdr, s.rep = "", nil, nil, nil, nil }()
	if s.err != nil || s.setBad || s.set != t.Set {
		return
	}
	switch s.set {
	case "835":
		m := s.m835
		if !m.sawBPR {
			s.d.Findings = append(s.d.Findings, setFinding835(t, fmt.Errorf("835 %s: no BPR segment", t.Control)))
			return
		}
		s.flush835(true)
		if !s.header() {
			return
		}
		s.hdr.PLB = m.p.PLB
		s.bal.finish(s.hdr)
		if s.v.PaymentEnd != nil {
			s.err = s.v.PaymentEnd(s.hdr)
		}
	case "277":
		s.flush277(true)
		s.report277()
		if s.err != nil {
			return
		}
		s.rep.AcceptedCount, s.rep.RejectedCount = s.m277.r.AcceptedCount, s.m277.r.RejectedCount
		s.d.Sets277++
		if s.v.StatusEnd != nil {
			s.err = s.v.StatusEnd(s.rep)
		}
	}
}

// report277 makes the set's header once (its header loops are read by the first claim).
func (s *streamer) report277() {
	if s.rep == nil {
		h := *s.m277.r
		h.Claims = []ClaimStatus{}
		s.rep = &h
	}
}

// setFinding835 is setFinding for a set streamed without a tree.
func setFinding835(t *x12.Transaction, err error) x12.Error {
	return x12.Error{Level: x12.LevelTransaction, Set: t.Set, Control: t.Control, Segment: "ST", Position: 1,
		Code: x12.IK5SegmentsInError, Message: err.Error()}
}

func (s *streamer) seg277(t *x12.Transaction, seg *x12.Segment) {
	if err := s.m277.segment(seg); err != nil {
		s.fail(t, seg, err)
		return
	}
	s.flush277(false)
}

// flush277 hands the complete claim statuses out of the mapper.
func (s *streamer) flush277(end bool) {
	m := s.m277
	n := len(m.r.Claims)
	if !end && m.clm != nil {
		n--
	}
	if n <= 0 {
		return
	}
	s.report277()
	for i := 0; i < n && s.err == nil; i++ {
		c := m.r.Claims[i]
		c.settle()
		if s.v.Status != nil {
			s.err = s.v.Status(s.rep, &c)
		}
	}
	rest := copy(m.r.Claims, m.r.Claims[n:])
	clear(m.r.Claims[rest:])
	m.r.Claims = m.r.Claims[:rest]
	if m.clm != nil && rest > 0 {
		m.clm = &m.r.Claims[rest-1]
	}
}
