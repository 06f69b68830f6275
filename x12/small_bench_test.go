package x12_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// BenchmarkValidateSmall is one small file per Parser, as the daemon validates each
// received 271/277CA/999: the per-file cost (parser set-up and compiling the guide for
// this parser) dominates here, not the per-byte cost.
func BenchmarkValidateSmall(b *testing.B) {
	data, err := os.ReadFile("../fixtures/x12/271-active-coverage.x12")
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := x12.Validate(context.Background(), bytes.NewReader(data), x12.ParseOptions{Guides: guides.Registry}); err != nil {
			b.Fatal(err)
		}
	}
}
