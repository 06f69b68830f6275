package guides

import (
	"testing"

	"github.com/edigate/edigate/x12"
)

func TestX231A1MatchesMap(t *testing.T) {
	compareWithMap(t, X231A1, "999.5010X231.A1.xml", map[string]string{
		"ST/ST/ST03 codes": "999s in the field (pyx12's own 834 ack) carry the base id 005010X231; " +
			"the registry accepts it as an alias, so ST03 must too",
		"2100/IK3/IK302 length":                     "DE 719 is N0 1/10 in 00501 (the map keeps the 4010 length 1/6)",
		"2100/CTX*SITUATIONAL TRIGGER/CTX03 length": "DE 719 is N0 1/10 in 00501",
		"2110/CTX*SITUATIONAL TRIGGER/CTX03 length": "DE 719 is N0 1/10 in 00501",
		"2100/CTX/CTX01-1 codes": "the map split the guide's code table across lines and kept the " +
			"descriptions (\"PATIENT NAME NM109\"); the codes are the element refs CLM01 ENT01 NM109 REF02 TRN02",
		"2100/IK3/IK304 usage": "X231A1 marks IK304 Required: an IK3 without its error code tells the sender nothing",
	})
}

// TestCompareWithMapFindsDifferences changes a copy of the 999 table in each way the
// comparison must notice and checks the exact difference key is reported.
func TestCompareWithMapFindsDifferences(t *testing.T) {
	dir := mapsDir()
	if dir == "" {
		t.Skip("pyx12 maps not found")
	}
	m, err := loadMap(dir, "999.5010X231.A1.xml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(root *x12.LoopDef)
		want   string
	}{
		{"loop usage", func(r *x12.LoopDef) { r.Body[2].Loop.Usage = R }, "2000 usage"},
		{"loop repeat", func(r *x12.LoopDef) { r.Body[2].Loop.Repeat = 5 }, "2000 repeat"},
		{"segment max use", func(r *x12.LoopDef) { r.Body[1].Seg.MaxUse = 2 }, "ST/AK1 max_use"},
		{"element length", func(r *x12.LoopDef) { r.Body[1].Seg.Elements[1].Max = 8 }, "ST/AK1/AK102 length"},
		{"element type", func(r *x12.LoopDef) { r.Body[1].Seg.Elements[1].Type = AN }, "ST/AK1/AK102 type"},
		{"element usage", func(r *x12.LoopDef) { r.Body[1].Seg.Elements[2].Usage = S }, "ST/AK1/AK103 usage"},
		{"code removed", func(r *x12.LoopDef) { r.Body[1].Seg.Elements[0].Codes = Codes("HC HP") }, "ST/AK1/AK101 codes"},
		{"segment order", func(r *x12.LoopDef) { r.Body[1], r.Body[3] = r.Body[3], r.Body[1] }, "ST/AK1 order"},
		{"segment dropped", func(r *x12.LoopDef) { r.Body = append(r.Body[:3:3], r.Body[4:]...) }, "ST/AK9 Functional Group Response Trailer missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := *X231A1
			g.Root = copyLoop(X231A1.Root)
			tt.mutate(g.Root)
			var keys []string
			for _, d := range diffGuideMap(&g, m) {
				keys = append(keys, d.Key)
			}
			if !contains(keys, tt.want) {
				t.Errorf("differences %q do not include %q", keys, tt.want)
			}
		})
	}
}

// The 999 map has no syntax notes, so the 835's BPR checks that a changed note shows.
func TestCompareWithMapFindsSyntaxDifference(t *testing.T) {
	dir := mapsDir()
	if dir == "" {
		t.Skip("pyx12 maps not found")
	}
	m, err := loadMap(dir, "835.5010.X221.A1.xml")
	if err != nil {
		t.Fatal(err)
	}
	g := *X221A1
	g.Root = copyLoop(X221A1.Root)
	g.Root.Body[1].Seg.Syntax = g.Root.Body[1].Seg.Syntax[1:] // drop BPR P0607
	var keys []string
	for _, d := range diffGuideMap(&g, m) {
		keys = append(keys, d.Key)
	}
	if !contains(keys, "ST/BPR syntax") {
		t.Errorf("differences %q do not include the BPR syntax change", keys)
	}
}

// copyLoop deep-copies a table so a test can change it without touching the shared one.
func copyLoop(l *x12.LoopDef) *x12.LoopDef {
	c := *l
	c.Body = make([]x12.Node, len(l.Body))
	for i, n := range l.Body {
		if n.Loop != nil {
			c.Body[i] = x12.Node{Loop: copyLoop(n.Loop)}
			continue
		}
		s := *n.Seg
		s.Elements = append([]x12.Element(nil), n.Seg.Elements...)
		s.Syntax = append([]x12.Syntax(nil), n.Seg.Syntax...)
		c.Body[i] = x12.Node{Seg: &s}
	}
	return &c
}
