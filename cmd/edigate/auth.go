package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

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
	if f.json {
		if list == nil {
			list = []store.Alert{}
		}
		return emitJSON(a, "auth alerts", list)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RAISED\tPAYER\tNUMBER\tALERT\tDETAIL\tCLEARED")
	for _, al := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", al.RaisedAt, al.Payer, al.Number, al.Kind, al.Detail, al.ClearedAt)
	}
	w.Flush()
	return exitOK
}
