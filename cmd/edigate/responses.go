package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/edigate/edigate/internal/store"
)

// runResponses lists the downloaded response files the responses step could not apply.
// The daemon logs only that a file failed (the reason may quote file content, which is
// PHI); the reason is stored, and this is where a biller reads it.
func runResponses(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "responses", "", "List downloaded response files (999, 277CA, 271, 835) that could not be applied,\nwith the reason. They are not retried automatically: fix the cause, then apply one\nwith `edigate remit post FILE` (or `edigate eligibility apply FILE` for a 271).")
	var f commonFlags
	f.register(fs, true)
	env, code := parseAndOpen(ctx, a, "responses", fs, &f, args, 0)
	if env == nil {
		return code
	}
	defer env.db.Close()
	failed, err := env.db.FailedInbound(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate responses: %v\n", err)
		return exitUsage
	}
	return emitList(a, "responses", f.json, failed, "no failed response files", "FAILED AT\tCLEARINGHOUSE\tKIND\tFILE\tREASON",
		func(r store.InboundFile) string {
			return strings.Join([]string{utcTime(r.ProcessedAt, "2006-01-02 15:04:05"), r.Clearinghouse, r.Kind,
				filepath.Join(env.cfg.DataDir, r.Path), r.Error}, "\t")
		})
}
