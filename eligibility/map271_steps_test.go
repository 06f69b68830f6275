package eligibility

import (
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

// segs271 reads "ID*e1*e2~ID*..." into segments with the default delimiters.
func segs271(text string) []*x12.Segment {
	var out []*x12.Segment
	for _, st := range strings.Split(strings.TrimSuffix(text, "~"), "~") {
		s := &x12.Segment{Delims: x12.DefaultDelimiters}
		for _, e := range strings.Split(st, "*") {
			s.Elements = append(s.Elements, []byte(e))
		}
		out = append(out, s)
	}
	return out
}

// TestMap271Steps: coverage dates from begin, end and range qualifiers (a range does not
// override an explicit begin or end), a benefit's own dates, the level a reject is
// reported at, and the phone of a benefit's related entity.
func TestMap271Steps(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // rendered by show
	}{
		{"begin and end", "HL*1**22~DTP*346*D8*20260101~DTP*347*D8*20261231", "cov 20260101-20261231"},
		{"eligibility range", "HL*1**22~DTP*307*RD8*20260101-20260630", "cov 20260101-20260630"},
		{"range one day leaves end open", "HL*1**22~DTP*291*D8*20260101", "cov 20260101-"},
		{"range after a begin keeps the begin", "HL*1**22~DTP*356*D8*20260201~DTP*291*RD8*20260101-20260630", "cov 20260201-20260630"},
		{"end overrides a range's end", "HL*1**22~DTP*291*RD8*20260101-20260630~DTP*357*D8*20260331", "cov 20260101-20260331"},
		{"other qualifiers ignored", "HL*1**22~DTP*472*D8*20260101", "cov -"},
		{"benefit date", "HL*1**22~EB*1**30~DTP*348*D8*20260101~DTP*346*D8*20260101", "cov - dates [348:20260101 346:20260101]"},
		{"no result before a subscriber", "HL*1**20~DTP*346*D8*20260101", "none"},
		{"reject at subscriber", "HL*1**22~AAA*N**72*C", "cov - rejects [subscriber:72]"},
		{"reject on a benefit", "HL*1**23~EB*1**30~AAA*N**33*C", "cov - rejects [benefit:33]"},
		{"reject at the payer", "HL*1**20~AAA*N**42*R", "orphans [payer:42]"},
		{"entity phone", "HL*1**22~EB*1**MH~LS*2120~NM1*PR*2*CARVE*****PI*BH1~PER*IC**EM*a@b*TE*8005550199~LE*2120", "cov - phone 8005550199"},
		{"phone outside 2120 ignored", "HL*1**22~PER*IC**TE*8005550199", "cov -"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mapper{ben: -1}
			for _, s := range segs271(tt.in) {
				m.segment(s)
			}
			if got := show(&m); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// show renders what the steps recorded, before finish summarizes.
func show(m *mapper) string {
	if len(m.orphanRejects) > 0 {
		var rs []string
		for _, r := range m.orphanRejects {
			rs = append(rs, r.Level+":"+r.Code)
		}
		return "orphans [" + strings.Join(rs, " ") + "]"
	}
	if m.cur == nil {
		return "none"
	}
	out := "cov " + m.cur.CoverageStart + "-" + m.cur.CoverageEnd
	if b := m.benefit(); b != nil && len(b.Dates) > 0 {
		out += " dates [" + strings.Join(b.Dates, " ") + "]"
	}
	if len(m.cur.Rejects) > 0 {
		var rs []string
		for _, r := range m.cur.Rejects {
			rs = append(rs, r.Level+":"+r.Code)
		}
		out += " rejects [" + strings.Join(rs, " ") + "]"
	}
	for _, b := range m.cur.Benefits {
		for _, e := range b.Entities {
			out += " phone " + e.Phone
		}
	}
	return out
}
