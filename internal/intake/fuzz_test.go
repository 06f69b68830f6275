package intake

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/edigate/edigate/claims"
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
	in := &Intake{cfg: config.Default().ClaimsSetup()}
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

// FuzzDecodeSessionFirst checks decode's shortcut (decode as a session, read the type alone
// only when that guess is wrong) against the plain two-pass decode it replaced: the same
// record type, value and field errors for any input.
func FuzzDecodeSessionFirst(f *testing.F) {
	f.Add([]byte(`{"type":"session","id":"S-1","units":"x"}`))
	f.Add([]byte(`{"id":"S-1","type":"authorization","units":3}`))
	f.Add([]byte(`{"type":5}`))
	f.Add([]byte(`{"type":"session",`))
	f.Add([]byte(`{"Type":"session","charge":"1.2.3"}`))
	f.Add([]byte(`[1]`))
	in := &Intake{cfg: config.Default().ClaimsSetup()}
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	twoPass := func(raw []byte) (any, []claims.FieldError) {
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, []claims.FieldError{jsonError(err)}
		}
		if head.Type != typeSession {
			return in.decode(record{json: raw}, today) // the unchanged path
		}
		s := &claims.Session{}
		if err := json.Unmarshal(raw, s); err != nil {
			return nil, []claims.FieldError{jsonError(err)}
		}
		return s, claims.ValidateSession(s, in.cfg, today)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		v1, e1 := in.decode(record{json: raw}, today)
		v2, e2 := twoPass(raw)
		if !reflect.DeepEqual(v1, v2) || !reflect.DeepEqual(e1, e2) {
			t.Fatalf("decode(%q) = %#v %v; two passes give %#v %v", raw, v1, e1, v2, e2)
		}
	})
}
