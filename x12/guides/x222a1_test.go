package guides

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

// TestX222A1MatchesMap checks the 837P table against the independent pyx12 encoding. Every
// entry below is a place where the X222A1 guide (with its errata) proves the map wrong.
func TestX222A1MatchesMap(t *testing.T) {
	const nm1C1203 = "the 005010 NM1 carries syntax note C1203 (NM112 requires NM103) wherever it is " +
		"used; the map drops it in 1000A/1000B only, keeping it in every other NM1"
	const per1000A = "X222A1 1000A PER03/PER05/PER07 permit EM, FX, TE (plus EX after the first " +
		"number); ED (EDI access number) is the 4010 X098A1 list the map kept (known map error: PER codes)"
	compareWithMap(t, X222A1, "837.5010.X222.A1.xml", map[string]string{
		"1000A/NM1*41 syntax":      nm1C1203,
		"1000B/NM1*40 syntax":      nm1C1203,
		"1000A/PER*IC/PER03 codes": per1000A,
		"1000A/PER*IC/PER05 codes": per1000A,
		"1000A/PER*IC/PER07 codes": per1000A,
		"ST/ST/ST03 usage":         "X222A1 makes ST03 Required (it names the guide); the map keeps the base standard's optional usage",
		"2400/HCP/HCP01 codes": "the map lists 06 (per diem pricing, an institutional method) for the 2400 " +
			"HCP01 but not for its own 2300 HCP01; X222A1 gives both the same professional list without 06",
	})
}

// TestX222A1Dispatch checks that a generic parser can always tell same-ID siblings apart:
// within one loop body, segments (and loop triggers) sharing an ID must all carry a
// qualifier, the qualifiers must not overlap, and every qualifier value must be a code the
// table itself permits for that element.
func TestX222A1Dispatch(t *testing.T) {
	var walk func(l *x12.LoopDef)
	walk = func(l *x12.LoopDef) {
		byID := map[string][]*x12.SegmentDef{}
		var order []string
		for _, n := range l.Body {
			s := n.Seg
			if n.Loop != nil {
				s = n.Loop.Body[0].Seg
				walk(n.Loop)
			}
			if _, ok := byID[s.ID]; !ok {
				order = append(order, s.ID)
			}
			byID[s.ID] = append(byID[s.ID], s)
			if s.Qual != nil {
				if codes := x222QualCodes(s); codes != nil {
					for _, v := range s.Qual.Values {
						if !x222Contains(codes, v) {
							t.Errorf("loop %s %s: qualifier value %q is not in the element's code list", l.ID, s.Name, v)
						}
					}
				}
			}
		}
		for _, id := range order {
			defs := byID[id]
			if len(defs) < 2 {
				continue
			}
			seen := map[string]string{}
			for _, s := range defs {
				if s.Qual == nil {
					t.Errorf("loop %s: %s %q shares its ID with a sibling but has no qualifier", l.ID, id, s.Name)
					continue
				}
				for _, v := range s.Qual.Values {
					key := fmt.Sprintf("%d.%d=%s", s.Qual.Element, s.Qual.Component, v)
					if other, dup := seen[key]; dup {
						t.Errorf("loop %s: %s qualifier %s matches both %q and %q", l.ID, id, key, other, s.Name)
					}
					seen[key] = s.Name
				}
			}
		}
	}
	walk(X222A1.Root)
}

func x222QualCodes(s *x12.SegmentDef) []string {
	if s.Qual.Element < 1 || s.Qual.Element > len(s.Elements) {
		return nil
	}
	e := s.Elements[s.Qual.Element-1]
	if s.Qual.Component > 0 {
		if s.Qual.Component > len(e.Components) {
			return nil
		}
		e = e.Components[s.Qual.Component-1]
	}
	return e.Codes
}

func x222Contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// x222Wrap puts ST/SE and an ISA/GS envelope around body segments (one per line, no
// terminators), counting SE01 so that tests change only what they mean to.
func x222Wrap(body string) []byte {
	var segs []string
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			segs = append(segs, line)
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "ISA*00*%-10s*00*%-10s*ZZ*%-15s*ZZ*%-15s*240101*1200*^*00501*000000001*0*T*:~\n",
		"", "", "EDIGATE", "CLEARINGHOUSE")
	b.WriteString("GS*HC*EDIGATE*CLEARINGHOUSE*20240101*1200*1*X*005010X222A1~\n")
	b.WriteString("ST*837*0001*005010X222A1~\n")
	for _, s := range segs {
		b.WriteString(s + "~\n")
	}
	fmt.Fprintf(&b, "SE*%d*0001~\nGE*1*1~\nIEA*1*000000001~\n", len(segs)+2)
	return b.Bytes()
}

// x222Parse parses an interchange with only the 837P guide and returns its transaction
// sets; a tokenizer error fails the test.
func x222Parse(t testing.TB, data []byte) []*x12.Transaction {
	t.Helper()
	// The public samples' NPIs are placeholders without a valid check digit; the NPI list
	// has its own tests (codelists_test.go, the wild corpus): here the table and rules are.
	p := x12.NewParser(bytes.NewReader(data), x12.ParseOptions{Guides: NewSet([]*x12.Guide{X222A1}, nil),
		CodeLists: x12.CodeListPolicy{ListNPI: x12.ListOff}})
	var out []*x12.Transaction
	for {
		tx, err := p.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		out = append(out, tx)
	}
}

// x222Found is the part of an error the tests assert on: segment, position, loop, element
// and 999 code (transaction-level summaries left out).
// x222Mutated parses the claims.txt body base with its first old replaced by new (none when
// old is empty) and returns the errors of its one transaction set.
func x222Mutated(t *testing.T, base, old, new string) []x12.Error {
	t.Helper()
	body := base
	if old != "" {
		if !strings.Contains(body, old) {
			t.Fatalf("claims.txt does not contain %q", old)
		}
		body = strings.Replace(body, old, new, 1)
	}
	txs := x222Parse(t, x222Wrap(body))
	if len(txs) != 1 {
		t.Fatalf("got %d transaction sets, want 1", len(txs))
	}
	return txs[0].Errors
}

func x222Found(errs []x12.Error) []string {
	var out []string
	for _, e := range errs {
		if e.Level == x12.LevelSegment || e.Level == x12.LevelElement {
			out = append(out, fmt.Sprintf("%s@%d %s %s %s", e.Segment, e.Position, e.Loop, e.Element, e.Code))
		}
	}
	sort.Strings(out)
	return out
}

func x222Claims(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "x222a1", "claims.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestX222A1Hierarchy: the subscriber HL that follows a claim opens a second 2000B under
// the same billing provider, and a dependent's claim lands in 2000C's 2300.
func TestX222A1Hierarchy(t *testing.T) {
	txs := x222Parse(t, x222Wrap(x222Claims(t)))
	if len(txs) != 1 {
		t.Fatalf("got %d transaction sets, want 1", len(txs))
	}
	tx := txs[0]
	if errs := x222Found(tx.Errors); len(errs) > 0 { // the parser runs X222A1Check too
		t.Fatalf("valid claims reported errors: %v", errs)
	}
	bp := tx.Root.Loops("2000A")
	if len(bp) != 1 {
		t.Fatalf("got %d 2000A, want 1", len(bp))
	}
	subs := bp[0].Loops("2000B")
	if len(subs) != 2 {
		t.Fatalf("got %d 2000B under the 2000A, want 2", len(subs))
	}
	if c := subs[0].Loops("2300"); len(c) != 1 || len(c[0].Loops("2400")) != 2 {
		t.Errorf("first 2000B: want one 2300 with two 2400, got %d 2300", len(c))
	}
	if n := len(subs[1].Loops("2300")); n != 0 {
		t.Errorf("second 2000B has %d claims of its own, want 0 (the claim is the dependent's)", n)
	}
	pats := subs[1].Loops("2000C")
	if len(pats) != 1 || len(pats[0].Loops("2300")) != 1 {
		t.Fatalf("second 2000B: want one 2000C holding one 2300")
	}
	if got := pats[0].Loops("2300")[0].Seg("CLM").Str(1); got != "PCN002" {
		t.Errorf("2000C claim is %q, want PCN002", got)
	}
}

// TestX222A1Rules: each case changes the valid claims.txt and must produce exactly these
// errors (segment@position loop element code), from the table, its data rules and
// X222A1Check together.
func TestX222A1Rules(t *testing.T) {
	base := x222Claims(t)
	const cob = "HI*ABK:F411*ABF:Z630\nSBR*S*18*******CI\nOI***Y***Y\n" +
		"NM1*IL*1*TESTPERSON*ONE****MI*W000000001\nNM1*PR*2*OTHER PAYER*****PI*99999\nREF*F8*OTHERPAYERICN\n"
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"valid", "", "", nil},
		{"replacement without REF*F8", "11:B:1*Y*A*Y*Y\nHI*ABK:F411", "11:B:7*Y*A*Y*Y\nHI*ABK:F411",
			[]string{"REF@19 2300  I6"}},
		{"replacement with REF*F8", "11:B:1*Y*A*Y*Y\nHI*ABK:F411", "11:B:7*Y*A*Y*Y\nREF*F8*PAYERICN1\nHI*ABK:F411", nil},
		{"void with REF*F8 only from the other payer", "11:B:1*Y*A*Y*Y\nHI*ABK:F411*ABF:Z630\n",
			"11:B:8*Y*A*Y*Y\n" + cob, []string{"REF@19 2300  I6"}},
		{"auto accident without accident date", "CLM*PCN001*300***11:B:1*Y*A*Y*Y\n",
			"CLM*PCN001*300***11:B:1*Y*A*Y*Y**AA:::IL\n", []string{"DTP@19 2300  I6"}},
		{"auto accident with accident date", "CLM*PCN001*300***11:B:1*Y*A*Y*Y\n",
			"CLM*PCN001*300***11:B:1*Y*A*Y*Y**AA:::IL\nDTP*439*D8*20240101\n", nil},
		{"claim total does not balance", "CLM*PCN001*300*", "CLM*PCN001*300.01*",
			[]string{"CLM@19 2300  8", "CLM@19 2300 CLM02 I12"}},
		{"pointer past the last diagnosis", "*UN*1***1:2", "*UN*1***1:3",
			[]string{"SV1@22 2400  8", "SV1@22 2400 SV107-2 I12"}},
		{"pointer repeated", "*UN*1***1:2", "*UN*1***1:1",
			[]string{"SV1@22 2400  8", "SV1@22 2400 SV107-2 I12"}},
		{"pointer 13, past any claim's diagnoses", "*UN*1***1:2", "*UN*1***1:13",
			[]string{"SV1@22 2400  8", "SV1@22 2400 SV107-2 I12"}},
		{"service lines out of sequence", "LX*2", "LX*3", []string{"LX@24 2400  8", "LX@24 2400 LX01 I12"}},
		{"facility code qualifier not B", "11:B:1*Y*A*Y*Y\nHI*ABK:F411", "11:A:1*Y*A*Y*Y\nHI*ABK:F411",
			[]string{"CLM@19 2300  8", "CLM@19 2300 CLM05-2 7"}},
		{"minutes (MJ) are a permitted unit", "SV1*HC:90785*100*UN", "SV1*HC:90785*100*MJ", nil},
		{"unit of measure not UN or MJ", "SV1*HC:90785*100*UN", "SV1*HC:90785*100*HR",
			[]string{"SV1@25 2400  8", "SV1@25 2400 SV103 7"}},
		{"dependent claims self as relationship", "PAT*19", "PAT*18",
			[]string{"PAT@32 2000C  8", "PAT@32 2000C PAT01 7"}},
		{"subscriber identifier missing", "NM1*IL*1*TESTPERSON*TWO****MI*W000000002", "NM1*IL*1*TESTPERSON*TWO",
			[]string{"NM1@29 2010BA  8", "NM1@29 2010BA NM108 1", "NM1@29 2010BA NM109 1"}},
		{"PWK02 tells the DME certificate PWK from the supplemental one",
			"SV1*HC:90834*150*UN*1***1\n", "SV1*HC:90834*150*UN*1***1\nPWK*CT*AA***AC*ATT1\nPWK*CT*AD\n", nil},
		{"two claim notes", "HI*ABK:F902\n", "NTE*ADD*FIRST\nNTE*ADD*SECOND\nHI*ABK:F902\n",
			[]string{"NTE@39 2300  5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := x222Found(x222Mutated(t, base, tc.old, tc.new)) // structure, data rules and X222A1Check, as the parser reports them
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("errors:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestX222A1Samples walks the public 837P samples believed valid (SOURCES.md) through the
// table: no structural or element error. The LinuxForHealth files carry the non-HIPAA
// errata id X222A2 (same length, so the ISA stays fixed width); their bodies are checked
// relabelled. moov-sample is structurally valid but its lines point at diagnoses its
// claims do not have (SV107-2 = 2 with one HI code), which X222A1Check must report.
func TestX222A1Samples(t *testing.T) {
	dir := "/work/shared/x12-samples/837p"
	if d := os.Getenv("EDIGATE_X12_SAMPLES"); d != "" {
		dir = filepath.Join(d, "837p")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skip("837P samples not found (set EDIGATE_X12_SAMPLES)")
	}
	for _, tc := range []struct {
		file         string
		relabel      bool
		pointerFinds bool
	}{
		{file: "stupidedi-commercial.edi"},
		{file: "stupidedi-encounter.edi"},
		{file: "stupidedi-cob-payer-a.edi"},
		{file: "stupidedi-msp-cob.edi"},
		{file: "lfh-x222a2-example1.edi", relabel: true},
		{file: "moov-sample.edi", pointerFinds: true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if tc.relabel {
				data = bytes.ReplaceAll(data, []byte("005010X222A2"), []byte("005010X222A1"))
			}
			txs := x222Parse(t, data)
			if len(txs) == 0 {
				t.Fatal("no transaction sets")
			}
			for _, tx := range txs {
				if tx.Guide != X222A1 {
					t.Fatalf("set %s: guide not applied", tx.Control)
				}
				// The parser runs X222A1Check: its findings are all there is.
				finds := tx.Errors
				if !tc.pointerFinds && len(finds) > 0 {
					t.Errorf("set %s: rule findings %v", tx.Control, x222Found(finds))
				}
				if tc.pointerFinds {
					if len(finds) == 0 {
						t.Errorf("set %s: the SV107-2 pointers past the claims' single diagnosis were not reported", tx.Control)
					}
					for _, e := range finds {
						if e.Level == x12.LevelTransaction && e.Code == x12.IK5SegmentsInError {
							continue // the IK5 that any segment error brings
						}
						if e.Segment != "SV1" || (e.Code != "8" && e.Element != "SV107-2") {
							t.Errorf("set %s: unexpected finding %v", tx.Control, e)
						}
					}
				}
			}
		})
	}
}

// FuzzX222A1Check: whatever the parser makes of the input, the code rules must not panic.
func FuzzX222A1Check(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "x222a1", "claims.txt")); err == nil {
		f.Add(x222Wrap(string(b)))
	}
	f.Add(x222Wrap("CLM*X*1***11:B:7\nHI*ABK\nLX*A\nSV1*HC*1*UN*1***0:99:1:1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := x12.NewParser(bytes.NewReader(data), x12.ParseOptions{Guides: NewSet([]*x12.Guide{X222A1}, nil)})
		for i := 0; i < 100; i++ {
			tx, err := p.Next()
			if err != nil {
				return
			}
			X222A1Check(tx)
		}
	})
}

// BenchmarkX222A1Parse: parse, tree, validate and code rules over the largest public 837P
// sample (820 claims, 330 KB). Rerun: go test ./x12/guides -run XXX -bench X222A1 -benchtime 1s
func BenchmarkX222A1Parse(b *testing.B) {
	data, err := os.ReadFile("/work/shared/x12-samples/837p/imsweb-many-claims.edi")
	if err != nil {
		b.Skip("837P samples not found")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, tx := range x222Parse(b, data) {
			X222A1Check(tx)
		}
	}
}
