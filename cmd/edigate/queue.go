package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/remit"
)

// remitFlags are the flags of the queue, report, trace, appeal and remit post verbs.
type remitFlags = commonFlags

// respEnv is what the response-side verbs work with.
type respEnv = cliEnv

func remitEnv(ctx context.Context, a *app, name string, f remitFlags) (*respEnv, int) {
	return openEnv(ctx, a, name, f)
}

// runRemitPost applies response files (835, 277CA/277, 999/TA1) to the claims in the store.
func runRemitPost(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "remit post", "FILE...", "Apply response files to the claim lifecycle: post 835 payments and denials, 277CA\nacceptances and rejections, 999/TA1 verdicts. The same file twice is applied once.\n\nPrints per file: applied (claims whose record changed), unmatched (claims edigate never\nbuilt: nothing applied, a review item each), review (review items opened), repeated (CLPs\nposted before from another file), queued (work items opened) and unbalanced (835 payments\nthat do not balance: posted, each with a review item).\nExit 0 when every file was applied, unbalanced payments included (remit parse exits 1 on\nthem); 1 when a file is invalid or not a response (nothing of it is applied; the other\nfiles still are); 2 on a usage, file or store error.")
	var f remitFlags
	f.register(fs, true)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	// No memory map: posting a large 835 writes much and reads little, and every page of
	// the map it touched counted in its resident memory (265 MB into a 1 GB 835's post).
	env, code := openEnvWith(ctx, a, "remit post", f, store.Options{NoMmap: true})
	if code != exitOK {
		return code
	}
	defer env.db.Close()
	p := env.pipeline()
	rc := exitOK
	var results []map[string]any
	for _, name := range fs.Args() {
		in, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate remit post: %v\n", err)
			return exitUsage
		}
		// Streamed (twice: checked, then applied in parts), never read whole.
		kind, res, err := p.ApplyResponseFrom(ctx, name, in)
		in.Close()
		if errors.Is(err, remit.ErrInvalid) {
			fmt.Fprintf(a.stderr, "edigate remit post: %v\n", err)
			rc = exitInvalid
			continue
		}
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate remit post: %v\n", err)
			return exitUsage
		}
		results = append(results, map[string]any{"file": name, "kind": kind, "result": res})
		if !f.json {
			fmt.Fprintf(a.stdout, "%s (%s): applied %d, unmatched %d, review %d, repeated %d, queued %d, unbalanced %d%s\n", name, kind,
				res.Applied, res.Unmatched, res.Review, res.Repeated, res.Queued, res.Unbalanced, map[bool]string{true: " (already applied)"}[res.Duplicate])
		}
	}
	if f.json {
		if c := emitJSON(a, "remit", results); c != exitOK {
			return c
		}
	}
	return rc
}

// runReport dispatches the report verbs.
func runReport(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "report", []command{
		{"denials", "denial rate and amounts --by payer|cpt|carc|category|provider|month", runReportDenials},
		{"ar", "days in A/R: submission to payment, and open claims by age (0-30, 31-60, 61-90, 90+)", runReportAR},
		{"acceptance", "first-pass acceptance rate (999 + 277CA) of original claims", runReportAcceptance},
		{"appeals", "appeals won, lost and pending", runReportAppeals},
		{"payments", "what the 835s paid, net of reversals --by payer|month", runReportPayments},
		{"underpayments", "expected vs paid per payer under the fee schedules, and open underpayment items", runReportUnderpayments},
	}, args)
}

// reportVerb runs one report without arguments and prints it as JSON or text.
func reportVerb(ctx context.Context, a *app, args []string, name, help string, run func(*store.DB) (any, error), text func(any)) int {
	fs := newFlags(a, "report "+name, "", help)
	var f remitFlags
	f.register(fs, true)
	env, code := parseAndOpen(ctx, a, "report "+name, fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	v, err := run(env.db)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate report %s: %v\n", name, err)
		return exitUsage
	}
	if f.json {
		return emitJSON(a, "remit", v)
	}
	text(v)
	return exitOK
}

func runReportAR(ctx context.Context, a *app, args []string) int {
	return reportVerb(ctx, a, args, "ar", "Days in accounts receivable: average days from submission to first payment, and the\nopen claims by age.",
		func(db *store.DB) (any, error) { return db.ARReport(ctx) },
		func(v any) {
			r := v.(store.ARReport)
			fmt.Fprintf(a.stdout, "as of %s: %d paid claims, average %.1f days to payment\n", r.AsOf, r.PaidClaims, r.AverageDays)
			for _, b := range r.Open {
				fmt.Fprintf(a.stdout, "  %-6s %6d claims %12s\n", b.Bucket, b.Claims, b.Amount)
			}
			fmt.Fprintf(a.stdout, "  open   %6d claims %12s\n", r.OpenClaims, r.OpenAmount)
		})
}

func runReportAcceptance(ctx context.Context, a *app, args []string) int {
	return reportVerb(ctx, a, args, "acceptance", "First-pass acceptance: original claims the 999 and 277CA accepted without a rejection.",
		func(db *store.DB) (any, error) { return db.AcceptanceReport(ctx) },
		func(v any) {
			r := v.(store.AcceptanceReport)
			fmt.Fprintf(a.stdout, "submitted %d, accepted %d, rejected %d, pending %d: first-pass rate %.1f%%\n",
				r.Submitted, r.Accepted, r.Rejected, r.Pending, 100*r.Rate)
		})
}

func runReportAppeals(ctx context.Context, a *app, args []string) int {
	return reportVerb(ctx, a, args, "appeals", "Appeals won and lost: appeals items resolved with an outcome, and denied claims a later\n835 paid.",
		func(db *store.DB) (any, error) { return db.AppealsReport(ctx) },
		func(v any) {
			r := v.(store.AppealsReport)
			fmt.Fprintf(a.stdout, "appeals %d: won %d, lost %d, pending %d (win rate %.1f%%)\n", r.Appeals, r.Won, r.Lost, r.Pending, 100*r.WinRate)
		})
}

func runReportUnderpayments(ctx context.Context, a *app, args []string) int {
	return reportVerb(ctx, a, args, "underpayments", "Expected vs paid per payer: posted 835 lines with a contracted rate (payers[].fee_schedule),\nexpected = contract less the patient's share; underpaid lines and open underpayment items.",
		func(db *store.DB) (any, error) {
			rows, err := db.UnderpaymentReport(ctx)
			if rows == nil {
				rows = []store.UnderpaymentRow{}
			}
			return rows, err
		},
		func(v any) {
			rows := v.([]store.UnderpaymentRow)
			if len(rows) == 0 {
				fmt.Fprintln(a.stdout, "No posted line has a contracted rate yet (payers[].fee_schedule).")
				return
			}
			w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(w, "PAYER\tLINES\tEXPECTED\tPAID\tUNDERPAID LINES\tSHORT\tOPEN ITEMS\tOPEN AMOUNT\t")
			for _, r := range rows {
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%d\t%s\t%d\t%s\t\n", r.Payer, r.Lines, claims.Dollars(r.Expected), claims.Dollars(r.Paid),
					r.Underpaid, claims.Dollars(r.Short), r.OpenItems, claims.Dollars(r.OpenAmount))
			}
			w.Flush()
		})
}

func runReportDenials(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "report denials", "", "Denial rate and denied amounts from posted 835s.")
	var f remitFlags
	f.register(fs, true)
	by := fs.String("by", "payer", "payer, cpt, carc, category, provider or month")
	env, code := parseAndOpen(ctx, a, "report denials", fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	rows, err := env.db.DenialReport(ctx, *by)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate report denials: %v\n", err)
		return exitUsage
	}
	if rows == nil {
		rows = []store.DenialRow{}
	}
	if f.json {
		return emitJSON(a, "remit", map[string]any{"by": *by, "rows": rows})
	}
	for _, r := range rows {
		fmt.Fprintf(a.stdout, "%-20s claims %6d denied %6d (%5.1f%%) amount %12s", r.Key, r.Claims, r.Denied, 100*r.Rate, r.DeniedAmount)
		if r.Lines > 0 {
			fmt.Fprintf(a.stdout, " lines %6d denied %6d (%5.1f%%)", r.Lines, r.DeniedLines, 100*r.LineRate)
		}
		fmt.Fprintln(a.stdout)
	}
	return exitOK
}

// runAppeal dispatches the appeal verbs.
func runAppeal(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "appeal", []command{
		{"letter", "write the appeal letter of a denied claim (text, or --html for print)", runAppealLetter},
	}, args)
}

func runAppealLetter(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "appeal letter", "CLAIM", "Write the appeal letter for a denied claim from its denial, authorization and\nsubmission proof. The letter holds PHI: with --out it is written 0600.")
	var f remitFlags
	f.register(fs, true)
	html := fs.Bool("html", false, "HTML for print instead of plain text")
	out := fs.String("out", "", "write to this file (mode 0600) instead of stdout")
	tmplDir := fs.String("templates", "", "directory overriding the built-in templates (DIR/PAYER/ for one payer)")
	env, code := parseAndOpen(ctx, a, "appeal letter", fs, &f, args, 1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	l, err := buildLetter(ctx, env, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate appeal letter: %v\n", err)
		return exitInvalid
	}
	r := remit.Renderer{Dir: *tmplDir}
	var b []byte
	if *html {
		b, err = r.HTML(l)
	} else {
		b, err = r.Text(l)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate appeal letter: %v\n", err)
		return exitUsage
	}
	if *out != "" {
		if err := os.WriteFile(*out, b, 0o600); err != nil {
			fmt.Fprintf(a.stderr, "edigate appeal letter: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	if _, err := a.stdout.Write(b); err != nil {
		return exitUsage
	}
	return exitOK
}

// buildLetter gathers a claim's denial, remittance, authorization and submission proof.
func buildLetter(ctx context.Context, env *respEnv, id string) (*remit.Letter, error) {
	p := env.pipeline()
	return p.AppealLetter(ctx, id)
}
