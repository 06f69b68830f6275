package x12_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

const samplesDir = "/work/shared/x12-samples"

func sampleFindings(res *x12.FileResult) []string {
	var out []string
	add := func(es []x12.Error) {
		for _, e := range es {
			out = append(out, e.Locator())
		}
	}
	add(res.Errors)
	for _, ic := range res.Interchanges {
		add(ic.Errors)
		for _, g := range ic.Groups {
			add(g.Errors)
			for _, s := range g.Sets {
				add(s.Errors)
			}
		}
	}
	return out
}

// sampleWant lists, per file, the findings SOURCES.md leads us to expect: nil means the
// file must be valid; otherwise each listed finding must be present (a file with one
// defect usually has a few consequential ones, which are not pinned here).
var sampleWant = map[string][]string{
	"270/edx12-sample.edi":                         nil,
	"271/edx12-BAD-mismatched_control_numbers.edi": {"interchange 001 IEA IEA02", "group 4 GE GE02", "transaction 3 SE SE02"},
	"271/edx12-sample.edi":                         nil,
	// 2100C NM1*IL is missing, so N3 directly after TRN is unexpected in 2000C.
	"271/edx12-BAD-unmatched_segment.edi":       {"segment 2 N3@9 2000C"},
	"277/dwai-x214-payer-response.edi":          {"element 8 DTP@28 2200D DTP03"},
	"835/dwai-carc-45.edi":                      nil,
	"835/dwai-multiple-claims-single-check.edi": nil,
	"835/edx12-dental.edi":                      nil,
	"837p/machete-837p-icd10.edi":               {"segment 3 HL@36 2000B"},
}

// sampleDiffers are the files where our verdict differs from SOURCES.md, with the reason.
// The value is the expectation we hold instead (nil: valid).
var sampleDiffers = map[string]struct {
	want   []string
	reason string
}{}

// inSharedOnly reports whether a shared sample is one the wild corpus leaves out (its
// repository's licence could not be checked), so only this test reads it.
func inSharedOnly(rel string) bool {
	b := filepath.Base(rel)
	return strings.HasPrefix(b, "edx12-") || strings.HasPrefix(b, "dwai-") || strings.HasPrefix(b, "machete-")
}

func TestSamples(t *testing.T) {
	if _, err := os.Stat(samplesDir); err != nil {
		t.Skip("no sample folder")
	}
	files, _ := filepath.Glob(filepath.Join(samplesDir, "*", "*.edi"))
	sort.Strings(files)
	for _, f := range files {
		rel, _ := filepath.Rel(samplesDir, f)
		if !inSharedOnly(rel) {
			continue // in fixtures/x12/wild: TestWildCorpus (x12/guides) checks it
		}
		t.Run(rel, func(t *testing.T) {
			want, ok := sampleWant[rel]
			if d, differs := sampleDiffers[rel]; differs {
				want, ok = d.want, true
				t.Logf("differs from SOURCES.md: %s", d.reason)
			}
			if !ok {
				t.Fatalf("no expectation for %s: add it to sampleWant", rel)
			}
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			res, err := x12.Validate(context.Background(), fh, x12.ParseOptions{Guides: guides.Registry})
			if err != nil {
				t.Fatal(err)
			}
			got := sampleFindings(res)
			if want == nil {
				if !res.Valid() {
					t.Fatalf("want valid, got %q", got)
				}
				return
			}
			joined := strings.Join(got, "|")
			for _, w := range want {
				if !strings.Contains(joined, w) {
					t.Errorf("missing %q in %q", w, got)
				}
			}
		})
	}
}
