package scheduler

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkExchangeRoundTrip uploads one 1 MB file and downloads one 1 MB report per
// iteration through the in-process simulator, each run on a fresh connection.
func BenchmarkExchangeRoundTrip(b *testing.B) {
	e := newSimEnv(b)
	out := newOutbox(b, filepath.Join(e.data, "outbound"))
	b.SetBytes(2 << 20)
	for i := 0; b.Loop(); i++ {
		os.WriteFile(filepath.Join(out.Dir, fmt.Sprintf("f%d.x12", i)), []byte(makeX12(fmt.Sprint(1000+i), 1<<20, "C")), 0o600)
		e.putRemote(fmt.Sprintf("inbound/r%d.835", i), makeX12(fmt.Sprint(5000+i), 1<<20))
		if _, err := e.exchange().Upload(context.Background(), out); err != nil {
			b.Fatal(err)
		}
		if res, err := e.exchange().Download(context.Background()); err != nil || len(res.Stored) != 1 {
			b.Fatal(res, err)
		}
	}
}
