package claims

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/edigate/edigate/x12"
)

// Version837P is the 837P implementation guide (GS08, ST03).
const Version837P = "005010X222A1"

// FileResult describes a written 837P interchange: its control numbers and which claims
// went into which transaction set, what the store records for 999/277CA matching.
type FileResult struct {
	Clearinghouse string    `json:"clearinghouse"`
	ISAControl    int64     `json:"isa_control"`
	GSControl     int64     `json:"gs_control"`
	Usage         string    `json:"usage"` // ISA15
	Sets          []SetInfo `json:"sets"`
	Claims        int       `json:"claims"`
}

// SetInfo is one ST..SE of a file.
type SetInfo struct {
	Control  string   `json:"control"` // ST02
	ClaimIDs []string `json:"claim_ids"`
}

// FileOptions are the inputs of Write837 besides the claims.
type FileOptions struct {
	Setup         *Setup
	Clearinghouse string // configured clearinghouse id
	Sequence      x12.ControlNumbers
	Now           time.Time
	Newline       bool // a line break after each segment (for people reading the file)
}

// ErrNoClaims is returned by Write837 when there is nothing to write.
var ErrNoClaims = errors.New("837P: no claims to write")

// Write837 writes claims as one 837P interchange for one clearinghouse: one ISA and GS,
// an ST per claims.max_claims_per_set claims, ISA15 from the clearinghouse's isa.usage and
// control numbers from opts.Sequence. Claims of another clearinghouse are an error: files
// are batched per clearinghouse (see ByClearinghouse). Claims should have passed the
// scrubber; a claim missing what the guide requires is an error naming the claim and loop.
func Write837(ctx context.Context, w io.Writer, claims []*Claim, opts FileOptions) (*FileResult, error) {
	if len(claims) == 0 {
		return nil, ErrNoClaims
	}
	cfg := opts.Setup
	ch, ok := cfg.Clearinghouse(opts.Clearinghouse)
	if !ok {
		return nil, fmt.Errorf("837P: clearinghouse %q is not configured", opts.Clearinghouse)
	}
	per := cfg.MaxClaimsPerSet
	if per <= 0 || per > 5000 {
		per = 5000
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	// Resolve configuration once per claim before writing anything, so a bad claim leaves
	// no half-written file and no control number is spent on it.
	ctxs := make([]claimCtx, len(claims))
	for i, c := range claims {
		if err := resolve(cfg, ch.ID, c, &ctxs[i]); err != nil {
			return nil, err
		}
	}
	sender, receiver := ch.ISA.SenderID, ch.ISA.ReceiverID
	isa, err := opts.Sequence.Next(ctx, x12.SequenceKey{Sender: sender, Receiver: receiver, Kind: x12.SeqInterchange})
	if err != nil {
		return nil, fmt.Errorf("837P ISA13: %w", err)
	}
	gsSender, gsReceiver := orDefault(ch.ISA.GSSender, sender), orDefault(ch.ISA.GSReceiver, receiver)
	gs, err := opts.Sequence.Next(ctx, x12.SequenceKey{Sender: gsSender, Receiver: gsReceiver, Kind: x12.SeqGroup})
	if err != nil {
		return nil, fmt.Errorf("837P GS06: %w", err)
	}
	res := &FileResult{Clearinghouse: ch.ID, ISAControl: isa, GSControl: gs, Usage: ch.ISA.Usage, Claims: len(claims)}
	xw := x12.NewWriter(w, x12.DefaultDelimiters)
	xw.SetNewline(opts.Newline)
	if err := xw.BeginInterchange(x12.InterchangeHeader{
		SenderQual: ch.ISA.SenderQual, SenderID: sender,
		ReceiverQual: ch.ISA.ReceiverQual, Receiver: receiver,
		Date: now, Control: isa, Usage: ch.ISA.Usage,
	}); err != nil {
		return nil, fmt.Errorf("837P: %w", err)
	}
	if err := xw.BeginGroup("HC", gsSender, gsReceiver, Version837P, now, gs); err != nil {
		return nil, fmt.Errorf("837P: %w", err)
	}
	sw := setWriter{w: xw, ch: ch, now: now, date: now.Format("20060102"), hhmm: now.Format("1504")}
	for start := 0; start < len(claims); start += per {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		end := min(start+per, len(claims))
		st, err := opts.Sequence.Next(ctx, x12.SequenceKey{Sender: gsSender, Receiver: gsReceiver, Kind: x12.SeqTransaction})
		if err != nil {
			return nil, fmt.Errorf("837P ST02: %w", err)
		}
		info := SetInfo{Control: x12.FormatSTControl(st)}
		if err := sw.set(info.Control, isa, claims[start:end], ctxs[start:end]); err != nil {
			return nil, err
		}
		for _, c := range claims[start:end] {
			info.ClaimIDs = append(info.ClaimIDs, c.ID)
		}
		res.Sets = append(res.Sets, info)
	}
	if err := xw.EndGroup(); err != nil {
		return nil, fmt.Errorf("837P: %w", err)
	}
	if err := xw.EndInterchange(); err != nil {
		return nil, fmt.Errorf("837P: %w", err)
	}
	if err := xw.Flush(); err != nil {
		return nil, fmt.Errorf("837P: %w", err)
	}
	return res, nil
}

// ByClearinghouse splits claims by the clearinghouse their payer sends through, in order
// of first appearance, so each batch becomes one file.
func ByClearinghouse(claims []*Claim) (ids []string, batches map[string][]*Claim) {
	batches = map[string][]*Claim{}
	for _, c := range claims {
		if _, ok := batches[c.Clearinghouse]; !ok {
			ids = append(ids, c.Clearinghouse)
		}
		batches[c.Clearinghouse] = append(batches[c.Clearinghouse], c)
	}
	return ids, batches
}

// claimCtx is the configuration a claim is written with.
type claimCtx struct {
	practice    *Practice
	payer       *Payer
	rendering   *Provider
	supervising *Provider
}

func resolve(cfg *Setup, ch string, c *Claim, cc *claimCtx) error {
	var ok bool
	if cc.practice, ok = cfg.Practice(c.Practice); !ok {
		return fmt.Errorf("837P claim %s: practice %q is not configured", c.ID, c.Practice)
	}
	if cc.payer, ok = cfg.Payer(c.Payer); !ok {
		return fmt.Errorf("837P claim %s: payer %q is not configured", c.ID, c.Payer)
	}
	if cc.payer.Clearinghouse != ch {
		return fmt.Errorf("837P claim %s: payer %q sends through clearinghouse %q, not %q", c.ID, c.Payer, cc.payer.Clearinghouse, ch)
	}
	if cc.rendering, ok = cc.practice.Provider(c.RenderingNPI); !ok && c.RenderingNPI != cc.practice.NPI {
		return fmt.Errorf("837P claim %s 2310B: rendering provider %s is not configured in practice %q", c.ID, c.RenderingNPI, c.Practice)
	}
	if c.SupervisingNPI != "" {
		if cc.supervising, ok = cc.practice.Provider(c.SupervisingNPI); !ok {
			return fmt.Errorf("837P claim %s 2310D: supervising provider %s is not configured in practice %q", c.ID, c.SupervisingNPI, c.Practice)
		}
	}
	if len(c.Lines) == 0 {
		return fmt.Errorf("837P claim %s 2400: no service lines", c.ID)
	}
	if len(c.Diagnoses) == 0 {
		return fmt.Errorf("837P claim %s 2300 HI: no diagnosis", c.ID)
	}
	if c.Coverage.Relationship != "self" && c.Coverage.Relationship != "" && c.Coverage.Subscriber == nil {
		return fmt.Errorf("837P claim %s 2010BA: the subscriber is not the patient and is missing", c.ID)
	}
	if (c.Frequency == FrequencyReplacement || c.Frequency == FrequencyVoid) && c.PayerControlNumber == "" {
		return fmt.Errorf("837P claim %s 2300 REF*F8: required with frequency %s", c.ID, c.Frequency)
	}
	if n := len(c.PriorPayers()); n > MaxOtherPayers {
		return fmt.Errorf("837P claim %s 2320: %d other payers, at most %d", c.ID, n, MaxOtherPayers)
	}
	return nil
}

// setWriter writes transaction sets; it keeps per-set state (the HL counter).
type setWriter struct {
	w          *x12.Writer
	ch         *Clearinghouse
	now        time.Time
	date, hhmm string
	hl         int
	err        error // first error; later calls are no-ops
}

// seg and simple record the first error so the long claim writer reads straight.
func (s *setWriter) seg(id string, elems ...x12.Value) {
	if s.err == nil {
		s.err = s.w.Segment(id, elems...)
	}
}

func (s *setWriter) simple(id string, elems ...string) {
	if s.err == nil {
		s.err = s.w.Simple(id, elems...)
	}
}

func (s *setWriter) set(control string, isa int64, claims []*Claim, ctxs []claimCtx) error {
	s.hl = 0
	s.err = s.w.BeginTransaction("837", control, Version837P)
	// BHT03 (originator's reference) ties the set to its file for the biller: ISA13 + ST02.
	s.simple("BHT", "0019", "00", x12.FormatISAControl(isa)+control, s.date, s.hhmm, "CH")
	ch := s.ch
	// 1000A submitter, 1000B receiver.
	s.simple("NM1", "41", "2", text(ch.Submitter.Name), "", "", "", "", "46", ch.Submitter.ID)
	s.simple("PER", "IC", text(ch.Submitter.Contact), "TE", digits(ch.Submitter.Phone))
	s.simple("NM1", "40", "2", text(ch.Receiver.Name), "", "", "", "", "46", ch.Receiver.ID)
	// One 2000A per billing provider: consecutive claims of a practice share it.
	billingHL := 0
	var billing *Practice
	var billingPayer *Payer
	for i, c := range claims {
		cc := &ctxs[i]
		if cc.practice != billing || (cc.payer.BillingTaxonomy != (billingPayer != nil && billingPayer.BillingTaxonomy)) {
			billing, billingPayer = cc.practice, cc.payer
			billingHL = s.billingProvider(cc.practice, cc.payer.BillingTaxonomy)
		}
		s.claim(billingHL, c, cc)
		if s.err != nil {
			return fmt.Errorf("837P claim %s: %w", c.ID, s.err)
		}
	}
	if s.err == nil {
		s.err = s.w.EndTransaction()
	}
	if s.err != nil {
		return fmt.Errorf("837P ST %s: %w", control, s.err)
	}
	return nil
}

// billingProvider writes 2000A/2010AA and returns its HL number.
func (s *setWriter) billingProvider(p *Practice, prv bool) int {
	s.hl++
	n := s.hl
	s.simple("HL", strconv.Itoa(n), "", "20", "1")
	if prv && p.Taxonomy != "" {
		// 837P 2000A PRV: required when the payer's adjudication uses the taxonomy.
		s.simple("PRV", "BI", "PXC", p.Taxonomy)
	}
	s.simple("NM1", "85", "2", text(p.Name), "", "", "", "", "XX", p.NPI)
	s.address(p.Address.Line1, p.Address.Line2, p.Address.City, p.Address.State, p.Address.Zip)
	s.simple("REF", "EI", digits(p.TaxID))
	return n
}

func (s *setWriter) address(line1, line2, city, state, zip string) {
	if line1 == "" {
		return
	}
	s.simple("N3", text(line1), text(line2))
	s.simple("N4", text(city), state, digits(zip))
}

// relationshipCode maps a coverage relationship to the individual relationship code of
// 2000B SBR02 / 2000C PAT01 (X222A1: 01 spouse, 19 child, G8 other, 18 self).
func relationshipCode(rel string) string {
	switch strings.ToLower(rel) {
	case "", "self":
		return "18"
	case "spouse":
		return "01"
	case "child":
		return "19"
	}
	return "G8"
}

func (s *setWriter) claim(billingHL int, c *Claim, cc *claimCtx) {
	self := relationshipCode(c.Coverage.Relationship) == "18"
	s.hl++
	subHL := s.hl
	child := "0"
	if !self {
		child = "1"
	}
	// 2000B subscriber.
	s.simple("HL", strconv.Itoa(subHL), strconv.Itoa(billingHL), "22", child)
	sbr02 := ""
	if self {
		sbr02 = "18"
	}
	s.simple("SBR", c.Responsibility(), sbr02, text(c.Coverage.Group), "", "", "", "", "", cc.payer.ClaimFilingIndicator)
	// 2010BA subscriber.
	sub := &c.Client
	if !self {
		sub = c.Coverage.Subscriber
	}
	memberID := c.Coverage.MemberID
	s.simple("NM1", "IL", "1", text(sub.LastName), text(sub.FirstName), "", "", "", "MI", memberID)
	s.address(sub.Address.Line1, sub.Address.Line2, sub.Address.City, sub.Address.State, sub.Address.Zip)
	if sub.DOB != "" {
		s.simple("DMG", "D8", x12.D8(sub.DOB), gender(sub.Gender))
	}
	// 2010BB payer.
	s.simple("NM1", "PR", "2", text(cc.payer.Name), "", "", "", "", "PI", cc.payer.PayerID)
	if !self {
		// 2000C / 2010CA patient.
		s.hl++
		s.simple("HL", strconv.Itoa(s.hl), strconv.Itoa(subHL), "23", "0")
		s.simple("PAT", relationshipCode(c.Coverage.Relationship))
		p := &c.Client
		s.simple("NM1", "QC", "1", text(p.LastName), text(p.FirstName))
		s.address(p.Address.Line1, p.Address.Line2, p.Address.City, p.Address.State, p.Address.Zip)
		s.simple("DMG", "D8", x12.D8(p.DOB), gender(p.Gender))
	}
	// 2300 claim. CLM06-09: provider signature on file, assignment accepted, benefits
	// assigned, release of information on file.
	s.seg("CLM", x12.E(c.ID), x12.E(c.Total.X12()), x12.E(""), x12.E(""),
		x12.C(c.PlaceOfService, "B", orDefault(c.Frequency, FrequencyOriginal)),
		x12.E("Y"), x12.E("A"), x12.E("Y"), x12.E("Y"))
	if c.Authorization != "" {
		s.simple("REF", "G1", text(c.Authorization))
	}
	if c.PayerControlNumber != "" {
		s.simple("REF", "F8", text(c.PayerControlNumber))
	}
	s.diagnoses(c.Diagnoses)
	// 2310B rendering provider, only when it is not the billing provider.
	if c.RenderingNPI != cc.practice.NPI && cc.rendering != nil {
		r := cc.rendering
		s.simple("NM1", "82", "1", text(r.LastName), text(r.FirstName), "", "", "", "XX", r.NPI)
		if r.Taxonomy != "" {
			s.simple("PRV", "PE", "PXC", r.Taxonomy)
		}
	}
	// 2310D supervising provider.
	if sp := cc.supervising; sp != nil {
		s.simple("NM1", "DQ", "1", text(sp.LastName), text(sp.FirstName), "", "", "", "XX", sp.NPI)
	}
	// 2320 one loop per earlier payer, in payment order (P, then S on a tertiary claim).
	priors := c.PriorPayers()
	for _, p := range priors {
		s.priorPayer(c, p)
	}
	// 2400 service lines.
	for i := range c.Lines {
		l := &c.Lines[i]
		s.simple("LX", strconv.Itoa(i+1))
		pos := ""
		if l.PlaceOfService != "" && l.PlaceOfService != c.PlaceOfService {
			pos = l.PlaceOfService // SV105 only when it differs from CLM05-1
		}
		s.seg("SV1", procedure(l.Code, l.Modifiers), x12.E(l.Charge.X12()), x12.E("UN"),
			x12.E(strconv.Itoa(l.Units)), x12.E(pos), x12.E(""), pointers(l.Pointers))
		s.simple("DTP", "472", "D8", x12.D8(orDefault(l.Date, c.Date)))
		if l.Authorization != "" {
			s.simple("REF", "G1", text(l.Authorization))
		}
		// 2430 per earlier payer that adjudicated the line, in the order of the 2320 loops;
		// SVD01 names the payer by its 2330B NM109.
		for _, p := range priors {
			for _, pl := range p.Lines {
				if pl.Line == i+1 {
					s.priorLine(p, l, &pl)
				}
			}
		}
	}
}

// diagnoses writes 2300 HI: ABK principal, ABF others; at most 12 (the guide's repeat),
// the scrubber holds claims with more.
func (s *setWriter) diagnoses(dx []string) {
	if len(dx) > MaxDiagnoses {
		dx = dx[:MaxDiagnoses]
	}
	var elems [MaxDiagnoses]x12.Value
	for i, d := range dx {
		q := "ABF"
		if i == 0 {
			q = "ABK"
		}
		elems[i] = x12.C(q, d)
	}
	s.seg("HI", elems[:len(dx)]...)
}

// priorPayer writes 2320 (the prior payer's adjudication), 2330A and 2330B.
func (s *setWriter) priorPayer(c *Claim, p *PriorPayerInfo) {
	s.simple("SBR", orDefault(p.Responsibility, ResponsibilityPrimary), relationshipCode(p.Relationship), text(p.Group), "", "", "", "", "", p.FilingIndicator)
	s.cas(p.Adjustments)
	s.simple("AMT", "D", p.Paid.X12())
	// OI03 benefits assigned, OI06 release of information.
	s.simple("OI", "", "", "Y", "", "", "Y")
	sub := p.Subscriber
	if sub.LastName == "" {
		if cs := c.Coverage.Subscriber; cs != nil && relationshipCode(c.Coverage.Relationship) != "18" {
			sub = *cs
		} else {
			sub = c.Client
		}
	}
	memberID := orDefault(p.Subscriber.MemberID, c.Coverage.MemberID)
	s.simple("NM1", "IL", "1", text(sub.LastName), text(sub.FirstName), "", "", "", "MI", memberID)
	s.simple("NM1", "PR", "2", text(p.PayerName), "", "", "", "", "PI", p.PayerID)
	if len(p.Lines) == 0 && p.Adjudicated != "" {
		// 2330B DTP*573: required when the claim was adjudicated without line-level detail.
		s.simple("DTP", "573", "D8", x12.D8(p.Adjudicated))
	}
	if p.PayerControlNumber != "" {
		s.simple("REF", "F8", text(p.PayerControlNumber))
	}
}

// priorLine writes 2430: the prior payer's line adjudication.
func (s *setWriter) priorLine(p *PriorPayerInfo, l *ServiceLine, pl *PriorLine) {
	units := pl.Units
	if units == 0 {
		units = l.Units
	}
	s.seg("SVD", x12.E(p.PayerID), x12.E(pl.Paid.X12()), procedure(l.Code, l.Modifiers), x12.E(""), x12.E(strconv.Itoa(units)))
	s.cas(pl.Adjustments)
	if p.Adjudicated != "" {
		s.simple("DTP", "573", "D8", x12.D8(p.Adjudicated))
	}
}

// cas writes CAS segments: one per group code, at most six reason triplets each.
func (s *setWriter) cas(adj []Adjustment) {
	var groups []string
	for _, a := range adj {
		found := false
		for _, g := range groups {
			found = found || g == a.Group
		}
		if !found {
			groups = append(groups, a.Group)
		}
	}
	for _, g := range groups {
		elems := []string{g}
		for _, a := range adj {
			if a.Group != g {
				continue
			}
			if len(elems) == 1+6*3 {
				s.simple("CAS", elems...)
				elems = elems[:1]
			}
			q := ""
			if a.Quantity != 0 {
				q = strconv.Itoa(a.Quantity)
			}
			elems = append(elems, a.Reason, a.Amount.X12(), q)
		}
		s.simple("CAS", elems...)
	}
}

// procedure is SV101 / SVD03: HC:code:mod1..mod4.
func procedure(code string, mods []string) x12.Value {
	var parts [2 + MaxModifiers]string
	parts[0], parts[1] = "HC", code
	n := copy(parts[2:], mods)
	return x12.C(parts[:2+n]...)
}

// pointers is SV107: up to four 1-based pointers into HI.
func pointers(p []int) x12.Value {
	var parts [MaxPointers]string
	n := 0
	for _, v := range p {
		if n == MaxPointers {
			break
		}
		parts[n] = strconv.Itoa(v)
		n++
	}
	return x12.C(parts[:n]...)
}

// ymd turns YYYY-MM-DD into CCYYMMDD.

func gender(g string) string {
	switch strings.ToUpper(g) {
	case "F", "FEMALE":
		return "F"
	case "M", "MALE":
		return "M"
	}
	return "U"
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// text makes free text safe for the wire: X12 has no escape, so a delimiter character in a
// name or address becomes a space instead of corrupting the file.
func text(v string) string {
	for i := 0; i < len(v); i++ {
		if x12.DefaultDelimiters.Has(v[i]) {
			return strings.Map(func(r rune) rune {
				if r < 256 && x12.DefaultDelimiters.Has(byte(r)) {
					return ' '
				}
				return r
			}, v)
		}
	}
	return v
}

// digits keeps only the digits (phone numbers, ZIP codes, tax ids arrive formatted).
func digits(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			var b strings.Builder
			for j := 0; j < len(v); j++ {
				if v[j] >= '0' && v[j] <= '9' {
					b.WriteByte(v[j])
				}
			}
			return b.String()
		}
	}
	return v
}
