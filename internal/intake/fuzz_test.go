package intake

import (
	"errors"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/config"
)

// FuzzSplitRecords feeds arbitrary bytes to the record splitter and decoder of each format:
// they may reject, but never panic, and every record they return is numbered in order.
func FuzzSplitRecords(f *testing.F) {
	f.Add("a.json", []byte(`[{"type":"session","id":"S-1"},{"type":"authorization"}]`))
	f.Add("a.json", []byte(`{"type":"client","id":"C-1"}`))
	f.Add("a.ndjson", []byte("{\"type\":\"session\"}\n\n{bad\n"))
	f.Add("sessions.csv", []byte("id,client.dob,diagnoses,minutes\nS-1,1990-01-01,F41.1;F33.1,50\nS-2\n"))
	f.Add("x.csv", []byte("type,number,units\nauthorization,A,3\nsession,B,1\n"))
	in := &Intake{cfg: config.Default()}
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		for _, n := range []string{"f.json", "f.ndjson", "f-sessions.csv", name} {
			recs, err := splitRecords(n, data)
			if err != nil {
				var up errUnparseable
				if !errors.As(err, &up) {
					t.Fatalf("%s: error %v is not an unparseable-file error", n, err)
				}
				continue
			}
			for i, r := range recs {
				if r.num != i+1 {
					t.Fatalf("%s: record %d numbered %d", n, i+1, r.num)
				}
				in.decode(r, today)
			}
		}
	})
}
