// Package scheduler runs edigate's jobs on cron schedules and exchanges files with
// clearinghouses over SFTP. Of X12 it reads only envelopes (to describe an upload and to
// match 999/TA1 answers to it), and it knows nothing of storage or the configuration file:
// jobs are functions, and the exchange ledger (Ledger) and the acknowledgement store
// (AckStore) interfaces the daemon wires in; the daemon maps clearinghouses[] into
// Clearinghouse.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"
)

// JobFunc is one unit of scheduled work. It must honour ctx: the runner cancels it on shutdown.
type JobFunc func(ctx context.Context) error

// Job is a named JobFunc with its cron spec.
type Job struct {
	Name string
	Spec string // robfig/cron spec ("*/15 * * * *", "@every 30s"); "" means run only with RunOnce
	Run  JobFunc
}

// JobStatus is what health and the queues show about a job.
type JobStatus struct {
	Name                string    `json:"name"`
	Spec                string    `json:"spec"`
	Running             bool      `json:"running"`
	LastStart           time.Time `json:"last_start,omitzero"`
	LastEnd             time.Time `json:"last_end,omitzero"`
	LastError           string    `json:"last_error,omitempty"`
	Runs                int       `json:"runs"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	Skipped             int       `json:"skipped"` // ticks skipped because the previous run was still going
	// NextRun is when the schedule runs the job next (zero for a job without a spec).
	NextRun time.Time `json:"next_run,omitzero"`
}

// Runner schedules jobs with robfig/cron. SkipIfStillRunning wraps Recover (never the other
// way round), so a panicking job is logged, counted as a failure, and does not block its
// next tick; Stop waits for running jobs, which cron's own Stop does not.
type Runner struct {
	log  zerolog.Logger
	cron *cron.Cron
	loc  *time.Location

	mu     sync.Mutex
	status map[string]*JobStatus
	jobs   []Job
	// entries are the cron entries of scheduled jobs, by name: cron knows their next run.
	entries map[string]cron.EntryID
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// NewRunner returns a runner evaluating specs in loc (UTC when nil: no job is lost to an
// hour that a daylight-saving change skips).
func NewRunner(log zerolog.Logger, loc *time.Location) *Runner {
	if loc == nil {
		loc = time.UTC
	}
	ctx, cancel := context.WithCancel(context.Background())
	cl := cronLogger{log}
	r := &Runner{log: log, loc: loc, status: map[string]*JobStatus{}, entries: map[string]cron.EntryID{}, ctx: ctx, cancel: cancel}
	r.cron = cron.New(cron.WithLocation(loc), cron.WithChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)))
	return r
}

// Add registers a job; a job with an empty spec only runs through RunOnce.
func (r *Runner) Add(j Job) error {
	if j.Name == "" || j.Run == nil {
		return errors.New("scheduler: a job needs a name and a function")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.status[j.Name]; dup {
		return fmt.Errorf("scheduler: job %q added twice", j.Name)
	}
	r.status[j.Name] = &JobStatus{Name: j.Name, Spec: j.Spec}
	r.jobs = append(r.jobs, j)
	if j.Spec == "" {
		return nil
	}
	id, err := r.cron.AddFunc(j.Spec, func() { r.tick(j) })
	if err != nil {
		return fmt.Errorf("scheduler: job %q spec %q: %w", j.Name, j.Spec, err)
	}
	r.entries[j.Name] = id
	return nil
}

// tick runs inside cron's wrappers; a panic escapes to Recover after being recorded.
func (r *Runner) tick(j Job) {
	if r.ctx.Err() != nil {
		return
	}
	_ = r.run(r.ctx, j)
}

func (r *Runner) run(ctx context.Context, j Job) (err error) {
	r.wg.Add(1)
	defer r.wg.Done()
	r.mu.Lock()
	st := r.status[j.Name]
	if st.Running {
		st.Skipped++
		r.mu.Unlock()
		return fmt.Errorf("scheduler: job %q is still running", j.Name)
	}
	st.Running, st.LastStart = true, time.Now().UTC()
	r.mu.Unlock()
	// With "job done" it places a moment in the steps (scripts/sigkill kills within one).
	r.log.Debug().Str("job", j.Name).Msg("job start")
	defer func() {
		p := recover()
		if p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
		r.mu.Lock()
		st.Running, st.LastEnd = false, time.Now().UTC()
		st.Runs++
		if err != nil {
			st.LastError = err.Error()
			st.ConsecutiveFailures++
		} else {
			st.LastError, st.ConsecutiveFailures = "", 0
		}
		r.mu.Unlock()
		if err != nil {
			r.log.Error().Str("job", j.Name).Err(err).Msg("job failed")
		} else {
			r.log.Debug().Str("job", j.Name).Dur("took", st.LastEnd.Sub(st.LastStart)).Msg("job done")
		}
		if p != nil {
			panic(p) // let cron's Recover log it with the stack
		}
	}()
	return j.Run(ctx)
}

// RunOnce runs every job once, in the order added, stopping at the first error unless
// keepGoing. It is `edigate run --once`.
func (r *Runner) RunOnce(ctx context.Context, keepGoing bool) error {
	r.mu.Lock()
	jobs := append([]Job(nil), r.jobs...)
	r.mu.Unlock()
	var errs []error
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.runRecovered(ctx, j); err != nil {
			err = fmt.Errorf("job %s: %w", j.Name, err)
			if !keepGoing {
				return err
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Runner) runRecovered(ctx context.Context, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return r.run(ctx, j)
}

// Start begins the schedule.
func (r *Runner) Start() { r.cron.Start() }

// Stop stops scheduling, cancels running jobs' contexts after grace, and waits for them.
func (r *Runner) Stop(grace time.Duration) {
	done := r.cron.Stop() // no new ticks; done when running cron jobs return
	select {
	case <-done.Done():
	case <-time.After(grace):
		r.cancel()
		<-done.Done()
	}
	r.cancel()
	r.wg.Wait()
}

// Status returns every job's status, sorted by name, with its next scheduled run.
func (r *Runner) Status() []JobStatus {
	r.mu.Lock()
	out := make([]JobStatus, 0, len(r.status))
	for _, s := range r.status {
		out = append(out, *s)
	}
	entries := make(map[string]cron.EntryID, len(r.entries))
	for name, id := range r.entries {
		entries[name] = id
	}
	r.mu.Unlock()
	// Asked outside r.mu: a running cron answers through its own loop.
	now := time.Now().In(r.loc)
	for i := range out {
		id, ok := entries[out[i].Name]
		if !ok {
			continue
		}
		e := r.cron.Entry(id)
		next := e.Next
		if next.IsZero() && e.Schedule != nil {
			next = e.Schedule.Next(now) // cron fills Next only once started
		}
		out[i].NextRun = next.UTC()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// cronLogger adapts zerolog to cron.Logger.
type cronLogger struct{ log zerolog.Logger }

func (c cronLogger) Info(msg string, kv ...any) {
	c.log.Debug().Fields(kv).Msg("cron: " + msg)
}

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.log.Error().Err(err).Fields(kv).Msg("cron: " + msg)
}
