package main

import (
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
	d, err := remit.Read(ctx, in, remit.ReadOptions{Guides: guides.Registry, Classifier: remit.NewClassifier(cfg.RemitPayers()), CodeLists: cfg.CodeListPolicy()})
	code = exitOK
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate remit parse: %v\n", err)
		var other *remit.NotResponseError
		if errors.As(err, &other) {
			if hint, ok := otherSetHints[other.Set]; ok {
				fmt.Fprintf(a.stderr, "edigate remit parse: %s\n", hint)
			}
		}
		if !errors.Is(err, remit.ErrInvalid) || d == nil {
			return exitUsage
		}
		// The same verdict as x12 validate: invalid. What could be read is still shown,
		// with every finding located.
		code = exitInvalid
	}
	out := remitParseJSON{Groups: d.Acks, TA1: d.TA1s, Errors: toJSONErrors(d.Findings, true)}
	if d.Remittance != nil {
		out.Payments = d.Remittance.Payments
	}
	for _, s := range d.Statuses {
		out.Claims = append(out.Claims, s.Claims...)
	}
	if *jsonOut {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(a.stderr, "edigate remit parse: %v\n", err)
			return exitUsage
		}
		return max(code, unbalancedExit(a, out.Payments))
	}
	printRemit(a.stdout, &out)
	printLocated(a.stdout, d.Findings)
	return max(code, unbalancedExit(a, out.Payments))
}

// unbalancedExit is exitInvalid when a payment does not balance (printed all the same).
func unbalancedExit(a *app, payments []remit.Payment) int {
	n := 0
	for _, p := range payments {
		if !p.Balanced {
			n++
		}
	}
	if n == 0 {
		return exitOK
	}
	fmt.Fprintf(a.stderr, "edigate remit parse: %d payment(s) do not balance\n", n)
	return exitInvalid
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
