package ack_test

import (
	"bytes"
	"context"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/ack"
	"github.com/edigate/edigate/x12/guides"
)

var now = time.Date(2024, 3, 6, 9, 30, 0, 0, time.UTC)

func read(t testing.TB, name string) (*x12.FileResult, []*x12.Transaction) {
	t.Helper()
	b, err := fixtures.X12File(name)
	if err != nil {
		t.Fatal(err)
	}
	res, txs, err := ack.Read(context.Background(), bytes.NewReader(b), guides.Registry)
	if err != nil {
		t.Fatal(err)
	}
	return res, txs
}

func build(t *testing.T, name string, ta1 bool) string {
	t.Helper()
	res, txs := read(t, name)
	var out bytes.Buffer
	opts := ack.Options{Sequence: x12.NewMemorySequence(), Now: now, Newline: true, Transactions: txs}
	if err := ack.Build(context.Background(), &out, res, opts, ta1); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// selfCheck validates a produced acknowledgement against the 999 guide.
func selfCheck(t *testing.T, out string) *x12.FileResult {
	t.Helper()
	res, err := x12.Validate(context.Background(), strings.NewReader(out), x12.ParseOptions{Guides: guides.Registry})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid() {
		t.Errorf("the acknowledgement does not validate:\n%s", out)
		for _, ic := range res.Interchanges {
			for _, e := range ic.Errors {
				t.Errorf("  %v", e)
			}
			for _, g := range ic.Groups {
				for _, s := range g.Sets {
					for _, e := range s.Errors {
						t.Errorf("  %v", e)
					}
				}
			}
		}
	}
	return res
}

func TestBuild999Rejected(t *testing.T) {
	got := build(t, "bad-837p-sv103-code.x12", true)
	want := strings.Join([]string{
		"ISA*00*          *00*          *ZZ*CLEARHOUSE     *ZZ*EDIGATE        *240306*0930*^*00501*000000001*0*T*:~",
		"TA1*000000808*240305*1407*A*000~",
		"GS*FA*CLEARHOUSE*EDIGATE*20240306*0930*1*X*005010X231A1~",
		"ST*999*0001*005010X231A1~",
		"AK1*HC*808*005010X222A1~",
		"AK2*837*0001*005010X222A1~",
		"IK3*SV1*23*2400*8~",
		"CTX*CLM01:PCN0001~",
		"IK4*3*355*7*XX~", // IK402 355: SV103 is data element 355 (Unit or Basis for Measurement Code)
		"IK5*R*5~",
		"AK9*R*1*1*0~",
		"SE*9*0001~",
		"GE*1*1~",
		"IEA*1*000000001~", ""}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	selfCheck(t, got)
}

// IK402 names the data element reference number of the element in error, which the guide
// tables carry (x12/guides/dataele.go); it is left out for an element without one.
func TestBuild999DataElementRef(t *testing.T) {
	sv103, err := fixtures.X12File("bad-837p-sv103-code.x12")
	if err != nil {
		t.Fatal(err)
	}
	// A fourth element in N3 (which has two): IK403 3 names a position with no data element.
	extra := strings.Replace(string(sv103), "SV1*HC:90837*150*XX*1", "SV1*HC:90837*150*UN*1", 1)
	extra = strings.Replace(extra, "N3*1 ELM ST~", "N3*1 ELM ST**X~", 1)
	tests := []struct {
		name  string
		file  string // a fixture, or
		data  string // a file's content
		trees bool   // pass the parsed transactions (CTX and IK404)
		want  string
	}{
		{name: "270 DTP03 not a date", file: "bad-270-dtp-date.x12", trees: true,
			want: "IK3*DTP*11*2100*8~\nCTX*TRN02:TRACE0001~\nIK4*3*1251*8*20240230~\nIK5*R*5~"},
		{name: "270 DTP03 without trees", file: "bad-270-dtp-date.x12",
			want: "IK3*DTP*11*2100*8~\nIK4*3*1251*8~\nIK5*R*5~"},
		{name: "837P 2010BA DMG02 not a date", file: "bad-837p-dmg02-date.x12", trees: true,
			want: "IK3*DMG*17*2010*8~\nIK4*2*1251*8*19901340~\nIK5*R*5~"},
		{name: "837P CLM01 too long", file: "bad-837p-clm01-long.x12",
			want: "IK3*CLM*19*2300*8~\nIK4*1*1028*5~\nIK5*R*5~"},
		{name: "837P too many elements", data: extra,
			want: "IK3*N3*15*2010*8~\nIK4*3**3~\nIK5*R*5~"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			if tt.file != "" {
				if data, err = fixtures.X12File(tt.file); err != nil {
					t.Fatal(err)
				}
			}
			out := build999(t, data, guides.Registry, tt.trees)
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("missing\n%s\nin\n%s", tt.want, out.String())
			}
			selfCheck(t, out.String())
		})
	}
}

func TestBuild999Accepted(t *testing.T) {
	got := build(t, "270-and-837p-two-groups.x12", false)
	for _, s := range []string{
		"GS*FA*CLEARHOUSE*EDIGATE*20240306*0930*1*X*005010X231A1~\nST*999*0001*005010X231A1~\nAK1*HS*401*005010X279A1~\nAK2*270*0001",
		"IK5*A~\nAK9*A*1*1*1~\nSE*6*0001~\nGE*1*1~",
		"GS*FA*CLEARHOUSE*EDIGATE*20240306*0930*2*X*005010X231A1~\nST*999*0002*005010X231A1~\nAK1*HC*402*005010X222A1~\nAK2*837*0001*005010X222A1~\nIK5*A~\nAK9*A*1*1*1~",
		"IEA*2*000000001~",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("missing %q in\n%s", s, got)
		}
	}
	if strings.Contains(got, "TA1") {
		t.Error("TA1 written without asking")
	}
	selfCheck(t, got)
}

func TestBuild999Partial(t *testing.T) {
	// Set 0001 accepted, a second set rejected for a duplicate ST02: AK9 P.
	got := build(t, "bad-duplicate-st02.x12", false)
	if !strings.Contains(got, "AK2*837*0001*005010X222A1~\nIK5*A~\nAK2*837*0001*005010X222A1~\nIK5*R*23~\nAK9*P*2*2*1~") {
		t.Errorf("got\n%s", got)
	}
	selfCheck(t, got)
}

func TestBuild999GroupError(t *testing.T) {
	got := build(t, "bad-ge-count.x12", false)
	if !strings.Contains(got, "IK5*A~\nAK9*R*1*1*1*5~") {
		t.Errorf("got\n%s", got)
	}
	selfCheck(t, got)
}

func TestBuildTA1(t *testing.T) {
	tests := []struct{ file, want string }{
		{"837p-two-sets.x12", "TA1*000000101*240305*1407*A*000~"},
		{"bad-iea-control.x12", "TA1*000000804*240305*1407*R*001~"},
		{"bad-missing-iea.x12", "TA1*000000805*240305*1407*R*023~"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res, _ := read(t, tt.file)
			var out bytes.Buffer
			if err := ack.BuildTA1(context.Background(), &out, res, ack.Options{Sequence: x12.NewMemorySequence(), Now: now}); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			if !strings.Contains(got, tt.want) || !strings.HasSuffix(got, "IEA*0*000000001~") || strings.Contains(got, "GS*") {
				t.Errorf("got %s", got)
			}
			selfCheck(t, got)
			// Read it back.
			r := x12.NewReader(strings.NewReader(got))
			_, _ = r.Next()
			seg, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			ta1, err := ack.ParseTA1(seg)
			if err != nil {
				t.Fatal(err)
			}
			if ta1.Control != tt.want[4:13] {
				t.Errorf("TA101 = %s", ta1.Control)
			}
		})
	}
}

func TestBuildNoInterchange(t *testing.T) {
	res, _ := read(t, "bad-truncated-isa.x12")
	err := ack.Build999(context.Background(), &bytes.Buffer{}, res, ack.Options{Sequence: x12.NewMemorySequence()})
	if err == nil || !strings.Contains(err.Error(), "no interchange") {
		t.Errorf("err = %v", err)
	}
}

// Control numbers come from the sequence, keyed by our side as sender: a second ack for
// the same partner gets the next numbers.
func TestBuildUsesSequence(t *testing.T) {
	res, txs := read(t, "837p-two-sets.x12")
	seq := x12.NewMemorySequence()
	opts := ack.Options{Sequence: seq, Now: now, Transactions: txs}
	var out bytes.Buffer
	for i := 0; i < 2; i++ {
		out.Reset()
		if err := ack.Build999(context.Background(), &out, res, opts); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(out.String(), "*000000002*0*T*:~") || !strings.Contains(out.String(), "ST*999*0002*") {
		t.Errorf("second ack did not take the next numbers: %s", out.String())
	}
	n, _ := seq.Next(context.Background(), x12.SequenceKey{Sender: "CLEARHOUSE", Receiver: "EDIGATE", Kind: x12.SeqInterchange})
	if n != 3 {
		t.Errorf("sequence key: next ISA is %d", n)
	}
}

func TestParse999(t *testing.T) {
	_, txs := read(t, "999-partial.x12")
	if len(txs) != 1 {
		t.Fatalf("%d transactions", len(txs))
	}
	a, err := ack.Parse999(txs[0])
	if err != nil {
		t.Fatal(err)
	}
	if a.FunctionalID != "HC" || a.GroupControl != "101" || a.Status != "P" || a.Included != 2 || a.Accepted != 1 ||
		!strings.Contains(a.StatusMessage, "Partially accepted") {
		t.Errorf("group: %+v", a)
	}
	if len(a.Sets) != 2 || !a.Sets[0].Accepted() || a.Sets[1].Accepted() {
		t.Fatalf("sets: %+v", a.Sets)
	}
	s := a.Sets[1]
	if s.Control != "0002" || len(s.Codes) != 1 || s.Codes[0].Code != "5" || s.Codes[0].Message != "One or more segments in error" {
		t.Errorf("set: %+v", s)
	}
	if len(s.Errors) != 2 {
		t.Fatalf("errors: %+v", s.Errors)
	}
	e := s.Errors[0]
	if e.Segment != "SV1" || e.Position != 23 || e.Loop != "2400" || e.Code != "8" || e.Message != "Segment has data element errors" ||
		e.BusinessUnit == nil || e.BusinessUnit.Name != "CLM01" || e.BusinessUnit.Reference != "PCN0002" {
		t.Errorf("IK3 1: %+v", e)
	}
	if len(e.Elements) != 1 || e.Elements[0].Position != 3 || e.Elements[0].Code != "7" ||
		e.Elements[0].Message != "Invalid code value" || e.Elements[0].Value != "XX" {
		t.Errorf("IK4: %+v", e.Elements)
	}
	e = s.Errors[1]
	if e.Code != "3" || len(e.Context) != 1 || e.Context[0].Name != "SITUATIONAL TRIGGER" || e.Context[0].Segment != "CLM" ||
		e.Context[0].Position != 19 || e.Context[0].Element != 5 || e.Context[0].Component != 3 || e.BusinessUnit == nil {
		t.Errorf("IK3 2: %+v", e)
	}
}

// What Build999 writes, Parse999 reads back the same.
func TestBuildParseRoundTrip(t *testing.T) {
	out := build(t, "bad-837p-clm01-long.x12", false)
	res, txs, err := ack.Read(context.Background(), strings.NewReader(out), guides.Registry)
	if err != nil || len(txs) != 1 || !res.Valid() {
		t.Fatalf("%v %d %v\n%s", err, len(txs), res.Valid(), out)
	}
	a, err := ack.Parse999(txs[0])
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != "R" || len(a.Sets) != 1 || a.Sets[0].Status != "R" || len(a.Sets[0].Errors) != 1 {
		t.Fatalf("%+v", a)
	}
	e := a.Sets[0].Errors[0]
	if e.Segment != "CLM" || e.Position != 19 || e.Loop != "2300" || len(e.Elements) != 1 ||
		e.Elements[0].Position != 1 || e.Elements[0].Ref != "1028" || e.Elements[0].Code != "5" ||
		e.Elements[0].Message != "Data element too long" {
		t.Errorf("%+v", e)
	}
}

func TestParse999Malformed(t *testing.T) {
	tests := []struct{ body, want string }{
		{"AK2*837*0001~IK5*A~AK9*A*1*1*1~", "AK2 outside AK1"},
		{"AK1*HC*1*005010X222A1~AK2*837*0001~IK5*A~", "no AK9"},
		{"AK1*HC*1*005010X222A1~IK3*NM1*3**8~AK9*R*1*1*0~", "IK3 before any AK2"},
		{"AK1*HC*1*005010X222A1~AK2*837*0001~IK3*NM1*X**8~IK5*R~AK9*R*1*1*0~", "IK302"},
		{"AK1*HC*1*005010X222A1~AK2*837*0001~AK9*R*1*1*0~", "has no IK5"},
	}
	for _, tt := range tests {
		in := "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240305*1407*^*00501*000000001*0*T*:~GS*FA*A*B*20240305*1407*1*X*005010X231A1~ST*999*0001*005010X231A1~" +
			tt.body + "SE*9*0001~GE*1*1~IEA*1*000000001~"
		_, txs, err := ack.Read(context.Background(), strings.NewReader(in), nil)
		if err != nil || len(txs) != 1 {
			t.Fatalf("%v", err)
		}
		if _, err := ack.Parse999(txs[0]); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.body, err, tt.want)
		}
	}
}

func TestParseTA1(t *testing.T) {
	_, _ = read(t, "ta1-rejected.x12")
	b, _ := fixtures.X12File("ta1-rejected.x12")
	res, _, _ := ack.Read(context.Background(), bytes.NewReader(b), nil)
	if len(res.TA1s) != 1 {
		t.Fatalf("%d TA1s", len(res.TA1s))
	}
	ta1, err := ack.ParseTA1(&res.TA1s[0])
	if err != nil {
		t.Fatal(err)
	}
	if ta1.Control != "000000102" || ta1.Accepted() || ta1.Note != "001" ||
		ta1.NoteMessage != "The interchange control number in the header and trailer do not match" ||
		ta1.StatusMessage != "Interchange rejected because of errors" {
		t.Errorf("%+v", ta1)
	}
	bad := x12.Segment{Elements: [][]byte{[]byte("TA1"), []byte("1"), nil, nil, []byte("A"), []byte("000")}}
	if _, err := ack.ParseTA1(&bad); err == nil || !strings.Contains(err.Error(), "TA101") {
		t.Errorf("short TA101: %v", err)
	}
}

// Every code the 999 guide lists has words.
func TestCodeWords(t *testing.T) {
	for _, c := range strings.Fields("1 2 3 4 5 6 7 8 I4 I6 I7 I8 I9") {
		if strings.HasPrefix(ack.SegmentCodeWords(c), "unknown") {
			t.Errorf("IK304 %s", c)
		}
	}
	for _, c := range strings.Fields("1 2 3 4 5 6 7 8 9 10 12 13 I10 I11 I12 I13 I6 I9") {
		if strings.HasPrefix(ack.ElementCodeWords(c), "unknown") {
			t.Errorf("IK403 %s", c)
		}
	}
	for _, c := range strings.Fields("1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 18 19 23 24 25 26 27 I5 I6") {
		if strings.HasPrefix(ack.SetCodeWords(c), "unknown") {
			t.Errorf("IK502 %s", c)
		}
	}
	for _, c := range strings.Fields("1 2 3 4 5 6 10 11 12 13 14 15 16 17 18 19 23 24 25 26") {
		if strings.HasPrefix(ack.GroupCodeWords(c), "unknown") {
			t.Errorf("AK905 %s", c)
		}
	}
	for n := 0; n <= 31; n++ {
		c := []byte("000")
		c[1], c[2] = byte('0'+n/10), byte('0'+n%10)
		if strings.HasPrefix(ack.NoteCodeWords(string(c)), "unknown") {
			t.Errorf("TA105 %s", c)
		}
	}
	if ack.ElementCodeWords("99") != "unknown code 99" {
		t.Error("unknown code")
	}
}

// FuzzParse999 feeds arbitrary files through the parser and Parse999/ParseTA1: no input
// may panic.
func FuzzParse999(f *testing.F) {
	names, _ := fs.Glob(fixtures.X12(), "*.x12")
	for _, n := range names {
		b, _ := fixtures.X12File(n)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, txs, err := ack.Read(context.Background(), bytes.NewReader(data), guides.Registry)
		if err != nil {
			return
		}
		for _, tx := range txs {
			_, _ = ack.Parse999(tx)
		}
		for i := range res.TA1s {
			_, _ = ack.ParseTA1(&res.TA1s[i])
		}
		if len(res.Interchanges) > 0 {
			var out bytes.Buffer
			_ = ack.Build(context.Background(), &out, res, ack.Options{Sequence: x12.NewMemorySequence(), Now: now, Transactions: txs}, true)
		}
	})
}
