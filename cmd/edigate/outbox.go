package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/edigate/edigate/internal/durable"
	"github.com/edigate/edigate/outbox"
)

// runOutbox is `edigate outbox VERB`: the results told back to the practice system.
func runOutbox(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "outbox", []command{
		{"status", "what was numbered, written to files and delivered over HTTP", runOutboxStatus},
		{"write", "write the outbox files now (what the daemon's outbox job does)", runOutboxWrite},
		{"replay", "write events from a sequence number again into one file", runOutboxReplay},
		{"statements", "patient-responsibility CSV per client, for statements", runOutboxStatements},
	}, args)
}

func runOutboxStatus(ctx context.Context, a *app, args []string) int {
	var f commonFlags
	fs := newFlags(a, "outbox status", "", "Show the last event numbered, how far the outbox files are written and, when\noutbox.http.url is set, how far HTTP delivery is, its last error and next attempt.")
	f.register(fs, true)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	env, code := openEnv(ctx, a, "outbox status", f)
	if env == nil {
		return code
	}
	defer env.Close()
	st, err := env.pipeline().OutboxStatus(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate outbox status: %v\n", err)
		return exitUsage
	}
	if f.json {
		return emitJSON(a, "outbox status", st)
	}
	fmt.Fprintf(a.stdout, "Events numbered: %d\nWritten to files through: %d (folder %s)\n", st.Last, st.Written, st.Dir)
	if st.HTTP == nil {
		fmt.Fprintln(a.stdout, "HTTP delivery: off (outbox.http.url is not set)")
		return exitOK
	}
	fmt.Fprintf(a.stdout, "HTTP delivery to %s: delivered through %d\n", st.URL, st.HTTP.Value)
	if st.HTTP.Attempts > 0 {
		fmt.Fprintf(a.stdout, "  failing: %d attempt(s) in a row, last error: %s\n  next attempt: %s\n",
			st.HTTP.Attempts, st.HTTP.LastError, st.HTTP.NextAttempt.UTC().Format("Jan 2, 2006 15:04 UTC"))
	}
	return exitOK
}

func runOutboxWrite(ctx context.Context, a *app, args []string) int {
	var f commonFlags
	fs := newFlags(a, "outbox write", "", "Write the events not yet in a file into the outbox folder (NDJSON, one event a\nline, named by their sequence range) and deliver over HTTP when configured.")
	f.register(fs, false)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	env, code := openEnv(ctx, a, "outbox write", f)
	if env == nil {
		return code
	}
	defer env.Close()
	p := env.pipeline()
	paths, err := p.WriteOutbox(ctx)
	for _, path := range paths {
		fmt.Fprintln(a.stdout, path)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate outbox write: %v\n", err)
		return exitUsage
	}
	n, err := p.DeliverOutbox(ctx)
	if n > 0 {
		fmt.Fprintf(a.stdout, "%d event(s) delivered over HTTP\n", n)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate outbox write: %v\n", err)
		return exitUsage
	}
	return exitOK
}

func runOutboxReplay(ctx context.Context, a *app, args []string) int {
	var f commonFlags
	var from, to int64
	var out string
	fs := newFlags(a, "outbox replay", "--from N [--to M]", "Write the events from sequence number N (through M, default the last) again into one\nfile, replay-N-M.ndjson in the outbox folder (or --out FILE), for a practice system\nthat lost what it read. The delivery cursors do not move. Prints the file's path.")
	f.register(fs, false)
	fs.Int64Var(&from, "from", 0, "first sequence number (required)")
	fs.Int64Var(&to, "to", 0, "last sequence number (default: the last event)")
	fs.StringVar(&out, "out", "", "write to this file instead of the outbox folder")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if from < 1 {
		fmt.Fprintln(a.stderr, "edigate outbox replay: --from N is required (the first sequence number to write again)")
		return exitUsage
	}
	env, code := openEnv(ctx, a, "outbox replay", f)
	if env == nil {
		return code
	}
	defer env.Close()
	path, n, err := env.pipeline().ReplayOutbox(ctx, from, to, out)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate outbox replay: %v\n", err)
		return exitInvalid
	}
	fmt.Fprintf(a.stdout, "%d event(s) written to %s\n", n, path)
	return exitOK
}

func runOutboxStatements(ctx context.Context, a *app, args []string) int {
	var f commonFlags
	var client, from, out string
	fs := newFlags(a, "outbox statements", "[--client ID] [--from YYYY-MM-DD] [--out FILE]", "Patient responsibility for statements, as CSV: per paid claim line the date of service,\nCPT, billed, paid by insurance, what the client owes and why (the payer's patient-\nresponsibility reasons in words). The latest payment of each line counts; a reversed\npayment is left out. On stdout unless --out names a file (written 0600).")
	f.register(fs, false)
	fs.StringVar(&client, "client", "", "only this client (the practice system's client id)")
	fs.StringVar(&from, "from", "", "only services on or after this date (YYYY-MM-DD)")
	fs.StringVar(&out, "out", "", "write the CSV to this file")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if from != "" {
		if _, err := time.Parse(time.DateOnly, from); err != nil {
			fmt.Fprintf(a.stderr, "edigate outbox statements: --from %q is not a date like 2026-12-04\n", from)
			return exitUsage
		}
	}
	env, code := openEnv(ctx, a, "outbox statements", f)
	if env == nil {
		return code
	}
	defer env.Close()
	msgs, err := env.db.StatementMessages(ctx, client)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate outbox statements: %v\n", err)
		return exitUsage
	}
	var buf bytes.Buffer
	if err := outbox.WriteStatementsCSV(&buf, outbox.Statements(msgs, from)); err != nil {
		fmt.Fprintf(a.stderr, "edigate outbox statements: %v\n", err)
		return exitUsage
	}
	if out == "" {
		_, _ = a.stdout.Write(buf.Bytes())
		return exitOK
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		fmt.Fprintf(a.stderr, "edigate outbox statements: %v\n", err)
		return exitUsage
	}
	if err := durable.WriteFile(out, buf.Bytes()); err != nil {
		fmt.Fprintf(a.stderr, "edigate outbox statements: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(a.stdout, "statements written to %s\n", out)
	return exitOK
}
