package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/internal/intake"
	"github.com/edigate/edigate/internal/store"
)

// BenchmarkScrubNew100k is the cost the scrub at intake adds to the intake step: 100,000
// generated sessions (internal/intake's BenchmarkIntake100k input) are taken in by intake
// untimed, then ScrubNew dry-builds, scrubs and records them all. Run with -benchtime=1x;
// EDIGATE_BENCH_N sets fewer sessions.
func BenchmarkScrubNew100k(b *testing.B) {
	_, buf := benchBatch(b)
	ctx := context.Background()
	var scrubbed int
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p := newPipeline(b)
		p.Now = time.Now
		in, err := intake.New(p.Cfg, p.DB, zerolog.Nop())
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p.Cfg.DataDir, "inbox", "bench.ndjson"), buf.Bytes(), 0o600); err != nil {
			b.Fatal(err)
		}
		if _, err := in.RunOnce(ctx, true); err != nil {
			b.Fatal(err)
		}
		before := cpuTime()
		b.StartTimer()
		sum, err := p.ScrubNew(ctx)
		b.StopTimer()
		cpu += cpuTime() - before
		if err != nil {
			b.Fatal(err)
		}
		scrubbed += sum.Sessions
	}
	b.ReportMetric(float64(scrubbed)/b.Elapsed().Seconds(), "sessions/s")
	// CPU seconds per 100,000 sessions, comparable with BenchmarkIntake100k's cpu-s/100k
	// on a shared machine where wall time depends on what else runs.
	b.ReportMetric(cpu.Seconds()*100_000/float64(scrubbed), "cpu-s/100k")
}

// BenchmarkIntakeScrubbed100k is the intake step as `edigate run` runs it: 100,000
// generated sessions (BenchmarkIntake100k's input) taken in with the scrub at intake in each
// batch's transaction (ScrubWritten). Run with -benchtime=1x; EDIGATE_BENCH_N sets fewer.
func BenchmarkIntakeScrubbed100k(b *testing.B) {
	n, buf := benchBatch(b)
	ctx := context.Background()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p := newPipeline(b)
		p.Now = time.Now
		in, err := intake.New(p.Cfg, p.DB, zerolog.Nop())
		if err != nil {
			b.Fatal(err)
		}
		in.Scrub = func(bt *store.Batch) error {
			_, err := p.ScrubWritten(bt)
			return err
		}
		if err := os.WriteFile(filepath.Join(p.Cfg.DataDir, "inbox", "bench.ndjson"), buf.Bytes(), 0o600); err != nil {
			b.Fatal(err)
		}
		before := cpuTime()
		b.StartTimer()
		sum, err := in.RunOnce(ctx, true)
		b.StopTimer()
		cpu += cpuTime() - before
		if err != nil || sum.Rejected != 0 {
			b.Fatal(sum, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "sessions/s")
	b.ReportMetric(cpu.Seconds()*100_000/float64(n*b.N), "cpu-s/100k")
}

// benchBatch is BenchmarkIntake100k's input: 100,000 generated sessions, or
// EDIGATE_BENCH_N.
func benchBatch(b *testing.B) (int, *bytes.Buffer) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("EDIGATE_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	var buf bytes.Buffer
	if err := fixtures.WriteSessions(&buf, n, 42); err != nil {
		b.Fatal(err)
	}
	return n, &buf
}
