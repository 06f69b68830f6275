package eligibility

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"

	"github.com/edigate/edigate/x12"
)

// Map271 maps one 271 transaction set (005010X279A1) into one Result per subscriber (2000C)
// or dependent (2000D) answered, plus one per payer- or provider-level reject (2000A/B AAA)
// that answers nobody in particular. Unknown codes are kept and shown, never fatal.
func Map271(tx *x12.Transaction) ([]Result, error) {
	if tx.Set != "271" {
		return nil, fmt.Errorf("271: transaction set %s %s is not a 271", tx.Set, tx.Control)
	}
	if tx.Root == nil {
		return nil, fmt.Errorf("271 %s: parsed without a loop tree", tx.Control)
	}
	m := mapper{}
	// Read in file order: LS and LE of 2110C surround the 2120C loop.
	for _, s := range tx.Root.InOrder() {
		m.segment(s)
	}
	m.finish()
	for _, r := range m.orphanRejects {
		m.out = append(m.out, Result{Level: r.Level, PayerID: m.payerID, Rejects: []Reject{r}, Benefits: []Benefit{}})
	}
	return m.out, nil
}

// ErrInvalid marks a 271 file that is not valid: the verdict of x12 validate, or a set the
// mapper cannot read. Its answers are still returned, to be shown, never applied.
var ErrInvalid = errors.New("invalid 271 file")

// Read271 parses a whole file and maps every 271 in it. The results are all that could be
// read and the findings every error, located; the error wraps ErrInvalid when the file is
// not valid (any finding, or no 271 at all), so that a command shows and the daemon applies
// nothing of a truncated file, a missing SE/GE/IEA or a wrong count. Other errors are I/O.
func Read271(ctx context.Context, r io.Reader, opts x12.ParseOptions) ([]Result, []x12.Error, error) {
	var out []Result
	findings, err := Stream271(ctx, r, opts, func(res Result) error {
		out = append(out, res)
		return nil
	})
	return out, findings, err
}

// Stream271 is Read271 handing each result to fn as soon as its subscriber (2000C) or
// dependent (2000D) loop ends, instead of keeping them: memory is bounded by the largest
// loop, not by the file. The verdict (findings and error) is Read271's and comes at the
// end, so a caller that must apply nothing of an invalid file streams it twice. An error
// from fn stops the stream and is returned. A nil fn gives the verdict alone, without
// mapping a single answer: the first of those two passes.
func Stream271(ctx context.Context, r io.Reader, opts x12.ParseOptions, fn func(Result) error) ([]x12.Error, error) {
	if fn == nil {
		return verdict271(ctx, r, opts)
	}
	var m *mapper
	var fnErr error
	emit := func() {
		for _, res := range m.out {
			if fnErr == nil {
				fnErr = fn(res)
			}
		}
		clear(m.out)
		m.out = m.out[:0]
	}
	opts.NoTree = true
	opts.Tree = nil
	opts.Segment = func(t *x12.Transaction, s *x12.Segment) {
		if fnErr != nil || t.Set != "271" {
			return
		}
		if s.Is("ST") {
			m = &mapper{}
		}
		m.segment(s)
		if len(m.out) > 0 {
			emit()
		}
	}
	p := x12.NewParser(r, opts)
	sets := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tx, err := p.Next()
		if tx != nil && tx.Set == "271" && m != nil {
			sets++
			m.finish()
			for _, r := range m.orphanRejects {
				m.out = append(m.out, Result{Level: r.Level, PayerID: m.payerID, Rejects: []Reject{r}, Benefits: []Benefit{}})
			}
			emit()
			m = nil
		}
		if fnErr != nil {
			return nil, fnErr
		}
		done, err := parseEnded(err)
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
	}
	return verdict(p, sets)
}

// verdict271 is Stream271's verdict without the answers: the parse and the guide's
// checks, and at least one 271.
func verdict271(ctx context.Context, r io.Reader, opts x12.ParseOptions) ([]x12.Error, error) {
	opts.NoTree = true
	opts.Tree = nil
	opts.Segment = nil
	p := x12.NewParser(r, opts)
	sets := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tx, err := p.Next()
		if tx != nil && tx.Set == "271" {
			sets++
		}
		done, err := parseEnded(err)
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
	}
	return verdict(p, sets)
}

// parseEnded says whether the parser's error ends the reading: at the end of the input,
// or at a syntax error (recorded in the result as a finding); any other error is
// returned.
func parseEnded(err error) (bool, error) {
	var se *x12.SyntaxError
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, io.EOF), errors.As(err, &se):
		return true, nil
	}
	return true, fmt.Errorf("271: %w", err)
}

// verdict is the file's verdict once parsed: invalid with any finding or without a 271.
func verdict(p *x12.Parser, sets int) ([]x12.Error, error) {
	findings := p.Result().Findings()
	switch {
	case len(findings) > 0:
		return findings, fmt.Errorf("%w: %d finding(s)", ErrInvalid, len(findings))
	case sets == 0:
		return findings, fmt.Errorf("%w: no 271 in the file", ErrInvalid)
	}
	return nil, nil
}

type mapper struct {
	out           []Result
	cur           *Result
	ben           int // index of the current benefit in cur.Benefits, -1 when none
	in2120        bool
	ent           *Entity
	hlLevel       string
	payerID       string
	subscriber    string // last 2100C member id, for dependents
	orphanRejects []Reject
}

func levelName(hl string) string {
	switch hl {
	case "20":
		return "payer"
	case "21":
		return "provider"
	case "22":
		return "subscriber"
	case "23":
		return "dependent"
	}
	return "level " + hl
}

func (m *mapper) finish() {
	if m.cur != nil {
		// A subscriber level that only parents a dependent (no trace, benefits or
		// rejects of its own) answers nothing: the dependent's result carries it.
		if m.cur.Trace != "" || len(m.cur.Benefits) > 0 || len(m.cur.Rejects) > 0 {
			summarize(m.cur)
			m.out = append(m.out, *m.cur)
		}
		m.cur = nil
	}
	m.ben, m.in2120, m.ent = -1, false, nil
}

func (m *mapper) benefit() *Benefit {
	if m.cur == nil || m.ben < 0 {
		return nil
	}
	return &m.cur.Benefits[m.ben]
}

// segment takes one segment into the current result.
func (m *mapper) segment(s *x12.Segment) {
	switch s.ID() {
	case "HL":
		m.level(s)
	case "TRN":
		// 271 TRN01 2 echoes the 270's trace; TRN01 1 is the payer's own, kept only when no echo.
		if m.cur != nil && (s.Str(1) == "2" || m.cur.Trace == "") {
			m.cur.Trace = s.Str(2)
		}
	case "NM1":
		m.name(s)
	case "AAA":
		m.reject(s)
	case "REF":
		if m.cur != nil && m.benefit() == nil {
			switch s.Str(1) {
			case "18":
				m.cur.Plan = s.Str(2)
			case "6P":
				m.cur.Group = s.Str(2)
			}
		}
	case "DTP":
		m.date(s)
	case "EB":
		if m.cur == nil {
			return
		}
		m.in2120 = false
		m.cur.Benefits = append(m.cur.Benefits, ebBenefit(s))
		m.ben = len(m.cur.Benefits) - 1
	case "MSG":
		if m.cur == nil {
			return
		}
		if b := m.benefit(); b != nil {
			b.Messages = append(b.Messages, s.Str(1))
		}
		m.cur.Messages = append(m.cur.Messages, s.Str(1))
	case "LS":
		m.in2120 = true
	case "LE":
		m.in2120, m.ent = false, nil
	case "PER":
		m.contact(s)
	case "SE":
		m.finish()
	}
}

// level closes the current result at an HL and opens one for a subscriber (2000C) or a
// dependent (2000D).
func (m *mapper) level(s *x12.Segment) {
	m.finish()
	m.hlLevel = s.Str(3)
	if m.hlLevel == "22" || m.hlLevel == "23" {
		m.cur = &Result{Level: levelName(m.hlLevel), PayerID: m.payerID, Rejects: []Reject{}, Benefits: []Benefit{}}
		if m.hlLevel == "23" {
			m.cur.MemberID = m.subscriber // a dependent is billed under the subscriber's id
		}
	}
}

// name reads an NM1: a benefit's related entity (2120C/D), else the payer (2100A) or the
// member (2100C/D).
func (m *mapper) name(s *x12.Segment) {
	if m.in2120 {
		e := Entity{Code: s.Str(1), Name: personOrOrg(s), IDQual: s.Str(8), ID: s.Str(9)}
		if b := m.benefit(); b != nil {
			e.ForBenefit = strings.Join(b.ServiceTypes, ",")
			b.Entities = append(b.Entities, e)
			m.ent = &b.Entities[len(b.Entities)-1]
		}
		return
	}
	switch s.Str(1) {
	case "PR":
		m.payerID = s.Str(9)
	case "IL":
		if m.cur != nil {
			m.cur.MemberID = s.Str(9)
			if m.hlLevel == "22" {
				m.subscriber = s.Str(9)
			}
		}
	}
}

// reject reads an AAA into the result it answers, at the level it was sent from; one at a
// payer or provider level, before any subscriber, becomes a result of its own.
func (m *mapper) reject(s *x12.Segment) {
	r := Reject{Valid: s.Str(1), Code: s.Str(3), Reason: words(aaaReasons, s.Str(3)),
		Action: s.Str(4), FollowUp: words(aaaFollowUps, s.Str(4))}
	switch {
	case m.benefit() != nil:
		r.Level = "benefit"
		m.cur.Rejects = append(m.cur.Rejects, r)
	case m.cur != nil:
		r.Level = m.cur.Level
		m.cur.Rejects = append(m.cur.Rejects, r)
	default:
		r.Level = levelName(m.hlLevel)
		m.orphanRejects = append(m.orphanRejects, r)
	}
}

// date reads a DTP: a benefit's date as qualifier:value, else the member's coverage
// start and end, from a begin or end date or from a range.
func (m *mapper) date(s *x12.Segment) {
	if b := m.benefit(); b != nil {
		b.Dates = append(b.Dates, s.Str(1)+":"+s.Str(3))
		return
	}
	if m.cur == nil {
		return
	}
	start, end := dateRange(s.Str(3))
	switch s.Str(1) {
	case "346", "356": // plan / eligibility begin
		m.cur.CoverageStart = start
	case "347", "357": // plan / eligibility end
		m.cur.CoverageEnd = start
	case "307", "291": // eligibility / plan as a range
		if m.cur.CoverageStart == "" {
			m.cur.CoverageStart = start
		}
		if end != start && m.cur.CoverageEnd == "" {
			m.cur.CoverageEnd = end
		}
	}
}

// contact reads the telephone of a benefit's related entity (2120 PER).
func (m *mapper) contact(s *x12.Segment) {
	if m.ent == nil {
		return
	}
	for i := 3; i+1 <= s.Len(); i += 2 {
		if s.Str(i) == "TE" {
			m.ent.Phone = s.Str(i + 1)
			return
		}
	}
}

func personOrOrg(s *x12.Segment) string {
	if s.Str(2) == "1" && s.Str(4) != "" {
		return strings.TrimSpace(s.Str(4) + " " + s.Str(3))
	}
	return s.Str(3)
}

func dateRange(v string) (start, end string) {
	if i := strings.IndexByte(v, '-'); i >= 0 {
		return v[:i], v[i+1:]
	}
	return v, v
}

func ebBenefit(s *x12.Segment) Benefit {
	b := Benefit{Info: s.Str(1), InfoText: words(ebInfo, s.Str(1)), Coverage: s.Str(2), Insurance: s.Str(4),
		Plan: s.Str(5), TimePeriod: s.Str(6), QuantityQual: s.Str(9), Quantity: s.Str(10),
		AuthRequired: yesNo(s.Str(11)), InNetwork: yesNo(s.Str(12))}
	for _, st := range s.Repeats(3) {
		b.ServiceTypes = append(b.ServiceTypes, string(st))
	}
	if v := s.Str(7); v != "" {
		if a, err := x12.ParseAmount(v); err == nil {
			b.Amount = &a
		} else {
			b.Messages = append(b.Messages, "unreadable amount in EB07")
		}
	}
	if v := s.Str(8); v != "" {
		if p, ok := percent(v); ok {
			b.Percent = p
		} else {
			b.Messages = append(b.Messages, "unreadable percent in EB08")
		}
	}
	return b
}

// yesNo maps Y/N to a bool; U (unknown), W (not applicable: both in and out of network)
// and anything else stay unknown.
func yesNo(v string) *bool {
	switch v {
	case "Y":
		t := true
		return &t
	case "N":
		f := false
		return &f
	}
	return nil
}

// percent turns the X12 fraction (EB08 "0.2") into an exact percent string ("20").
func percent(v string) (string, bool) {
	r, ok := new(big.Rat).SetString(v)
	if !ok || r.Sign() < 0 {
		return "", false
	}
	r.Mul(r, big.NewRat(100, 1))
	if r.IsInt() {
		return r.Num().String(), true
	}
	f := r.FloatString(4)
	f = strings.TrimRight(strings.TrimRight(f, "0"), ".")
	return f, true
}

// rank orders benefits for a therapy session: behavioral-health service types first, then
// the plan-level 30 (or no service type), then anything else.
func rank(b *Benefit) int {
	best := 100
	if len(b.ServiceTypes) == 0 {
		best = 50
	}
	for _, st := range b.ServiceTypes {
		if r, ok := behavioral[st]; ok && r < best {
			best = r
		} else if st == "30" && best > 50 {
			best = 50
		}
	}
	return best
}

func (b *Benefit) behavioral() bool { return rank(b) < 50 }

// pick returns the best benefit with info code and a predicate: by service type rank, then
// in network over out of network, then individual over family coverage.
func pick(bs []Benefit, info string, ok func(*Benefit) bool) *Benefit {
	var best *Benefit
	score := func(b *Benefit) int {
		s := rank(b) * 100
		if b.InNetwork != nil && !*b.InNetwork {
			s += 10
		}
		if b.Coverage != "" && b.Coverage != "IND" {
			s += 1
		}
		return s
	}
	for i := range bs {
		b := &bs[i]
		if b.Info != info || (ok != nil && !ok(b)) {
			continue
		}
		if best == nil || score(b) < score(best) {
			best = b
		}
	}
	return best
}

func remaining(b *Benefit) bool { return b.TimePeriod == "29" }
func total(b *Benefit) bool     { return b.TimePeriod != "29" && b.TimePeriod != "24" }

// summarize fills the headline fields from the benefits.
func summarize(r *Result) {
	if len(r.Benefits) == 0 && len(r.Rejects) == 0 {
		r.NoInformation = true
		return
	}
	active, inactive := false, false
	for i := range r.Benefits {
		switch r.Benefits[i].Info {
		case "1", "2", "3", "4", "5":
			active = true
		case "6", "7", "8":
			inactive = true
		}
	}
	r.Active = active && !(inactive && !activeFor(r.Benefits))
	if len(r.Rejects) > 0 && !active {
		r.Active = false
	}
	cov := pick(r.Benefits, "1", nil)
	if cov == nil {
		for _, code := range []string{"2", "3", "4", "5"} {
			if cov = pick(r.Benefits, code, nil); cov != nil {
				break
			}
		}
	}
	if cov != nil {
		r.ServiceType = strings.Join(cov.ServiceTypes, ",")
		if r.Plan == "" {
			r.Plan = cov.Plan
		}
	}
	r.AuthRequired = summaryFlag(r.Benefits, func(b *Benefit) *bool { return b.AuthRequired })
	r.InNetwork = summaryFlag(r.Benefits, func(b *Benefit) *bool { return b.InNetwork })
	amount := func(b *Benefit) *x12.Amount {
		if b == nil {
			return nil
		}
		return b.Amount
	}
	hasAmount := func(b *Benefit) bool { return b.Amount != nil }
	copay := pick(r.Benefits, "B", hasAmount)
	r.Copay = amount(copay)
	coins := pick(r.Benefits, "A", func(b *Benefit) bool { return b.Percent != "" })
	if coins != nil {
		p := coins.Percent
		r.CoinsurancePercent = &p
	}
	r.Deductible = amount(pick(r.Benefits, "C", func(b *Benefit) bool { return hasAmount(b) && total(b) }))
	r.DeductibleRemaining = amount(pick(r.Benefits, "C", func(b *Benefit) bool { return hasAmount(b) && remaining(b) }))
	r.OutOfPocket = amount(pick(r.Benefits, "G", func(b *Benefit) bool { return hasAmount(b) && total(b) }))
	r.OutOfPocketRemaining = amount(pick(r.Benefits, "G", func(b *Benefit) bool { return hasAmount(b) && remaining(b) }))
	visits := func(b *Benefit) bool { return b.QuantityQual == "VS" && b.Quantity != "" }
	if b := pick(r.Benefits, "F", func(b *Benefit) bool { return visits(b) && remaining(b) }); b != nil {
		r.VisitsRemaining = atoi(b.Quantity)
	}
	if b := pick(r.Benefits, "F", func(b *Benefit) bool { return visits(b) && total(b) }); b != nil {
		r.VisitsLimit = atoi(b.Quantity)
	}
	if r.VisitsLimit != nil && r.VisitsRemaining != nil {
		u := *r.VisitsLimit - *r.VisitsRemaining
		r.VisitsUsed = &u
	}
	r.CarveOut = carveOut(r.Benefits)
}

// summaryFlag is a summary flag (EB11 authorization, EB12 network) from every benefit that
// covers a behavioral-health service type, whatever its EB01 (a coverage basis, a
// limitation or a message can be the one that says "prior authorization required"); the
// most specific service type that says anything wins (A6 over MH over the plan-level 30),
// and at that rank one Y is enough: a hold for an authorization, in network when any
// benefit applies in network. Benefits for other service types (medical, dental) say
// nothing of a therapy session.
func summaryFlag(bs []Benefit, get func(*Benefit) *bool) *bool {
	best := 51 // behavioral ranks, then 50: the plan (30) or no service type
	var out *bool
	for i := range bs {
		b := &bs[i]
		v := get(b)
		if v == nil {
			continue
		}
		switch rk := rank(b); {
		case rk < best:
			best, out = rk, v
		case rk == best && *v:
			out = v
		}
	}
	return out
}

// activeFor reports whether an active benefit covers behavioral health or the plan (30)
// despite an inactive one elsewhere (e.g. active medical, inactive dental).
func activeFor(bs []Benefit) bool {
	act := pick(bs, "1", nil)
	inact := pick(bs, "6", nil)
	if act == nil {
		return false
	}
	if inact == nil {
		return true
	}
	return rank(act) <= rank(inact)
}

// carveOut finds the organization behavioral health is delegated to: a 2120 payer-like
// entity on a behavioral-health benefit, or on a "contact following entity" (EB01 U) one.
func carveOut(bs []Benefit) *Entity {
	for i := range bs {
		b := &bs[i]
		if !b.behavioral() && b.Info != "U" && b.Info != "MC" {
			continue
		}
		for _, e := range b.Entities {
			if carveOutEntities[e.Code] {
				e := e
				return &e
			}
		}
	}
	return nil
}

func atoi(s string) *int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil
	}
	return &n
}
