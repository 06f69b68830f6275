package x12

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// TA1 note codes (TA105) used by the envelope checks.
const (
	TA1OK               = "000"
	TA1ControlMismatch  = "001" // ISA13 != IEA02
	TA1BadDate          = "014"
	TA1BadTime          = "015"
	TA1BadVersion       = "017" // ISA12
	TA1BadControl       = "018" // ISA13 not 9 digits
	TA1BadAckRequested  = "019" // ISA14
	TA1BadUsage         = "020" // ISA15
	TA1GroupCount       = "021" // IEA01 != groups
	TA1ControlStructure = "022"
	TA1PrematureEOF     = "023" // missing IEA
	TA1InvalidContent   = "024"
	TA1DuplicateControl = "025"
	TA1BadElementSep    = "026"
	TA1BadComponentSep  = "027"
)

// 999 AK905 codes (functional group).
const (
	AK9NotSupported       = "1"
	AK9VersionUnsupported = "2"
	AK9TrailerMissing     = "3"
	AK9ControlMismatch    = "4"
	AK9SetCount           = "5"
	AK9ControlSyntax      = "6"
	AK9DuplicateControl   = "19"
)

// 999 IK502 codes (transaction set).
const (
	IK5NotSupported     = "1"
	IK5TrailerMissing   = "2"
	IK5ControlMismatch  = "3"
	IK5SegmentCount     = "4"
	IK5SegmentsInError  = "5"
	IK5BadSetID         = "6"
	IK5BadControl       = "7"
	IK5BadConvention    = "19" // ST03 disagrees with GS08
	IK5DuplicateControl = "23"
)

// functionalIDs maps GS01 to the transaction sets it may carry (X12 5010 HIPAA and the
// common non-HIPAA ones), so an unknown GS01 or a set in the wrong group is reported
// even when no guide is loaded.
var functionalIDs = map[string][]string{
	"HS": {"270"}, "HB": {"271"}, "HC": {"837"}, "HP": {"835"}, "HN": {"277"}, "FA": {"999", "997"},
	"HR": {"276"}, "HI": {"278"}, "BE": {"834"}, "RA": {"820"}, "HP2": nil,
}

// Next returns the next transaction set with its tree (unless NoTree) and errors, or
// io.EOF after the last one. A fatal tokenizer error is returned once (after any
// transaction set it cut short), and recorded in Result().Fatal.
func (p *Parser) Next() (*Transaction, error) {
	if p.done {
		return nil, p.doneErr
	}
	if p.pending != nil {
		return nil, p.finish(p.pending)
	}
	for {
		seg, err := p.read()
		if err != nil {
			return nil, p.finish(err)
		}
		switch {
		case seg.Is("ST"):
			return p.transaction(seg), nil
		case seg.Is("ISA"):
			p.closeInterchange(seg, "ISA")
			p.openInterchange(seg)
		case seg.Is("IEA"):
			p.endInterchange(seg)
		case seg.Is("GS"):
			p.openGroup(seg)
		case seg.Is("GE"):
			p.endGroup(seg)
		case seg.Is("TA1"):
			p.ta1(seg)
		default:
			p.stray(seg)
		}
	}
}

// read returns the reader's current segment again after a pushback, else the next one.
func (p *Parser) read() (*Segment, error) {
	if p.pushback {
		p.pushback = false
		return &p.rd.seg, nil
	}
	return p.rd.Next()
}

// finish closes whatever is open at the end of input and makes err sticky.
func (p *Parser) finish(err error) error {
	p.done = true
	p.blankWarnings()
	if errors.Is(err, io.EOF) {
		p.closeInterchange(nil, "end of file")
		if len(p.res.Interchanges) == 0 && len(p.res.Errors) == 0 {
			// Empty input (or blank lines only) is no X12 file: every command says so.
			p.res.Errors = append(p.res.Errors, Error{Level: LevelInterchange, Code: TA1PrematureEOF,
				Message: "no interchange (ISA) in the file", Offset: p.rd.Offset()})
		}
		p.doneErr = io.EOF
		return io.EOF
	}
	p.res.Fatal = err
	code := TA1ControlStructure
	var se *SyntaxError
	off := p.rd.Offset()
	if errors.As(err, &se) {
		off = se.Offset
		if se.Code != "" {
			code = se.Code
		}
	}
	fe := Error{Level: LevelInterchange, Code: code, Message: err.Error(), Offset: off}
	if p.ic != nil {
		fe.Control = p.ic.Control
		p.ic.Errors = append(p.ic.Errors, fe)
		p.closeInterchange(nil, "a fatal error")
	} else {
		p.res.Errors = append(p.res.Errors, fe)
	}
	p.doneErr = err
	return err
}

// blankWarnings turns the reader's leading blanks into warnings, each at its segment.
func (p *Parser) blankWarnings() {
	bs, n := p.rd.Blanks()
	for _, b := range bs {
		p.res.Warnings = append(p.res.Warnings, Error{Level: LevelInterchange, Code: WarnLeadingBlank, Offset: b.Offset,
			Message: fmt.Sprintf("spaces or tabs before segment %d (byte %d) were skipped", b.Segment, b.Offset)})
	}
	if n > len(bs) {
		p.res.Warnings = append(p.res.Warnings, Error{Level: LevelInterchange, Code: WarnLeadingBlank,
			Message: fmt.Sprintf("%d more segments have leading spaces or tabs (at most %d are listed)", n-len(bs), maxBlanks)})
	}
}

func (p *Parser) icErr(seg *Segment, code, elem, format string, args ...any) {
	e := Error{Level: LevelInterchange, Code: code, Element: elem, Message: fmt.Sprintf(format, args...)}
	if seg != nil {
		e.Segment, e.Offset = seg.ID(), seg.Offset
	}
	if p.ic == nil {
		p.res.Errors = append(p.res.Errors, e)
		return
	}
	e.Control = p.ic.Control
	p.ic.Errors = append(p.ic.Errors, e)
	if p.ic.TA1Note == TA1OK {
		p.ic.TA1Note = code
	}
}

func (p *Parser) grpErr(seg *Segment, code, elem, format string, args ...any) {
	e := Error{Level: LevelGroup, Code: code, Element: elem, Message: fmt.Sprintf(format, args...)}
	if seg != nil {
		e.Segment, e.Offset = seg.ID(), seg.Offset
	}
	if p.grp == nil {
		p.icErr(seg, TA1InvalidContent, elem, format, args...)
		return
	}
	e.Control = p.grp.Control
	p.grp.Errors = append(p.grp.Errors, e)
}

func trimmed(b []byte) string { return strings.TrimSpace(string(b)) }

func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (p *Parser) openInterchange(seg *Segment) {
	p.res.Interchanges = append(p.res.Interchanges, InterchangeResult{
		Control: string(seg.Element(13)), SenderQual: trimmed(seg.Element(5)), Sender: trimmed(seg.Element(6)),
		ReceiverQual: trimmed(seg.Element(7)), Receiver: trimmed(seg.Element(8)),
		Date: string(seg.Element(9)), Time: string(seg.Element(10)), Version: string(seg.Element(12)),
		Usage: string(seg.Element(15)), AckRequested: string(seg.Element(14)) == "1",
		Delimiters: seg.Delims, Offset: seg.Offset, TA1Note: TA1OK,
	})
	p.ic = &p.res.Interchanges[len(p.res.Interchanges)-1]
	p.grp, p.groups, p.sawGS = nil, 0, false
	ic := p.ic
	p.env = Envelope{SenderQual: ic.SenderQual, Sender: ic.Sender, ReceiverQual: ic.ReceiverQual,
		Receiver: ic.Receiver, ISAControl: ic.Control, AckRequested: ic.AckRequested, Usage: ic.Usage}

	// ISA (5010): the fixed width is enforced by the tokenizer; these are the field values.
	if !allDigits(seg.Element(13)) || len(seg.Element(13)) != 9 {
		p.icErr(seg, TA1BadControl, "ISA13", "interchange control number must be 9 digits")
	}
	if _, dup := p.isaSeen[ic.Control]; dup {
		p.icErr(seg, TA1DuplicateControl, "ISA13", "interchange control number %s is used twice in this file", ic.Control)
	}
	p.isaSeen[ic.Control] = struct{}{}
	if !validDate(seg.Element(9), true) {
		p.icErr(seg, TA1BadDate, "ISA09", "interchange date is not a valid YYMMDD date")
	}
	if !validTime(seg.Element(10)) {
		p.icErr(seg, TA1BadTime, "ISA10", "interchange time is not a valid HHMM time")
	}
	if ic.Version != "00501" {
		p.icErr(seg, TA1BadVersion, "ISA12", "interchange version %q is not 00501 (X12 5010)", ic.Version)
	}
	if a := string(seg.Element(14)); a != "0" && a != "1" {
		p.icErr(seg, TA1BadAckRequested, "ISA14", "acknowledgment requested must be 0 or 1")
	}
	if ic.Usage != "T" && ic.Usage != "P" {
		p.icErr(seg, TA1BadUsage, "ISA15", "usage indicator must be T or P")
	}
	if seg.Delims.Segment == '\n' {
		// A bare LF as terminator cannot be told from the optional line break after each
		// terminator that most senders write, so such files are read differently by every
		// other reader. CR (with or without a following LF) is common from payers and is
		// read as the terminator, the LF as the optional line break.
		p.icErr(seg, TA1InvalidContent, "", "segment terminator is a bare line feed; use CR, CR LF or a printable terminator such as ~")
	}
}

// trailer locates the last of errs, a missing trailer, at the segment that came in its
// place (seg), or at the end of the readable input.
func (p *Parser) trailer(errs []Error, id string, seg *Segment) {
	if len(errs) == 0 {
		return
	}
	e := &errs[len(errs)-1]
	e.Segment, e.Offset = id, p.rd.Offset()
	if seg != nil {
		e.Offset = seg.Offset
	}
}

// closeInterchange reports an interchange still open when next (ISA or EOF) arrives.
func (p *Parser) closeInterchange(seg *Segment, next string) {
	if p.ic == nil {
		return
	}
	if p.grp != nil {
		p.grpErr(seg, AK9TrailerMissing, "", "no GE before %s", next) // printed under its group
		p.trailer(p.grp.Errors, "GE", seg)
		p.grp = nil
	}
	p.icErr(seg, TA1PrematureEOF, "", "no IEA before %s", next) // printed under its interchange
	p.trailer(p.ic.Errors, "IEA", seg)
	p.ic = nil
}

func (p *Parser) endInterchange(seg *Segment) {
	if p.ic == nil {
		p.icErr(seg, TA1ControlStructure, "", "IEA without a matching ISA")
		return
	}
	if p.grp != nil {
		p.grpErr(seg, AK9TrailerMissing, "", "no GE before IEA") // printed under its group
		p.grp = nil
	}
	if c := string(seg.Element(2)); c != p.ic.Control {
		p.icErr(seg, TA1ControlMismatch, "IEA02", "IEA02 %q does not match ISA13 %q", c, p.ic.Control)
	}
	if n, ok := atoi(seg.Element(1)); !ok || n != p.groups {
		p.icErr(seg, TA1GroupCount, "IEA01", "IEA01 says %q functional groups, the interchange has %d", seg.Element(1), p.groups)
	}
	p.ic = nil
}

func (p *Parser) openGroup(seg *Segment) {
	if p.ic == nil {
		p.icErr(seg, TA1ControlStructure, "", "GS outside an interchange")
	}
	if p.grp != nil {
		p.grpErr(seg, AK9TrailerMissing, "", "no GE before the next GS") // printed under its group
	}
	g := GroupResult{FunctionalID: string(seg.Element(1)), Sender: string(seg.Element(2)),
		Receiver: string(seg.Element(3)), Control: string(seg.Element(6)), Version: string(seg.Element(8))}
	p.sets, p.sawGS, p.noGuide = 0, true, false
	p.stSeen = map[string]struct{}{}
	if p.ic == nil {
		p.grp = &g // checked, but belongs to no interchange
	} else {
		p.groups++
		p.ic.Groups = append(p.ic.Groups, g)
		p.grp = &p.ic.Groups[len(p.ic.Groups)-1]
	}
	p.env.FunctionalID, p.env.GSSender, p.env.GSReceiver = g.FunctionalID, g.Sender, g.Receiver
	p.env.GSControl, p.env.Version = g.Control, g.Version
	p.env.Date, p.env.Time = string(seg.Element(4)), string(seg.Element(5))

	if _, ok := functionalIDs[g.FunctionalID]; !ok {
		p.grpErr(seg, AK9NotSupported, "GS01", "functional identifier %q is not supported", g.FunctionalID)
	}
	if !allDigits(seg.Element(6)) || len(g.Control) > 9 {
		p.grpErr(seg, AK9ControlSyntax, "GS06", "group control number must be 1-9 digits")
	}
	if _, dup := p.gsSeen[g.Control]; dup {
		p.grpErr(seg, AK9DuplicateControl, "GS06", "group control number %s is used twice in this file", g.Control)
	}
	p.gsSeen[g.Control] = struct{}{}
	// AK905 has no code for a bad GS date or time; TA105 024 names an invalid GS.
	if !validDate(seg.Element(4), false) {
		p.icErr(seg, TA1InvalidContent, "GS04", "group date is not a valid CCYYMMDD date")
	}
	if !validTime(seg.Element(5)) {
		p.icErr(seg, TA1InvalidContent, "GS05", "group time is not a valid HHMM[SS[dd]] time")
	}
	p.versionCheck(seg, g.Version)
}

// versionCheck reports a GS08 edigate has no guide for (AK905 2), naming the versions it
// does check, so that a 4010 or pre-addenda file is not taken as checked and valid.
func (p *Parser) versionCheck(seg *Segment, v string) {
	vl, ok := p.opts.Guides.(VersionLister)
	if !ok {
		if !strings.HasPrefix(v, "00501") {
			p.grpErr(seg, AK9VersionUnsupported, "GS08", "group version %q is not a 005010 guide", v)
		}
		return
	}
	known := vl.Versions()
	for _, k := range known {
		if k == v {
			return
		}
	}
	list := strings.Join(known, ", ")
	p.noGuide = true
	switch {
	case strings.HasPrefix(v, "00401"):
		p.grpErr(seg, AK9VersionUnsupported, "GS08", "group version %q is X12 4010, replaced by the HIPAA 5010 guides; supported versions: %s", v, list)
		return
	case !strings.HasPrefix(v, "00501"):
		p.grpErr(seg, AK9VersionUnsupported, "GS08", "group version %q is not a 005010 guide; supported versions: %s", v, list)
		return
	}
	p.noGuide = true
	for _, k := range known {
		if strings.Contains(v, "X") && strings.HasPrefix(k, v) {
			p.grpErr(seg, AK9VersionUnsupported, "GS08", "group version %q is the guide before its HIPAA addenda; HIPAA requires %s (supported versions: %s)", v, k, list)
			return
		}
	}
	p.grpErr(seg, AK9VersionUnsupported, "GS08", "group version %q is no guide edigate checks; supported versions: %s (use envelope-only validation for other versions)", v, list)
}

func (p *Parser) endGroup(seg *Segment) {
	if p.grp == nil {
		p.icErr(seg, TA1ControlStructure, "", "GE without a matching GS")
		return
	}
	if c := string(seg.Element(2)); c != p.grp.Control {
		p.grpErr(seg, AK9ControlMismatch, "GE02", "GE02 %q does not match GS06 %q", c, p.grp.Control)
	}
	if n, ok := atoi(seg.Element(1)); !ok || n != p.sets {
		p.grpErr(seg, AK9SetCount, "GE01", "GE01 says %q transaction sets, the group has %d", seg.Element(1), p.sets)
	}
	p.grp = nil
}

func (p *Parser) ta1(seg *Segment) {
	if p.ic == nil || p.sawGS {
		p.icErr(seg, TA1ControlStructure, "", "TA1 is allowed only inside an interchange, before any GS")
		return
	}
	p.res.TA1s = append(p.res.TA1s, seg.Clone())
}

// stray reports a segment outside any transaction set.
func (p *Parser) stray(seg *Segment) {
	if id := seg.ID(); len(id) > 3 {
		// No segment ID is longer than 3 characters: the file does not separate elements
		// with the separator its ISA declares (ISA04 position), so nothing after it can be read.
		if p.ic != nil && p.badSeps == p.ic {
			return
		}
		p.badSeps = p.ic
		p.icErr(seg, TA1InvalidContent, "", "segment %d at byte %d (%.12q...) has no element separator %q: the file does not use the separators its ISA declares (later segments alike are not listed)",
			seg.Index, seg.Offset, id, string(seg.Delims.Element))
		return
	}
	if p.grp != nil {
		p.grpErr(seg, AK9NotSupported, "", "segment %s outside a transaction set (ST..SE)", seg.ID())
		return
	}
	p.icErr(seg, TA1InvalidContent, "", "segment %s outside a functional group (GS..GE)", seg.ID())
}

// atoi parses an unsigned decimal without allocating.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// transaction reads ST..SE (or up to the envelope segment that cuts it short).
func (p *Parser) transaction(st *Segment) *Transaction {
	t := &Transaction{Envelope: p.env, Set: string(st.Element(1)), Control: string(st.Element(2))}
	version := string(st.Element(3))
	if version == "" {
		version = p.env.Version
	}
	var g *Guide
	if p.opts.Guides != nil {
		g = p.opts.Guides.Lookup(t.Set, version)
	}
	var cg *cGuide
	if g != nil {
		cg = p.compile(g)
		if cg != nil {
			t.Guide = cg.g
		}
	}
	tx := &p.tx
	tx.maxErr = p.opts.MaxErrors
	switch {
	case tx.maxErr == 0:
		tx.maxErr = DefaultMaxErrors
	case tx.maxErr < 0:
		tx.maxErr = 0
	}
	tx.lists = p.opts.CodeLists
	tree := !p.opts.NoTree
	if p.opts.Tree != nil {
		tree = p.opts.Tree(t.Set)
	}
	tx.begin(t, cg, tree)
	tx.visit = p.opts.Segment
	p.sets++
	if p.grp == nil {
		p.icErr(st, TA1ControlStructure, "", "ST outside a functional group")
	}
	p.setChecks(t, st)
	if cg == nil && p.noGuide {
		t.addTxAt(IK5NotSupported, st, "ST01", "transaction set %s %s is not checked: its group's version %q has no guide", t.Set, t.Control, version)
	}
	tx.feed(st)

	for {
		seg, err := p.rd.Next()
		if err != nil {
			// Keep the error for the next call; this transaction ends here.
			p.done, p.doneErr = false, nil
			tx.end(nil)
			p.missing(t, "transaction set %s has no SE (input ends or is unreadable)", t.Control)
			p.record(t)
			p.pending = err
			return t
		}
		if seg.Is("SE") {
			tx.feed(seg)
			tx.end(seg)
			if c := string(seg.Element(2)); c != t.Control {
				t.addTxAt(IK5ControlMismatch, seg, "SE02", "SE02 %q does not match ST02 %q", c, t.Control)
			}
			if n, ok := atoi(seg.Element(1)); !ok || n != t.Segments {
				t.addTxAt(IK5SegmentCount, seg, "SE01", "SE01 says %q segments, the transaction set has %d (ST..SE)", seg.Element(1), t.Segments)
			}
			break
		}
		if seg.Is("ST") || seg.Is("GE") || seg.Is("GS") || seg.Is("IEA") || seg.Is("ISA") {
			p.pushback = true
			tx.end(nil)
			p.missing(t, "transaction set %s has no SE before %s", t.Control, seg.ID())
			break
		}
		tx.feed(seg)
	}
	p.record(t)
	return t
}

// setChecks are the ST-level envelope checks (IK5).
func (p *Parser) setChecks(t *Transaction, st *Segment) {
	if len(t.Control) < 4 || len(t.Control) > 9 {
		t.addTxAt(IK5BadControl, st, "ST02", "transaction set control number %q must be 4-9 characters", t.Control)
	}
	if _, dup := p.stSeen[t.Control]; dup {
		t.addTxAt(IK5DuplicateControl, st, "ST02", "transaction set control number %s is used twice in this group", t.Control)
	}
	p.stSeen[t.Control] = struct{}{}
	if p.grp != nil {
		sets, known := functionalIDs[p.grp.FunctionalID]
		if known {
			ok := false
			for _, s := range sets {
				ok = ok || s == t.Set
			}
			if !ok {
				t.addTxAt(IK5BadSetID, st, "ST01", "transaction set %q does not belong in a %s functional group", t.Set, p.grp.FunctionalID)
			}
		}
		if v := st.Element(3); len(v) > 0 && string(v) != p.grp.Version {
			t.addTxAt(IK5BadConvention, st, "ST03", "ST03 %q does not match GS08 %q", v, p.grp.Version)
		}
	}
}

// record adds the finished transaction to its group's results.
func (p *Parser) record(t *Transaction) {
	if t.Guide != nil && t.Root != nil {
		for _, check := range t.Guide.Checks {
			for _, e := range check(t) {
				if e.Set == "" {
					e.Set, e.Control = t.Set, t.Control
				}
				t.Errors = append(t.Errors, e)
			}
		}
	}
	// Findings dropped by MaxErrors were segment or element errors: the set stays rejected
	// even when none of them could be kept.
	hasSeg := p.tx.dropped > 0
	for _, e := range t.Errors {
		hasSeg = hasSeg || e.Level == LevelSegment || e.Level == LevelElement
	}
	if hasSeg {
		msg := "one or more segments in error"
		if n := p.tx.dropped; n > 0 {
			msg = fmt.Sprintf("%s; %d more errors are not listed (at most %d are kept per transaction set)", msg, n, p.tx.maxErr)
		}
		t.Errors = append(t.Errors, Error{Level: LevelTransaction, Set: t.Set, Control: t.Control,
			Code: IK5SegmentsInError, Message: msg})
	}
	for _, w := range t.Warnings {
		w.Set, w.Control = t.Set, t.Control
		p.res.Warnings = append(p.res.Warnings, w)
	}
	if p.grp == nil {
		return
	}
	sr := SetResult{Set: t.Set, Control: t.Control, Segments: t.Segments, Errors: t.Errors, Accepted: t.Valid()}
	if t.Guide != nil {
		sr.Guide = t.Guide.Version
	}
	p.grp.Sets = append(p.grp.Sets, sr)
}

// missing reports a transaction set without SE at the place its SE was expected: the
// offset of the segment that cut it short, or of the end of the readable input.
func (p *Parser) missing(t *Transaction, format string, args ...any) {
	t.addTx(IK5TrailerMissing, nil, format, args...)
	e := &t.Errors[len(t.Errors)-1]
	e.Segment, e.Offset = "SE", p.rd.Offset()
	if p.pushback {
		e.Offset = p.rd.seg.Offset
	}
}

func (t *Transaction) addTx(code string, seg *Segment, format string, args ...any) {
	t.addTxAt(code, seg, "", format, args...)
}

func (t *Transaction) addTxAt(code string, seg *Segment, elem, format string, args ...any) {
	e := Error{Level: LevelTransaction, Set: t.Set, Control: t.Control, Code: code, Element: elem,
		Message: fmt.Sprintf(format, args...)}
	if seg != nil {
		e.Segment, e.Offset = seg.ID(), seg.Offset
	}
	t.Errors = append(t.Errors, e)
}
