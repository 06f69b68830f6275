package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/edigate/edigate/internal/store"
)

func runSessions(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "sessions", []command{
		{"list", "list sessions (optionally by state: ready, held, scheduled, billed, void, replaced)", runSessionsList},
		{"show", "one session with its event history", runSessionsShow},
	}, args)
}

func runSessionsList(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "sessions list", "", "List stored sessions by date of service.")
	var f commonFlags
	f.register(fs, true)
	var filter store.SessionFilter
	fs.StringVar(&filter.State, "status", "", "only sessions in this state (ready, held, scheduled, billed, void, replaced)")
	fs.StringVar(&filter.Payer, "payer", "", "only sessions of this payer id")
	fs.StringVar(&filter.ClientID, "client", "", "only sessions of this client id")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	switch filter.State {
	case "", store.StateReady, store.StateHeld, store.StateScheduled, store.StateBilled, store.StateVoid, store.StateReplaced:
	default:
		fmt.Fprintf(a.stderr, "edigate sessions list: --status %q is not ready, held, scheduled, billed, void or replaced\n", filter.State)
		return exitUsage
	}
	env, code := openEnv(ctx, a, "sessions list", f)
	if env == nil {
		return code
	}
	defer env.Close()
	list, err := env.db.Sessions(ctx, filter)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate sessions list: %v\n", err)
		return exitUsage
	}
	if f.json {
		if list == nil {
			list = []store.SessionRecord{}
		}
		return emitJSON(a, "sessions list", list)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tDATE\tCLIENT\tPAYER\tCODE\tSTATE\tHOLD\tAUTH\tUNITS\tCLAIM")
	for _, s := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s.ID, s.Date, s.ClientID, s.Payer, s.Code, s.State, holdOf(s), s.AuthNumber, s.AuthUnits, claimOf(s))
	}
	w.Flush()
	return exitOK
}

// sessionShowJSON is `sessions show --json`.
type sessionShowJSON struct {
	store.SessionRecord
	Events []store.Event `json:"events"`
	// Eligibility is the latest 270/271 check that covered the session (null when none).
	Eligibility *store.EligibilityCheck `json:"eligibility"`
}

func runSessionsShow(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "sessions show", "ID", "Show one session and its history (received, held, released, units consumed or returned, billed, ...).")
	var f commonFlags
	f.register(fs, true)
	env, code := parseAndOpen(ctx, a, "sessions show", fs, &f, args, 1)
	if env == nil {
		return code
	}
	defer env.Close()
	id := fs.Arg(0)
	s, err := env.db.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(a.stderr, "edigate sessions show: no session %q\n", id)
		return exitInvalid
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate sessions show: %v\n", err)
		return exitUsage
	}
	evs, err := env.db.Events(ctx, "session", id)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate sessions show: %v\n", err)
		return exitUsage
	}
	if evs == nil {
		evs = []store.Event{}
	}
	var elig *store.EligibilityCheck
	if c, err := env.db.EligibilityForSession(ctx, s); err == nil {
		elig = &c
	} else if !errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(a.stderr, "edigate sessions show: %v\n", err)
		return exitUsage
	}
	if f.json {
		return emitJSON(a, "sessions show", sessionShowJSON{SessionRecord: s, Events: evs, Eligibility: elig})
	}
	fmt.Fprintf(a.stdout, "session %s  %s  %s %s  client %s  payer %s\n", s.ID, s.Date, s.Code, s.Session.Service.Modifiers, s.ClientID, s.Payer)
	fmt.Fprintf(a.stdout, "state %s", s.State)
	if c := claimOf(s); c != "" {
		fmt.Fprintf(a.stdout, "  claim %s", c)
	}
	if h := holdOf(s); h != "" {
		fmt.Fprintf(a.stdout, " (%s)", h)
	}
	if s.AuthNumber != "" {
		fmt.Fprintf(a.stdout, "  authorization %s: %d unit(s)", s.AuthNumber, s.AuthUnits)
	}
	if s.PendingKind != "" {
		fmt.Fprintf(a.stdout, "  pending %s", s.PendingKind)
	}
	fmt.Fprintln(a.stdout)
	if elig != nil {
		fmt.Fprintf(a.stdout, "eligibility %s (trace %s, asked %s)", elig.State, elig.Trace, elig.RequestedAt)
		if len(elig.Decision) > 0 {
			fmt.Fprintf(a.stdout, ": %s", elig.Decision)
		}
		fmt.Fprintln(a.stdout)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "\nTIME\tEVENT\tSOURCE\tDETAIL")
	for _, e := range evs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", e.At, e.Kind, e.SourceFile, e.Detail)
	}
	w.Flush()
	return exitOK
}

// claimOf is the session's current claim and where it stands ("C-1 paid").
func claimOf(s store.SessionRecord) string {
	if s.Claim == "" {
		return ""
	}
	return s.Claim + " " + string(s.ClaimState)
}

// holdOf is why a session is not billed: its own hold reason, or the scrubber's hold on the
// claim it is on (the session itself stays ready until it is corrected).
func holdOf(s store.SessionRecord) string {
	switch {
	case s.HoldReason != "":
		return s.HoldReason
	case s.ClaimHold != nil:
		return "claim " + s.ClaimHold.Claim + " held: " + strings.Join(s.ClaimHold.Rules, ",")
	case s.ScrubHold.Held():
		// Found by the scrub at intake, before any claim was built.
		h := "scrubber: " + strings.Join(s.ScrubHold.Rules, ",")
		if len(s.ScrubHold.ConfigKeys) > 0 {
			h += "; fix " + strings.Join(s.ScrubHold.ConfigKeys, ", ") + " in the config"
		}
		return h
	}
	return ""
}
