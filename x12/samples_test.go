package x12_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

const samplesDir = "/work/shared/x12-samples"

// sampleFinding renders an error as "level code SEG@position loop element".
func sampleFinding(e x12.Error) string {
	s := fmt.Sprintf("%s %s", e.Level, e.Code)
	if e.Segment != "" {
		s += " " + e.Segment
	}
	if e.Position > 0 {
		s += fmt.Sprintf("@%d", e.Position)
	}
	if e.Loop != "" {
		s += " " + e.Loop
	}
	if e.Element != "" {
		s += " " + e.Element
	}
	return s
}

func sampleFindings(res *x12.FileResult) []string {
	var out []string
	add := func(es []x12.Error) {
		for _, e := range es {
			out = append(out, sampleFinding(e))
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

// ST..SE bodies scraped from X12.org examples have no ISA (or a mangled, not fixed-width
// one): the tokenizer stops at byte 0 with TA1 022.
const noEnvelope = "interchange 022"

// sampleWant lists, per file, the findings SOURCES.md leads us to expect: nil means the
// file must be valid; otherwise each listed finding must be present (a file with one
// defect usually has a few consequential ones, which are not pinned here).
var sampleWant = map[string][]string{
	"270/edx12-sample.edi":                         nil,
	"270/imsweb-270-4010.edi":                      {"interchange 017 ISA ISA12", "group 2 GS GS08", "transaction 3 SE SE02"},
	"270/lfh-dependent.edi":                        nil,
	"270/lfh-subscriber.edi":                       nil,
	"270/stupidedi-dependent.edi":                  nil,
	"270/x12org-x279-ex1a.edi":                     {noEnvelope},
	"270/x12org-x279-ex2a.edi":                     {noEnvelope},
	"271/edx12-BAD-mismatched_control_numbers.edi": {"interchange 001 IEA IEA02", "group 4 GE GE02", "transaction 3 SE SE02"},
	"271/edx12-sample.edi":                         nil,
	// 2100C NM1*IL is missing, so N3 directly after TRN is unexpected in 2000C.
	"271/edx12-BAD-unmatched_segment.edi":            {"segment 2 N3@9 2000C"},
	"271/imsweb-271-mixed-version.edi":               {"group 2 GS GS08", "transaction 19 ST ST03"},
	"271/lfh-subscriber.edi":                         nil,
	"271/nodex12-271-cms.edi":                        {"transaction 6 ST ST01"},
	"271/stupidedi-error-response.edi":               nil,
	"271/x12org-x279-ex1b.edi":                       {noEnvelope},
	"271/x12org-x279-ex1c.edi":                       {noEnvelope},
	"271/x12org-x279-ex2b.edi":                       {noEnvelope},
	"277/dwai-x214-payer-response.edi":               {"element 8 DTP@28 2200D DTP03"},
	"277/imsweb-277ca-accepted.edi":                  {"segment 3 STC@17 2200C"},
	"277/imsweb-277ca-rejected.edi":                  {"segment 3 STC@17 2200C"},
	"277/lfh-x212-claim-level-status.edi":            nil,
	"277/x12org-x212-ex1b.edi":                       {noEnvelope},
	"277/x12org-x212-ex2b.edi":                       {noEnvelope},
	"835/dwai-carc-45.edi":                           nil,
	"835/dwai-multiple-claims-single-check.edi":      nil,
	"835/edx12-dental.edi":                           nil,
	"835/lfh-managed-care.edi":                       {"element 8 BPR@2 ST BPR16"},
	"835/lfh-medicare-part-a-PLB.edi":                {"segment 3 PER@9 1000A"},
	"835/lfh-secondary-payment.edi":                  {"element 1 BPR@2 ST BPR16"},
	"835/moov-sample2.edi":                           {"element 8 BPR@2 ST BPR16"},
	"835/pyx12-mult-loops.edi":                       nil,
	"835/stupidedi-dollars-data-together.edi":        nil,
	"835/stupidedi-era-sample.edi":                   nil,
	"835/stupidedi-multiple-claims-single-check.edi": nil,
	"835/tastypackets-BAD-no-seg-terminator.edi":     {"interchange 024 ISA"},
	"835/tastypackets-profee.edi":                    nil,
	"835/x12org-x221-ex5a.edi":                       {noEnvelope},
	"835/x12org-x221-ex5b.edi":                       {noEnvelope},
	"835/x12org-x221-ex5c.edi":                       {noEnvelope},
	"835/x12org-x221-ex8a.edi":                       {noEnvelope},
	"835/x12org-x221-ex8b.edi":                       {noEnvelope},
	"835/x12org-x221-ex8c.edi":                       {noEnvelope},
	"837p/imsweb-BAD-missing-elements.edi":           {"element 1 NM1@5 1000B NM102"},
	"837p/imsweb-BAD-missing-loops.edi":              {"segment 3 NM1@7 2010AA"},
	"837p/imsweb-BAD-seg-order.edi":                  {"segment 7 N4@10 2010AA"},
	"837p/imsweb-BAD-segment-errors.edi":             {"segment 5 REF@10 2010AA", "segment 3 N3@8 2010AA", "segment 3 HI@20 2300"},
	"837p/imsweb-BAD-valid-code.edi":                 {"element 7 NM1@7 2010AA NM101"},
	"837p/imsweb-complex.edi":                        {"group 5 GE GE01"},
	"837p/imsweb-many-claims.edi":                    {"element I12 HL@25 2000B HL01"},
	"837p/imsweb-valid.edi":                          {"element 1 HI@21 2300 HI01-2", "element I12 HL@25 2000B HL02", "transaction 4 SE SE01"},
	// 005010X222A2 is not the HIPAA addenda (X222A1): no guide, so a group error (AK905 2).
	"837p/lfh-x222a2-cob-3b.edi":            {"group 2 GS GS08"},
	"837p/lfh-x222a2-example1.edi":          {"group 2 GS GS08"},
	"837p/machete-837p-icd10.edi":           {"segment 3 HL@36 2000B"},
	"837p/moov-sample.edi":                  nil,
	"837p/stupidedi-cob-payer-a.edi":        nil,
	"837p/stupidedi-commercial.edi":         nil,
	"837p/stupidedi-encounter.edi":          nil,
	"837p/stupidedi-msp-cob.edi":            nil,
	"837p/x12org-x222-ex10a.edi":            {noEnvelope},
	"837p/x12org-x222-ex10b.edi":            {noEnvelope},
	"837p/x12org-x222-ex10c.edi":            {noEnvelope},
	"837p/x12org-x222-ex3a.edi":             {noEnvelope},
	"837p/x12org-x222-ex3b.edi":             {noEnvelope},
	"837p/x12org-x222-ex3c.edi":             {noEnvelope},
	"999/imsweb-999-accepted.edi":           {"interchange 001 IEA IEA02", "interchange 024 GS GS05"},
	"999/imsweb-999-rejected.edi":           nil,
	"999/pyx12-834-accepted.edi":            nil,
	"999/pyx12-multi-gs-accepted.edi":       nil,
	"999/stupidedi-999-3x837-partial.edi":   nil,
	"other/imsweb-277-x212-claimstatus.edi": {"interchange 001 IEA IEA02"},
	"other/x12org-x212-ex1a.edi":            {noEnvelope},
	"other/x12org-x212-ex2a.edi":            {noEnvelope},
}

// sampleDiffers are the files where our verdict differs from SOURCES.md, with the reason.
// The value is the expectation we hold instead (nil: valid).
var sampleDiffers = map[string]struct {
	want   []string
	reason string
}{
	"271/lfh-subscriber-error-AAA.edi": {[]string{"transaction 3 SE SE02"},
		"SOURCES says valid, but SE02 is 4323 while ST02 is 4321: X12 requires SE02 = ST02 (IK502 3)"},
	"835/moov-sample1.edi": {nil,
		"SOURCES says invalid (pyx12: trailing delimiters, PLB junk). PLB01 \"NPI Number\" fits AN 1-50 and PLB03 50>111 is a well-formed composite; " +
			"we accept empty trailing elements as most payers send them, so only a guide rule we do not encode could reject it"},
}

func TestSamples(t *testing.T) {
	if _, err := os.Stat(samplesDir); err != nil {
		t.Skip("no sample folder")
	}
	files, _ := filepath.Glob(filepath.Join(samplesDir, "*", "*.edi"))
	sort.Strings(files)
	for _, f := range files {
		rel, _ := filepath.Rel(samplesDir, f)
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
