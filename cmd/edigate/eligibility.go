package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

func runEligibility(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "eligibility", []command{
		{"build", "list (or with --write, write) the 270 inquiries due now", runEligibilityBuild},
		{"parse", "map a 271 file into coverage answers", runEligibilityParse},
		{"apply", "apply a 271 file to the sessions its inquiries covered", runEligibilityApply},
	}, args)
}

func runEligibilityBuild(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "eligibility build", "", "List the 270 inquiries due now: one per payer, member, patient and date of service whose\nlast answer is outside the payer's freshness window. With --write, write the 270 files into\nDATA/outbound/<clearinghouse>/ and record the inquiries.")
	var f commonFlags
	f.register(fs, true)
	asJSON := &f.json
	write := fs.Bool("write", false, "write the 270 files and record the inquiries")
	env, code := parseAndOpen(ctx, a, "eligibility build", fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.Close()
	p := env.pipeline()
	if *write {
		files, err := p.RequestEligibility(ctx)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate eligibility build: %v\n", err)
			return exitUsage
		}
		if *asJSON {
			return emitJSON(a, "eligibility", map[string]any{"files": files})
		}
		for _, f := range files {
			fmt.Fprintln(a.stdout, f)
		}
		return exitOK
	}
	plan, err := p.PlanEligibility(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate eligibility build: %v\n", err)
		return exitUsage
	}
	if *asJSON {
		if plan == nil {
			plan = []pipeline.PlannedInquiry{}
		}
		return emitJSON(a, "eligibility", plan)
	}
	for _, q := range plan {
		fmt.Fprintf(a.stdout, "%s  %-16s %s  sessions %v  service types %v\n", q.Trace, q.Payer, q.Date, q.Sessions, q.ServiceTypes)
	}
	fmt.Fprintf(a.stdout, "%d inquiries due\n", len(plan))
	return exitOK
}

// parseOut is one answer of `eligibility parse --json`, with the estimate when --charge is given.
type parseOut struct {
	eligibility.Result
	Estimate *eligibility.Estimate `json:"estimate,omitempty"`
}

func runEligibilityParse(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "eligibility parse", "FILE", "Map every 271 in FILE ('-' for stdin) into one answer per subscriber or dependent:\nactive, in network, authorization required, copay, coinsurance, deductible, out-of-pocket,\nvisit limits, carve-out, rejects in words, and every benefit.")
	asJSON := fs.Bool("json", false, "print JSON")
	charge := fs.String("charge", "", "estimate what the client owes for a session with this charge (e.g. 150.00)")
	in, _, code := parseFileArg(a, "eligibility parse", fs, args)
	if in == nil {
		return code
	}
	defer in.Close()
	var chg *x12.Amount
	if *charge != "" {
		v, err := x12.ParseAmount(*charge)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate eligibility parse: --charge: %v\n", err)
			return exitUsage
		}
		chg = &v
	}
	rs, findings, err := eligibility.Read271(ctx, in, x12.ParseOptions{Guides: guides.Registry})
	code = exitOK
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate eligibility parse: %s: %v\n", fs.Arg(0), err)
		if !errors.Is(err, eligibility.ErrInvalid) {
			return exitUsage
		}
		// The verdict of x12 validate: invalid. The answers read are still shown.
		code = exitInvalid
	}
	out := []parseOut{}
	for _, res := range rs {
		o := parseOut{Result: res}
		if chg != nil {
			e := eligibility.EstimateResponsibility(res, *chg)
			o.Estimate = &e
		}
		out = append(out, o)
	}
	// The output keeps its shape (a list of answers); the errors, located, go to stderr.
	printLocated(a.stderr, findings)
	if *asJSON {
		if c := emitJSON(a, "eligibility", out); c != exitOK {
			return c
		}
		return code
	}
	for _, o := range out {
		status := "inactive"
		if o.Active {
			status = "active"
		}
		fmt.Fprintf(a.stdout, "%s %s %s (%s)", o.Trace, o.Level, status, o.MemberID)
		if o.Copay != nil {
			fmt.Fprintf(a.stdout, " copay %s", o.Copay)
		}
		if o.CoinsurancePercent != nil {
			fmt.Fprintf(a.stdout, " coinsurance %s%%", *o.CoinsurancePercent)
		}
		if o.DeductibleRemaining != nil {
			fmt.Fprintf(a.stdout, " deductible remaining %s", o.DeductibleRemaining)
		}
		if o.CarveOut != nil {
			fmt.Fprintf(a.stdout, " carve-out to %s (%s)", o.CarveOut.Name, o.CarveOut.ID)
		}
		for _, rj := range o.Rejects {
			fmt.Fprintf(a.stdout, " reject %s: %s; %s", rj.Code, rj.Reason, rj.FollowUp)
		}
		if o.Estimate != nil {
			fmt.Fprintf(a.stdout, " owes %s (%s)", o.Estimate.PatientOwes, o.Estimate.Rule)
		}
		fmt.Fprintln(a.stdout)
	}
	return code
}

func runEligibilityApply(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "eligibility apply", "FILE", "Apply the 271 answers in FILE to the sessions their inquiries covered (holds, releases,\nwarnings, retries). Applying the same file twice changes nothing.")
	var f commonFlags
	f.register(fs, false)
	env, code := parseAndOpen(ctx, a, "eligibility apply", fs, &f, args, 1)
	if env == nil {
		return code
	}
	defer env.Close()
	p := env.pipeline()
	file, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate eligibility apply: %v\n", err)
		return exitUsage
	}
	defer file.Close()
	n, err := p.Apply271(ctx, fs.Arg(0), file)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate eligibility apply: %v\n", err)
		return exitInvalid
	}
	fmt.Fprintf(a.stdout, "%d answers applied\n", n)
	return exitOK
}
