package outbox

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/edigate/edigate/x12"
)

// PaidMessage is one payment message with the client of its session, as the store lists them
// in sequence order (store.StatementMessages).
type PaidMessage struct {
	ClientID string
	Message  Message
}

// StatementLine is one service line on a client's statement: what was billed, what the
// payer paid and what the client owes, with the patient-responsibility (CAS group PR)
// reasons in words.
type StatementLine struct {
	ClientID, SessionID, ClaimID string
	Date, Code                   string
	Charge, Paid, Patient        x12.Amount
	Reasons                      []string
	Check                        string
}

// Statements keeps, per claim line, the latest payment the payer made: a later payment of
// the same line replaces an earlier one, and a reversal (CLP02 22) without a new payment
// takes it off. since ("" for all, else YYYY-MM-DD) keeps lines of services on or after
// it. Lines come sorted by client, date, claim and line.
func Statements(msgs []PaidMessage, since string) []StatementLine {
	type key struct {
		claim, session string
		line           int
	}
	latest := map[key]StatementLine{}
	for _, pm := range msgs {
		m := pm.Message
		if m.Payment == nil {
			continue
		}
		for _, l := range m.Payment.Lines {
			k := key{m.ClaimID, m.SessionID, l.Line}
			if m.Event == Reversed {
				delete(latest, k)
				continue
			}
			sl := StatementLine{ClientID: pm.ClientID, SessionID: m.SessionID, ClaimID: m.ClaimID, Date: l.Date, Code: l.Code,
				Charge: l.Charge, Paid: l.Paid, Patient: l.PatientResponsibility, Check: m.Payment.Check}
			for _, a := range l.Adjustments {
				if a.Group == "PR" {
					sl.Reasons = append(sl.Reasons, fmt.Sprintf("%s %s (%s)", a.Words, Money(a.Amount), a.Reason))
				}
			}
			latest[k] = sl
		}
	}
	var out []StatementLine
	for _, l := range latest {
		if since == "" || l.Date >= since {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ClientID != b.ClientID {
			return a.ClientID < b.ClientID
		}
		if a.Date != b.Date {
			return a.Date < b.Date
		}
		if a.ClaimID != b.ClaimID {
			return a.ClaimID < b.ClaimID
		}
		return a.Code < b.Code
	})
	return out
}

// StatementHeader names the CSV columns.
var StatementHeader = []string{"Client", "Session", "Claim", "Date of service", "CPT", "Billed", "Paid by insurance", "Client owes", "Why the client owes", "Check or EFT"}

// WriteStatementsCSV writes lines as CSV with StatementHeader, dates as "Dec 4, 2026" and
// money as "$1,234.50".
func WriteStatementsCSV(w io.Writer, lines []StatementLine) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(StatementHeader); err != nil {
		return err
	}
	for _, l := range lines {
		if err := cw.Write([]string{cell(l.ClientID), cell(l.SessionID), cell(l.ClaimID), Date(l.Date), cell(l.Code), Money(l.Charge), Money(l.Paid),
			Money(l.Patient), cell(strings.Join(l.Reasons, "; ")), cell(l.Check)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a text a spreadsheet would run as a formula (=, +, -, @) text, with a quote:
// ids come from the practice system and the payer.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Money says an amount as a person reads it: "$1,234.50", "-$0.06".
func Money(a x12.Amount) string { return a.Dollars() }

// Date says a YYYY-MM-DD date as "Dec 4, 2026"; anything else as it is.
func Date(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("Jan 2, 2006")
}
