package remit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/edigate/edigate/x12/guides"
)

// FuzzRead feeds the 835 and 277 mappers (through Read) arbitrary files seeded with the
// hand-written ones: no input may panic, and what comes back must be self-consistent.
func FuzzRead(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.x12")
	// The shared fixtures add 277CA, 999 and TA1 files and the hostile corpus (truncated,
	// wrong separators, unbalanced).
	more, _ := filepath.Glob("../fixtures/x12/*.x12")
	hostile, _ := filepath.Glob("../fixtures/hostile/x12/*.x12")
	paths = append(append(paths, more...), hostile...)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := Read(context.Background(), bytes.NewReader(in), ReadOptions{Guides: guides.Registry})
		if err != nil || d.Remittance == nil {
			return
		}
		for _, p := range d.Remittance.Payments {
			if p.Balanced != (len(p.BalanceErrors) == 0) {
				t.Fatalf("balanced %v with %d errors", p.Balanced, len(p.BalanceErrors))
			}
			for _, c := range p.Claims {
				if c.DenialCategory != "" && len(c.Denials) == 0 {
					t.Fatalf("claim %s has a category without denials", c.PatientControl)
				}
			}
		}
	})
}
