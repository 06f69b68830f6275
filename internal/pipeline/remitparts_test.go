package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/internal/store"
)

// gen835 writes a generated 835 (claims CLPs, perSet per transaction set) to a temp file.
func gen835(t testing.TB, claims, perSet int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gen.835")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := fixtures.Write835(f, claims, perSet); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// postedCounts is what posting left in the store: files, payments, CLPs, adjustments,
// queue items and claim events, and the file's progress.
func postedCounts(t *testing.T, p *Pipeline) string {
	t.Helper()
	out := ""
	for _, q := range []string{
		`SELECT COUNT(*) FROM remit_files`,
		`SELECT COUNT(*) FROM remit_payments`,
		`SELECT COUNT(*) FROM remit_payments WHERE balanced = 1`,
		`SELECT COUNT(*) FROM remit_claims`,
		`SELECT COUNT(DISTINCT claim_id || '/' || status) FROM remit_claims`,
		`SELECT COUNT(*) FROM remit_adjustments`,
		`SELECT COUNT(*) FROM queue_items`,
		`SELECT COUNT(*) FROM events WHERE entity_kind = 'claim'`,
		`SELECT COALESCE(SUM(items_done), 0) || '/' || COALESCE(SUM(complete), 0) FROM remit_files`,
	} {
		var v string
		if err := p.DB.SQL().QueryRowContext(context.Background(), q).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out += v + " "
	}
	return out
}

var errStop = errors.New("stopped as a crash would")

// TestApplyResponseInPartsResumes: an 835 applied in parts by a run that stops after
// part k (as a kill between two transactions would) and is then run again ends exactly
// where one uninterrupted run ends: every CLP posted once, every queue item and event
// once, the file complete; a third run is a duplicate. Table: where the run stops, and
// sets that end inside a part, at a part's end, and a set spanning several parts.
func TestApplyResponseInPartsResumes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		claims, perSet, part, stopAfter int
	}{
		{claims: 50, perSet: 7, part: 10, stopAfter: 1},
		{claims: 50, perSet: 7, part: 10, stopAfter: 4},  // the last part is 5 (claims 40..49)
		{claims: 40, perSet: 10, part: 10, stopAfter: 2}, // a set ends exactly at a part's end
		{claims: 45, perSet: 45, part: 4, stopAfter: 6},  // one set over twelve parts
		{claims: 12, perSet: 3, part: 1, stopAfter: 5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%d/part%d/stop%d", tt.claims, tt.perSet, tt.part, tt.stopAfter), func(t *testing.T) {
			path := gen835(t, tt.claims, tt.perSet)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// One uninterrupted run, whole file in one part.
			whole := newPipeline(t)
			whole.ResponsePart = 1 << 30
			if _, res, err := whole.ApplyResponse(ctx, "gen.835", data); err != nil || res.Unmatched != tt.claims {
				t.Fatalf("whole: %+v %v", res, err)
			}
			want := postedCounts(t, whole)

			p := newPipeline(t)
			p.ResponsePart = tt.part
			p.afterResponsePart = func(k int) error {
				if k == tt.stopAfter {
					return errStop
				}
				return nil
			}
			_, first, err := p.ApplyResponse(ctx, "gen.835", data)
			if !errors.Is(err, errStop) {
				t.Fatalf("first run: %v", err)
			}
			if first.Unmatched != tt.stopAfter*tt.part {
				t.Fatalf("first run applied %d claims, want %d", first.Unmatched, tt.stopAfter*tt.part)
			}
			if got := postedCounts(t, p); got == want {
				t.Fatalf("a stopped run left everything done: %s", got)
			}
			p.afterResponsePart = nil
			_, second, err := p.ApplyResponse(ctx, "gen.835", data)
			if err != nil {
				t.Fatal(err)
			}
			if first.Unmatched+second.Unmatched != tt.claims || first.Queued+second.Queued != tt.claims {
				t.Fatalf("runs posted %d + %d unmatched, queued %d + %d; want %d in all", first.Unmatched, second.Unmatched, first.Queued, second.Queued, tt.claims)
			}
			if got := postedCounts(t, p); got != want {
				t.Fatalf("stopped and resumed: %s\nwant (one run):       %s", got, want)
			}
			if _, third, err := p.ApplyResponse(ctx, "gen.835", data); err != nil || !third.Duplicate || third.Unmatched != 0 {
				t.Fatalf("third run: %+v %v", third, err)
			}
		})
	}
}

// TestApplyResponsePartRace: a part that is not the next one for its file (another run
// applied it meanwhile) applies nothing and says so.
func TestApplyResponsePartRace(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile(gen835(t, 6, 3))
	if err != nil {
		t.Fatal(err)
	}
	p := newPipeline(t)
	p.ResponsePart = 2
	// After the first part, pretend another run moved the file on.
	p.afterResponsePart = func(k int) error {
		if k == 1 {
			_, err := p.DB.SQL().ExecContext(ctx, `UPDATE remit_files SET items_done = 4`)
			return err
		}
		return nil
	}
	_, res, err := p.ApplyResponse(ctx, "gen.835", data)
	if !errors.Is(err, store.ErrPartApplied) || res.Unmatched != 2 {
		t.Fatalf("res %+v err %v, want ErrPartApplied after 2 claims", res, err)
	}
}

// TestApplyResponseBoundedMemory: posting a generated 835 of ~51 MB (200,000 claims in
// sets of 1,000) or ~26 MB (100,000 claims in one set) keeps the live heap bounded by a
// part, not by the file: measured after every tenth part, the heap in use stays under a
// bound far below the file's size (whole-file reading held ~1.3 GB for the first).
func TestApplyResponseBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 2 x 55 MB and posts 400,000 claims")
	}
	for _, tt := range []struct{ n, perSet int }{{200_000, 1000}, {100_000, 100_000}} {
		n, perSet := tt.n, tt.perSet
		if raceEnabled {
			// Still over ten parts (memory is sampled every tenth) and one set larger than a
			// part; the memory bound is the same.
			n, perSet = n/4, min(perSet, n/4)
		}
		t.Run(strconv.Itoa(perSet), func(t *testing.T) {
			ctx := context.Background()
			path := gen835(t, n, perSet)
			p := newPipeline(t)
			var peak uint64
			var ms runtime.MemStats
			p.afterResponsePart = func(k int) error {
				if k%10 == 0 {
					runtime.GC()
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
				return nil
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, res, err := p.ApplyResponseFrom(ctx, "gen.835", f); err != nil || res.Unmatched != n {
				t.Fatalf("%+v %v", res, err)
			}
			st, _ := f.Stat()
			const bound = 24 << 20
			t.Logf("file %d MB, peak heap in use after a part %d MB", st.Size()>>20, peak>>20)
			if peak == 0 || peak > bound {
				t.Fatalf("heap in use %d MB after a part, want < %d MB (file %d MB)", peak>>20, bound>>20, st.Size()>>20)
			}
		})
	}
}

// BenchmarkApplyResponse835 posts a generated 835 of 20,000 unmatched claims into a
// fresh SQLite store per iteration (claims/s is the figure scripts/bench.sh reports for
// the real binary).
func BenchmarkApplyResponse835(b *testing.B) {
	const n = 20_000
	data, err := os.ReadFile(gen835(b, n, 1000))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		p := newPipeline(b)
		b.StartTimer()
		if _, _, err := p.ApplyResponse(ctx, "gen.835", bytes.Clone(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "claims/s")
}

// write277CA writes a 277CA (X214) of n claim statuses for claims edigate never built.
func write277CA(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	segs := 0
	put := func(s string) {
		b.WriteString(s + "~\n")
		segs++
	}
	b.WriteString("ISA*00*          *00*          *ZZ*CLEARHOUSE     *ZZ*EDIGATE        *241201*1200*^*00501*000002001*0*T*:~\n")
	b.WriteString("GS*HN*CLEARHOUSE*EDIGATE*20241201*1200*2001*X*005010X214~\n")
	for _, s := range []string{"ST*277*0001*005010X214", "BHT*0085*08*ACK2001*20241201*1200*TH", "HL*1**20*1",
		"NM1*PR*2*CLEARHOUSE*****46*CH0001", "TRN*1*ACK2001", "DTP*050*D8*20241201", "DTP*009*D8*20241201",
		"HL*2*1*21*1", "NM1*41*2*SUNRISE COUNSELING*****46*SUB12345", "TRN*2*BATCH2001", "STC*A1:19:PR*20241201*WQ*600",
		"HL*3*2*19*1", "NM1*85*2*SUNRISE COUNSELING*****XX*1234567893"} {
		put(s)
	}
	for i := 1; i <= n; i++ {
		put(fmt.Sprintf("HL*%d*3*PT", i+3))
		put(fmt.Sprintf("NM1*QC*1*TEST*PATIENT****MI*M%d", i))
		put(fmt.Sprintf("TRN*2*PCN%d", i))
		put("STC*A7:562:85*20241201*U*150")
		put("DTP*472*D8*20241115")
	}
	put(fmt.Sprintf("SE*%d*0001", segs+1))
	b.WriteString("GE*1*2001~\nIEA*1*000002001~\n")
	return b.Bytes()
}

// TestApplyResponse277InPartsResumes: a 277CA applied in parts by a run stopped after part
// k and run again records every claim's answer once, as one run does.
func TestApplyResponse277InPartsResumes(t *testing.T) {
	ctx := context.Background()
	data := write277CA(t, 23)
	whole := newPipeline(t)
	if _, _, err := whole.ApplyResponse(ctx, "ack.277", data); err != nil {
		t.Fatal(err)
	}
	want := postedCounts(t, whole)
	t.Logf("one run: %s", want)
	p := newPipeline(t)
	p.ResponsePart = 5
	p.afterResponsePart = func(k int) error {
		if k == 2 {
			return errStop
		}
		return nil
	}
	if _, _, err := p.ApplyResponse(ctx, "ack.277", data); !errors.Is(err, errStop) {
		t.Fatalf("first run: %v", err)
	}
	if got := postedCounts(t, p); got == want || !strings.HasSuffix(got, "10/0 ") {
		t.Fatalf("after a run stopped after 2 parts of 5: %s", got)
	}
	p.afterResponsePart = nil
	if _, _, err := p.ApplyResponse(ctx, "ack.277", data); err != nil {
		t.Fatal(err)
	}
	if got := postedCounts(t, p); got != want || !strings.HasSuffix(got, "23/1 ") {
		t.Fatalf("stopped and resumed: %s\nwant (one run):       %s", got, want)
	}
}
