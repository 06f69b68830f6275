package pipeline

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/intake"
	"github.com/edigate/edigate/internal/store"
)

// BenchmarkClaimsStep times the daemon's eligibility and claims steps (270s written and
// recorded; claims built, scrubbed, stored, filed into 837P files and recorded) over a
// store that intake filled with EDIGATE_BENCH_N generated sessions (default 100,000, over
// a fifth as many clients). The post-intake store is made once and cached in the temp dir
// (EDIGATE_BENCH_CACHE=0 rebuilds it); each iteration works on a fresh copy. Run with
// -benchtime=1x and -cpuprofile to see where the claims step spends its time.
func BenchmarkClaimsStep(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("EDIGATE_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
	cached := intakeStore(b, n, now)
	var elig, claimsStep, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cfg := config.Default()
		cfg.DataDir = b.TempDir()
		// No 271 answers here: claims must not wait for one (as scripts/bench-e2e.sh).
		cfg.Claims.WaitForEligibility, cfg.Claims.EligibilityWaitHours = 0, 0
		copyFile(b, cached, filepath.Join(cfg.DataDir, "edigate.db"))
		db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "edigate.db"), store.Options{Now: func() time.Time { return now }})
		if err != nil {
			b.Fatal(err)
		}
		p := &Pipeline{Cfg: cfg, DB: db, Log: zerolog.Nop(), Now: func() time.Time { return now }}
		before := cpuTime()
		b.StartTimer()
		t0 := time.Now()
		if _, err := p.RequestEligibility(ctx); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		ffs, err := p.BuildAndFileClaims(ctx)
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		b.StopTimer()
		cpu += cpuTime() - before
		elig, claimsStep = elig+t1.Sub(t0), claimsStep+t2.Sub(t1)
		filed := 0
		for _, f := range ffs {
			filed += f.Claims
		}
		if filed == 0 {
			b.Fatal("no claim filed")
		}
		b.ReportMetric(float64(filed), "claims")
		db.Close()
	}
	b.ReportMetric(elig.Seconds()/float64(b.N), "eligibility-s")
	// Built, scrubbed, stored and filed in one step (BuildAndFileClaims): clean claims are
	// stored filed with their file, so building and filing no longer time apart.
	b.ReportMetric(claimsStep.Seconds()/float64(b.N), "claims-s")
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "sessions/s")
	// CPU seconds (user+system, all threads): steadier than wall time on a shared machine.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// intakeStore returns a SQLite store holding n generated sessions after intake, made once
// per n in the temp dir.
func intakeStore(b *testing.B, n int, now time.Time) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), "edigate-bench-claims-"+strconv.Itoa(n)+".db")
	if _, err := os.Stat(path); err == nil && os.Getenv("EDIGATE_BENCH_CACHE") != "0" {
		return path
	}
	var buf bytes.Buffer
	if err := fixtures.WriteSessionsClients(&buf, n, max(1, n/5), 1); err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = b.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(cfg.DataDir, "edigate.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	in, err := intake.New(cfg, db, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	in.SetClock(func() time.Time { return now })
	if err := os.WriteFile(filepath.Join(cfg.DataDir, "inbox", "bench.ndjson"), buf.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	if _, err := in.RunOnce(context.Background(), true); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SQL().Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	db.Close()
	copyFile(b, filepath.Join(cfg.DataDir, "edigate.db"), path+".tmp")
	if err := os.Rename(path+".tmp", path); err != nil {
		b.Fatal(err)
	}
	return path
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
}
