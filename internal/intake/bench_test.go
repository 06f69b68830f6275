package intake

import (
	"bytes"
	"os"
	"strconv"
	"testing"

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
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b)
		e.drop(b, "bench.ndjson", data)
		b.StartTimer()
		sum := e.run(b)
		if sum.Rejected != 0 || sum.Records < n {
			b.Fatalf("summary = %+v", sum)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "sessions/s")
}

// benchN lets a profiling run use fewer sessions (EDIGATE_BENCH_N).
func benchN() int {
	if v, err := strconv.Atoi(os.Getenv("EDIGATE_BENCH_N")); err == nil && v > 0 {
		return v
	}
	return 100_000
}
