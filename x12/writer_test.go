package x12

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

var testDate = time.Date(2024, 3, 5, 14, 7, 0, 0, time.UTC)

func testHeader() InterchangeHeader {
	return InterchangeHeader{SenderQual: "ZZ", SenderID: "EDIGATE", ReceiverQual: "ZZ", Receiver: "CLEARINGHOUSE",
		Date: testDate, Control: 42, AckRequested: true, Usage: "T"}
}

// writeSample writes one interchange with two groups (two sets in the first).
func writeSample(t *testing.T, d Delimiters, newline bool) string {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, d)
	w.SetNewline(newline)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.BeginInterchange(testHeader()))
	must(w.BeginGroup("HC", "EDIGATE", "CH", "005010X222A1", testDate, 7))
	for _, ctl := range []string{"0001", "0002"} {
		must(w.BeginTransaction("837", ctl, "005010X222A1"))
		must(w.Simple("BHT", "0019", "00", "B1", "20240305", "1407", "CH"))
		must(w.Segment("CLM", E("PCN1"), E("100"), E(""), E(""), C("11", "B", "1"), E("Y"), E(""), E(""), E("")))
		must(w.Segment("EB", E("1"), E("IND"), Reps("30", "MH", "")))
		must(w.EndTransaction())
	}
	must(w.EndGroup())
	must(w.BeginGroup("HS", "EDIGATE", "CH", "005010X279A1", testDate, 8))
	must(w.BeginTransaction("835", "0003", "005010X221A1"))
	must(w.EndTransaction())
	must(w.EndGroup())
	must(w.EndInterchange())
	must(w.Flush())
	return buf.String()
}

func TestWriterEnvelopes(t *testing.T) {
	got := writeSample(t, DefaultDelimiters, true)
	want := strings.Join([]string{
		"ISA*00*          *00*          *ZZ*EDIGATE        *ZZ*CLEARINGHOUSE  *240305*1407*^*00501*000000042*1*T*:~",
		"GS*HC*EDIGATE*CH*20240305*1407*7*X*005010X222A1~",
		"ST*837*0001*005010X222A1~",
		"BHT*0019*00*B1*20240305*1407*CH~",
		"CLM*PCN1*100***11:B:1*Y~",
		"EB*1*IND*30^MH~",
		"SE*5*0001~",
		"ST*837*0002*005010X222A1~",
		"BHT*0019*00*B1*20240305*1407*CH~",
		"CLM*PCN1*100***11:B:1*Y~",
		"EB*1*IND*30^MH~",
		"SE*5*0002~",
		"GE*2*7~",
		"GS*HS*EDIGATE*CH*20240305*1407*8*X*005010X279A1~",
		"ST*835*0003~",
		"SE*2*0003~",
		"GE*1*8~",
		"IEA*2*000000042~", ""}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// The writer's output must tokenize back to the same segments with every delimiter set.
func TestWriterRoundTrip(t *testing.T) {
	sets := []Delimiters{
		DefaultDelimiters,
		{Element: '|', Repetition: '!', Component: '>', Segment: '\n'},
		{Element: '*', Repetition: '<', Component: '^', Segment: '~'},
		{Element: 0x1D, Repetition: 0x1F, Component: 0x1E, Segment: 0x1C},
	}
	for _, d := range sets {
		for _, nl := range []bool{false, true} {
			if nl && d.Segment == '\n' {
				continue
			}
			out := writeSample(t, d, nl)
			r := NewReader(strings.NewReader(out))
			var ids []string
			for {
				s, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%q: %v", d, err)
				}
				ids = append(ids, s.ID())
				if s.Is("CLM") {
					if got := string(s.Component(5, 2)); got != "B" {
						t.Errorf("%q: CLM05-2 = %q", d, got)
					}
				}
				if s.Is("EB") {
					if reps := s.Repeats(3); len(reps) != 2 || string(reps[1]) != "MH" {
						t.Errorf("%q: EB03 repeats = %q", d, reps)
					}
				}
			}
			if got := strings.Join(ids, " "); got != "ISA GS ST BHT CLM EB SE ST BHT CLM EB SE GE GS ST SE GE IEA" {
				t.Errorf("%q: segments %s", d, got)
			}
			if rd, _ := r.Delimiters(); rd != d {
				t.Errorf("reader saw delimiters %q, wrote %q", rd, d)
			}
		}
	}
}

func TestWriterRejectsDelimiterInValue(t *testing.T) {
	tests := []struct {
		name string
		seg  func(w *Writer) error
		want string
	}{
		{"element separator", func(w *Writer) error { return w.Simple("NM1", "IL", "1", "DOE*JANE") }, "NM103"},
		{"segment terminator", func(w *Writer) error { return w.Simple("N3", "1 MAIN ST~") }, "N301"},
		{"component separator in simple", func(w *Writer) error { return w.Segment("REF", E("G1"), E("A:B")) }, "REF02"},
		{"repetition separator in component", func(w *Writer) error {
			return w.Segment("SV1", C("HC", "90837^"), E("150"))
		}, "SV101-2"},
		{"delimiter in repeat", func(w *Writer) error { return w.Segment("EB", E("1"), E(""), Reps("30", "M:H")) }, "EB03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, DefaultDelimiters)
			if err := w.BeginInterchange(testHeader()); err != nil {
				t.Fatal(err)
			}
			_ = w.BeginGroup("HC", "A1", "B1", "005010X222A1", testDate, 1)
			_ = w.BeginTransaction("837", "0001", "005010X222A1")
			err := tt.seg(w)
			if !errors.Is(err, ErrDelimiterInValue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrDelimiterInValue naming %s", err, tt.want)
			}
			// Nothing of the bad segment is written and it is not counted.
			if w.SegmentCount() != 1 {
				t.Errorf("segment count %d after a rejected segment", w.SegmentCount())
			}
			_ = w.EndTransaction()
			_ = w.EndGroup()
			_ = w.EndInterchange()
			_ = w.Flush()
			if !strings.Contains(buf.String(), "SE*2*0001~") {
				t.Errorf("SE count wrong or partial segment written:\n%s", buf.String())
			}
			// The message must not quote the value (it may be PHI).
			if strings.Contains(err.Error(), "DOE") || strings.Contains(err.Error(), "MAIN") {
				t.Errorf("error quotes the value: %v", err)
			}
		})
	}
}

func TestWriterEnvelopeOrder(t *testing.T) {
	tests := []struct {
		name  string
		steps func(w *Writer) error
	}{
		{"GS before ISA", func(w *Writer) error { return w.BeginGroup("HC", "A1", "B1", "005010X222A1", testDate, 1) }},
		{"ST before GS", func(w *Writer) error {
			_ = w.BeginInterchange(testHeader())
			return w.BeginTransaction("837", "0001", "")
		}},
		{"body outside ST", func(w *Writer) error {
			_ = w.BeginInterchange(testHeader())
			_ = w.BeginGroup("HC", "A1", "B1", "005010X222A1", testDate, 1)
			return w.Simple("BHT", "0019")
		}},
		{"SE without ST", func(w *Writer) error {
			_ = w.BeginInterchange(testHeader())
			_ = w.BeginGroup("HC", "A1", "B1", "005010X222A1", testDate, 1)
			return w.EndTransaction()
		}},
		{"GE with open ST", func(w *Writer) error {
			_ = w.BeginInterchange(testHeader())
			_ = w.BeginGroup("HC", "A1", "B1", "005010X222A1", testDate, 1)
			_ = w.BeginTransaction("837", "0001", "")
			return w.EndGroup()
		}},
		{"IEA with open GS", func(w *Writer) error {
			_ = w.BeginInterchange(testHeader())
			_ = w.BeginGroup("HC", "A1", "B1", "005010X222A1", testDate, 1)
			return w.EndInterchange()
		}},
		{"second ISA while open", func(w *Writer) error {
			_ = w.BeginInterchange(testHeader())
			return w.BeginInterchange(testHeader())
		}},
		{"ST written by hand", func(w *Writer) error {
			_ = w.BeginInterchange(testHeader())
			_ = w.BeginGroup("HC", "A1", "B1", "005010X222A1", testDate, 1)
			return w.Simple("ST", "837", "0001")
		}},
		{"TA1 inside a group", func(w *Writer) error {
			_ = w.BeginInterchange(testHeader())
			_ = w.BeginGroup("HC", "A1", "B1", "005010X222A1", testDate, 1)
			return w.Simple("TA1", "000000001", "240305", "1407", "A", "000")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWriter(io.Discard, DefaultDelimiters)
			if err := tt.steps(w); !errors.Is(err, ErrEnvelopeOrder) {
				t.Fatalf("err = %v, want ErrEnvelopeOrder", err)
			}
		})
	}
}

func TestWriterHeaderChecks(t *testing.T) {
	tests := []struct {
		name string
		mod  func(h *InterchangeHeader, d *Delimiters)
		want string
	}{
		{"sender too long", func(h *InterchangeHeader, _ *Delimiters) { h.SenderID = "SIXTEEN-CHARS-XX" }, "ISA06"},
		{"no receiver", func(h *InterchangeHeader, _ *Delimiters) { h.Receiver = "" }, "ISA08"},
		{"control zero", func(h *InterchangeHeader, _ *Delimiters) { h.Control = 0 }, "ISA13"},
		{"control ten digits", func(h *InterchangeHeader, _ *Delimiters) { h.Control = 1_000_000_000 }, "ISA13"},
		{"bad usage", func(h *InterchangeHeader, _ *Delimiters) { h.Usage = "X" }, "ISA15"},
		{"no date", func(h *InterchangeHeader, _ *Delimiters) { h.Date = time.Time{} }, "ISA09"},
		{"delimiter in sender", func(h *InterchangeHeader, _ *Delimiters) { h.SenderID = "A*B" }, "ISA06"},
		{"no repetition separator", func(_ *InterchangeHeader, d *Delimiters) { d.Repetition = 0 }, "ISA11"},
		{"same delimiters", func(_ *InterchangeHeader, d *Delimiters) { d.Component = '*' }, "distinct"},
		{"letter delimiter", func(_ *InterchangeHeader, d *Delimiters) { d.Segment = 'A' }, "letters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, d := testHeader(), DefaultDelimiters
			tt.mod(&h, &d)
			w := NewWriter(io.Discard, d)
			if err := w.BeginInterchange(h); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one naming %s", err, tt.want)
			}
		})
	}
}

func TestWriterGroupAndSetChecks(t *testing.T) {
	w := NewWriter(io.Discard, DefaultDelimiters)
	if err := w.BeginInterchange(testHeader()); err != nil {
		t.Fatal(err)
	}
	if err := w.BeginGroup("HC", "A1", "B1", "005010X222A1", testDate, 0); err == nil || !strings.Contains(err.Error(), "GS06") {
		t.Errorf("GS06 0: %v", err)
	}
	if err := w.BeginGroup("HC", "A1", "B1", "005010X222A1", testDate, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.BeginTransaction("837", "001", ""); err == nil || !strings.Contains(err.Error(), "ST02") {
		t.Errorf("3-digit ST02: %v", err)
	}
	if err := w.EndGroup(); err == nil || !strings.Contains(err.Error(), "no transaction set") {
		t.Errorf("empty group: %v", err)
	}
}

// A TA1-only interchange (no groups) is what an interchange acknowledgement looks like.
func TestWriterTA1Interchange(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, DefaultDelimiters)
	h := testHeader()
	h.AckRequested = false
	if err := w.BeginInterchange(h); err != nil {
		t.Fatal(err)
	}
	if err := w.Simple("TA1", "000000001", "240305", "1407", "A", "000"); err != nil {
		t.Fatal(err)
	}
	if err := w.EndInterchange(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); !strings.HasSuffix(got, "*0*T*:~TA1*000000001*240305*1407*A*000~IEA*0*000000042~") {
		t.Errorf("got %s", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterIOErrorIsSticky(t *testing.T) {
	w := NewWriter(failWriter{}, DefaultDelimiters)
	_ = w.BeginInterchange(testHeader())
	if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("flush: %v", err)
	}
	if err := w.EndInterchange(); err == nil {
		t.Fatal("write after a failed flush succeeded")
	}
}

func TestMemorySequence(t *testing.T) {
	ctx := context.Background()
	s := NewMemorySequence()
	a := SequenceKey{Sender: "A", Receiver: "B", Kind: SeqInterchange}
	b := SequenceKey{Sender: "A", Receiver: "B", Kind: SeqGroup}
	for want := int64(1); want <= 3; want++ {
		if n, err := s.Next(ctx, a); err != nil || n != want {
			t.Fatalf("Next = %d, %v; want %d", n, err, want)
		}
	}
	if n, _ := s.Next(ctx, b); n != 1 {
		t.Errorf("separate key starts at %d", n)
	}
	s.next[a] = MaxControl
	if _, err := s.Next(ctx, a); err == nil {
		t.Error("exhausted sequence wrapped around")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Next(cctx, b); err == nil {
		t.Error("canceled context ignored")
	}
	if FormatISAControl(42) != "000000042" || FormatSTControl(7) != "0007" || FormatSTControl(123456) != "123456" || FormatGSControl(7) != "7" {
		t.Error("control number formats")
	}
}

// BenchmarkWriterClaims writes 837P-shaped claims (about 20 segments each) into a valid
// interchange; the claims package needs >= 100,000 claims/s.
func BenchmarkWriterClaims(b *testing.B) {
	w := NewWriter(io.Discard, DefaultDelimiters)
	_ = w.BeginInterchange(testHeader())
	_ = w.BeginGroup("HC", "EDIGATE", "CH", "005010X222A1", testDate, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%5000 == 0 {
			if i > 0 {
				_ = w.EndTransaction()
			}
			_ = w.BeginTransaction("837", "0001", "005010X222A1")
		}
		_ = w.Simple("HL", "3", "2", "22", "0")
		_ = w.Simple("SBR", "P", "18", "GRP1", "", "", "", "", "", "CI")
		_ = w.Simple("NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "W123456789")
		_ = w.Simple("N3", "1 MAIN ST")
		_ = w.Simple("N4", "SPRINGFIELD", "IL", "627010000")
		_ = w.Simple("DMG", "D8", "19800101", "F")
		_ = w.Simple("NM1", "PR", "2", "ACME HEALTH", "", "", "", "", "PI", "12345")
		_ = w.Segment("CLM", E("PCN123456"), E("300"), E(""), E(""), C("11", "B", "1"), E("Y"), E("A"), E("Y"), E("Y"))
		_ = w.Simple("REF", "G1", "AUTH12345")
		_ = w.Segment("HI", C("ABK", "F329"), C("ABF", "F411"))
		for l := 1; l <= 2; l++ {
			_ = w.Simple("LX", "1")
			_ = w.Segment("SV1", C("HC", "90837", "HO"), E("150"), E("UN"), E("1"), E(""), E(""), C("1", "2"))
			_ = w.Simple("DTP", "472", "D8", "20240301")
			_ = w.Simple("REF", "6R", "LINE1")
		}
	}
	_ = w.EndTransaction()
	_ = w.EndGroup()
	_ = w.EndInterchange()
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
}
