package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// Leases keeps named, expiring leases every instance sharing a store sees (the store
// implements it). A lease is how a step that must run once per cluster (the SFTP exchange
// of one clearinghouse, alerts, housekeeping, follow-up) runs on one instance at a time.
// It is not what keeps work from being done twice: every state change the step makes
// still names the state it expects, so two holders overlapping (a paused process whose
// lease expired) find their writes refused rather than applied twice. The lease keeps them
// from racing on files and connections in the first place.
type Leases interface {
	// AcquireLease takes name for holder for ttl unless someone holds it unexpired; it
	// returns a token that grows with every new holder.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (token int64, ok bool, err error)
	// RenewLease extends the lease by ttl while holder still holds it with token; false
	// when it is lost (expired or taken).
	RenewLease(ctx context.Context, name, holder string, token int64, ttl time.Duration) (bool, error)
	// ReleaseLease gives the lease up now.
	ReleaseLease(ctx context.Context, name, holder string, token int64) error
}

// ErrLeaseLost cancels a step's context when its lease could not be renewed in time.
var ErrLeaseLost = errors.New("cluster lease lost")

// DefaultLeaseTTL is how long a lease outlives its holder's last renewal.
const DefaultLeaseTTL = time.Minute

// Leaser runs functions under leases for one holder (one process).
type Leaser struct {
	Leases Leases
	// Holder names this process (host, pid and a random part): a restarted process is a
	// new holder and waits for its predecessor's lease to expire.
	Holder string
	TTL    time.Duration // zero: DefaultLeaseTTL
	Log    zerolog.Logger
}

func (l *Leaser) ttl() time.Duration {
	if l.TTL > 0 {
		return l.TTL
	}
	return DefaultLeaseTTL
}

// Run runs fn while holding the lease name and reports whether it ran: false (and no
// error) when another instance holds it, so this instance skips the step this time. The
// lease is renewed every third of its TTL; when a renewal is refused, or none succeeded
// for long enough that the lease may have expired, fn's context is cancelled with
// ErrLeaseLost. A nil Leaser runs fn unleased (a single instance).
func (l *Leaser) Run(ctx context.Context, name string, fn func(context.Context) error) (bool, error) {
	if l == nil || l.Leases == nil {
		return true, fn(ctx)
	}
	ttl := l.ttl()
	start := time.Now()
	token, ok, err := l.Leases.AcquireLease(ctx, name, l.Holder, ttl)
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	if !ok {
		l.Log.Info().Str("lease", name).Msg("step skipped: another instance holds its lease")
		return false, nil
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		l.renew(runCtx, cancel, done, name, token, start)
	}()
	// Deferred, so a panicking step (recovered by the runner) still stops renewing and
	// hands the lease over instead of keeping it for as long as the process lives.
	defer func() {
		close(done)
		<-renewed
		cancel(nil)
		// Released on a context of its own: a step cancelled by shutdown still hands over.
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer rcancel()
		if rerr := l.Leases.ReleaseLease(rctx, name, l.Holder, token); rerr != nil {
			l.Log.Warn().Str("lease", name).Err(rerr).Msg("lease not released; it expires on its own")
		}
	}()
	ferr := fn(runCtx)
	if lost := context.Cause(runCtx); errors.Is(lost, ErrLeaseLost) {
		return true, errors.Join(fmt.Errorf("lease %s: %w", name, ErrLeaseLost), ferr)
	}
	return true, ferr
}

// renew keeps the lease until done closes. The lease surely lives until the start of the
// last successful renewal plus the TTL (measured on this host from before the request);
// a sixth of the TTL before that, without a renewal, the step is stopped.
func (l *Leaser) renew(ctx context.Context, cancel context.CancelCauseFunc, done <-chan struct{}, name string, token int64, start time.Time) {
	ttl := l.ttl()
	valid := start.Add(ttl)
	tick := time.NewTicker(ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		at := time.Now()
		ok, err := l.Leases.RenewLease(ctx, name, l.Holder, token, ttl)
		switch {
		case err == nil && ok:
			valid = at.Add(ttl)
		case err == nil:
			l.Log.Warn().Str("lease", name).Msg("lease lost to another instance; stopping the step")
			cancel(ErrLeaseLost)
			return
		default:
			l.Log.Warn().Str("lease", name).Err(err).Msg("lease renewal failed")
			if time.Until(valid) < ttl/6 {
				cancel(ErrLeaseLost)
				return
			}
		}
	}
}
