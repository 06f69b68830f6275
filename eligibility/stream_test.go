package eligibility

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// write271 writes one 271 (X279A1) answering n subscribers, each with two benefits.
func write271(w io.Writer, n int) error {
	bw := bufio.NewWriter(w)
	segs := 0
	put := func(s string) {
		bw.WriteString(s + "~\n")
		segs++
	}
	bw.WriteString("ISA*00*          *00*          *ZZ*SIMCH          *ZZ*EDIGATE        *261120*1200*^*00501*000000101*0*T*:~\n")
	bw.WriteString("GS*HB*SIMCH*EDIGATE*20261120*1200*101*X*005010X279A1~\n")
	for _, s := range []string{"ST*271*0001*005010X279A1", "BHT*0022*11*E0001*20261120*1200", "HL*1**20*1",
		"NM1*PR*2*DEMO COMMERCIAL HEALTH*****PI*60054", "HL*2*1*21*1", "NM1*1P*2*DEMO BEHAVIORAL HEALTH*****XX*1234567893"} {
		put(s)
	}
	for i := 1; i <= n; i++ {
		put(fmt.Sprintf("HL*%d*2*22*0", i+2))
		put(fmt.Sprintf("TRN*2*T%d*9371234567", i))
		put(fmt.Sprintf("NM1*IL*1*ROE*RICH****MI*W%d", i))
		put("EB*1*IND*30**SILVER HDHP")
		put("EB*C*IND*30***23*1500*****Y")
	}
	put(fmt.Sprintf("SE*%d*0001", segs+1))
	bw.WriteString("GE*1*101~\nIEA*1*000000101~\n")
	return bw.Flush()
}

// TestStream271BoundedMemory: a 271 answering 300,000 subscribers (~40 MB, one set) is
// handed out answer by answer, in order, valid, with the heap in use under 16 MB (Read271
// kept every answer and the set's loop tree).
func TestStream271BoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 40 MB")
	}
	const n = 300_000
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write271(pw, n)) }()
	got := 0
	var peak uint64
	findings, err := Stream271(context.Background(), pr, x12.ParseOptions{Guides: guides.Registry}, func(r Result) error {
		got++
		if r.Trace != fmt.Sprintf("T%d", got) || r.MemberID != fmt.Sprintf("W%d", got) || len(r.Benefits) != 2 {
			return fmt.Errorf("answer %d: %+v", got, r)
		}
		if got%30_000 == 0 {
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		return nil
	})
	if err != nil || len(findings) > 0 || got != n {
		t.Fatalf("answers %d, findings %v, err %v", got, findings, err)
	}
	t.Logf("peak heap in use %d MB", peak>>20)
	if peak == 0 || peak > 16<<20 {
		t.Fatalf("heap in use %d MB while streaming, want < 16 MB", peak>>20)
	}
}

// TestStream271VerdictAlone: the verdict without the answers (a nil fn, Apply271's first
// pass) is the mapping pass's verdict for every sample, valid, truncated (no trailers),
// with a wrong segment count, and without a 271 at all.
func TestStream271VerdictAlone(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.271"))
	if err != nil || len(files) == 0 {
		t.Fatalf("samples: %v %v", files, err)
	}
	opts := x12.ParseOptions{Guides: guides.Registry}
	invalid := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		se := strings.LastIndex(string(data), "SE*")
		variants := map[string][]byte{
			"as is":         data,
			"truncated":     data[:se],
			"wrong count":   []byte(strings.Replace(string(data), "SE*", "SE*9", 1)),
			"no 271 at all": []byte(strings.Replace(string(data), "ST*271*", "ST*270*", 1)),
		}
		for name, v := range variants {
			mapped, mErr := Stream271(context.Background(), bytes.NewReader(v), opts, func(Result) error { return nil })
			alone, aErr := Stream271(context.Background(), bytes.NewReader(v), opts, nil)
			if (mErr == nil) != (aErr == nil) || len(mapped) != len(alone) || errors.Is(mErr, ErrInvalid) != errors.Is(aErr, ErrInvalid) {
				t.Errorf("%s, %s: verdict alone %v (%d findings), mapping pass %v (%d findings)", f, name, aErr, len(alone), mErr, len(mapped))
			}
			if aErr != nil {
				invalid++
			}
		}
	}
	if invalid < 3*len(files) {
		t.Errorf("only %d invalid variants of %d samples: the broken ones must be invalid", invalid, len(files))
	}
}
