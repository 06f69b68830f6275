package x12

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	for _, dir := range []string{"testdata/*.edi", "testdata/fuzz-seeds/*.edi"} {
		files, _ := filepath.Glob(dir)
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(tinyISA + "GS*HC~ST*837*1~SE*2*1~"))
	f.Add([]byte("\xEF\xBB\xBFISA*"))
}

// FuzzReader: no input may panic the tokenizer or make it loop.
func FuzzReader(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReaderSize(strings.NewReader(string(in)), 4096)
		r.SetMaxSegment(1 << 16)
		for i := 0; i <= len(in)+1; i++ {
			s, err := r.Next()
			if err != nil {
				return
			}
			if len(s.Elements) == 0 {
				t.Fatal("segment with no elements")
			}
		}
		t.Fatal("more segments than input bytes")
	})
}

// FuzzParse: the parser and validator, with a guide, accept or reject any input without
// panicking, and always end.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	g := miniGuides()
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, noTree := range []bool{false, true} {
			p := NewParser(strings.NewReader(string(in)), ParseOptions{Guides: g, NoTree: noTree, MaxSegment: 1 << 16})
			for i := 0; ; i++ {
				if i > len(in)+1 {
					t.Fatal("more transactions than input bytes")
				}
				_, err := p.Next()
				if err != nil {
					if errors.Is(err, io.EOF) && p.Result().Fatal != nil {
						t.Fatal("EOF after a fatal error")
					}
					break
				}
			}
		}
	})
}

// endless yields n bytes of one segment that never ends, without holding them.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	k := int64(len(p))
	if k > e.n {
		k = e.n
	}
	for i := range p[:k] {
		p[i] = 'A'
	}
	e.n -= k
	return int(k), nil
}

func TestMalformedInput(t *testing.T) {
	valid := readTestdata(t, "mini-valid.edi")
	cases := []struct {
		name string
		in   io.Reader
		msg  string
	}{
		{"2 GB line without terminator", io.MultiReader(strings.NewReader(tinyISA+"GS*HC*"), &endless{n: 2 << 30}), "no segment terminator"},
		{"truncated ISA", strings.NewReader(valid[:50]), "ISA segment is truncated"},
		{"truncated mid-segment", strings.NewReader(valid[:len(valid)-30]), "input ends inside a segment"},
		{"binary garbage", strings.NewReader("\x00\x01\x02\xff\xfe garbage"), "does not start with an ISA"},
		{"ISA with wrong delimiters", strings.NewReader(strings.Replace(valid, "*00*          *00*", "*00*          |00*", 1)), "not fixed width"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Validate(context.Background(), c.in, ParseOptions{Guides: miniGuides()})
			if err != nil {
				t.Fatalf("malformed input is invalid, not an I/O error: %v", err)
			}
			var se *SyntaxError
			if !errors.As(res.Fatal, &se) || !strings.Contains(se.Msg, c.msg) || res.Valid() {
				t.Fatalf("fatal %v, want %q", res.Fatal, c.msg)
			}
		})
	}
	// A transaction cut short still reports its missing SE before the fatal error.
	p := NewParser(strings.NewReader(valid[:strings.Index(valid, "SE*")+4]), ParseOptions{Guides: miniGuides()})
	tr, err := p.Next()
	if err != nil || tr.Valid() || tr.Errors[len(tr.Errors)-1].Code != IK5TrailerMissing && tr.Errors[len(tr.Errors)-2].Code != IK5TrailerMissing {
		t.Fatalf("cut transaction: %v %v", err, tr)
	}
	if _, err := p.Next(); err == nil || errors.Is(err, io.EOF) {
		t.Fatalf("want the fatal error next, got %v", err)
	}
}
