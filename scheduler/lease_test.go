package scheduler

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeLeases holds one lease per name; renewals can be made to fail or be refused.
type fakeLeases struct {
	mu       sync.Mutex
	held     map[string]string
	renewErr error
	refuse   bool
	released []string
}

func (f *fakeLeases) AcquireLease(_ context.Context, name, holder string, _ time.Duration) (int64, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held[name] != "" {
		return 0, false, nil
	}
	f.held[name] = holder
	return 7, true, nil
}

func (f *fakeLeases) RenewLease(_ context.Context, name, holder string, _ int64, _ time.Duration) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.renewErr != nil {
		return false, f.renewErr
	}
	return !f.refuse && f.held[name] == holder, nil
}

func (f *fakeLeases) ReleaseLease(_ context.Context, name, holder string, _ int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held[name] == holder {
		delete(f.held, name)
	}
	f.released = append(f.released, name)
	return nil
}

func TestLeaserRun(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		heldBy   string // another holder already has the lease
		refuse   bool   // a renewal is refused (taken over)
		renewErr error  // renewals fail until the lease may have expired
		wantRan  bool
		wantLost bool
	}{
		{name: "free", wantRan: true},
		{name: "held elsewhere", heldBy: "other"},
		{name: "taken over", refuse: true, wantRan: true, wantLost: true},
		{name: "store unreachable", renewErr: errors.New("connection refused"), wantRan: true, wantLost: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeLeases{held: map[string]string{}, refuse: tc.refuse, renewErr: tc.renewErr}
			if tc.heldBy != "" {
				f.held["upload/ch"] = tc.heldBy
			}
			l := &Leaser{Leases: f, Holder: "me", TTL: 30 * time.Millisecond}
			called := false
			ran, err := l.Run(ctx, "upload/ch", func(ctx context.Context) error {
				called = true
				if !tc.wantLost {
					return nil
				}
				<-ctx.Done() // a long step: it is stopped once the lease is gone
				return ctx.Err()
			})
			if ran != tc.wantRan || called != tc.wantRan {
				t.Fatalf("ran %v called %v, want %v", ran, called, tc.wantRan)
			}
			if got := errors.Is(err, ErrLeaseLost); got != tc.wantLost {
				t.Fatalf("err %v, want lost %v", err, tc.wantLost)
			}
			if !tc.wantLost && err != nil {
				t.Fatal(err)
			}
			if tc.wantRan && (len(f.released) != 1 || f.held["upload/ch"] != "") {
				t.Fatalf("released %v, held %v", f.released, f.held)
			}
		})
	}
	var nilLeaser *Leaser
	if ran, err := nilLeaser.Run(ctx, "x", func(context.Context) error { return nil }); !ran || err != nil {
		t.Fatalf("no leaser: %v %v", ran, err)
	}
}

// TestLeaserRunPanics: a step that panics (the runner recovers it) still gives its lease up.
func TestLeaserRunPanics(t *testing.T) {
	f := &fakeLeases{held: map[string]string{}}
	l := &Leaser{Leases: f, Holder: "me", TTL: time.Hour}
	func() {
		defer func() { _ = recover() }()
		_, _ = l.Run(context.Background(), "alerts", func(context.Context) error { panic("bug") })
	}()
	if f.held["alerts"] != "" || len(f.released) != 1 {
		t.Fatalf("held %v, released %v", f.held, f.released)
	}
}
