package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/daemon"
	"github.com/edigate/edigate/internal/logging"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/x12/guides"
)

// daemonFlags are the flags `run` and `demo` share.
type daemonFlags struct {
	config, data, simRules, logFormat string
	once                              bool
}

func (f *daemonFlags) register(fs *flag.FlagSet, rulesUsage string) {
	fs.StringVar(&f.config, "config", "", "configuration file (default: APP_CONFIG, else built-in defaults)")
	fs.StringVar(&f.data, "data", "", "data directory (default from config: ./edigate-data)")
	fs.StringVar(&f.simRules, "sim-rules", "", rulesUsage)
	fs.BoolVar(&f.once, "once", false, "run every step once, in order, and exit")
	registerLogFormat(fs, &f.logFormat)
}

// loadDaemonConfig parses args and loads the configuration and simulator rules they name.
func loadDaemonConfig(a *app, name string, fs *flag.FlagSet, f *daemonFlags, args []string) (*config.Config, *sim.Rules, int) {
	if code, ok := parse(fs, args); !ok {
		return nil, nil, code
	}
	cfg, err := config.Load(f.config)
	if err != nil {
		return nil, nil, configLoadFailed(a, name, err)
	}
	if f.data != "" {
		cfg.DataDir = f.data
	}
	if code, ok := applyLogFormat(a, name, cfg, f.logFormat); !ok {
		return nil, nil, code
	}
	var rules *sim.Rules
	if f.simRules != "" {
		r, err := sim.LoadRules(f.simRules)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate %s: %v\n", name, err)
			return nil, nil, exitUsage
		}
		rules = &r
	}
	return cfg, rules, exitOK
}

// startDaemon builds the daemon and, unless it runs once, the web UI it serves.
func startDaemon(ctx context.Context, a *app, cfg *config.Config, rules *sim.Rules, demo, once bool) (*daemon.Daemon, error) {
	log := logging.New(a.stderr, cfg.Log.Level, cfg.Log.Format)
	if once {
		// One pass is a command like any other: its results, then warnings and errors only.
		name := "run"
		if demo {
			name = "demo"
		}
		log = logging.NewCLI(a.stderr, name, cfg.Log.Level, cfg.Log.Format)
	}
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Log: log, Demo: demo, SimRules: rules, Out: a.stdout})
	if err != nil {
		return nil, err
	}
	if cfg.Web.Listen != "" && !once {
		if err := d.ServeWeb(os.LookupEnv); err != nil {
			d.Close()
			return nil, err
		}
	}
	return d, nil
}

// runDaemon runs the daemon (or one pass of it) until interrupted.
func runDaemon(ctx context.Context, a *app, name string, cfg *config.Config, rules *sim.Rules, demo, once bool) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := startDaemon(ctx, a, cfg, rules, demo, once)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate %s: %v\n", name, err)
		return exitUsage
	}
	defer d.Close()
	if once {
		if err := d.RunOnce(ctx); err != nil {
			fmt.Fprintf(a.stderr, "edigate %s: %v\n", name, err)
			return exitInvalid
		}
		return exitOK
	}
	if err := d.Run(ctx); err != nil {
		fmt.Fprintf(a.stderr, "edigate %s: %v\n", name, err)
		return exitUsage
	}
	return exitOK
}

func runDemo(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "demo", "", "Run the whole cycle on this machine: SQLite in the data directory, the built-in\nclearinghouse simulator, every schedule every few seconds, and a sample batch of sessions\ncopied into the inbox. Sessions become claims, acknowledgements, payments and denials\nwithin a minute. Stop with Ctrl-C.")
	var f daemonFlags
	f.register(fs, "simulator scenario rules (JSON); default: the demo batch's scenarios")
	cfg, rules, code := loadDaemonConfig(a, "demo", fs, &f, args)
	if cfg == nil {
		return code
	}
	if rules == nil {
		r, err := demoRules()
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate demo: %v\n", err)
			return exitUsage
		}
		rules = &r
	}
	n, err := copyDemoBatch(filepath.Join(cfg.DataDir, "inbox"))
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate demo: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(a.stdout, "demo: %d sample file(s) copied into %s\n", n, filepath.Join(cfg.DataDir, "inbox"))
	if f.once {
		// One pass writes the 270 before the claims step and reads the 271 after it: waiting
		// for the answer would leave every demo claim unbuilt. The running demo waits.
		cfg.Claims.WaitForEligibility, cfg.Claims.EligibilityWaitHours = 0, 0
	}
	return runDaemon(ctx, a, "demo", cfg, rules, true, f.once)
}

func runSim(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "sim", "", "Run the clearinghouse simulator on its own: an SFTP mailbox on loopback that answers\nuploaded 837P files with TA1/999, 277CA and 835s and 270 files with 271s. Prints the\nhost key to pin and the credentials. Stop with Ctrl-C.")
	dir := fs.String("dir", "./edigate-sim", "simulator folder (mailbox, host key, pending answers)")
	addr := fs.String("addr", "127.0.0.1:2222", "listen address (loopback only unless you mean it)")
	user := fs.String("user", "edigate", "SFTP user")
	password := fs.String("password", "", "SFTP password (default: random, printed)")
	rulesPath := fs.String("rules", "", "scenario rules (JSON)")
	delay := fs.Duration("payment-delay", 10*time.Second, "how long after an upload the 835s appear")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	rules := sim.DefaultRules()
	if *rulesPath != "" {
		r, err := sim.LoadRules(*rulesPath)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate sim: %v\n", err)
			return exitUsage
		}
		rules = r
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := logging.New(a.stderr, "info", "auto")
	s, err := sim.Start(sim.Options{Dir: *dir, Addr: *addr, UploadDir: "outbound", DownloadDir: "inbound", Rules: rules,
		Guides: guides.Registry, PaymentDelay: *delay, User: *user, Password: *password, Log: log})
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate sim: %v\n", err)
		return exitUsage
	}
	defer s.Close()
	c := s.SFTP(config.SFTP{})
	fmt.Fprintf(a.stdout, "clearinghouse simulator on sftp://%s\n  user:     %s\n  password: %s\n  host_key: %s\n  upload to outbound/, download from inbound/\n",
		s.Addr(), c.User, c.Password, c.HostKey)
	<-ctx.Done()
	return exitOK
}
