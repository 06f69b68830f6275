package x12

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestBody: HL01 counts up from 1 with the parent's number in HL02 (empty at the top),
// DMG is left out without a date of birth and its gender is F, M or U, and after the first
// failing segment nothing more is written and Err reports it.
func TestBody(t *testing.T) {
	tests := []struct {
		name  string
		write func(b *Body)
		want  []string // segments after the ST
		err   error
	}{
		{"hierarchy", func(b *Body) {
			top := b.HL(0, "20", "1")
			mid := b.HL(top, "21", "1")
			b.HL(mid, "22", "")
		}, []string{"HL*1**20*1", "HL*2*1*21*1", "HL*3*2*22"}, nil},
		{"bht", func(b *Body) {
			b.BHT("0010", "13", "E0001", time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC))
		}, []string{"BHT*0010*13*E0001*20260102*0304"}, nil},
		{"dmg", func(b *Body) {
			b.DMG("1980-02-03", "f")
			b.DMG("1980-02-03", "x")
			b.DMG("", "M")
		}, []string{"DMG*D8*19800203*F", "DMG*D8*19800203*U"}, nil},
		{"first error sticks", func(b *Body) {
			b.Put("NM1", "IL", "a~b")
			b.HL(0, "20", "1")
		}, nil, ErrDelimiterInValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := NewWriter(&out, DefaultDelimiters)
			if err := w.BeginInterchange(InterchangeHeader{SenderID: "EDIGATE", Receiver: "CLEARHOUSE", Date: time.Now(), Control: 1, Usage: "T"}); err != nil {
				t.Fatal(err)
			}
			if err := w.BeginGroup("HR", "EDIGATE", "CLEARHOUSE", "005010X212", time.Now(), 1); err != nil {
				t.Fatal(err)
			}
			if err := w.BeginTransaction("276", "0001", "005010X212"); err != nil {
				t.Fatal(err)
			}
			b := NewBody(w)
			tt.write(b)
			if !errors.Is(b.Err(), tt.err) {
				t.Fatalf("Err() = %v, want %v", b.Err(), tt.err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			segs := strings.Split(strings.TrimSuffix(out.String(), "~"), "~")
			var got []string
			for i, s := range segs {
				if strings.HasPrefix(s, "ST*") {
					got = segs[i+1:]
				}
			}
			if strings.Join(got, "~") != strings.Join(tt.want, "~") {
				t.Fatalf("segments = %q, want %q", got, tt.want)
			}
		})
	}
}
