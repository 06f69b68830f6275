package x12_test

import (
	"context"
	"strings"
	"testing"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// TestTerminatorsAndBlanks: CR is a segment terminator like ~ (with or without an LF after
// it, blank lines between segments allowed); a bare LF is refused; blanks before a segment
// ID are read past and reported as warnings at that segment, the file staying valid.
func TestTerminatorsAndBlanks(t *testing.T) {
	b, err := fixtures.X12File("837p-two-sets.x12")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	tests := []struct {
		name     string
		in       string
		valid    bool
		warnings []string // "segment N" each warning must name, in order
	}{
		{"tilde newline", src, true, nil},
		{"CR", strings.ReplaceAll(src, "~\n", "\r"), true, nil},
		{"CR LF", strings.ReplaceAll(src, "~\n", "\r\n"), true, nil},
		{"CR LF blank lines", strings.ReplaceAll(src, "~\n", "\r\n\r\n"), true, nil},
		{"bare LF", strings.ReplaceAll(src, "~\n", "\n"), false, nil},
		{"spaces before GS", strings.Replace(src, "\nGS*", "\n  GS*", 1), true, []string{"segment 2 "}},
		{"tab before ST and CLM", strings.Replace(strings.Replace(src, "\nST*", "\n\tST*", 1), "\nCLM*", "\n \tCLM*", 1), true,
			[]string{"segment 3 ", "segment 21 "}},
		{"CR terminator, blank before BHT", strings.Replace(strings.ReplaceAll(src, "~\n", "\r"), "\rBHT", "\r BHT", 1), true, []string{"segment 4 "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x12.Validate(context.Background(), strings.NewReader(tt.in), x12.ParseOptions{Guides: guides.Registry})
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid() != tt.valid {
				t.Fatalf("valid = %v, want %v: %v", res.Valid(), tt.valid, res.Findings())
			}
			if !tt.valid {
				if f := res.Findings(); len(f) == 0 || f[0].Code != x12.TA1InvalidContent || !strings.Contains(f[0].Message, "bare line feed") {
					t.Errorf("findings = %v, want TA1 024 for a bare LF", f)
				}
				return
			}
			if len(res.Interchanges) != 1 || len(res.Interchanges[0].Groups[0].Sets) != 2 {
				t.Fatalf("read %+v", res.Interchanges)
			}
			if len(res.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings = %v, want %d", res.Warnings, len(tt.warnings))
			}
			for i, w := range res.Warnings {
				id := tt.in[w.Offset : w.Offset+2]
				if w.Code != x12.WarnLeadingBlank || !strings.Contains(w.Message, tt.warnings[i]) || id == " \t" || strings.TrimSpace(id) != id {
					t.Errorf("warning %d = %+v (at %q), want %q at the segment ID", i, w, id, tt.warnings[i])
				}
			}
		})
	}
}
