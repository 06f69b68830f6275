package store

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestSessionIDsJSON: the check's session ids are written as json.Marshal writes them
// (scanEligRow and the 271 side decode them), HTML characters, quotes and invalid UTF-8
// included.
func TestSessionIDsJSON(t *testing.T) {
	for _, ids := range [][]string{nil, {}, {"S-1"}, {"S-1", "S-2", "S 3"}, {`a"b\c`, "<x>&", "\x00\t\n", "é", "\xff"}} {
		want, err := json.Marshal(ids)
		if err != nil {
			t.Fatal(err)
		}
		if got := sessionIDsJSON(ids); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", ids, got, want)
		}
	}
}
