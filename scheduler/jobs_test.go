package scheduler

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestRunOnceOrderAndErrors(t *testing.T) {
	r := NewRunner(zerolog.Nop(), nil)
	var order []string
	add := func(name string, err error) {
		if e := r.Add(Job{Name: name, Run: func(context.Context) error { order = append(order, name); return err }}); e != nil {
			t.Fatal(e)
		}
	}
	add("intake", nil)
	add("claims", errors.New("boom"))
	add("upload", nil)
	if err := r.RunOnce(context.Background(), false); err == nil || len(order) != 2 {
		t.Fatalf("stop at first error: %v %v", err, order)
	}
	order = nil
	if err := r.RunOnce(context.Background(), true); err == nil || len(order) != 3 {
		t.Fatalf("keep going: %v %v", err, order)
	}
	for _, s := range r.Status() {
		if s.Name == "claims" && (s.ConsecutiveFailures != 2 || s.LastError != "boom") {
			t.Fatalf("status: %+v", s)
		}
		if s.Name == "intake" && (s.Runs != 2 || s.ConsecutiveFailures != 0) {
			t.Fatalf("status: %+v", s)
		}
	}
	if err := r.Add(Job{Name: "intake", Run: func(context.Context) error { return nil }}); err == nil {
		t.Fatal("duplicate job accepted")
	}
	if err := r.Add(Job{Name: "bad", Spec: "not a spec", Run: func(context.Context) error { return nil }}); err == nil {
		t.Fatal("bad spec accepted")
	}
}

func TestPanicIsRecoveredAndCounted(t *testing.T) {
	r := NewRunner(zerolog.Nop(), nil)
	r.Add(Job{Name: "p", Run: func(context.Context) error { panic("bad job") }})
	if err := r.RunOnce(context.Background(), true); err == nil {
		t.Fatal("panic not reported")
	}
	if s := r.Status()[0]; s.ConsecutiveFailures != 1 || s.Running {
		t.Fatalf("status after panic: %+v", s)
	}
}

// TestSkipIfStillRunningAndGracefulStop: a slow job ticking every second runs once at a
// time, and Stop waits for it to finish.
func TestSkipIfStillRunningAndGracefulStop(t *testing.T) {
	r := NewRunner(zerolog.Nop(), time.UTC)
	var running, maxRunning, finished atomic.Int32
	release := make(chan struct{})
	r.Add(Job{Name: "slow", Spec: "@every 1s", Run: func(ctx context.Context) error {
		n := running.Add(1)
		if n > maxRunning.Load() {
			maxRunning.Store(n)
		}
		<-release
		running.Add(-1)
		finished.Add(1)
		return nil
	}})
	r.Start()
	deadline := time.Now().Add(2 * time.Minute)
	for running.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2200 * time.Millisecond) // at least two more ticks arrive while it runs
	stopped := make(chan struct{})
	go func() { r.Stop(30 * time.Second); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Stop returned while the job was still running")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	<-stopped
	if maxRunning.Load() != 1 || finished.Load() != 1 {
		t.Fatalf("max concurrent %d, finished %d", maxRunning.Load(), finished.Load())
	}
}

// Status says when each scheduled job runs next, before and after the schedule starts; a
// job without a spec has no next run.
func TestStatusNextRun(t *testing.T) {
	loc := time.FixedZone("UTC-5", -5*3600)
	r := NewRunner(zerolog.Nop(), loc)
	noop := func(context.Context) error { return nil }
	for _, j := range []Job{{Name: "claims", Spec: "0 18 * * 1-5", Run: noop}, {Name: "manual", Run: noop}, {Name: "upload", Spec: "@every 1h", Run: noop}} {
		if err := r.Add(j); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		before := time.Now()
		st := r.Status()
		if len(st) != 3 {
			t.Fatalf("%s: %+v", when, st)
		}
		claims, manual, upload := st[0], st[1], st[2]
		if !manual.NextRun.IsZero() {
			t.Errorf("%s: a job without a spec has a next run %v", when, manual.NextRun)
		}
		// 18:00 on a weekday in the runner's zone, within the coming week.
		n := claims.NextRun.In(loc)
		if n.Hour() != 18 || n.Minute() != 0 || n.Weekday() == time.Saturday || n.Weekday() == time.Sunday ||
			!n.After(before.Add(-time.Minute)) || n.After(before.Add(4*24*time.Hour)) || claims.NextRun.Location() != time.UTC {
			t.Errorf("%s: claims next run %v", when, claims.NextRun)
		}
		if upload.NextRun.Before(before) || upload.NextRun.After(time.Now().Add(time.Hour+time.Second)) {
			t.Errorf("%s: upload next run %v", when, upload.NextRun)
		}
	}
	check("before start")
	r.Start()
	defer r.Stop(time.Second)
	check("running")
}
