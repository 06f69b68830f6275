package main

import (
	"context"
	"fmt"

	"github.com/edigate/edigate/internal/store"
)

// runReportPayments prints the payments report (the reports page's "Payments" charts).
func runReportPayments(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "report payments", "", "What the 835s paid, net of reversals, by payer or month of the 835.")
	var f remitFlags
	f.register(fs, true)
	by := fs.String("by", "payer", "payer or month")
	env, code := parseAndOpen(ctx, a, "report payments", fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	rows, err := env.db.PaymentsReport(ctx, *by)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate report payments: %v\n", err)
		return exitUsage
	}
	if rows == nil {
		rows = []store.PaymentRow{}
	}
	if f.json {
		return emitJSON(a, "report payments", map[string]any{"by": *by, "rows": rows})
	}
	for _, r := range rows {
		fmt.Fprintf(a.stdout, "%-20s claims %6d paid %12s patient %12s\n", r.Key, r.Claims, r.Paid, r.Patient)
	}
	return exitOK
}
