package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
)

// runClaimsConflicts lists correction conflicts, or settles one: the same service the web
// UI's session page and queue cards use (pipeline.Queues), so a pick made here is the one
// recorded there, in the session's history.
func runClaimsConflicts(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "claims conflicts", "[SESSION]", "List the corrections the practice system has since sent other values for (every session's, or\n"+
		"SESSION's). Until the biller picks, claims built from the session keep the correction. Settle\n"+
		"one with --field F --pick keep (the correction stays) or --pick practice (the practice's value\n"+
		"is used); the pick goes in the session's history with who made it.")
	var f claimsFlags
	f.register(fs, true)
	var names []string
	for _, fl := range claims.Fields() {
		names = append(names, string(fl))
	}
	field := fs.String("field", "", "with SESSION and --pick: the conflicting field ("+strings.Join(names, ", ")+")")
	pick := fs.String("pick", "", "keep (the biller's correction) or practice (the practice system's value)")
	who := fs.String("who", "", "who is settling it (default: $USER)")
	env, code := openClaimsEnv(ctx, a, fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	if fs.NArg() > 1 {
		fmt.Fprintln(a.stderr, "edigate claims conflicts: at most one SESSION")
		return exitUsage
	}
	svc := pipeline.Queues{Pipeline: env.Pipeline}
	session := fs.Arg(0)
	if *pick != "" || *field != "" {
		if session == "" || *pick == "" || *field == "" {
			fmt.Fprintln(a.stderr, "edigate claims conflicts: settling takes SESSION, --field and --pick")
			return exitUsage
		}
		err := svc.PickConflict(ctx, session, claims.Field(*field), claims.Pick(*pick), actor(*who), "cli")
		switch {
		case errors.Is(err, claims.ErrCorrection), errors.Is(err, queue.ErrNoItem), errors.Is(err, store.ErrChanged):
			fmt.Fprintf(a.stderr, "edigate claims conflicts: %v\n", err)
			return exitInvalid
		case err != nil:
			fmt.Fprintf(a.stderr, "edigate claims conflicts: %v\n", err)
			return exitUsage
		}
		what := "kept the correction"
		if claims.Pick(*pick) == claims.TakePractice {
			what = "took the practice system's value"
		}
		fmt.Fprintf(a.stdout, "session %s %s: %s\n", session, claims.Field(*field).Words(), what)
		return exitOK
	}
	var cs []claims.Conflict
	var err error
	if session != "" {
		cs, err = svc.SessionConflicts(ctx, session)
	} else {
		cs, err = svc.Conflicts(ctx)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims conflicts: %v\n", err)
		return exitUsage
	}
	if cs == nil {
		cs = []claims.Conflict{}
	}
	if f.json {
		return emitJSON(a, "claims", cs)
	}
	if len(cs) == 0 {
		fmt.Fprintln(a.stdout, "no correction conflicts")
		return exitOK
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SESSION\tFIELD\tPRACTICE SENT\tBILLER CORRECTED TO\tBY\tON CLAIM")
	for _, c := range cs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", c.SessionID, c.Field, orNone(c.Sent), orNone(c.Value), c.Who, c.ClaimID)
	}
	w.Flush()
	fmt.Fprintln(a.stdout, "\nsettle one: edigate claims conflicts SESSION --field FIELD --pick keep|practice")
	return exitOK
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
