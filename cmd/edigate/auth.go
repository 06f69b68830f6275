package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
)

func runAuth(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "auth", []command{
		{"list", "authorizations with units used and remaining, dates and open alerts", runAuthList},
		{"alerts", "authorization alerts (low units, end date near)", runAuthAlerts},
	}, args)
}

func runAuthList(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "auth list", "", "List prior authorizations: number, client, payer, used, remaining, start, end, open alerts.")
	var f commonFlags
	f.register(fs, true)
	env, code := parseAndOpen(ctx, a, "auth list", fs, &f, args, 0)
	if env == nil {
		return code
	}
	defer env.Close()
	list, err := env.db.Authorizations(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate auth list: %v\n", err)
		return exitUsage
	}
	if f.json {
		if list == nil {
			list = []store.AuthRecord{}
		}
		return emitJSON(a, "auth list", list)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NUMBER\tCLIENT\tPAYER\tUSED\tREMAINING\tSTART\tEND\tALERTS")
	for _, r := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", r.Number, r.ClientID, r.Payer, r.Used, r.Remaining, r.Start, r.End, strings.Join(r.Alerts, ","))
	}
	w.Flush()
	return exitOK
}

func runAuthAlerts(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "auth alerts", "", "List open authorization alerts (raised once per threshold crossing).")
	var f commonFlags
	f.register(fs, true)
	all := fs.Bool("all", false, "include cleared alerts")
	env, code := parseAndOpen(ctx, a, "auth alerts", fs, &f, args, 0)
	if env == nil {
		return code
	}
	defer env.Close()
	// The end-date alert depends on today, not only on intake: evaluate it now.
	if err := env.db.CheckAuthAlerts(ctx, env.rules); err != nil {
		fmt.Fprintf(a.stderr, "edigate auth alerts: %v\n", err)
		return exitUsage
	}
	list, err := env.db.Alerts(ctx, !*all)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate auth alerts: %v\n", err)
		return exitUsage
	}
	// The alerts table also holds clearinghouse alerts (run's /alerts lists those).
	auths := []store.Alert{}
	for _, al := range list {
		if al.EntityKind == "authorization" {
			auths = append(auths, al)
		}
	}
	// Words use the units left now; the detail has them as they were when the alert was raised.
	recs, err := env.db.Authorizations(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate auth alerts: %v\n", err)
		return exitUsage
	}
	remaining := map[string]int{}
	for _, r := range recs {
		remaining[r.Key().String()] = r.Remaining
	}
	return emitList(a, "auth alerts", f.json, auths, "no open authorization alerts",
		"RAISED (UTC)\tPAYER\tAUTHORIZATION\tALERT\tCLEARED (UTC)", func(al store.Alert) string {
			var d struct {
				Remaining *int   `json:"remaining"`
				End       string `json:"end"`
			}
			_ = json.Unmarshal(al.Detail, &d) // a detail that does not decode still shows the kind
			if n, ok := remaining[al.EntityID]; ok && al.ClearedAt == "" {
				d.Remaining = &n
			}
			return strings.Join([]string{utcTime(al.RaisedAt, minute), al.Payer, al.Number,
				claims.AuthAlertWords(al.Kind, d.Remaining, d.End), utcTime(al.ClearedAt, minute)}, "\t")
		})
}

// minute is how alert times are shown: to the minute.
const minute = "2006-01-02 15:04"
