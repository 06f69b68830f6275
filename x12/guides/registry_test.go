package guides

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

func TestRegistryLookup(t *testing.T) {
	tests := []struct {
		set, version string
		want         *x12.Guide
	}{
		{"835", "005010X221A1", X221A1},
		{"277", "005010X214", X214},
		{"277", "005010X212", X212Response},
		{"276", "005010X212", X212Request},
		{"999", "005010X231A1", X231A1},
		{"999", "005010X231", X231A1},
		{"270", "005010X279A1", X279A1Request},
		{"271", "005010X279A1", X279A1Response},
		{"837", "005010X222A1", X222A1},
		{"837", "005010X222A2", nil}, // not the HIPAA errata: no guide
		{"835", "005010X221", nil},   // exact match only; the alias is for the 999
		{"271", "004010X092A1", nil},
		{"270", "005010X231A1", nil},
	}
	for _, tt := range tests {
		got := Registry.Lookup(tt.set, tt.version)
		if got != tt.want {
			t.Errorf("Lookup(%q, %q) = %v, want %v", tt.set, tt.version, name(got), name(tt.want))
		}
	}
	if n := len(Registry.All()); n != 8 {
		t.Errorf("All() has %d guides, want 8", n)
	}
}

func name(g *x12.Guide) string {
	if g == nil {
		return "nil"
	}
	return g.Set + " " + g.Version
}

// TestGuidesWellFormed checks the invariants the parser relies on in every registered
// table: loops start with a segment, refs name their segment and position, lengths and
// codes are sane, qualifiers point at existing elements holding the qualifier's codes.
func TestGuidesWellFormed(t *testing.T) {
	for _, g := range Registry.All() {
		t.Run(g.Set+"_"+g.Version, func(t *testing.T) {
			if g.Root == nil || len(g.Root.Body) < 2 {
				t.Fatal("empty root")
			}
			first, last := g.Root.Body[0].Seg, g.Root.Body[len(g.Root.Body)-1].Seg
			if first == nil || first.ID != "ST" || last == nil || last.ID != "SE" {
				t.Fatal("root must start with ST and end with SE")
			}
			if st01 := first.Elements[0].Codes; len(st01) != 1 || st01[0] != g.Set {
				t.Errorf("ST01 codes %v, want [%s]", st01, g.Set)
			}
			for _, err := range checkLoop(g.Root) {
				t.Error(err)
			}
		})
	}
}

func checkLoop(l *x12.LoopDef) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(l.Body) == 0 || l.Body[0].Seg == nil {
		bad("loop %s does not start with a segment", l.ID)
		return errs
	}
	if l.Repeat < 0 {
		bad("loop %s repeat %d", l.ID, l.Repeat)
	}
	for _, n := range l.Body {
		if (n.Seg == nil) == (n.Loop == nil) {
			bad("loop %s: node must be exactly one of segment or loop", l.ID)
			continue
		}
		if n.Loop != nil {
			errs = append(errs, checkLoop(n.Loop)...)
			continue
		}
		s := n.Seg
		if s.MaxUse < 0 {
			bad("%s/%s max use %d", l.ID, s.ID, s.MaxUse)
		}
		for i, e := range s.Elements {
			want := fmt.Sprintf("%s%02d", s.ID, i+1)
			if e.Ref != want {
				bad("%s/%s element %d has ref %q, want %q", l.ID, s.ID, i+1, e.Ref, want)
			}
			errs = append(errs, checkElem(l.ID+"/"+s.ID, e)...)
			for j, c := range e.Components {
				if wantc := want + "-" + strconv.Itoa(j+1); c.Ref != wantc {
					bad("%s/%s component has ref %q, want %q", l.ID, s.ID, c.Ref, wantc)
				}
				if len(c.Components) > 0 {
					bad("%s/%s: component %s has components", l.ID, s.ID, c.Ref)
				}
				errs = append(errs, checkElem(l.ID+"/"+s.ID, c)...)
			}
		}
		// A syntax note may name trailing elements a table leaves out (837P MEA11/MEA12
		// are not used): absent elements simply satisfy it. Positions must still exist.
		for _, syn := range s.Syntax {
			if len(syn.Elements) < 2 {
				bad("%s/%s syntax note with %d elements", l.ID, s.ID, len(syn.Elements))
			}
			for _, p := range syn.Elements {
				if p < 1 {
					bad("%s/%s syntax note names element %d", l.ID, s.ID, p)
				}
			}
		}
		if q := s.Qual; q != nil {
			if q.Element < 1 || q.Element > len(s.Elements) || len(q.Values) == 0 {
				bad("%s/%s qualifier on element %d", l.ID, s.ID, q.Element)
				continue
			}
			e := s.Elements[q.Element-1]
			if q.Component > 0 {
				if q.Component > len(e.Components) {
					bad("%s/%s qualifier on missing component %d", l.ID, s.ID, q.Component)
					continue
				}
				e = e.Components[q.Component-1]
			}
			for _, v := range q.Values {
				if len(e.Codes) > 0 && !contains(e.Codes, v) {
					bad("%s/%s qualifier value %q is not a code of %s", l.ID, s.ID, v, e.Ref)
				}
			}
		}
	}
	return errs
}

func checkElem(where string, e x12.Element) []error {
	var errs []error
	if len(e.Components) > 0 {
		return nil
	}
	if e.Usage != N && (e.Min < 1 || e.Min > e.Max) {
		errs = append(errs, fmt.Errorf("%s %s length %d/%d", where, e.Ref, e.Min, e.Max))
	}
	seen := map[string]bool{}
	for _, c := range e.Codes {
		if strings.TrimSpace(c) == "" || c != strings.TrimSpace(c) {
			errs = append(errs, fmt.Errorf("%s %s has an empty or padded code %q", where, e.Ref, c))
		}
		if seen[c] {
			errs = append(errs, fmt.Errorf("%s %s lists code %q twice", where, e.Ref, c))
		}
		seen[c] = true
		if e.Usage != N && (len(c) > e.Max || len(c) < e.Min) {
			errs = append(errs, fmt.Errorf("%s %s code %q does not fit length %d/%d", where, e.Ref, c, e.Min, e.Max))
		}
	}
	return errs
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// samplesDir is the shared folder of real public X12 files (see its SOURCES.md).
func samplesDir(t *testing.T) string {
	t.Helper()
	for _, d := range []string{os.Getenv("EDIGATE_X12_SAMPLES"), "../../../shared/x12-samples", "/work/shared/x12-samples"} {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "SOURCES.md")); err == nil {
			return d
		}
	}
	t.Skip("x12 samples not found (set EDIGATE_X12_SAMPLES)")
	return ""
}

// sampleErrors validates one sample with the registry and returns its findings as
// "SEG@pos loop element code" strings, plus the guides its sets were checked against.
func sampleErrors(t *testing.T, path string) (errs []string, guides []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := x12.Validate(context.Background(), f, x12.ParseOptions{Guides: Registry})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fatal != nil {
		errs = append(errs, "fatal: "+res.Fatal.Error())
	}
	add := func(es []x12.Error) {
		for _, e := range es {
			errs = append(errs, fmt.Sprintf("%s@%d %s %s %s: %s", e.Segment, e.Position, e.Loop, e.Element, e.Code, e.Message))
		}
	}
	add(res.Errors)
	for _, ic := range res.Interchanges {
		add(ic.Errors)
		for _, g := range ic.Groups {
			add(g.Errors)
			for _, s := range g.Sets {
				guides = append(guides, s.Guide)
				add(s.Errors)
			}
		}
	}
	return errs, guides
}
