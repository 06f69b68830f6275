package x12_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

var (
	big835Once sync.Once
	big835     []byte
)

// large835 is a ~50 MB generated 835 (100 claims per set), built once per test binary.
func large835(b *testing.B) []byte {
	big835Once.Do(func() {
		var buf bytes.Buffer
		if err := fixtures.Write835(&buf, 120000, 100); err != nil {
			b.Fatal(err)
		}
		big835 = buf.Bytes()
	})
	return big835
}

// reportCPU resets the timer and returns a func that reports throughput per CPU-second
// of this process ("cpu-MB/s") beside the wall-clock MB/s. On an idle machine the two agree
// for the single-goroutine tokenizer; on a shared one only the CPU figure says what one core
// does. It includes GC work on other threads, so it never flatters the parser.
func reportCPU(b *testing.B, n int) func() {
	b.ResetTimer()
	start := processCPU()
	return func() {
		b.StopTimer()
		if cpu := processCPU() - start; cpu > 0 {
			b.ReportMetric(float64(n)*float64(b.N)/1e6/cpu.Seconds(), "cpu-MB/s")
		}
	}
}

// BenchmarkTokenizer measures the streaming Reader alone (MB/s).
func BenchmarkTokenizer(b *testing.B) {
	data := large835(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b, len(data))()
	for i := 0; i < b.N; i++ {
		r := x12.NewReader(bytes.NewReader(data))
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkParse835 is the full schema parse and validation (005010X221A1) without a
// tree, as the validate command runs it.
func BenchmarkParse835(b *testing.B) {
	benchParse(b, true)
}

// BenchmarkParse835Tree also builds every loop tree.
func BenchmarkParse835Tree(b *testing.B) {
	benchParse(b, false)
}

func benchParse(b *testing.B, noTree bool) {
	data := large835(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b, len(data))()
	for i := 0; i < b.N; i++ {
		p := x12.NewParser(bytes.NewReader(data), x12.ParseOptions{Guides: guides.Registry, NoTree: noTree})
		for {
			tr, err := p.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if !tr.Valid() {
				b.Fatalf("generated 835 invalid: %v", tr.Errors[0])
			}
		}
	}
}

// TestStream835BoundedMemory streams a generated ~200 MB 835 through NoTree validation
// and checks the heap never holds more than a small fraction of it.
func TestStream835BoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 200 MB")
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(fixtures.Write835(pw, 750000, 1000)) }()
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	cr := &countReader{r: pr}
	res, err := x12.Validate(context.Background(), cr, x12.ParseOptions{Guides: guides.Registry})
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid() || len(res.Interchanges[0].Groups[0].Sets) != 750 {
		t.Fatalf("valid %v, sets %d", res.Valid(), len(res.Interchanges[0].Groups[0].Sets))
	}
	if cr.n < 150<<20 {
		t.Fatalf("streamed only %d bytes", cr.n)
	}
	if peak > 100<<20 {
		t.Fatalf("heap in use peaked at %d MB streaming %d MB", peak>>20, cr.n>>20)
	}
	t.Logf("streamed %d MB, peak heap in use %d MB", cr.n>>20, peak>>20)
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
