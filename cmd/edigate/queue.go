package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/web"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
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
	fs := newFlags(a, "remit post", "FILE...", "Apply response files to the claim lifecycle: post 835 payments and denials, 277CA\nacceptances and rejections, 999/TA1 verdicts. The same file twice is applied once.")
	var f remitFlags
	f.register(fs, true)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	env, code := remitEnv(ctx, a, "remit post", f)
	if code != exitOK {
		return code
	}
	defer env.db.Close()
	p := env.pipeline()
	rc := exitOK
	var results []map[string]any
	for _, name := range fs.Args() {
		b, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate remit post: %v\n", err)
			return exitUsage
		}
		kind, res, err := p.ApplyResponse(ctx, name, b)
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
			fmt.Fprintf(a.stdout, "%s (%s): applied %d, unmatched %d, review %d, repeated %d, queued %d%s\n", name, kind,
				res.Applied, res.Unmatched, res.Review, res.Repeated, res.Queued, map[bool]string{true: " (already applied)"}[res.Duplicate])
		}
	}
	if f.json {
		if c := emitJSON(a, "remit", results); c != exitOK {
			return c
		}
	}
	return rc
}

// runQueue dispatches the queue verbs.
func runQueue(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "queue", []command{
		{"list", "list queue items (--kind rejections|denials|appeals|follow-up|review|holds)", runQueueList},
		{"resolve", "resolve an item: --outcome resubmitted|appeal_sent|written_off|appeal_won|appeal_lost|no_action", runQueueResolve},
		{"assign", "assign an item: queue assign ID WHO", runQueueAssign},
		{"note", "add a note to an item: queue note ID TEXT", runQueueNote},
		{"followup", "queue claims with no 835 after claims.follow_up_days and write 276 status inquiries", runQueueFollowup},
	}, args)
}

func runQueueList(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "queue list", "", "List work queue items, nearest deadline first.")
	var f remitFlags
	f.register(fs, true)
	kind := fs.String("kind", "", "rejections, denials, appeals, follow-up, review or holds (default: all)")
	all := fs.Bool("all", false, "include resolved items")
	env, code := parseAndOpen(ctx, a, "queue list", fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	if *kind == "holds" {
		return listHolds(ctx, a, env, f.json)
	}
	items, err := env.db.QueueItems(ctx, store.QueueFilter{Kind: *kind, OpenOnly: !*all})
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate queue list: %v\n", err)
		return exitUsage
	}
	if items == nil {
		items = []store.QueueItem{}
	}
	if f.json {
		return emitJSON(a, "remit", items)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tQUEUE\tCLAIM\tREASON\tCATEGORY/ACTION\tAMOUNT\tDUE\tMESSAGE")
	for _, it := range items {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, it.Kind, it.ClaimID, it.Reason, it.Category+"/"+it.Action,
			it.Amount, it.Due, it.Message)
	}
	w.Flush()
	if *kind == "" {
		// Holds are not queue rows (they clear themselves); say how many there are.
		holds, err := holdQueue(env).Items(ctx)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate queue list: %v\n", err)
			return exitUsage
		}
		if len(holds) > 0 {
			fmt.Fprintf(a.stdout, "\n%d held session(s) or claim(s): edigate queue list --kind holds\n", len(holds))
		}
	}
	return exitOK
}

// holdQueue is the holds queue the web UI shows, so both list the same holds: sessions on
// an authorization or eligibility hold and claims the scrubber held.
func holdQueue(env *cliEnv) *web.HoldQueue { return &web.HoldQueue{Store: env.db, Config: env.cfg} }

// holdItem is a hold as `queue list --kind holds --json` prints it.
type holdItem struct {
	Kind     string     `json:"kind"` // session or claim
	ID       string     `json:"id"`
	Payer    string     `json:"payer"`
	Code     string     `json:"code,omitempty"`
	Date     string     `json:"date,omitempty"`
	Reason   string     `json:"reason"`
	Words    string     `json:"words"`
	Action   string     `json:"action"`
	Deadline string     `json:"deadline,omitempty"`
	DueFor   string     `json:"due_for,omitempty"`
	Amount   x12.Amount `json:"amount"`
	Assignee string     `json:"assignee,omitempty"`
}

func listHolds(ctx context.Context, a *app, env *cliEnv, asJSON bool) int {
	items, err := holdQueue(env).Items(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate queue list: %v\n", err)
		return exitUsage
	}
	out := []holdItem{}
	for _, it := range items {
		out = append(out, holdItem{Kind: it.EntityKind, ID: it.EntityID, Payer: it.Payer, Code: it.Code, Date: it.Date,
			Reason: it.Reason, Words: it.Words, Action: it.Action, Deadline: it.Deadline, DueFor: it.DueFor,
			Amount: it.Amount, Assignee: it.Assignee})
	}
	return emitList(a, "queue list", asJSON, out, "nothing on hold", "HELD\tID\tPAYER\tDATE\tREASON\tFILE BY\tWHAT TO DO",
		func(h holdItem) string {
			return strings.Join([]string{h.Kind, h.ID, h.Payer, h.Date, h.Words, h.Deadline, h.Action}, "\t")
		})
}

func queueID(a *app, s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate queue: %q is not a queue item id\n", s)
		return 0, false
	}
	return id, true
}

func runQueueResolve(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "queue resolve", "ID", "Resolve a queue item with an outcome; appeal_sent opens an appeals item, resubmitted\nmarks the claim corrected, written_off closes it.")
	var f remitFlags
	f.register(fs, true)
	outcome := fs.String("outcome", "", "resubmitted, appeal_sent, written_off, appeal_won, appeal_lost or no_action")
	note := fs.String("note", "", "note to keep with the item")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 || *outcome == "" {
		fs.Usage()
		return exitUsage
	}
	id, ok := queueID(a, fs.Arg(0))
	if !ok {
		return exitUsage
	}
	env, code := remitEnv(ctx, a, "queue resolve", f)
	if code != exitOK {
		return code
	}
	defer env.db.Close()
	p := env.pipeline()
	r, err := p.ResolveQueueItem(ctx, id, *outcome, *note)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate queue resolve: %v\n", err)
		return exitInvalid
	}
	if f.json {
		return emitJSON(a, "remit", r)
	}
	fmt.Fprintf(a.stdout, "item %d resolved: %s\n", r.Item.ID, r.Item.Outcome)
	if r.Claim != "" {
		fmt.Fprintf(a.stdout, "claim %s (frequency %s) %s; it is filed with the next claims file\n", r.Claim, r.Frequency, r.State)
		for _, f := range r.Findings {
			fmt.Fprintf(a.stdout, "  hold: %s\n", f)
		}
	}
	return exitOK
}

// runQueueFollowup runs the daemon's follow-up step once.
func runQueueFollowup(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "queue followup", "", "Put claims with no 835 claims.follow_up_days after submission on the follow-up queue\n(once per claim) and write 276 claim status inquiries for them into DATA/outbound/<clearinghouse>/.")
	var f remitFlags
	f.register(fs, true)
	env, code := parseAndOpen(ctx, a, "queue followup", fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	p := env.pipeline()
	r, err := p.FollowUp(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate queue followup: %v\n", err)
		return exitUsage
	}
	if f.json {
		return emitJSON(a, "remit", r)
	}
	fmt.Fprintf(a.stdout, "queued %d, closed %d, 276 inquiries %d\n", len(r.Queued), r.Closed, r.Inquiries)
	for _, fl := range r.Files {
		fmt.Fprintln(a.stdout, fl)
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(a.stdout, "skipped %s\n", s)
	}
	return exitOK
}

func runQueueAssign(ctx context.Context, a *app, args []string) int {
	return queueUpdate(ctx, a, "assign", args, func(db *store.DB, id int64, s string) error { return db.AssignQueueItem(ctx, id, s) })
}

func runQueueNote(ctx context.Context, a *app, args []string) int {
	return queueUpdate(ctx, a, "note", args, func(db *store.DB, id int64, s string) error { return db.NoteQueueItem(ctx, id, s) })
}

func queueUpdate(ctx context.Context, a *app, verb string, args []string, fn func(*store.DB, int64, string) error) int {
	fs := newFlags(a, "queue "+verb, "ID TEXT", verb+" a queue item")
	var f remitFlags
	f.register(fs, true)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return exitUsage
	}
	id, ok := queueID(a, fs.Arg(0))
	if !ok {
		return exitUsage
	}
	env, code := remitEnv(ctx, a, "queue "+verb, f)
	if code != exitOK {
		return code
	}
	defer env.db.Close()
	if err := fn(env.db, id, strings.Join(fs.Args()[1:], " ")); err != nil {
		fmt.Fprintf(a.stderr, "edigate queue %s: %v\n", verb, err)
		if errors.Is(err, store.ErrNotFound) {
			return exitInvalid
		}
		return exitUsage
	}
	return exitOK
}

// runReport dispatches the report verbs.
func runReport(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "report", []command{
		{"denials", "denial rate and amounts --by payer|cpt|carc|category|provider|month", runReportDenials},
		{"ar", "days in A/R: submission to payment, and open claims by age (0-30, 31-60, 61-90, 90+)", runReportAR},
		{"acceptance", "first-pass acceptance rate (999 + 277CA) of original claims", runReportAcceptance},
		{"appeals", "appeals won, lost and pending", runReportAppeals},
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

// runTrace prints the timeline of a claim (CLM01) or of a session and its claims.
func runTrace(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "trace", "CLM01_OR_SESSION_ID", "Print the full timeline of a claim or a session: session, claim, files, 999,\n277CA, 835, queue items and appeals.")
	var f remitFlags
	f.register(fs, true)
	env, code := parseAndOpen(ctx, a, "trace", fs, &f, args, 1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	id := fs.Arg(0)
	claimIDs := []string{id}
	// A session's own history comes first-class, claims or not: a session on an
	// authorization hold has no claim yet and is exactly what a biller traces.
	events, err := env.db.Events(ctx, "session", id)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate trace: %v\n", err)
		return exitUsage
	}
	if len(events) > 0 {
		claimIDs = nil
	}
	if ids, err := env.db.ClaimsForSession(ctx, id); err == nil && len(ids) > 0 {
		claimIDs = ids
	}
	type claimTrace struct {
		ClaimID string             `json:"claim_id"`
		State   string             `json:"state"`
		Remits  []store.RemitClaim `json:"remittances"`
		Queue   []store.QueueItem  `json:"queue"`
	}
	var traces []claimTrace
	for _, cid := range claimIDs {
		evs, err := env.db.Events(ctx, "claim", cid)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate trace: %v\n", err)
			return exitUsage
		}
		events = append(events, evs...)
		st, _, err := env.db.ClaimState(ctx, cid)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate trace: %v\n", err)
			return exitUsage
		}
		rc, err := env.db.RemitClaims(ctx, cid)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate trace: %v\n", err)
			return exitUsage
		}
		q, err := env.db.QueueItems(ctx, store.QueueFilter{ClaimID: cid})
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate trace: %v\n", err)
			return exitUsage
		}
		traces = append(traces, claimTrace{cid, st, rc, q})
	}
	if len(events) == 0 {
		fmt.Fprintf(a.stderr, "edigate trace: nothing known about %q\n", id)
		return exitInvalid
	}
	// Event ids are one sequence across entities: sorting by id interleaves the session's
	// and its claims' histories in the order things happened, even when timestamps tie.
	sort.SliceStable(events, func(i, j int) bool { return events[i].ID < events[j].ID })
	if f.json {
		return emitJSON(a, "remit", map[string]any{"events": events, "claims": traces})
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UTC)\tENTITY\tEVENT\tSOURCE\tDETAIL")
	for _, e := range events {
		at := e.At
		if t, err := time.Parse(time.RFC3339Nano, e.At); err == nil {
			at = t.UTC().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\n", at, e.EntityKind, e.EntityID, e.Kind, e.SourceFile, e.Detail)
	}
	tw.Flush()
	for _, t := range traces {
		fmt.Fprintf(a.stdout, "claim %s: %s\n", t.ClaimID, t.State)
		for _, q := range t.Queue {
			fmt.Fprintf(a.stdout, "  queue %d %s %s %s %s\n", q.ID, q.Kind, q.Reason, q.State, q.Outcome)
		}
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
