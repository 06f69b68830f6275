package pipeline

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProcessResponsesExchangeOrder: the files of one download are applied as the exchange
// produced them (999, 277CA, 835) although their names sort the other way ("277CA_" <
// "ERA_" < "ack_"), and an older folder still goes first.
func TestProcessResponsesExchangeOrder(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	isa := "ISA*00*          *00*          *ZZ*A              *ZZ*B              *261120*1200*^*00501*000000001*0*T*:~"
	gs := func(fid, version, n string) []byte {
		return []byte(isa + "GS*" + fid + "*A*B*20261120*1200*" + n + "*X*" + version + "~")
	}
	files := map[string][]byte{
		"2026-11-19/ERA_0.835":     gs("HP", "005010X221A1", "1"),
		"2026-11-20/277CA_2.277":   gs("HN", "005010X214", "2"),
		"2026-11-20/ERA_2_1.835":   gs("HP", "005010X221A1", "3"),
		"2026-11-20/ack_2.999":     gs("FA", "005010X231A1", "4"),
		"2026-11-20/ta1_2.ta1":     []byte(isa + "TA1*000000002*261120*1200*A*000~IEA*0*000000001~"),
		"2026-11-20/ELIG_3.271":    gs("HB", "005010X279A1", "5"),
		"2026-11-20/ack_2copy.999": gs("FA", "005010X231A1", "4"), // same content: applied once
	}
	for name, data := range files {
		path := filepath.Join(p.InboundDir(), "sim", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var order []string
	record := func(_ context.Context, name string, _ io.ReadSeeker) error {
		order = append(order, filepath.Base(name))
		return nil
	}
	handlers := map[string]Handler{KindTA1: record, Kind999: record, Kind277CA: record, Kind835: record, Kind271: record}
	ok, failed, err := p.ProcessResponses(ctx, handlers)
	if err != nil || failed != 0 || ok != 6 {
		t.Fatalf("processed %d, failed %d, err %v", ok, failed, err)
	}
	want := "ERA_0.835 ta1_2.ta1 ack_2.999 277CA_2.277 ELIG_3.271 ERA_2_1.835"
	if got := strings.Join(order, " "); got != want && got != strings.Replace(want, "ack_2.999", "ack_2copy.999", 1) {
		t.Errorf("order:\n got %s\nwant %s", got, want)
	}
}
