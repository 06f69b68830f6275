package guides

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/x12"
)

func TestValidNPI(t *testing.T) {
	for _, tt := range []struct {
		v  string
		ok bool
	}{
		{"1234567893", true}, {"1999999984", true},
		{"1234567890", false}, {"166666666", false}, {"000000000", false}, {"0000000000", false},
		{"123456789A", false}, {"12345678931", false}, {"", false},
	} {
		if got := ValidNPI([]byte(tt.v)); got != tt.ok {
			t.Errorf("ValidNPI(%q) = %v, want %v", tt.v, got, tt.ok)
		}
	}
}

// TestCodeLists: the lists apply in every guide that has the element (837P, 835, 270,
// 271, 276, 277CA), each failure is an element error at the right place, and the policy
// turns a list into a warning or off.
func TestCodeLists(t *testing.T) {
	read := func(name string) string {
		b, err := fixtures.X12File(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	p837, p835, p271, p277 := read("837p-two-sets.x12"), read("835-carets.x12"), read("271-active-coverage.x12"), read("277ca-accepted-and-rejected.x12")
	p270 := read("270-and-837p-two-groups.x12")
	w276, err := os.ReadFile(wildDir + "/276/stupidedi-provider-request.edi")
	if err != nil {
		t.Fatal(err)
	}
	badNPI := func(s string) string { return strings.Replace(s, "1234567893", "1234567890", 1) }
	tests := []struct {
		name   string
		in     string
		policy x12.CodeListPolicy
		want   string // "code SEG ELEM" of the one list finding; "" for none
		warn   bool   // the finding is a warning, the file valid
	}{
		{"837P valid", p837, nil, "", false},
		{"837P N402 NP", strings.Replace(p837, "*IL*", "*NP*", 1), nil, "7 N4 N402", false},
		{"837P N402 NA", strings.Replace(p837, "*IL*", "*NA*", 1), nil, "7 N4 N402", false},
		{"837P N402 province", strings.Replace(p837, "*IL*627010000", "*ON*K1A0B1", 1), nil, "", false},
		{"837P N403 province with a ZIP", strings.Replace(p837, "*IL*", "*ON*", 1), nil, "6 N4 N403", false},
		{"837P N403 four digits", strings.Replace(p837, "*IL*627010000", "*IL*6270", 1), nil, "6 N4 N403", false},
		{"837P N404 foreign", strings.Replace(p837, "*IL*627010000", "*ZZ*99999*MX", 1), nil, "", false},
		{"837P N404 unknown", strings.Replace(p837, "*IL*627010000", "**99999*QQ", 1), nil, "7 N4 N404", false},
		{"837P NM109 NPI", badNPI(p837), nil, "6 NM1 NM109", false},
		{"835 N104 NPI", badNPI(p835), nil, "6 N1 N104", false},
		{"835 N104 EIN with a hyphen", strings.Replace(p835, "N1*PE*SUNRISE COUNSELING*XX*1234567893", "N1*PE*SUNRISE COUNSELING*FI*12-3456789", 1), nil, "6 N1 N104", false},
		{"835 N104 EIN", strings.Replace(p835, "N1*PE*SUNRISE COUNSELING*XX*1234567893", "N1*PE*SUNRISE COUNSELING*FI*123456789", 1), nil, "", false},
		{"835 REF02 TJ", strings.Replace(p835, "REF*TJ*123456789", "REF*TJ*12345678", 1), nil, "6 REF REF02", false},
		{"270 NM109 NPI", strings.Replace(p270, "NM1*1P*2*SUNRISE COUNSELING*****XX*1234567893", "NM1*1P*2*SUNRISE COUNSELING*****XX*1234567890", 1), nil, "6 NM1 NM109", false},
		{"271 NM109 NPI", badNPI(p271), nil, "6 NM1 NM109", false},
		{"277CA NM109 NPI", badNPI(p277), nil, "6 NM1 NM109", false},
		{"276 NM109 NPI", string(w276), nil, "6 NM1 NM109", false},
		{"276 NPI as warning", string(w276), x12.CodeListPolicy{ListNPI: x12.ListWarn}, "W2 NM1 NM109", true},
		{"276 NPI off", string(w276), x12.CodeListPolicy{ListNPI: x12.ListOff}, "", false},
		{"837P state as warning", strings.Replace(p837, "*IL*", "*NP*", 1), x12.CodeListPolicy{ListState: x12.ListWarn}, "W2 N4 N402", true},
		{"837P state off, NPI still checked", badNPI(strings.Replace(p837, "*IL*", "*NP*", 1)), x12.CodeListPolicy{ListState: x12.ListOff}, "6 NM1 NM109", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x12.Validate(context.Background(), strings.NewReader(tt.in), x12.ParseOptions{Guides: Registry, CodeLists: tt.policy})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range append(res.Findings(), res.Warnings...) {
				if e.Level == x12.LevelElement || e.Code == x12.WarnCodeList {
					got = append(got, e.Code+" "+e.Segment+" "+e.Element)
				}
			}
			wantValid := tt.want == "" || tt.warn
			if res.Valid() != wantValid {
				t.Fatalf("valid = %v, want %v: %v", res.Valid(), wantValid, res.Findings())
			}
			if tt.want == "" {
				if len(got) > 0 {
					t.Fatalf("findings %q, want none", got)
				}
				return
			}
			if len(got) == 0 || got[0] != tt.want {
				t.Fatalf("findings %q, want first %q", got, tt.want)
			}
			if tt.warn && len(res.Warnings) == 0 {
				t.Fatalf("no warning")
			}
		})
	}
}
