package remit

import (
	"context"
	"os"
	"path/filepath"
	"testing"

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
