package remit

import (
	"fmt"
	"strings"

	"github.com/edigate/edigate/x12"
)

// Guide versions of the two 277s.
const (
	Version277CA = "005010X214" // claim acknowledgment
	Version277   = "005010X212" // claim status response
	Version276   = "005010X212" // claim status request
)

// StatusReport is one 277 transaction set: a 277CA (X214) or a claim status response (X212).
type StatusReport struct {
	Version    string `json:"version"`
	ISAControl string `json:"isa_control,omitempty"`
	Control    string `json:"control,omitempty"`   // ST02
	Reference  string `json:"reference,omitempty"` // BHT03
	// Batch totals of a 277CA (2200B QTY*90 / QTY*AA).
	AcceptedCount *int          `json:"accepted_count,omitempty"`
	RejectedCount *int          `json:"rejected_count,omitempty"`
	Claims        []ClaimStatus `json:"claims"`
}

// ClaimStatus is the payer's or clearinghouse's word on one claim (2200D or 2200D/E).
type ClaimStatus struct {
	PatientControl string       `json:"patient_control"` // 277CA TRN02 (= CLM01); X212 REF*EJ, else TRN02
	Trace          string       `json:"trace,omitempty"` // TRN02 as sent
	Category       string       `json:"category"`        // STC01-1 of the first status
	Status         string       `json:"status"`          // STC01-2
	Entity         string       `json:"entity,omitempty"`
	Accepted       bool         `json:"accepted"`
	Rejected       bool         `json:"rejected"`
	Finalized      bool         `json:"finalized,omitempty"` // X212 F categories
	Pending        bool         `json:"pending,omitempty"`   // X212 P categories
	PayerClaim     string       `json:"payer_claim"`         // REF*1K
	Message        string       `json:"message"`
	Date           string       `json:"date,omitempty"`   // STC02
	Charge         *x12.Amount  `json:"charge,omitempty"` // STC04
	Paid           *x12.Amount  `json:"paid,omitempty"`   // STC05 (X212)
	ServiceDate    string       `json:"service_date,omitempty"`
	Statuses       []StatusCode `json:"statuses"`
	Lines          []LineStatus `json:"lines,omitempty"`
}

// StatusCode is one STC composite with its words.
type StatusCode struct {
	Category     string `json:"category"`
	CategoryText string `json:"category_text"`
	Code         string `json:"code"`
	CodeText     string `json:"code_text,omitempty"`
	Entity       string `json:"entity,omitempty"`
	EntityText   string `json:"entity_text,omitempty"`
}

// String renders the status in words for queues and messages.
func (s StatusCode) String() string {
	out := s.Category + " " + s.CategoryText
	if s.Code != "" {
		out += "; " + s.Code
		if s.CodeText != "" {
			out += " " + s.CodeText
		}
	}
	if s.EntityText != "" {
		out += " (" + s.EntityText + ")"
	}
	return out
}

// LineStatus is one service line status (2220D/E SVC + STC).
type LineStatus struct {
	Code     string       `json:"code"`
	Charge   x12.Amount   `json:"charge"`
	Paid     x12.Amount   `json:"paid"`
	Date     string       `json:"date,omitempty"`
	Control  string       `json:"control,omitempty"` // REF*FJ line item control number
	Statuses []StatusCode `json:"statuses"`
}

// Map277 reads a 277CA (X214) or 277 claim status response (X212) transaction set.
func Map277(tx *x12.Transaction) (*StatusReport, error) {
	segs, err := setSegments(tx, "277")
	if err != nil {
		return nil, err
	}
	m := &map277{r: &StatusReport{Version: tx.Envelope.Version, ISAControl: tx.Envelope.ISAControl, Control: tx.Control,
		Claims: []ClaimStatus{}}}
	for _, s := range segs {
		if err := m.segment(s); err != nil {
			return nil, err
		}
	}
	for i := range m.r.Claims {
		m.r.Claims[i].settle()
	}
	return m.r, nil
}

// map277 is Map277's state between segments: the HL level being read, and the claim
// (2200D/E) and service line (2220D/E) under it.
type map277 struct {
	r     *StatusReport
	level string // HL03 of the current level
	clm   *ClaimStatus
	line  *LineStatus
}

// segment takes one segment into the report.
func (m *map277) segment(s *x12.Segment) error {
	switch s.ID() {
	case "ST":
		if v := s.Str(3); v != "" {
			m.r.Version = v
		}
	case "BHT":
		m.r.Reference = s.Str(3)
	case "HL":
		m.level, m.clm, m.line = s.Str(3), nil, nil
	case "TRN":
		m.claim(s)
	case "QTY":
		return m.batchCount(s)
	case "STC":
		return m.status(s)
	case "REF":
		m.reference(s)
	case "DTP":
		m.serviceDate(s)
	case "SVC":
		return m.serviceLine(s)
	}
	return nil
}

// claim opens a claim status (2200D/E TRN*2) when the level is one claims hang from.
func (m *map277) claim(s *x12.Segment) {
	if s.Str(1) != "2" || !claimLevel(m.level) {
		return
	}
	m.r.Claims = append(m.r.Claims, ClaimStatus{PatientControl: s.Str(2), Trace: s.Str(2), Statuses: []StatusCode{}})
	m.clm, m.line = &m.r.Claims[len(m.r.Claims)-1], nil
}

// batchCount reads the 277CA batch totals (2200B QTY*90 accepted, QTY*AA rejected); a
// QTY inside a claim is not a batch total.
func (m *map277) batchCount(s *x12.Segment) error {
	if m.clm != nil {
		return nil
	}
	n := 0
	if _, err := fmt.Sscanf(s.Str(2), "%d", &n); err != nil {
		return fmt.Errorf("277 QTY at position %d: QTY02 %q: %w", s.Index, s.Str(2), err)
	}
	switch s.Str(1) {
	case "90":
		m.r.AcceptedCount = &n
	case "AA":
		m.r.RejectedCount = &n
	}
	return nil
}

// status adds an STC to the current line, else the current claim; the claim's first STC
// also carries its date, charge, paid amount and free-text message.
func (m *map277) status(s *x12.Segment) error {
	if m.clm == nil {
		return nil // information source / receiver / provider level status
	}
	codes := readSTC(s)
	if m.line != nil {
		m.line.Statuses = append(m.line.Statuses, codes...)
		return nil
	}
	clm := m.clm
	if len(clm.Statuses) == 0 {
		clm.Date = s.Str(2)
		if v := s.Str(4); v != "" {
			a, err := x12.ParseAmount(v)
			if err != nil {
				return fmt.Errorf("277 STC at position %d: STC04: %w", s.Index, err)
			}
			clm.Charge = &a
		}
		if v := s.Str(5); v != "" {
			a, err := x12.ParseAmount(v)
			if err != nil {
				return fmt.Errorf("277 STC at position %d: STC05: %w", s.Index, err)
			}
			clm.Paid = &a
		}
		clm.Message = s.Str(12)
	}
	clm.Statuses = append(clm.Statuses, codes...)
	return nil
}

// reference reads a line's REF*FJ, and a claim's REF*1K (payer claim) and REF*EJ
// (patient control number in the X212 response).
func (m *map277) reference(s *x12.Segment) {
	switch {
	case m.clm == nil:
	case m.line != nil && s.Str(1) == "FJ":
		m.line.Control = s.Str(2)
	case m.line == nil && s.Str(1) == "1K":
		m.clm.PayerClaim = s.Str(2)
	case m.line == nil && s.Str(1) == "EJ":
		m.clm.PatientControl = s.Str(2)
	}
}

// serviceDate reads DTP*472 into the current line, else the current claim.
func (m *map277) serviceDate(s *x12.Segment) {
	if m.clm == nil || s.Str(1) != "472" {
		return
	}
	if m.line != nil {
		m.line.Date = s.Str(3)
	} else {
		m.clm.ServiceDate = s.Str(3)
	}
}

// serviceLine opens a service line status (2220D/E SVC) under the current claim.
func (m *map277) serviceLine(s *x12.Segment) error {
	if m.clm == nil {
		return nil
	}
	l := LineStatus{Code: string(s.Component(1, 2)), Statuses: []StatusCode{}}
	var err error
	if l.Charge, err = x12.ParseAmount(s.Str(2)); err != nil {
		return fmt.Errorf("277 SVC at position %d: SVC02: %w", s.Index, err)
	}
	if v := s.Str(3); v != "" {
		if l.Paid, err = x12.ParseAmount(v); err != nil {
			return fmt.Errorf("277 SVC at position %d: SVC03: %w", s.Index, err)
		}
	}
	m.clm.Lines = append(m.clm.Lines, l)
	m.line = &m.clm.Lines[len(m.clm.Lines)-1]
	return nil
}

// claimLevel reports whether an HL03 is the level claims hang from: PT in the 277CA,
// 22 (subscriber) or 23 (dependent) in the X212 response.
func claimLevel(hl string) bool { return hl == "PT" || hl == "22" || hl == "23" }

// readSTC reads STC01 and the further statuses of STC10 and STC11.
func readSTC(s *x12.Segment) []StatusCode {
	var out []StatusCode
	for _, n := range []int{1, 10, 11} {
		cat := string(s.Component(n, 1))
		if cat == "" {
			continue
		}
		code, ent := string(s.Component(n, 2)), string(s.Component(n, 3))
		out = append(out, StatusCode{Category: cat, CategoryText: CategoryWords(cat), Code: code,
			CodeText: StatusWords(code), Entity: ent, EntityText: EntityWords(ent)})
	}
	return out
}

// settle derives the summary fields from the claim's statuses: any rejection wins, since a
// rejected claim never reaches adjudication whatever else the 277CA says about it.
func (c *ClaimStatus) settle() {
	if len(c.Statuses) == 0 {
		return
	}
	first := c.Statuses[0]
	c.Category, c.Status, c.Entity = first.Category, first.Code, first.Entity
	for _, st := range c.Statuses {
		switch {
		case RejectedCategory(st.Category):
			c.Rejected = true
		case st.Category == "A2" || st.Category == "A5":
			c.Accepted = true
		case strings.HasPrefix(st.Category, "F"):
			c.Finalized = true
		case strings.HasPrefix(st.Category, "P"):
			c.Pending = true
		}
	}
	if c.Rejected {
		c.Accepted = false
	}
	// The summary is the status that decides: the rejection, else the acceptance (an A1
	// receipt often comes before the A2).
	for _, st := range c.Statuses {
		if (c.Rejected && RejectedCategory(st.Category)) || (c.Accepted && (st.Category == "A2" || st.Category == "A5")) {
			c.Category, c.Status, c.Entity = st.Category, st.Code, st.Entity
			break
		}
	}
	if c.Message == "" {
		var parts []string
		for _, st := range c.Statuses {
			parts = append(parts, st.String())
		}
		c.Message = strings.Join(parts, "; ")
	}
}
