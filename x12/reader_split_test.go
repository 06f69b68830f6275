package x12

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestReaderSplitMatchesReference runs the word-at-a-time splitter over many segment
// shapes (empty elements, long and short segments, with and without line breaks, segments
// straddling buffer refills) and compares every segment with a plain bytes.Split.
func TestReaderSplitMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 20; round++ {
		var in strings.Builder
		var want [][]string
		in.WriteString(tinyISA)
		want = append(want, nil) // the ISA itself
		for n := 0; n < 3000; n++ {
			els := []string{[]string{"NM1", "N1", "REF", "SV1"}[rng.IntN(4)]}
			for e, ne := 0, rng.IntN(12); e < ne; e++ {
				els = append(els, strings.Repeat(string(rune('A'+rng.IntN(26))), rng.IntN(20)))
			}
			in.WriteString(strings.Join(els, "*"))
			in.WriteByte('~')
			switch rng.IntN(4) {
			case 0:
				in.WriteByte('\n')
			case 1:
				in.WriteString("\r\n")
			}
			want = append(want, els)
		}
		r := NewReaderSize(strings.NewReader(in.String()), 4096)
		for k := 0; ; k++ {
			s, err := r.Next()
			if errors.Is(err, io.EOF) {
				if k != len(want) {
					t.Fatalf("round %d: %d segments, want %d", round, k, len(want))
				}
				break
			}
			if err != nil {
				t.Fatalf("round %d segment %d: %v", round, k, err)
			}
			if k == 0 {
				continue
			}
			got := bytes.Join(s.Elements, []byte("*"))
			if string(got) != strings.Join(want[k], "*") || len(s.Elements) != len(want[k]) {
				t.Fatalf("round %d segment %d: got %q, want %q", round, k, s.Elements, want[k])
			}
		}
	}
}
