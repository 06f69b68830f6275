package store

import (
	"encoding/json"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
)

// Event details are written by hand on the intake path; they must be the bytes
// json.Marshal wrote before, or history rows would differ by how they were written.
func TestAppendJSONStringMatchesMarshal(t *testing.T) {
	for _, s := range []string{"", "AUTH5566", "ready", `a"b`, `back\slash`, "<tag>&", "tab\there", "line\nbreak",
		"\x00\x1f", "café", "\u2028", "bad\xffutf8", "~!@#$%^*()"} {
		want, _ := json.Marshal(s)
		if got := appendJSONString([]byte("x:"), s); string(got) != "x:"+string(want) {
			t.Errorf("appendJSONString(%q) = %s, want x:%s", s, got, want)
		}
	}
}

func FuzzJSONString(f *testing.F) {
	f.Add("AUTH5566")
	f.Add("<\xff>")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}

// Session event details are the bytes json.Marshal gives the maps history always held.
func TestSessionEventDetailMatchesMarshal(t *testing.T) {
	cases := []struct {
		e    claims.SessionEvent
		want any
	}{
		{claims.SessionEvent{Kind: lifecycle.Received, State: "held", Status: "completed"}, map[string]string{"state": "held", "status": "completed"}},
		{claims.SessionEvent{Kind: lifecycle.Updated, State: "ready", Status: `a"b`}, map[string]string{"state": "ready", "status": `a"b`}},
		{claims.SessionEvent{Kind: lifecycle.SessionHeld, Reason: "auth_missing"}, map[string]string{"reason": "auth_missing"}},
		{claims.SessionEvent{Kind: lifecycle.SessionHeld, Reason: "auth_exhausted", Was: "auth_missing"},
			map[string]string{"reason": "auth_exhausted", "was": "auth_missing"}},
		{claims.SessionEvent{Kind: lifecycle.UnitsConsumed, Auth: "A<1>", Units: 4}, map[string]any{"authorization": "A<1>", "units": 4}},
		{claims.SessionEvent{Kind: lifecycle.UnitsReturned, Auth: "A", Units: 1}, map[string]any{"authorization": "A", "units": 1}},
		{claims.SessionEvent{Kind: lifecycle.SessionReleased, Auth: "A", Units: 2, Was: "auth_exhausted"},
			map[string]any{"authorization": "A", "units": 2, "was": "auth_exhausted"}},
		{claims.SessionEvent{Kind: lifecycle.ReplacementCandidate, ClaimRef: "CLM1"}, map[string]string{"claim_ref": "CLM1"}},
		{claims.SessionEvent{Kind: lifecycle.VoidCandidate}, map[string]string{"claim_ref": ""}},
	}
	for _, c := range cases {
		want, _ := json.Marshal(c.want)
		if got := sessionEventDetail(&c.e); string(got) != string(want) {
			t.Errorf("%s: %s, want %s", c.e.Kind, got, want)
		}
	}
}
