package guides

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

// TestRealSamples validates the public samples in ../shared/x12-samples (SOURCES.md gives
// their origin and believed validity) with the registry: files believed valid must have
// no finding; files believed invalid must report the listed findings (substrings of
// "SEG@pos loop element code"), which pins down that the guide table, not luck, rejects
// them.
func TestRealSamples(t *testing.T) {
	dir := samplesDir(t)
	tests := []struct {
		file  string
		guide string
		want  []string // empty: valid
	}{
		{"270/edx12-sample.edi", "005010X279A1", nil},
		{"270/lfh-dependent.edi", "005010X279A1", nil},
		{"270/lfh-subscriber.edi", "005010X279A1", nil},
		{"270/stupidedi-dependent.edi", "005010X279A1", nil},
		{"271/edx12-sample.edi", "005010X279A1", nil},
		{"271/lfh-subscriber.edi", "005010X279A1", nil},
		// AAA*50 at 2100B: no subscriber level follows, HL04 = 0.
		{"271/stupidedi-error-response.edi", "005010X279A1", nil},
		// The same error response, but its SE02 does not match ST02.
		{"271/lfh-subscriber-error-AAA.edi", "005010X279A1", []string{"SE@0  SE02 3"}},
		// 2100C NM1*IL missing: N3 after TRN cannot start any loop.
		{"271/edx12-BAD-unmatched_segment.edi", "005010X279A1", []string{"N3@9 2000C  2"}},
		// The X12.org claim status example's provider NPIs (NM108 XX) fail the check digit.
		{"277/lfh-x212-claim-level-status.edi", "005010X212", []string{"NM1@8 2100C NM109 6"}},
		// 2200D DTP*472 with 20230229, a date that does not exist.
		{"277/dwai-x214-payer-response.edi", "005010X214", []string{"DTP@28 2200D DTP03 8"}},
		// 2200C sent without its required STC.
		{"277/imsweb-277ca-accepted.edi", "005010X214", []string{"STC@17 2200C  3"}},
		{"999/imsweb-999-rejected.edi", "005010X231A1", nil},
		{"999/pyx12-834-accepted.edi", "005010X231A1", nil}, // GS08/ST03 005010X231
		{"999/pyx12-multi-gs-accepted.edi", "005010X231A1", nil},
		{"999/stupidedi-999-3x837-partial.edi", "005010X231A1", nil},
		{"835/dwai-carc-45.edi", "005010X221A1", nil},
		{"835/dwai-multiple-claims-single-check.edi", "005010X221A1", nil},
		{"835/edx12-dental.edi", "005010X221A1", nil},
		{"835/pyx12-mult-loops.edi", "005010X221A1", nil},
		{"835/stupidedi-dollars-data-together.edi", "005010X221A1", nil},
		{"835/stupidedi-era-sample.edi", "005010X221A1", nil},
		{"835/stupidedi-multiple-claims-single-check.edi", "005010X221A1", nil},
		{"835/tastypackets-profee.edi", "005010X221A1", nil},
		// 1000A PER*BL (payer technical contact) is required; BPR16 20002316 is no date.
		{"835/lfh-managed-care.edi", "005010X221A1", []string{"BPR@2 ST BPR16 8", "PER@8 1000A  3"}},
		// Medicare Part A TS3 sends TS309/TS311, which X221A1 marks Not Used.
		{"835/lfh-medicare-part-a-PLB.edi", "005010X221A1", []string{"PER@9 1000A  3", "TS3@11 2000 TS309 I10"}},
		{"835/lfh-secondary-payment.edi", "005010X221A1", []string{"BPR@2 ST BPR16 1", "SVC@27 2110 SVC01-1 5"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			errs, guides := sampleErrors(t, filepath.Join(dir, tt.file))
			for _, g := range guides {
				if g != tt.guide {
					t.Errorf("validated against %q, want %q", g, tt.guide)
				}
			}
			if len(guides) == 0 {
				t.Errorf("no transaction set found")
			}
			if len(tt.want) == 0 && len(errs) > 0 {
				t.Errorf("valid sample has findings:\n%s", strings.Join(errs, "\n"))
			}
			for _, w := range tt.want {
				if !anyHasPrefix(errs, w) {
					t.Errorf("missing finding %q; got:\n%s", w, strings.Join(errs, "\n"))
				}
			}
		})
	}
}

// TestX12OrgExamples validates the X12.org guide examples, published as bare ST..SE
// bodies, inside a synthetic envelope.
func TestX12OrgExamples(t *testing.T) {
	dir := samplesDir(t)
	files := []struct{ file, guide string }{
		{"270/x12org-x279-ex1a.edi", "005010X279A1"},
		{"270/x12org-x279-ex2a.edi", "005010X279A1"},
		{"271/x12org-x279-ex1b.edi", "005010X279A1"},
		{"271/x12org-x279-ex1c.edi", "005010X279A1"},
		{"271/x12org-x279-ex2b.edi", "005010X279A1"},
		{"277/x12org-x212-ex1b.edi", "005010X212"},
		{"277/x12org-x212-ex2b.edi", "005010X212"},
		{"other/x12org-x212-ex1a.edi", "005010X212"},
		{"other/x12org-x212-ex2a.edi", "005010X212"},
	}
	for _, f := range files {
		t.Run(f.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, f.file))
			if err != nil {
				t.Fatal(err)
			}
			// The examples' NPIs are placeholders without a valid check digit: a warning.
			res, err := x12.Validate(context.Background(), bytes.NewReader(envelope(t, body, f.guide)),
				x12.ParseOptions{Guides: Registry, CodeLists: x12.CodeListPolicy{ListNPI: x12.ListWarn}})
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			n := 0
			for _, ic := range res.Interchanges {
				for _, g := range ic.Groups {
					for _, s := range g.Sets {
						n++
						if s.Guide != f.guide {
							t.Errorf("validated against %q, want %q", s.Guide, f.guide)
						}
						for _, e := range s.Errors {
							errs = append(errs, e.Error())
						}
					}
				}
			}
			if n == 0 || res.Fatal != nil {
				t.Fatalf("no transaction set parsed (fatal: %v)", res.Fatal)
			}
			if len(errs) > 0 {
				t.Errorf("X12.org example has findings:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
}

// envelope wraps an ST..SE body (element separator '*', terminator '~') in ISA/GS.
func envelope(t *testing.T, body []byte, version string) []byte {
	t.Helper()
	body = bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	st := string(body[:bytes.IndexByte(body, '~')])
	fields := strings.Split(st, "*")
	if len(fields) < 3 || fields[0] != "ST" {
		t.Fatalf("body does not start with ST: %q", st)
	}
	fid := map[string]string{"270": "HS", "271": "HB", "276": "HR", "277": "HN"}[fields[1]]
	rep := "^"
	if bytes.ContainsRune(body, '>') { // the X12.org 271 examples repeat EB03 with '>'
		rep = ">"
	}
	isa := "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *250101*1200*" + rep +
		"*00501*000000001*0*T*:~"
	gs := fmt.Sprintf("GS*%s*SENDER*RECEIVER*20250101*1200*1*X*%s~", fid, version)
	var b bytes.Buffer
	b.WriteString(isa + "\n" + gs + "\n")
	b.Write(body)
	b.WriteString("\nGE*1*1~\nIEA*1*000000001~\n")
	return b.Bytes()
}

func anyHasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
