package main

import "context"

// runRun is `edigate run [--once]`: the daemon with the configured schedules, or every
// pipeline step once in order (intake, eligibility, claims, upload, download, responses,
// alerts, housekeeping) with every inbox file treated as complete.
func runRun(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "run", "", "Run the edigate daemon: inbox intake, eligibility, claims, SFTP upload and download,\nresponse processing, alerts and housekeeping on their cron schedules, plus the web UI and\nthe admin server. With no configuration it uses SQLite in ./edigate-data and the built-in\nclearinghouse simulator. With --once, run every step once in order and exit (1 if a step failed).")
	var f daemonFlags
	f.register(fs, "scenario rules for the built-in simulator (JSON)")
	cfg, rules, code := loadDaemonConfig(a, "run", fs, &f, args)
	if cfg == nil {
		return code
	}
	return runDaemon(ctx, a, "run", cfg, rules, false, f.once)
}
