package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/edigate/edigate/internal/store"
)

// runTrace prints the timeline of a claim (CLM01) or of a session and its claims: the one
// timeline the web session page shows too (store.Trace).
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
	tr, err := env.db.Trace(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(a.stderr, "edigate trace: nothing known about %q\n", id)
		return exitInvalid
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate trace: %v\n", err)
		return exitUsage
	}
	if f.json {
		return emitJSON(a, "remit", tr)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UTC)\tENTITY\tEVENT\tSOURCE\tDETAIL")
	for _, e := range tr.Events {
		at := e.At
		if t, err := time.Parse(time.RFC3339Nano, e.At); err == nil {
			at = t.UTC().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\n", at, e.EntityKind, e.EntityID, e.Summary(), e.SourceFile, e.Detail)
	}
	tw.Flush()
	for _, t := range tr.Claims {
		fmt.Fprintf(a.stdout, "claim %s: %s (%s)\n", t.ClaimID, t.State, t.State.Words())
		// The postings are the whole record of a CLP for a claim edigate never built (it
		// has no history events): shown for every claim, so such a trace says what was paid.
		for _, r := range t.Remits {
			fmt.Fprintf(a.stdout, "  835 %s check %s payer %s CLP02 %s %s: charge %s paid %s patient %s\n",
				r.Date, r.Check, r.Payer, r.Status, r.Outcome, r.Charge, r.Paid, r.Patient)
		}
		for _, q := range t.Queue {
			fmt.Fprintf(a.stdout, "  queue %d %s %s %s %s\n", q.ID, q.Kind, q.Reason, q.State, q.Outcome)
		}
	}
	return exitOK
}
