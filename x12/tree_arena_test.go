package x12_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// TestTreeSegmentsSurviveParsing keeps every tree of a multi-set file until the end and
// then checks each tree segment against the input bytes at its offset: segments share
// arena chunks, so a chunk reused or overwritten too early would show here. It also
// appends to a loop's Segments, which must not write into the next loop's segments.
func TestTreeSegmentsSurviveParsing(t *testing.T) {
	var buf bytes.Buffer
	if err := fixtures.Write835(&buf, 3000, 50); err != nil { // 60 sets, over several chunks
		t.Fatal(err)
	}
	in := buf.Bytes()
	p := x12.NewParser(bytes.NewReader(in), x12.ParseOptions{Guides: guides.Registry})
	var txs []*x12.Transaction
	for {
		tr, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tr)
	}
	if len(txs) != 60 {
		t.Fatalf("%d transaction sets, want 60", len(txs))
	}
	for _, tr := range txs {
		seen := map[int]bool{}
		tr.Root.Walk(func(l *x12.Loop) {
			for i := range l.Segments {
				s := &l.Segments[i]
				want := in[s.Offset : s.Offset+int64(len(s.String()))]
				if s.String() != string(want) {
					t.Fatalf("set %s: segment %d reads %q, input has %q", tr.Control, s.Index, s.String(), want)
				}
				seen[s.Index] = true
			}
		})
		if len(seen) != tr.Segments {
			t.Fatalf("set %s: tree holds %d segments, the set has %d", tr.Control, len(seen), tr.Segments)
		}
	}
	var clp []*x12.Loop
	txs[0].Root.Walk(func(l *x12.Loop) {
		if l.ID == "2100" {
			clp = append(clp, l)
		}
	})
	if len(clp) != 50 {
		t.Fatalf("%d 2100 loops in the first set, want 50", len(clp))
	}
	// The 2110 loop's segments follow the 2100's own in the same chunk.
	a, b := clp[0], clp[0].Children[0]
	before := b.Segments[0].String()
	a.Segments = append(a.Segments, a.Segments[0])
	if b.Segments[0].String() != before || !b.Segments[0].Is("SVC") {
		t.Fatalf("appending to one loop's segments changed the next loop's: %q", b.Segments[0].String())
	}
}
