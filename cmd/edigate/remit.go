package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/ack"
	"github.com/edigate/edigate/x12/guides"
)

// runRemit dispatches the remit verbs.
func runRemit(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "remit", []command{
		{"parse", "read an 835, 277CA/277 or 999/TA1 file and print what it says", runRemitParse},
		{"post", "apply 835, 277CA/277 and 999/TA1 files to the claims in the store", runRemitPost},
	}, args)
}

// remitParseJSON is the shape of `remit parse --json`: payments for an 835, claims for a
// 277, groups (and TA1s) for a 999. A file holding several kinds fills several keys.
type remitParseJSON struct {
	Payments []remit.Payment     `json:"payments,omitempty"`
	Claims   []remit.ClaimStatus `json:"claims,omitempty"`
	Groups   []*ack.Ack999       `json:"groups,omitempty"`
	TA1      []ack.TA1           `json:"ta1,omitempty"`
	// Errors are every finding, located; the file is valid when there is none.
	Errors []jsonError `json:"errors,omitempty"`
}

func runRemitParse(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "remit parse", "FILE", "Read a response file (835 remittance, 277CA or 277 claim status, 999 or TA1)\nand print its payments, claim statuses or acknowledgements. Exit 1 when the file is not\nvalid (the verdict of x12 validate), not a response, or a payment in it does not balance:\nwhat could be read is still printed, followed by every error with where it is.")
	jsonOut := fs.Bool("json", false, "print JSON")
	cfgPath := fs.String("config", "", "configuration file for payer denial maps and appeal windows (default: APP_CONFIG, else built-in defaults)")
	in, _, code := parseFileArg(a, "remit parse", fs, args)
	if in == nil {
		return code
	}
	defer in.Close()
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate remit parse: %v\n", err)
		return exitUsage
	}
	// Streamed: each claim is printed as it is read and then dropped, so a 1 GB 835 is
	// parsed in the memory of its largest claim. The verdict comes at the end.
	out := bufio.NewWriterSize(a.stdout, 64<<10)
	pw := &parsePrinter{w: out, json: *jsonOut}
	d, err := remit.Stream(ctx, in, remit.ReadOptions{Guides: guides.Registry, Classifier: remit.NewClassifier(cfg.RemitPayers()), CodeLists: cfg.CodeListPolicy()},
		remit.Visitor{Payment: pw.payment, Claim: pw.claim, PaymentEnd: pw.paymentEnd, Status: pw.status})
	code = exitOK
	if err != nil {
		if d == nil || !errors.Is(err, remit.ErrInvalid) {
			out.Flush()
			fmt.Fprintf(a.stderr, "edigate remit parse: %v\n", err)
			return exitUsage
		}
		// The same verdict as x12 validate: invalid. What could be read is still shown,
		// with every finding located.
		code = exitInvalid
	}
	pw.finish(d)
	if werr := out.Flush(); werr != nil || pw.err != nil {
		fmt.Fprintf(a.stderr, "edigate remit parse: %v\n", errors.Join(werr, pw.err))
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate remit parse: %v\n", err)
		var other *remit.NotResponseError
		if errors.As(err, &other) {
			if hint, ok := otherSetHints[other.Set]; ok {
				fmt.Fprintf(a.stderr, "edigate remit parse: %s\n", hint)
			}
		}
	}
	if pw.unbalanced > 0 {
		fmt.Fprintf(a.stderr, "edigate remit parse: %d payment(s) do not balance\n", pw.unbalanced)
		code = max(code, exitInvalid)
	}
	return code
}

// parsePrinter prints what remit.Stream hands out as it comes: text, or the JSON of
// remitParseJSON written piece by piece (the keys and values are the same; a payment's
// balancing follows its claims, since it is known only then). Whichever of payments and
// 277 claims comes first is streamed; the other kind, in the rare file holding both, is
// kept and written after it.
type parsePrinter struct {
	w          *bufio.Writer
	json       bool
	err        error
	unbalanced int

	open     string // the JSON array being streamed: "payments" or "claims"
	n        int    // elements written in it
	nClaims  int    // claims written in the current payment
	keptPays []remit.Payment
	keptCur  *remit.Payment
	keptSts  []remit.ClaimStatus
}

func (pw *parsePrinter) write(b []byte) {
	if pw.err == nil {
		_, pw.err = pw.w.Write(b)
	}
}

// streams reports whether kind is the one streamed (opening its array if needed).
func (pw *parsePrinter) streams(kind string) bool {
	switch pw.open {
	case "":
		pw.open = kind
		pw.write([]byte("{\n  \"" + kind + "\": [\n"))
		return true
	case kind:
		return true
	}
	return false
}

// element writes v as the next element of the open array, indented like MarshalIndent.
func (pw *parsePrinter) element(v any, prefix string, n int) {
	b, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		pw.err = err
		return
	}
	if n > 0 {
		pw.write([]byte(",\n"))
	}
	pw.write([]byte(prefix))
	pw.write(b)
}

// balancedKey is where a payment's JSON turns from its header to its balancing and claims
// (Payment's field order); it cannot occur inside a JSON string, where quotes are escaped.
var balancedKey = []byte(",\n      \"balanced\": ")

func (pw *parsePrinter) payment(p *remit.Payment) error {
	if !pw.json {
		fmt.Fprintf(pw.w, "payment %s from %s on %s: %s\n", p.Check, p.Payer, x12.ISODate(p.Date), p.Total)
		return pw.err
	}
	if !pw.streams("payments") {
		pw.keptPays = append(pw.keptPays, *p)
		pw.keptCur = &pw.keptPays[len(pw.keptPays)-1]
		return nil
	}
	b, err := json.MarshalIndent(p, "    ", "  ")
	if err != nil {
		return err
	}
	i := bytes.Index(b, balancedKey)
	if i < 0 {
		return fmt.Errorf("payment JSON has no balanced key")
	}
	if pw.n > 0 {
		pw.write([]byte(",\n"))
	}
	pw.n++
	pw.write([]byte("    "))
	pw.write(b[:i])
	pw.write([]byte(",\n      \"claims\": ["))
	pw.nClaims = 0
	return pw.err
}

func (pw *parsePrinter) claim(_ *remit.Payment, _ int, c *remit.ClaimPayment) error {
	if !pw.json {
		fmt.Fprintf(pw.w, "  claim %s: %s, charge %s paid %s patient %s", c.PatientControl, c.StatusText, c.Charge, c.Paid, c.PatientResponsibility)
		if c.DenialCategory != "" {
			fmt.Fprintf(pw.w, "; denial %s -> %s by %s", c.DenialCategory, c.Action, c.AppealDue)
		}
		fmt.Fprintln(pw.w)
		for _, d := range c.Denials {
			fmt.Fprintf(pw.w, "    %s-%s %s %s\n", d.Group, d.Reason, d.Amount, d.Words)
		}
		return pw.err
	}
	if pw.open != "payments" {
		pw.keptCur.Claims = append(pw.keptCur.Claims, *c)
		return nil
	}
	if pw.nClaims == 0 {
		pw.write([]byte("\n"))
	}
	pw.element(c, "        ", pw.nClaims)
	pw.nClaims++
	return pw.err
}

func (pw *parsePrinter) paymentEnd(p *remit.Payment) error {
	if !p.Balanced {
		pw.unbalanced++
	}
	if !pw.json {
		bal := "balanced"
		if !p.Balanced {
			bal = fmt.Sprintf("NOT BALANCED (%d error(s))", len(p.BalanceErrors))
		}
		fmt.Fprintf(pw.w, "  payment %s: %s\n", p.Check, bal)
		for _, e := range p.BalanceErrors {
			fmt.Fprintf(pw.w, "  ! %s\n", e.Message)
		}
		for _, a := range p.PLB {
			fmt.Fprintf(pw.w, "  PLB %s %s %s\n", a.Reason, a.Reference, a.Amount)
		}
		return pw.err
	}
	if pw.open != "payments" {
		pw.keptCur.Balanced, pw.keptCur.BalanceErrors, pw.keptCur.PLB = p.Balanced, p.BalanceErrors, p.PLB
		return nil
	}
	if pw.nClaims > 0 {
		pw.write([]byte("\n      "))
	}
	pw.write([]byte("]"))
	// The balancing keys, as MarshalIndent writes them, from the payment as it ended.
	b, err := json.MarshalIndent(p, "    ", "  ")
	if err != nil {
		return err
	}
	i, j := bytes.Index(b, balancedKey), bytes.LastIndex(b, []byte(",\n      \"claims\": "))
	if i < 0 || j < i {
		return fmt.Errorf("payment JSON has no balanced key")
	}
	pw.write(b[i:j])
	pw.write([]byte("\n    }"))
	return pw.err
}

func (pw *parsePrinter) status(_ *remit.StatusReport, c *remit.ClaimStatus) error {
	if !pw.json {
		verdict := "accepted"
		switch {
		case c.Rejected:
			verdict = "REJECTED"
		case !c.Accepted:
			verdict = c.Category
		}
		fmt.Fprintf(pw.w, "claim %s: %s %s\n", c.PatientControl, verdict, c.Message)
		return pw.err
	}
	if !pw.streams("claims") {
		pw.keptSts = append(pw.keptSts, *c)
		return nil
	}
	pw.element(c, "    ", pw.n)
	pw.n++
	return pw.err
}

// finish prints what comes after the claims: the kind kept back, 999s, TA1s, and every
// finding located.
func (pw *parsePrinter) finish(d *remit.Document) {
	if !pw.json {
		printRemit(pw.w, &remitParseJSON{Groups: d.Acks, TA1: d.TA1s})
		printLocated(pw.w, d.Findings)
		return
	}
	rest := remitParseJSON{Groups: d.Acks, TA1: d.TA1s, Errors: toJSONErrors(d.Findings, true)}
	switch pw.open {
	case "payments":
		rest.Claims = pw.keptSts
	case "claims":
		rest.Payments = pw.keptPays
	}
	b, err := json.MarshalIndent(rest, "", "  ")
	if err != nil {
		pw.err = err
		return
	}
	b = bytes.TrimSpace(b)
	if pw.open == "" {
		pw.write(b)
		pw.write([]byte("\n"))
		return
	}
	pw.write([]byte("\n  ]"))
	if inner := bytes.TrimSpace(b[1 : len(b)-1]); len(inner) > 0 {
		pw.write([]byte(",\n  "))
		pw.write(inner)
	}
	pw.write([]byte("\n}\n"))
}

// printLocated lists a read-only command's findings after what it could read, each with
// where it is (segment, position, loop, element, byte offset) and its 999/TA1 code.
func printLocated(w io.Writer, errs []x12.Error) {
	if len(errs) == 0 {
		return
	}
	fmt.Fprintf(w, "%d error(s):\n", len(errs))
	for _, e := range errs {
		fmt.Fprintf(w, "  %s (byte %d)\n", e.Error(), e.Offset)
	}
}

// otherSetHints points from a transaction set remit parse does not read to the command that does.
var otherSetHints = map[string]string{
	"271": "this is an eligibility answer: use 'edigate eligibility parse FILE' (or 'eligibility apply' to record it)",
	"270": "this is an eligibility request we send: 'edigate x12 validate FILE' checks it",
	"837": "this is a claim file we send: 'edigate x12 validate FILE' checks it",
	"276": "this is a claim status request we send: 'edigate x12 validate FILE' checks it",
}

func printRemit(w io.Writer, out *remitParseJSON) {
	for _, p := range out.Payments {
		bal := "balanced"
		if !p.Balanced {
			bal = fmt.Sprintf("NOT BALANCED (%d error(s))", len(p.BalanceErrors))
		}
		fmt.Fprintf(w, "payment %s from %s on %s: %s, %d claim(s), %s\n", p.Check, p.Payer, x12.ISODate(p.Date), p.Total, len(p.Claims), bal)
		for _, e := range p.BalanceErrors {
			fmt.Fprintf(w, "  ! %s\n", e.Message)
		}
		for _, a := range p.PLB {
			fmt.Fprintf(w, "  PLB %s %s %s\n", a.Reason, a.Reference, a.Amount)
		}
		for _, c := range p.Claims {
			fmt.Fprintf(w, "  claim %s: %s, charge %s paid %s patient %s", c.PatientControl, c.StatusText, c.Charge, c.Paid, c.PatientResponsibility)
			if c.DenialCategory != "" {
				fmt.Fprintf(w, "; denial %s -> %s by %s", c.DenialCategory, c.Action, c.AppealDue)
			}
			fmt.Fprintln(w)
			for _, d := range c.Denials {
				fmt.Fprintf(w, "    %s-%s %s %s\n", d.Group, d.Reason, d.Amount, d.Words)
			}
		}
	}
	for _, c := range out.Claims {
		verdict := "accepted"
		switch {
		case c.Rejected:
			verdict = "REJECTED"
		case !c.Accepted:
			verdict = c.Category
		}
		fmt.Fprintf(w, "claim %s: %s %s\n", c.PatientControl, verdict, c.Message)
	}
	for _, g := range out.Groups {
		fmt.Fprintf(w, "999 for group %s (%s): %s, %d of %d set(s) accepted\n", g.GroupControl, g.FunctionalID, g.StatusMessage, g.Accepted, g.Received)
		for _, s := range g.Sets {
			fmt.Fprintf(w, "  set %s %s: %s\n", s.Set, s.Control, s.StatusMessage)
			for _, e := range s.Errors {
				fmt.Fprintf(w, "    %s at %d: %s\n", e.Segment, e.Position, e.Message)
				for _, el := range e.Elements {
					fmt.Fprintf(w, "      element %d: %s\n", el.Position, el.Message)
				}
			}
		}
	}
	for _, t := range out.TA1 {
		fmt.Fprintf(w, "TA1 for interchange %s: %s (%s)\n", t.Control, t.StatusMessage, t.NoteMessage)
	}
}
