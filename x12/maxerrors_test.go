package x12_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// bad835 is a generated 835 whose every AMT02 holds a letter: each claim then carries one
// IK3 8 and one IK4 6, two findings per claim, in one transaction set.
func bad835(t *testing.T, claims int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := fixtures.Write835(&buf, claims, claims); err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(buf.Bytes(), []byte("AMT*B6*105.25"), []byte("AMT*B6*1X5.25"))
}

func TestMaxErrors(t *testing.T) {
	data := bad835(t, 600) // 1200 findings: over the default cap
	cases := []struct {
		name      string
		max       int
		kept      int // segment and element errors kept
		dropped   string
		wantValid bool
	}{
		{"unlimited", -1, 1200, "", false},
		{"default caps at 1000", 0, 1000, "200 more errors are not listed (at most 1000", false},
		{"small cap", 51, 50, "1150 more errors are not listed (at most 51", false},
		{"cap below one IK3+IK4 pair", 1, 0, "1200 more errors are not listed (at most 1", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := x12.Validate(context.Background(), bytes.NewReader(data),
				x12.ParseOptions{Guides: guides.Registry, MaxErrors: c.max})
			if err != nil {
				t.Fatal(err)
			}
			sets := res.Interchanges[0].Groups[0].Sets
			if len(sets) != 1 || sets[0].Accepted != c.wantValid || res.Valid() {
				t.Fatalf("sets %d accepted %v file valid %v", len(sets), sets[0].Accepted, res.Valid())
			}
			kept, ik5 := 0, 0
			var summary string
			for _, e := range sets[0].Errors {
				switch e.Level {
				case x12.LevelSegment, x12.LevelElement:
					kept++
				case x12.LevelTransaction:
					ik5++
					summary = e.Message
				}
			}
			if kept != c.kept || ik5 != 1 {
				t.Fatalf("kept %d segment/element errors and %d IK5, want %d and 1", kept, ik5, c.kept)
			}
			if c.dropped == "" && strings.Contains(summary, "not listed") || !strings.Contains(summary, c.dropped) {
				t.Fatalf("summary %q, want it to mention %q", summary, c.dropped)
			}
			// A 999 pairs every IK4 with the IK3 8 before it: the cap must not split them.
			for i, e := range sets[0].Errors {
				if e.Level == x12.LevelElement && (i == 0 || sets[0].Errors[i-1].Code != x12.IK3ElementErrors) {
					t.Fatalf("error %d (IK4) has no IK3 8 before it", i)
				}
			}
		})
	}
}

// TestMaxErrorsSmallFileUnchanged: below the default cap the default keeps exactly what an
// unlimited parse keeps.
func TestMaxErrorsSmallFileUnchanged(t *testing.T) {
	data := bad835(t, 40)
	var got [2][]x12.Error
	for i, max := range []int{0, -1} {
		res, err := x12.Validate(context.Background(), bytes.NewReader(data), x12.ParseOptions{Guides: guides.Registry, MaxErrors: max})
		if err != nil {
			t.Fatal(err)
		}
		got[i] = res.Interchanges[0].Groups[0].Sets[0].Errors
	}
	if len(got[0]) != 81 || len(got[0]) != len(got[1]) {
		t.Fatalf("default kept %d errors, unlimited %d, want 81 each", len(got[0]), len(got[1]))
	}
	for i := range got[0] {
		if got[0][i] != got[1][i] {
			t.Fatalf("error %d differs: %v vs %v", i, got[0][i], got[1][i])
		}
	}
}
