package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/logging"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
)

// commonFlags are the flags every store-backed subcommand takes after its name.
type commonFlags struct {
	config, data, logFormat string
	json                    bool
}

func (f *commonFlags) register(fs *flag.FlagSet, withJSON bool) {
	fs.StringVar(&f.config, "config", "", "configuration file (default: APP_CONFIG, else built-in defaults)")
	fs.StringVar(&f.data, "data", "", "data directory (default from config: ./edigate-data)")
	registerLogFormat(fs, &f.logFormat)
	if withJSON {
		fs.BoolVar(&f.json, "json", false, "print JSON")
	}
}

// cliEnv is what a store-backed subcommand works with: the one configuration, the logger
// (to stderr; it never carries PHI) and the opened store.
type cliEnv struct {
	cfg   *config.Config
	log   zerolog.Logger
	db    *store.DB
	rules *claims.AuthRules
	now   time.Time // one clock reading per command, so every step of it agrees on "today"
}

// pipeline is the service layer the daemon's steps use, so a CLI verb means the same thing.
func (e *cliEnv) pipeline() *pipeline.Pipeline {
	return &pipeline.Pipeline{Cfg: e.cfg, DB: e.db, Log: e.log, Now: func() time.Time { return e.now }}
}

// openEnv loads the configuration (--config, then --data over data_dir), builds the logger
// and opens the store. On failure it has printed why and returns the exit code.
func openEnv(ctx context.Context, a *app, name string, f commonFlags) (*cliEnv, int) {
	return openEnvWith(ctx, a, name, f, store.Options{})
}

// openEnvWith is openEnv with store options.
func openEnvWith(ctx context.Context, a *app, name string, f commonFlags, opt store.Options) (*cliEnv, int) {
	cfg, err := config.Load(f.config)
	if err != nil {
		return nil, configLoadFailed(a, name, err)
	}
	if f.data != "" {
		cfg.DataDir = f.data
	}
	if code, ok := applyLogFormat(a, name, cfg, f.logFormat); !ok {
		return nil, code
	}
	rules, err := claims.NewAuthRules(cfg.ClaimsPayers())
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate %s: %v\n", name, err)
		return nil, exitUsage
	}
	log := logging.NewCLI(a.stderr, name, cfg.Log.Level, cfg.Log.Format)
	db, err := store.OpenConfig(ctx, cfg.Store, cfg.DataDir, opt)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate %s: %v\n", name, err)
		return nil, exitUsage
	}
	return &cliEnv{cfg: cfg, log: log, db: db, rules: rules, now: time.Now().UTC()}, exitOK
}

func (e *cliEnv) Close() { e.db.Close() }

// registerLogFormat adds --log-format: a command prints its results on stdout and only
// warnings and errors on stderr, in words unless this (or log.format) says json.
func registerLogFormat(fs *flag.FlagSet, v *string) {
	fs.StringVar(v, "log-format", "", "log lines on stderr: json, console (words) or auto (default: log.format)")
}

// applyLogFormat puts --log-format over log.format; ok is false (after saying why) for a
// value that is not one of them.
func applyLogFormat(a *app, name string, cfg *config.Config, format string) (int, bool) {
	switch format {
	case "":
	case "json", "console", "auto":
		cfg.Log.Format = format
	default:
		fmt.Fprintf(a.stderr, "edigate %s: --log-format %q is not json, console or auto\n", name, format)
		return exitUsage, false
	}
	return exitOK, true
}

// emitJSON prints v as indented JSON.
func emitJSON(a *app, name string, v any) int {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(a.stderr, "edigate %s: %v\n", name, err)
		return exitUsage
	}
	return exitOK
}

// emitList prints list as JSON (an empty list as []), or for people: empty when there is
// nothing, else a table with header (tab-separated columns) and row's line per item.
func emitList[T any](a *app, name string, asJSON bool, list []T, empty, header string, row func(T) string) int {
	if asJSON {
		if list == nil {
			list = []T{}
		}
		return emitJSON(a, name, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(a.stdout, empty)
		return exitOK
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, header)
	for _, it := range list {
		fmt.Fprintln(w, row(it))
	}
	w.Flush()
	return exitOK
}

// utcTime shows a stored instant (RFC 3339, nanoseconds) in layout, in UTC; anything else
// (including "") as it is.
func utcTime(ts, layout string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	return t.UTC().Format(layout)
}

// parseFileArg parses args for a verb that takes one FILE argument ("-" is standard input)
// and opens it. A nil file means the command must return code now: -h, a usage error or a
// file that cannot be opened, each already reported.
func parseFileArg(a *app, name string, fs *flag.FlagSet, args []string) (io.ReadCloser, string, int) {
	if code, ok := parse(fs, args); !ok {
		return nil, "", code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return nil, "", exitUsage
	}
	path := fs.Arg(0)
	f, err := openInput(a, path)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate %s: %v\n", name, err)
		return nil, "", exitUsage
	}
	return f, path, exitOK
}

// parseAndOpen parses args for fs (with f registered on it), checks that exactly nargs
// positional arguments remain (-1: any number), and opens the environment. A nil env means
// the command must return code now: -h, a usage error, or a configuration or store error,
// each already reported.
func parseAndOpen(ctx context.Context, a *app, name string, fs *flag.FlagSet, f *commonFlags, args []string, nargs int) (*cliEnv, int) {
	if code, ok := parse(fs, args); !ok {
		return nil, code
	}
	if nargs >= 0 && fs.NArg() != nargs {
		fs.Usage()
		return nil, exitUsage
	}
	return openEnv(ctx, a, name, *f)
}
