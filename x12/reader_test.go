package x12

import (
	"errors"
	"io"
	"strings"
	"testing"
)

const tinyISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261123*1200*^*00501*000000001*0*T*:~"

func readAll(t *testing.T, in string) ([]string, error) {
	t.Helper()
	r := NewReaderSize(strings.NewReader(in), 4096)
	var ids []string
	for {
		s, err := r.Next()
		if errors.Is(err, io.EOF) {
			return ids, nil
		}
		if err != nil {
			return ids, err
		}
		ids = append(ids, s.String())
	}
}

func TestReaderDelimitersAndWhitespace(t *testing.T) {
	isa := strings.NewReplacer("*", "|", "^", "!", ":", ">", "~", "\n").Replace(tinyISA)
	in := "\xEF\xBB\xBF" + isa + "GS|HC|A|B\nST|837|0001\nSE|2|0001\nGE|1|1\nIEA|1|000000001\n"
	got, err := readAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || got[1] != "GS|HC|A|B\n" {
		t.Fatalf("got %q", got)
	}
	in2 := tinyISA + "\r\nGS*HC~\r\nIEA*1*000000001~\r\n" + tinyISA + "TA1*1~IEA*0*000000001~"
	got, err = readAll(t, in2)
	if err != nil || len(got) != 6 || got[4] != "TA1*1~" {
		t.Fatalf("got %q %v", got, err)
	}
}

func TestReaderErrors(t *testing.T) {
	cases := map[string]string{
		"empty start":   "GS*HC~",
		"truncated ISA": tinyISA[:50],
		"mangled ISA":   strings.Replace(tinyISA, "*00*", " * 00*", 1),
		"no terminator": tinyISA + "GS*HC*A*B",
		"binary":        "\x00\x01\x02ISA",
	}
	for name, in := range cases {
		if _, err := readAll(t, in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	r := NewReader(strings.NewReader(tinyISA + strings.Repeat("A", 5000)))
	r.SetMaxSegment(1000)
	r.Next()
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "within 1000 bytes") {
		t.Fatalf("want bound error, got %v", err)
	}
}

func TestSegmentAccessors(t *testing.T) {
	r := NewReader(strings.NewReader(tinyISA + "SV1*HC:90837:95*150*UN*1***1:2~EB*1**30^MH~"))
	r.Next()
	s, _ := r.Next()
	if s.ID() != "SV1" || string(s.Component(1, 2)) != "90837" || string(s.Component(1, 3)) != "95" || s.Component(1, 4) != nil {
		t.Fatalf("components: %q", s.Elements)
	}
	if s.Str(2) != "150" || s.Element(99) != nil || string(s.Component(7, 2)) != "2" {
		t.Fatal("elements")
	}
	c := s.Clone()
	s, _ = r.Next()
	if c.Str(2) != "150" || len(s.Repeats(3)) != 2 || string(s.Repeats(3)[1]) != "MH" {
		t.Fatalf("clone/repeats %q %q", c.Elements, s.Elements)
	}
}
