package daemon

import (
	"context"
	"testing"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
)

// A daemon started after a `run --once` exchange knows how that exchange went: the state
// comes from the store, not from the new daemon's empty counters. A failing clearinghouse
// is recorded the same way.
func TestExchangeHealthOutlivesTheRun(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	down := cfg.Clearinghouses[0]
	down.ID, down.Simulator = "down", false
	down.SFTP.Host, down.SFTP.Port, down.SFTP.HostKey, down.SFTP.Password = "127.0.0.1", 1, "SHA256:AAAA", "x"
	down.SFTP.Retries, down.AlertAfterFailures = 1, 1
	cfg.Clearinghouses = append(cfg.Clearinghouses, down)
	first, err := New(ctx, Options{Config: cfg, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Status().Clearinghouses) != 0 {
		t.Fatalf("before any exchange: %+v", first.Status().Clearinghouses)
	}
	_ = first.RunOnce(ctx) // "down" fails its exchange; the error is expected
	first.Close()

	later, err := New(ctx, Options{Config: cfg, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer later.Close()
	if n := len(later.Failures.Health()); n != 0 {
		t.Fatalf("the new daemon's own counters already have %d entries", n)
	}
	hs := later.Status().Clearinghouses
	if len(hs) != 2 {
		t.Fatalf("health %+v", hs)
	}
	dn, sim := hs[0], hs[1]
	if dn.Clearinghouse != "down" || dn.ConsecutiveFailures == 0 || dn.LastError == "" || !dn.Alert || dn.LastFailure.IsZero() {
		t.Errorf("down: %+v", dn)
	}
	if sim.Clearinghouse != "sim" || sim.ConsecutiveFailures != 0 || sim.LastSuccess.IsZero() || sim.Alert {
		t.Errorf("sim: %+v", sim)
	}
}
