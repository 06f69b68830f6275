// Package daemon builds edigate's object graph from the configuration and runs it: the
// store, the built-in clearinghouse simulator, one SFTP exchange per clearinghouse, the
// scheduled pipeline steps, the admin server (/live, /ready, /metrics) and the web UI.
package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/moov-io/base/admin"
	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/intake"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/scheduler"
	"github.com/edigate/edigate/x12/guides"
)

// Options configure a daemon.
type Options struct {
	Config *config.Config
	Log    zerolog.Logger
	// Demo runs every schedule every few seconds and lets the simulator pay quickly.
	Demo bool
	// SimRules chooses the simulator's answers per member (default: pay everything).
	SimRules *sim.Rules
	// SimPaymentDelay overrides how long the simulator waits before its 835s (tests).
	SimPaymentDelay time.Duration
	// Out receives the start-up banner (where the inbox and the web UI are).
	Out io.Writer
	Now func() time.Time
}

// Step is one pipeline step: a job the scheduler runs on Spec, and `run --once` runs in order.
type Step struct {
	Name string
	Spec string
	Run  scheduler.JobFunc
}

// Daemon is a running edigate.
type Daemon struct {
	opts     Options
	cfg      *config.Config
	log      zerolog.Logger
	DB       *store.DB
	Pipeline *pipeline.Pipeline
	Runner   *scheduler.Runner
	Failures *scheduler.Failures
	// Leaser runs the once-per-cluster steps under leases in the store.
	Leaser    *scheduler.Leaser
	sims      map[string]*sim.Clearinghouse
	exchanges map[string]*scheduler.Exchange
	steps     []Step
	// Handlers process response files by kind (999, TA1, 277CA, 277, 835, 271).
	Handlers map[string]pipeline.Handler
	// Web, when set before Run, is served on web.listen.
	Web http.Handler

	intake    *intake.Intake
	authRules *claims.AuthRules
	// once makes intake treat every inbox file as complete (`run --once`).
	once bool

	mu         sync.Mutex
	closers    []func() error
	registered bool
}

// New opens the store, starts the simulator for simulated clearinghouses (so their SFTP
// settings are known) and prepares one exchange per clearinghouse and the steps.
func New(ctx context.Context, opts Options) (*Daemon, error) {
	if opts.Config == nil {
		return nil, errors.New("daemon: no configuration")
	}
	cfg := *opts.Config // the simulator rewrites SFTP settings on a copy, never the caller's
	cfg.Clearinghouses = append([]config.Clearinghouse(nil), opts.Config.Clearinghouses...)
	if opts.Demo {
		demoSchedules(&cfg.Schedules)
	}
	d := &Daemon{opts: opts, cfg: &cfg, log: opts.Log, sims: map[string]*sim.Clearinghouse{},
		exchanges: map[string]*scheduler.Exchange{}, Failures: scheduler.NewFailures()}
	if err := secureDataDir(cfg.DataDir, opts.Log); err != nil {
		return nil, err
	}
	db, err := store.OpenConfig(ctx, cfg.Store, cfg.DataDir, store.Options{Now: opts.Now})
	if err != nil {
		return nil, err
	}
	d.DB = db
	d.onClose(db.Close)
	d.Leaser = &scheduler.Leaser{Leases: db, Holder: leaseHolder(), TTL: cfg.Schedules.LeaseTTL, Log: opts.Log}
	d.Pipeline = &pipeline.Pipeline{Cfg: &cfg, DB: db, Log: opts.Log, Now: opts.Now}
	d.Handlers = d.Pipeline.ResponseHandlers()
	ledger := pipeline.ExchangeStore{DB: db}
	for i := range cfg.Clearinghouses {
		ch := &cfg.Clearinghouses[i]
		if ch.Simulator {
			if err := d.startSim(ch); err != nil {
				d.Close()
				return nil, err
			}
		}
		d.exchanges[ch.ID] = &scheduler.Exchange{CH: pipeline.ExchangeOptions(ch), DataDir: cfg.DataDir, Ledger: ledger, Failures: d.Failures, Log: opts.Log, Now: opts.Now}
	}
	loc, err := time.LoadLocation(cfg.Schedules.TimeZone)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("daemon: schedules.time_zone: %w", err)
	}
	d.Runner = scheduler.NewRunner(opts.Log, loc)
	if d.intake, err = intake.New(&cfg, db, opts.Log); err != nil {
		d.Close()
		return nil, err
	}
	d.intake.Scrub = func(b *store.Batch) error {
		_, err := d.Pipeline.ScrubWritten(b)
		return err
	}
	if d.authRules, err = claims.NewAuthRules(cfg.ClaimsPayers()); err != nil {
		d.Close()
		return nil, err
	}
	d.steps = d.defaultSteps()
	return d, nil
}

func (d *Daemon) onClose(fn func() error) {
	d.mu.Lock()
	d.closers = append(d.closers, fn)
	d.mu.Unlock()
}

// Close stops the simulator and closes the store (last opened, first closed).
func (d *Daemon) Close() error {
	d.mu.Lock()
	cl := d.closers
	d.closers = nil
	d.mu.Unlock()
	var errs []error
	for i := len(cl) - 1; i >= 0; i-- {
		if err := cl[i](); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// startSim runs the built-in clearinghouse for ch and points ch's SFTP settings at it.
func (d *Daemon) startSim(ch *config.Clearinghouse) error {
	rules := sim.DefaultRules()
	if d.opts.SimRules != nil {
		rules = *d.opts.SimRules
	}
	delay := 2 * time.Minute
	if d.opts.Demo {
		delay = 5 * time.Second
	}
	if d.opts.SimPaymentDelay > 0 {
		delay = d.opts.SimPaymentDelay
	}
	s, err := sim.Start(sim.Options{Dir: filepath.Join(d.cfg.DataDir, "sim", ch.ID), UploadDir: ch.Paths.Upload, DownloadDir: ch.Paths.Download,
		ID: ch.ISA.ReceiverID, Usage: ch.ISA.Usage, Rules: rules, Guides: guides.Registry, PaymentDelay: delay, Log: d.log, Now: d.opts.Now})
	if err != nil {
		return fmt.Errorf("daemon: simulator for %s: %w", ch.ID, err)
	}
	ch.SFTP = s.SFTP(ch.SFTP)
	d.sims[ch.ID] = s
	d.onClose(s.Close)
	d.log.Info().Str("clearinghouse", ch.ID).Str("addr", s.Addr()).Msg("clearinghouse simulator listening")
	return nil
}

// demoSchedules makes every step run every few seconds.
func demoSchedules(s *config.Schedules) {
	s.Intake, s.Eligibility, s.Claims = "@every 3s", "@every 5s", "@every 5s"
	s.Upload, s.Download, s.Responses = "@every 3s", "@every 3s", "@every 3s"
	s.Alerts, s.Housekeeping, s.FollowUp = "@every 30s", "@every 5m", "@every 1m"
	s.Outbox = "@every 3s"
}

// Steps returns the pipeline in the order `run --once` runs it.
func (d *Daemon) Steps() []Step { return d.steps }

func (d *Daemon) defaultSteps() []Step {
	sc := d.cfg.Schedules
	return []Step{
		{"intake", sc.Intake, func(ctx context.Context) error {
			_, err := d.intake.RunOnce(ctx, d.once)
			// Intake scrubs what it stores in the same transactions (ScrubWritten); this
			// scrubs what it did not (sessions made ready otherwise, a scrub that failed),
			// whatever the claims schedule: holds show at once.
			_, serr := d.Pipeline.ScrubNew(ctx)
			return errors.Join(err, serr)
		}},
		// Eligibility and claims take every piece of their work in the database first (a
		// 270 recorded open once per member and date, a claim moved from built to filed
		// once), so two instances never send one twice; but each would build the whole
		// batch only for one to lose every race (two instances were slower than one). A
		// lease gives the step to one instance at a time; intake still runs everywhere.
		{"eligibility", sc.Eligibility, d.leased("eligibility", func(ctx context.Context) error {
			_, err := d.Pipeline.RequestEligibility(ctx)
			return err
		})},
		{"claims", sc.Claims, d.leased("claims", func(ctx context.Context) error {
			_, err := d.Pipeline.BuildAndFileClaims(ctx)
			return err
		})},
		{"upload", sc.Upload, d.upload},
		{"download", sc.Download, d.download},
		{"responses", sc.Responses, func(ctx context.Context) error {
			name, err := d.folderLease("responses")
			if err != nil {
				return err
			}
			_, err = d.Leaser.Run(ctx, name, func(ctx context.Context) error {
				_, failed, err := d.Pipeline.ProcessResponses(ctx, d.Handlers)
				if err == nil && failed > 0 {
					err = fmt.Errorf("%d response file(s) could not be processed", failed)
				}
				return err
			})
			return err
		}},
		{"follow-up", sc.FollowUp, d.leased("follow-up", func(ctx context.Context) error {
			_, err := d.Pipeline.FollowUp(ctx)
			return err
		})},
		{"alerts", sc.Alerts, d.leased("alerts", func(ctx context.Context) error {
			return errors.Join(d.DB.CheckAuthAlerts(ctx, d.authRules), d.checkOverdue(ctx))
		})},
		{"housekeeping", sc.Housekeeping, d.leased("housekeeping", d.housekeeping)},
		// Last: `run --once` tells the practice system what every step before it did. One
		// writer in the cluster: the outbox cursor is shared, the files are numbered by it.
		{"outbox", sc.Outbox, d.leased("outbox", d.outbox)},
	}
}

// leased makes a step run on one instance of the cluster at a time: an instance that finds
// the lease held skips the step this time (the holder is doing it).
func (d *Daemon) leased(name string, fn scheduler.JobFunc) scheduler.JobFunc {
	return func(ctx context.Context) error {
		_, err := d.Leaser.Run(ctx, name, fn)
		return err
	}
}

// folderLease names a lease on work kept in this data folder (its outbound files, its
// downloaded responses): instances sharing the folder take turns, instances with folders
// of their own each hold their own.
func (d *Daemon) folderLease(kind string) (string, error) {
	id, err := d.Pipeline.FolderID()
	if err != nil {
		return "", fmt.Errorf("data folder id: %w", err)
	}
	return kind + "/" + id, nil
}

// leaseHolder names this process among the instances: host, process id and a random part
// (process ids repeat across restarts and containers).
func leaseHolder() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// outbox writes the outbox files, then delivers over HTTP when configured; a delivery
// failure does not keep the files from being written.
func (d *Daemon) outbox(ctx context.Context) error {
	_, ferr := d.Pipeline.WriteOutbox(ctx)
	_, herr := d.Pipeline.DeliverOutbox(ctx)
	return errors.Join(ferr, herr)
}

// upload sends every clearinghouse's outbound files; one clearinghouse failing does not stop
// the others. The outbound folder is this data folder's, so the lease is per clearinghouse
// and data folder: instances sharing a folder take turns, each separate folder uploads
// its own files.
func (d *Daemon) upload(ctx context.Context) error {
	var errs []error
	for id, x := range d.exchanges {
		ob := &scheduler.DirOutbox{Dir: d.Pipeline.OutboundDir(id), Record: d.Pipeline.RecordUpload, OnReject: d.outboxRejected(id), Now: d.opts.Now}
		if err := os.MkdirAll(ob.Dir, 0o700); err != nil {
			return err
		}
		name, err := d.folderLease("upload/" + id)
		if err != nil {
			return err
		}
		if _, err := d.Leaser.Run(ctx, name, func(ctx context.Context) error {
			_, err := x.Upload(ctx, ob)
			return err
		}); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		}
	}
	return errors.Join(append(errs, d.saveHealth(ctx))...)
}

// download fetches every clearinghouse's responses, one instance of the cluster per
// clearinghouse at a time: the remote folder is shared by all, and a file is deleted or
// moved there once recorded.
func (d *Daemon) download(ctx context.Context) error {
	var errs []error
	for id, x := range d.exchanges {
		if _, err := d.Leaser.Run(ctx, "download/"+id, func(ctx context.Context) error {
			_, err := x.Download(ctx)
			return err
		}); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		}
	}
	return errors.Join(append(errs, d.saveHealth(ctx))...)
}

// housekeeping folds SQLite's write-ahead log back into the database file.
func (d *Daemon) housekeeping(ctx context.Context) error {
	if d.DB.Dialect() != "sqlite" {
		return nil
	}
	_, err := d.DB.SQL().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// RunOnce runs every step once, in order, and keeps going past a failing step so one
// clearinghouse being down does not stop intake; the errors are returned together.
func (d *Daemon) RunOnce(ctx context.Context) error {
	d.once = true
	defer func() { d.once = false }()
	if err := d.register(false); err != nil {
		return err
	}
	return d.Runner.RunOnce(ctx, true)
}

func (d *Daemon) register(scheduled bool) error {
	if d.registered {
		return nil
	}
	d.registered = true
	for _, s := range d.steps {
		spec := s.Spec
		if !scheduled {
			spec = ""
		}
		if err := d.Runner.Add(scheduler.Job{Name: s.Name, Spec: spec, Run: s.Run}); err != nil {
			return err
		}
	}
	return nil
}

// Run schedules the steps (on a fresh runner when RunOnce came first) and serves the admin server and web UI until ctx ends, then
// stops taking new work and waits for running steps.
func (d *Daemon) Run(ctx context.Context) error {
	if d.registered {
		loc, _ := time.LoadLocation(d.cfg.Schedules.TimeZone)
		d.Runner, d.registered = scheduler.NewRunner(d.log, loc), false
	}
	if err := d.register(true); err != nil {
		return err
	}
	adm, err := d.startAdmin()
	if err != nil {
		return err
	}
	var web *http.Server
	if d.Web != nil && d.cfg.Web.Listen != "" {
		web = &http.Server{Addr: d.cfg.Web.Listen, Handler: d.Web, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := web.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				d.log.Error().Err(err).Msg("web server stopped")
			}
		}()
	}
	d.banner(adm)
	d.Runner.Start()
	<-ctx.Done()
	d.log.Info().Msg("shutting down: waiting for running jobs")
	d.Runner.Stop(30 * time.Second)
	if web != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = web.Shutdown(sctx)
		cancel()
	}
	if adm != nil {
		adm.Shutdown()
	}
	return nil
}

func (d *Daemon) banner(adm *admin.Server) {
	if d.opts.Out == nil {
		return
	}
	fmt.Fprintf(d.opts.Out, "edigate is running\n  inbox:   %s\n", filepath.Join(d.cfg.DataDir, "inbox"))
	if d.Web != nil && d.cfg.Web.Listen != "" {
		fmt.Fprintf(d.opts.Out, "  web UI:  http://%s/\n", d.cfg.Web.Listen)
	}
	if adm != nil {
		fmt.Fprintf(d.opts.Out, "  admin:   http://%s/live  /ready  /metrics  /jobs  /alerts\n", adm.BindAddr())
	}
	for id, s := range d.sims {
		fmt.Fprintf(d.opts.Out, "  clearinghouse %s: built-in simulator on sftp://%s\n", id, s.Addr())
	}
}

// Status is what /jobs and the web UI show.
type Status struct {
	Jobs           []scheduler.JobStatus `json:"jobs"`
	Clearinghouses []scheduler.Health    `json:"clearinghouses"`
	// Outbox is what was told to the practice system: the last event, files written
	// through, and the HTTP delivery (delivered through, last error, next attempt).
	Outbox *pipeline.OutboxStatus `json:"outbox,omitempty"`
}

// Status reports the jobs and the clearinghouse exchanges, as last recorded in the store
// (by this daemon, an earlier `run --once` or another instance).
func (d *Daemon) Status() Status {
	st := Status{Jobs: d.Runner.Status(), Clearinghouses: d.exchangeHealth()}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ob, err := d.Pipeline.OutboxStatus(ctx); err == nil {
		st.Outbox = &ob
	} else {
		d.log.Warn().Err(err).Msg("outbox status")
	}
	return st
}
