package x12_test

import (
	"bufio"
	"os"
	"strconv"
	"testing"

	"github.com/edigate/edigate/fixtures"
)

// TestGenerate835File is a generator, not a test: scripts/bench.sh runs it with
// EDIGATE_GEN835_OUT (the file to write) and EDIGATE_GEN835_CLAIMS (how many CLP loops,
// about 275 bytes each) to make a large valid 835 without a separate program;
// EDIGATE_GEN835_PER_SET sets the claims per transaction set (default 1000).
func TestGenerate835File(t *testing.T) {
	out := os.Getenv("EDIGATE_GEN835_OUT")
	if out == "" {
		t.Skip("set EDIGATE_GEN835_OUT (and EDIGATE_GEN835_CLAIMS) to generate a file")
	}
	claims, err := strconv.Atoi(os.Getenv("EDIGATE_GEN835_CLAIMS"))
	if err != nil || claims < 1 {
		t.Fatalf("EDIGATE_GEN835_CLAIMS must be a positive number: %q", os.Getenv("EDIGATE_GEN835_CLAIMS"))
	}
	f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	perSet := 1000
	if v := os.Getenv("EDIGATE_GEN835_PER_SET"); v != "" {
		if perSet, err = strconv.Atoi(v); err != nil || perSet < 1 {
			t.Fatalf("EDIGATE_GEN835_PER_SET must be a positive number: %q", v)
		}
	}
	if err := fixtures.Write835(w, claims, perSet); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
