package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/x12"
)

// runClaims dispatches the claims verbs: build, scrub, show, file.
func runClaims(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "claims", []command{
		{"build", "group ready sessions into 837P claims, scrub them and store them (built or held)", runClaimsBuild},
		{"scrub", "scrub ready and held sessions and print each session's findings", runClaimsScrub},
		{"show", "print one claim (CLM01) with its findings, files and history", runClaimsShow},
		{"file", "write built claims as 837P files into DATA/outbound/ and mark them filed", runClaimsFile},
		{"correct", "correct a rejected or denied claim (--member-id, --dx, --modifier 1:95, --pos ...) and resubmit it", runClaimsCorrect},
		{"conflicts", "list correction conflicts (the practice system sent another value since), or settle one (--field, --pick keep|practice)", runClaimsConflicts},
	}, args)
}

// claimsFlags are the flags every claims verb takes.
type claimsFlags = commonFlags

// claimsEnv is the pipeline a claims verb works with (the daemon's claims step calls the same).
type claimsEnv struct {
	*pipeline.Pipeline
	db *store.DB
}

// openClaimsEnv parses the verb's arguments (see parseAndOpen) and opens its pipeline.
func openClaimsEnv(ctx context.Context, a *app, fs *flag.FlagSet, f *claimsFlags, args []string, nargs int) (*claimsEnv, int) {
	env, code := parseAndOpen(ctx, a, "claims", fs, f, args, nargs)
	if env == nil {
		return nil, code
	}
	return &claimsEnv{Pipeline: env.pipeline(), db: env.db}, exitOK
}

// waitingJSON is a filed claim whose replacement or void cannot be built yet.
type waitingJSON = pipeline.WaitingClaim

type claimJSON struct {
	ID            string           `json:"id"`
	Practice      string           `json:"practice"`
	Payer         string           `json:"payer"`
	Clearinghouse string           `json:"clearinghouse"`
	Date          string           `json:"date"`
	Frequency     string           `json:"frequency"`
	Sessions      []string         `json:"sessions"`
	Lines         int              `json:"lines"`
	Total         x12.Amount       `json:"total"`
	State         lifecycle.State  `json:"state"`
	Findings      []claims.Finding `json:"findings"`
	Error         string           `json:"error,omitempty"`
}

func runClaimsBuild(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "claims build", "", "Group ready sessions into claims (one per client, payer, rendering provider and date),\nscrub them and store them as built (clean) or held (an error finding).")
	var f claimsFlags
	f.register(fs, true)
	dry := fs.Bool("dry-run", false, "build and scrub, store nothing")
	env, code := openClaimsEnv(ctx, a, fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	b, err := env.BuildClaims(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims build: %v\n", err)
		return exitUsage
	}
	out := struct {
		DryRun  bool          `json:"dry_run"`
		Built   int           `json:"built"`
		Held    int           `json:"held"`
		Claims  []claimJSON   `json:"claims"`
		Waiting []waitingJSON `json:"waiting"`
	}{DryRun: *dry, Claims: []claimJSON{}, Waiting: b.Waiting}
	if out.Waiting == nil {
		out.Waiting = []waitingJSON{}
	}
	for i, c := range b.Claims {
		r := b.Results[i]
		state := lifecycle.Built
		if r.Held {
			state = lifecycle.Held
		}
		cj := claimJSON{ID: c.ID, Practice: c.Practice, Payer: c.Payer, Clearinghouse: c.Clearinghouse, Date: c.Date,
			Frequency: c.Frequency, Sessions: c.SessionIDs, Lines: len(c.Lines), Total: c.Total, State: state,
			Findings: r.Findings}
		if cj.Findings == nil {
			cj.Findings = []claims.Finding{}
		}
		if !*dry {
			st, err := env.StoreClaim(ctx, c, r)
			cj.State = st
			if err != nil {
				if !errors.Is(err, store.ErrClaimFiled) {
					fmt.Fprintf(a.stderr, "edigate claims build: %v\n", err)
					return exitUsage
				}
				cj.Error = err.Error()
			}
		}
		if cj.State == lifecycle.Held {
			out.Held++
		} else if cj.State == lifecycle.Built {
			out.Built++
		}
		out.Claims = append(out.Claims, cj)
	}
	if !*dry {
		if err := env.RecordCOBWaits(ctx, b.COBWaits); err != nil {
			fmt.Fprintf(a.stderr, "edigate claims build: %v\n", err)
			return exitUsage
		}
	}
	if f.json {
		return emitJSON(a, "claims", out)
	}
	verb := "stored"
	if *dry {
		verb = "would store (dry run)"
	}
	fmt.Fprintf(a.stdout, "%d claims %s: %d built, %d held\n", len(out.Claims), verb, out.Built, out.Held)
	for _, c := range out.Claims {
		fmt.Fprintf(a.stdout, "%-20s %-6s %-16s %s %3d line(s) %10s\n", c.ID, c.State, c.Payer, c.Date, c.Lines, c.Total)
		printFindings(a.stdout, c.Findings)
	}
	for _, w := range out.Waiting {
		fmt.Fprintf(a.stdout, "%-20s waiting (sessions %s): %s\n", w.Claim, strings.Join(w.Sessions, ", "), w.Reason)
	}
	return exitOK
}

func printFindings(w io.Writer, fs []claims.Finding) {
	for _, f := range fs {
		loc := ""
		if f.Line > 0 {
			loc = fmt.Sprintf(" line %d", f.Line)
		}
		fmt.Fprintf(w, "    %-7s %-24s%s %s\n", f.Severity, f.Rule, loc, f.Message)
	}
}

// sessionFinding is one line of `claims scrub --json`.
type sessionFinding struct {
	Rule     string          `json:"rule"`
	Severity claims.Severity `json:"severity"`
	Message  string          `json:"message"`
}

type sessionScrub struct {
	Session  string           `json:"session"`
	Claim    string           `json:"claim,omitempty"`
	Held     bool             `json:"held"`
	Findings []sessionFinding `json:"findings"`
}

func runClaimsScrub(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "claims scrub", "", "Scrub the ready sessions as claims would be built now, and list held sessions with\ntheir hold. Exit 1 when any session is held.")
	var f claimsFlags
	f.register(fs, true)
	env, code := openClaimsEnv(ctx, a, fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	b, err := env.BuildClaims(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims scrub: %v\n", err)
		return exitUsage
	}
	out := []sessionScrub{}
	anyHeld := false
	for i, c := range b.Claims {
		r := b.Results[i]
		for _, sid := range c.SessionIDs {
			ss := sessionScrub{Session: sid, Claim: c.ID, Findings: []sessionFinding{}}
			for _, fd := range r.Findings {
				// A claim-level finding concerns every session on the claim.
				if fd.Line == 0 || fd.SessionID == sid {
					ss.Findings = append(ss.Findings, sessionFinding{fd.Rule, fd.Severity, fd.Message})
					ss.Held = ss.Held || fd.Severity == claims.SeverityError
				}
			}
			anyHeld = anyHeld || ss.Held
			out = append(out, ss)
		}
	}
	for _, w := range b.Waiting {
		for _, sid := range w.Sessions {
			out = append(out, sessionScrub{Session: sid, Claim: w.Claim, Held: true, Findings: []sessionFinding{{
				Rule: "frequency.f8", Severity: claims.SeverityError, Message: w.Reason}}})
			anyHeld = true
		}
	}
	for _, h := range b.Held {
		anyHeld = true
		out = append(out, sessionScrub{Session: h.ID, Held: true, Findings: []sessionFinding{{
			Rule: "intake." + h.HoldReason, Severity: claims.SeverityError,
			Message: "Held at intake: " + strings.ReplaceAll(h.HoldReason, "_", " ") + "; load or fix the authorization to release it.",
		}}})
	}
	if f.json {
		if c := emitJSON(a, "claims", out); c != exitOK {
			return c
		}
	} else {
		for _, s := range out {
			state := "ok"
			if s.Held {
				state = "held"
			}
			fmt.Fprintf(a.stdout, "%-24s %-4s %s\n", s.Session, state, s.Claim)
			for _, fd := range s.Findings {
				fmt.Fprintf(a.stdout, "    %-7s %-24s %s\n", fd.Severity, fd.Rule, fd.Message)
			}
		}
	}
	if anyHeld {
		return exitInvalid
	}
	return exitOK
}

func runClaimsShow(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "claims show", "CLM01", "Print one claim with its lines, findings, files and history.")
	var f claimsFlags
	f.register(fs, true)
	env, code := openClaimsEnv(ctx, a, fs, &f, args, 1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	rec, err := env.db.Claim(ctx, fs.Arg(0))
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(a.stderr, "edigate claims show: no claim %s\n", fs.Arg(0))
		return exitInvalid
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims show: %v\n", err)
		return exitUsage
	}
	events, err := env.db.Events(ctx, "claim", rec.ID)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims show: %v\n", err)
		return exitUsage
	}
	if f.json {
		return emitJSON(a, "claims", struct {
			store.ClaimRecord
			Events []store.Event `json:"events"`
		}{rec, events})
	}
	c := &rec.Claim
	fmt.Fprintf(a.stdout, "claim %s  %s  payer %s  date %s  frequency %s  total %s\n", rec.ID, rec.State, rec.Payer, rec.Date, rec.Frequency, rec.Total)
	fmt.Fprintf(a.stdout, "sessions %s\n", strings.Join(c.SessionIDs, ", "))
	for i, l := range c.Lines {
		fmt.Fprintf(a.stdout, "  %2d %s %-12s units %d  %10s\n", i+1, l.Code, strings.Join(l.Modifiers, ":"), l.Units, l.Charge)
	}
	printFindings(a.stdout, rec.Findings)
	for _, s := range rec.Submissions {
		fmt.Fprintf(a.stdout, "file %s ISA %09d GS %d ST %s at %s\n", s.FileName, s.ISAControl, s.GSControl, s.STControl, s.At)
	}
	for _, e := range events {
		fmt.Fprintf(a.stdout, "%s %-24s %s\n", e.At, e.Kind, e.Summary())
	}
	return exitOK
}

type fileJSON = pipeline.FiledFile

func runClaimsFile(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "claims file", "", "Write every built claim into one 837P file per clearinghouse in DATA/outbound/<clearinghouse>/\n(mode 0600), record the file and its control numbers, and move the claims to filed.")
	var f claimsFlags
	f.register(fs, true)
	env, code := openClaimsEnv(ctx, a, fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	out, err := env.FileClaims(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims file: %v\n", err)
		return exitUsage
	}
	if f.json {
		return emitJSON(a, "claims", out)
	}
	if len(out) == 0 {
		fmt.Fprintln(a.stdout, "no built claims to file")
	}
	for _, o := range out {
		fmt.Fprintf(a.stdout, "%s: %d claims, %s, ISA %09d, %d set(s)\n", o.File, o.Claims, o.Total, o.ISAControl, len(o.Sets))
	}
	return exitOK
}
