package remit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/x12/guides"
)

func TestMap277CAMix(t *testing.T) {
	d := readFile(t, "testdata/277ca-mix.x12")
	if len(d.Statuses) != 1 {
		t.Fatalf("statuses = %d", len(d.Statuses))
	}
	r := d.Statuses[0]
	if r.Version != Version277CA || r.AcceptedCount == nil || *r.AcceptedCount != 1 || *r.RejectedCount != 3 {
		t.Errorf("report header = %+v", r)
	}
	type want struct {
		pcn, cat, status, entity string
		accepted, rejected       bool
		payerClaim               string
		message                  string // substring
	}
	wants := []want{
		{"PCN1001", "A2", "20", "PR", true, false, "PAYER1001", "A2 acknowledgement: accepted into the adjudication system"},
		{"PCN2001", "A7", "562", "85", false, true, "", "Entity's National Provider Identifier (NPI) (billing provider)"},
		{"PCN3001", "A6", "21", "QC", false, true, "", "A6 acknowledgement: rejected for missing information; 187 Date(s) of service"},
		{"PCN4001", "A3", "21", "", false, true, "", "MEMBER ID NOT ON FILE"},
	}
	if len(r.Claims) != len(wants) {
		t.Fatalf("claims = %+v", r.Claims)
	}
	for i, w := range wants {
		c := r.Claims[i]
		if c.PatientControl != w.pcn || c.Category != w.cat || c.Status != w.status || c.Entity != w.entity ||
			c.Accepted != w.accepted || c.Rejected != w.rejected || c.PayerClaim != w.payerClaim ||
			!strings.Contains(c.Message, w.message) {
			t.Errorf("claim %d = %+v\nwant %+v", i, c, w)
		}
	}
	// The accepted claim's first status was A1 (received); the summary is the acceptance.
	if r.Claims[0].Category != "A2" && len(r.Claims[0].Statuses) != 2 {
		t.Errorf("A1+A2 statuses = %+v", r.Claims[0].Statuses)
	}
}

func TestMap277X212(t *testing.T) {
	// The X12.org example's provider NPIs are placeholders (check digit): the file is
	// invalid, and still read whole.
	f, err := os.Open("../fixtures/x12/wild/277/lfh-x212-claim-level-status.edi")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Read(context.Background(), f, ReadOptions{Guides: guides.Registry})
	if !errors.Is(err, ErrInvalid) || len(d.Findings) != 5 {
		t.Fatalf("err = %v, findings %v", err, d.Findings)
	}
	if len(d.Statuses) != 1 || len(d.Statuses[0].Claims) != 3 {
		t.Fatalf("statuses = %+v", d.Statuses)
	}
	cs := d.Statuses[0].Claims
	// X212 names our claim in REF*EJ; TRN02 is the inquiry's trace.
	if cs[0].PatientControl != "SM123456" || cs[0].Trace != "ABCXYZ1" || !cs[0].Pending || cs[0].Category != "P3" {
		t.Errorf("pending claim = %+v", cs[0])
	}
	if !cs[1].Finalized || cs[1].Paid == nil || cs[1].Paid.String() != "7599.00" {
		t.Errorf("finalized claim = %+v", cs[1])
	}
	if cs[2].Category != "F2" || len(cs[2].Lines) != 1 || cs[2].Lines[0].Code != "99203" || len(cs[2].Lines[0].Statuses) != 1 {
		t.Errorf("denied claim with line = %+v", cs[2])
	}
}

func Test999WithIK3IK4(t *testing.T) {
	b, err := fixtures.X12File("999-partial.x12")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Read(context.Background(), bytes.NewReader(b), ReadOptions{Guides: guides.Registry})
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind() != "999" || len(d.Acks) != 1 {
		t.Fatalf("kind %s acks %d", d.Kind(), len(d.Acks))
	}
	a := d.Acks[0]
	if a.GroupControl != "101" || a.Status != "P" || len(a.Sets) != 2 || a.Sets[1].Accepted() {
		t.Fatalf("999 = %+v", a)
	}
	e := a.Sets[1].Errors[0]
	if e.Segment != "SV1" || e.BusinessUnit == nil || e.BusinessUnit.Reference != "PCN0002" ||
		len(e.Elements) != 1 || e.Elements[0].Code != "7" || e.Elements[0].Message == "" {
		t.Errorf("IK3/IK4 = %+v", e)
	}
}

func TestReadInvalid(t *testing.T) {
	for name, in := range map[string]string{
		"not x12":   "hello world",
		"truncated": "ISA*00*          *00*    ",
		"837":       mustFixture(t, "837p-two-sets.x12"),
	} {
		_, err := Read(context.Background(), strings.NewReader(in), ReadOptions{Guides: guides.Registry})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func mustFixture(t *testing.T, name string) string {
	b, err := fixtures.X12File(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The real samples that SOURCES.md believes valid map and balance; the others are
// invalid (ErrInvalid) and still map as far as they can.
func TestSamples(t *testing.T) {
	dir := "/work/shared/x12-samples"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared samples not present")
	}
	for _, sub := range []string{"835", "277"} {
		paths, _ := filepath.Glob(filepath.Join(dir, sub, "*.edi"))
		for _, p := range paths {
			name := filepath.Base(p)
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Read(context.Background(), f, ReadOptions{Guides: guides.Registry})
			f.Close()
			unreadable := strings.Contains(name, "BAD") || strings.HasPrefix(name, "x12org")
			switch {
			case err != nil && validSamples[name]:
				t.Errorf("%s: %v", name, err)
			case err == nil && !guideValid(name) && sub == "835":
				t.Errorf("%s: read as valid, SOURCES.md says it is not", name)
			case err != nil && !errors.Is(err, ErrInvalid):
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			case err != nil && !unreadable && d.Kind() == "":
				// Invalid, but what could be read is still there to show.
				t.Errorf("%s: %v and nothing read", name, err)
			}
			if unreadable {
				continue
			}
			if d.Remittance != nil {
				for _, pay := range d.Remittance.Payments {
					if !pay.Balanced && validSamples[name] {
						t.Errorf("%s: unbalanced: %v", name, pay.BalanceErrors)
					}
				}
			}
			t.Logf("%s: kind %s findings %d", name, d.Kind(), len(d.Findings))
		}
	}
}

// validSamples are the 835s SOURCES.md believes valid (pyx12 OK).
var validSamples = map[string]bool{"dwai-carc-45.edi": true, "dwai-multiple-claims-single-check.edi": true,
	"edx12-dental.edi": true, "pyx12-mult-loops.edi": true, "stupidedi-dollars-data-together.edi": true,
	"stupidedi-era-sample.edi": true, "stupidedi-multiple-claims-single-check.edi": true, "tastypackets-profee.edi": true}

// guideValid: pyx12 rejects moov-sample1 for empty trailing elements and PLB01 "NPI
// Number"; X221A1 types PLB01 AN 1-50 and X12 allows empty trailing elements, so the guide
// finds nothing (x12 samples test). Its claim 9999999 does not balance by one cent.
func guideValid(name string) bool { return validSamples[name] || name == "moov-sample1.edi" }
