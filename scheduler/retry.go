package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"
)

// Backoff is an exponential backoff with full jitter: attempt n waits a random time in
// [0, min(Max, Base*2^n)), so that many gateways that lost the same server do not all
// come back at the same second.
type Backoff struct {
	Attempts int           // total tries, at least 1
	Base     time.Duration // first ceiling
	Max      time.Duration // largest ceiling
	// Rand returns a float in [0,1); nil uses math/rand/v2 (tests pin it).
	Rand func() float64
}

// DefaultBackoff suits a scheduled job: a few quick retries that ride out a dropped
// connection, not a long siege of a server that is down (the next scheduled run follows).
func DefaultBackoff(attempts int) Backoff {
	if attempts < 1 {
		attempts = 1
	}
	return Backoff{Attempts: attempts, Base: time.Second, Max: 30 * time.Second}
}

// Delay is the wait before retry n (0-based: the wait after the first failure is Delay(0)).
func (b Backoff) Delay(n int) time.Duration {
	ceil := b.Base
	for i := 0; i < n && ceil < b.Max; i++ {
		ceil *= 2
	}
	if b.Max > 0 && ceil > b.Max {
		ceil = b.Max
	}
	if ceil <= 0 {
		return 0
	}
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	return time.Duration(r() * float64(ceil))
}

// Permanent marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent wraps err so that Retry returns it at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether retrying err is pointless: a refused host key, refused
// credentials (repeating an expired password can lock the account) or a marked error.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p) || errors.Is(err, ErrHostKeyMismatch) || errors.Is(err, ErrAuth) || errors.Is(err, ErrNoHostKey)
}

// Retry calls fn until it succeeds, fails permanently, the attempts run out or ctx ends.
// Each call gets the attempt number (0-based).
func Retry(ctx context.Context, b Backoff, fn func(ctx context.Context, attempt int) error) error {
	attempts := b.Attempts
	if attempts < 1 {
		attempts = 1
	}
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(ctx, i); err == nil {
			return nil
		}
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			return fmt.Errorf("%w (%w)", err, ctx.Err())
		}
		if IsPermanent(err) || ctx.Err() != nil || i == attempts-1 {
			break
		}
		t := time.NewTimer(b.Delay(i))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (gave up waiting to retry: %w)", err, ctx.Err())
		case <-t.C:
		}
	}
	return err
}

// Health is one clearinghouse's exchange state, for the health endpoint and queues.
type Health struct {
	Clearinghouse       string
	ConsecutiveFailures int
	LastError           string // no PHI: errors name files and hosts, not content
	LastFailure         time.Time
	LastSuccess         time.Time
	// Alert is set once ConsecutiveFailures reaches the clearinghouse's
	// alert_after_failures (e.g. an expired password fails every run).
	Alert bool
}

// HealthReporter is what the daemon's /ready handler and the queues page read.
type HealthReporter interface {
	Health() []Health
}

// Failures counts consecutive failed runs per clearinghouse. It is safe for concurrent use.
type Failures struct {
	mu sync.Mutex
	m  map[string]*Health
}

// NewFailures returns an empty counter.
func NewFailures() *Failures { return &Failures{m: map[string]*Health{}} }

func (f *Failures) get(ch string) *Health {
	h, ok := f.m[ch]
	if !ok {
		h = &Health{Clearinghouse: ch}
		f.m[ch] = h
	}
	return h
}

// Success resets the clearinghouse's counter and clears its alert.
func (f *Failures) Success(ch string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.get(ch)
	h.ConsecutiveFailures = 0
	h.Alert = false
	h.LastError = ""
	h.LastSuccess = at
}

// Failure counts one failed run; alertAfter <= 0 never alerts. It reports whether the
// alert is raised by this failure (so it is logged once, not every run).
func (f *Failures) Failure(ch string, at time.Time, err error, alertAfter int) (raised bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.get(ch)
	h.ConsecutiveFailures++
	h.LastFailure = at
	if err != nil {
		h.LastError = err.Error()
	}
	if alertAfter > 0 && h.ConsecutiveFailures >= alertAfter && !h.Alert {
		h.Alert = true
		return true
	}
	return false
}

// Health returns a copy of every clearinghouse's state, ordered by id.
func (f *Failures) Health() []Health {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Health, 0, len(f.m))
	for _, h := range f.m {
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Clearinghouse < out[j].Clearinghouse })
	return out
}
