package intake

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/edigate/edigate/fixtures"
)

// BenchmarkIntake100k is the throughput target: 100,000 generated sessions (plus
// their authorizations) through parsing, validation, authorization matching and unit
// consumption into SQLite. Run with -benchtime=1x; it reports sessions/s.
func BenchmarkIntake100k(b *testing.B) {
	n := benchN()
	var buf bytes.Buffer
	if err := fixtures.WriteSessions(&buf, n, 42); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b)
		if v, err := strconv.Atoi(os.Getenv("EDIGATE_BENCH_BATCH")); err == nil && v > 0 {
			e.in.BatchSize = v
		}
		e.drop(b, "bench.ndjson", data)
		before := cpuTime()
		b.StartTimer()
		sum := e.run(b)
		b.StopTimer()
		cpu += cpuTime() - before
		if sum.Rejected != 0 || sum.Records < n {
			b.Fatalf("summary = %+v", sum)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "sessions/s")
	// CPU seconds (user+system, all threads) per 100,000 sessions: steadier than sessions/s
	// on a shared machine, where wall time depends on what else runs.
	b.ReportMetric(cpu.Seconds()*100_000/float64(n*b.N), "cpu-s/100k")
}

// benchN lets a profiling run use fewer sessions (EDIGATE_BENCH_N); EDIGATE_BENCH_BATCH
// overrides the batch size.
func benchN() int {
	if v, err := strconv.Atoi(os.Getenv("EDIGATE_BENCH_N")); err == nil && v > 0 {
		return v
	}
	return 100_000
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
