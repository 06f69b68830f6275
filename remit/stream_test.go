package remit

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/ack"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/x12/guides"
)

// heapProbe samples the heap in use (after a collection) every n calls: what a stream
// keeps alive, not what it passed through.
type heapProbe struct {
	n, calls int
	peak     uint64
}

func (h *heapProbe) tick() {
	h.calls++
	if h.calls%h.n != 0 {
		return
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	h.peak = max(h.peak, ms.HeapInuse)
}

// pipe hands what write writes to a reader, so a large input never exists whole.
func pipe(write func(w io.Writer) error) io.Reader {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	return pr
}

// TestStream835BoundedMemory: a generated 835 of ~55 MB (200,000 claims, in sets of
// 1,000 and in one set) is handed out claim by claim, valid and balanced, while the heap
// in use stays under 16 MB (Read kept ~1.3 GB for such a file).
func TestStream835BoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 2 x 55 MB")
	}
	const n = 200_000
	for _, perSet := range []int{1000, n} {
		t.Run(fmt.Sprint(perSet), func(t *testing.T) {
			probe := &heapProbe{n: 20_000}
			claims, ends, seqOK := 0, 0, true
			d, err := Stream(context.Background(), pipe(func(w io.Writer) error { return fixtures.Write835(w, n, perSet) }),
				ReadOptions{Guides: guides.Registry}, Visitor{
					Claim: func(p *Payment, seq int, c *ClaimPayment) error {
						seqOK = seqOK && seq == claims%perSet && c.PatientControl == fmt.Sprintf("C%d", claims+1)
						claims++
						probe.tick()
						return nil
					},
					PaymentEnd: func(p *Payment) error {
						if !p.Balanced {
							return fmt.Errorf("payment %s does not balance: %v", p.Check, p.BalanceErrors)
						}
						ends++
						return nil
					},
				})
			if err != nil {
				t.Fatal(err)
			}
			if claims != n || ends != n/perSet || !seqOK || d.Kind() != "835" || d.Sets835 != n/perSet {
				t.Fatalf("claims %d, payments %d, in order %v, kind %q", claims, ends, seqOK, d.Kind())
			}
			t.Logf("peak heap in use %d MB", probe.peak>>20)
			if probe.peak == 0 || probe.peak > 16<<20 {
				t.Fatalf("heap in use %d MB while streaming, want < 16 MB", probe.peak>>20)
			}
		})
	}
}

// write277CA writes a 277CA (X214) with n claim statuses (every tenth rejected).
func write277CA(w io.Writer, n int) error {
	bw := bufio.NewWriter(w)
	segs := 0
	put := func(s string) {
		bw.WriteString(s + "~\n")
		segs++
	}
	bw.WriteString("ISA*00*          *00*          *ZZ*CLEARHOUSE     *ZZ*EDIGATE        *241201*1200*^*00501*000002001*0*T*:~\n")
	bw.WriteString("GS*HN*CLEARHOUSE*EDIGATE*20241201*1200*2001*X*005010X214~\n")
	for _, s := range []string{"ST*277*0001*005010X214", "BHT*0085*08*ACK2001*20241201*1200*TH", "HL*1**20*1",
		"NM1*PR*2*CLEARHOUSE*****46*CH0001", "TRN*1*ACK2001", "DTP*050*D8*20241201", "DTP*009*D8*20241201",
		"HL*2*1*21*1", "NM1*41*2*SUNRISE COUNSELING*****46*SUB12345", "TRN*2*BATCH2001", "STC*A1:19:PR*20241201*WQ*600",
		fmt.Sprintf("QTY*90*%d", n-n/10), fmt.Sprintf("QTY*AA*%d", n/10), "HL*3*2*19*1", "NM1*85*2*SUNRISE COUNSELING*****XX*1234567893"} {
		put(s)
	}
	for i := 1; i <= n; i++ {
		put(fmt.Sprintf("HL*%d*3*PT", i+3))
		put(fmt.Sprintf("NM1*QC*1*TEST*PATIENT****MI*M%d", i))
		put(fmt.Sprintf("TRN*2*PCN%d", i))
		if i%10 == 0 {
			put("STC*A7:562:85*20241201*U*150")
		} else {
			put("STC*A2:20:PR*20241201*WQ*150")
			put(fmt.Sprintf("REF*1K*PAYER%d", i))
		}
		put("DTP*472*D8*20241115")
	}
	put(fmt.Sprintf("SE*%d*0001", segs+1))
	bw.WriteString("GE*1*2001~\nIEA*1*000002001~\n")
	return bw.Flush()
}

// TestStream277CABoundedMemory: a 277CA of 300,000 claims (~40 MB, one set) is handed
// out claim by claim, in order and settled, with the heap in use under 16 MB.
func TestStream277CABoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 40 MB")
	}
	const n = 300_000
	probe := &heapProbe{n: 30_000}
	got, rejected := 0, 0
	var rep *StatusReport
	d, err := Stream(context.Background(), pipe(func(w io.Writer) error { return write277CA(w, n) }),
		ReadOptions{Guides: guides.Registry}, Visitor{
			Status: func(r *StatusReport, c *ClaimStatus) error {
				got++
				if c.PatientControl != fmt.Sprintf("PCN%d", got) {
					return fmt.Errorf("claim %d is %s", got, c.PatientControl)
				}
				if c.Rejected {
					rejected++
				} else if !c.Accepted || c.PayerClaim == "" {
					return fmt.Errorf("claim %s: %+v", c.PatientControl, c)
				}
				rep = r
				probe.tick()
				return nil
			},
		})
	if err != nil {
		t.Fatal(err)
	}
	if got != n || rejected != n/10 || d.Kind() != "277" || rep == nil || rep.Version != Version277CA || len(rep.Claims) != 0 {
		t.Fatalf("claims %d, rejected %d, kind %q", got, rejected, d.Kind())
	}
	t.Logf("peak heap in use %d MB", probe.peak>>20)
	if probe.peak == 0 || probe.peak > 16<<20 {
		t.Fatalf("heap in use %d MB while streaming, want < 16 MB", probe.peak>>20)
	}
}

// TestStreamSameAsMap: for every response fixture, Stream hands out the claims the
// whole-set mappers (Map835 + Classify, Map277 on a loop tree) read, in order, with the
// same amounts, denials, balancing and statuses: streaming changed how much is kept, not
// what is read.
func TestStreamSameAsMap(t *testing.T) {
	for _, name := range []string{"835-paid.x12", "835-unbalanced.x12", "835-unknown-carc.x12", "277ca-mix.x12"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			_, txs, err := ack.ReadWith(context.Background(), bytes.NewReader(data), x12.ParseOptions{Guides: guides.Registry})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, tx := range txs {
				switch tx.Set {
				case "835":
					p, err := Map835(tx)
					if err != nil {
						t.Fatal(err)
					}
					NewClassifier(nil).Classify(p)
					for i, c := range p.Claims {
						want = append(want, claimKey(p, i, &c))
					}
					want = append(want, fmt.Sprintf("end %s %v %d %d", p.Check, p.Balanced, len(p.BalanceErrors), len(p.PLB)))
				case "277":
					r, err := Map277(tx)
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range r.Claims {
						want = append(want, statusKey(&c))
					}
				}
			}
			var got []string
			if _, err := Stream(context.Background(), bytes.NewReader(data), ReadOptions{Guides: guides.Registry}, Visitor{
				Claim: func(p *Payment, seq int, c *ClaimPayment) error {
					got = append(got, claimKey(p, seq, c))
					return nil
				},
				PaymentEnd: func(p *Payment) error {
					got = append(got, fmt.Sprintf("end %s %v %d %d", p.Check, p.Balanced, len(p.BalanceErrors), len(p.PLB)))
					return nil
				},
				Status: func(_ *StatusReport, c *ClaimStatus) error {
					got = append(got, statusKey(c))
					return nil
				},
			}); err != nil && !strings.Contains(name, "unbalanced") {
				t.Fatal(err)
			}
			if len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("stream:\n%s\nwhole-set mappers:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func claimKey(p *Payment, seq int, c *ClaimPayment) string {
	return fmt.Sprintf("%s/%s/%d %s %s %s %s %d lines %d adj %d denials %s %s %s", p.Check, p.PayerID, seq, c.PatientControl, c.Status,
		c.Charge, c.Paid, len(c.Lines), len(c.Adjustments), len(c.Denials), c.DenialCategory, c.Action, c.AppealDue)
}

func statusKey(c *ClaimStatus) string {
	return fmt.Sprintf("%s %s %s %v %v %s %d", c.PatientControl, c.Category, c.Status, c.Accepted, c.Rejected, c.PayerClaim, len(c.Statuses))
}
