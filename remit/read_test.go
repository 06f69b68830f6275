package remit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

func readFile(t testing.TB, path string) *Document {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Read(context.Background(), f, ReadOptions{Guides: guides.Registry})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// The hand-written files are valid against the guides, so a mapping test never rests on a
// file the engine would reject.
func TestTestdataValid(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*.x12")
	if len(paths) == 0 {
		t.Fatal("no testdata")
	}
	for _, p := range paths {
		d := readFile(t, p)
		for _, f := range d.Findings {
			t.Errorf("%s: %v", filepath.Base(p), f)
		}
	}
}

// TestReadOneVerdict: a file with any finding is ErrInvalid, and the Document still holds
// what could be read with every finding located.
func TestReadOneVerdict(t *testing.T) {
	reversal, err := os.ReadFile("testdata/835-reversal.x12")
	if err != nil {
		t.Fatal(err)
	}
	mix, err := os.ReadFile("testdata/277ca-mix.x12")
	if err != nil {
		t.Fatal(err)
	}
	cut := string(mix[:strings.Index(string(mix), "\nSE*")+1])
	tests := []struct {
		name     string
		in       string
		claims   int      // 835 claims read
		statuses int      // 277 sets read
		want     []string // "SEG code" findings that must be there
	}{
		// The reversal CLP has no CLP03: that claim is left out, the other one is kept.
		{"835 bad reversal", strings.Replace(string(reversal), "CLP*PCN4001*22*-150*", "CLP*PCN4001*22**", 1), 1, 0,
			[]string{"CLP 1", "CLP 8"}},
		// Cut before SE: no SE, GE, IEA.
		{"277CA truncated", cut, 0, 1, []string{"SE 2", "GE 3", "IEA 023"}},
		{"835 valid", string(reversal), 2, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Read(context.Background(), strings.NewReader(tt.in), ReadOptions{Guides: guides.Registry})
			if (err != nil) != (tt.want != nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
				t.Fatalf("err = %v", err)
			}
			claims := 0
			if d.Remittance != nil {
				for _, p := range d.Remittance.Payments {
					claims += len(p.Claims)
				}
			}
			if claims != tt.claims || len(d.Statuses) != tt.statuses {
				t.Errorf("read %d claims, %d statuses; want %d, %d", claims, len(d.Statuses), tt.claims, tt.statuses)
			}
			var got []string
			for _, f := range d.Findings {
				if f.Offset == 0 && f.Segment == "" && f.Code != "023" && f.Code != x12.IK5SegmentsInError {
					t.Errorf("finding not located: %+v", f)
				}
				got = append(got, f.Segment+" "+f.Code)
			}
			joined := strings.Join(got, "|")
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("no %q in %q", w, got)
				}
			}
		})
	}
}
