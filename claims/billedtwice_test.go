package claims

import (
	"slices"
	"strings"
	"testing"

	"github.com/edigate/edigate/lifecycle"
)

// other is a stored claim for the same service as c under another session (the same
// visit sent again under a new id, in another inbox file), in state st.
func other(c *Claim, id string, st lifecycle.State, created string) StoredClaim {
	o := cloneClaim(c)
	o.SessionIDs = []string{"s-old-" + id}
	for i := range o.Lines {
		o.Lines[i].SessionID = o.SessionIDs[0]
	}
	o.ID = id
	return StoredClaim{Claim: o, State: st, Created: created}
}

// billedTwiceScrubCases are the service.billed_twice cases of TestScrubRules.
func billedTwiceScrubCases() []struct {
	name string
	rule string
	fire bool
	fix  func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim
} {
	type fix = func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim
	billed := func(f func(c *Claim) []StoredClaim) fix {
		return func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Billed = f(c)
			return c
		}
	}
	const rule = "service.billed_twice"
	return []struct {
		name string
		rule string
		fire bool
		fix  fix
	}{
		{"already paid on another claim", rule, true, billed(func(c *Claim) []StoredClaim {
			return []StoredClaim{other(c, "OTHERPAID0000001", lifecycle.Paid, "1")}
		})},
		{"open (submitted) on another claim", rule, true, billed(func(c *Claim) []StoredClaim {
			return []StoredClaim{other(c, "OTHERSUBM0000001", lifecycle.Submitted, "1")}
		})},
		{"denied on another claim still stands", rule, true, billed(func(c *Claim) []StoredClaim {
			return []StoredClaim{other(c, "OTHERDENY0000001", lifecycle.Denied, "1")}
		})},
		{"client known by member id only", rule, true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Client.ID = ""
			s.Billed = []StoredClaim{other(c, "OTHERMEMB0000001", lifecycle.Accepted, "1")}
			return c
		}},
		{"other claim only held (not billed)", rule, false, billed(func(c *Claim) []StoredClaim {
			return []StoredClaim{other(c, "OTHERHELD0000001", lifecycle.Held, "1")}
		})},
		{"other claim only built (rebuilt in this batch)", rule, false, billed(func(c *Claim) []StoredClaim {
			return []StoredClaim{other(c, "OTHERBILT0000001", lifecycle.Built, "1")}
		})},
		{"other claim rejected by the payer's front end", rule, false, billed(func(c *Claim) []StoredClaim {
			return []StoredClaim{other(c, "OTHERREJ00000001", lifecycle.Rejected, "1")}
		})},
		{"other claim's file rejected", rule, false, billed(func(c *Claim) []StoredClaim {
			return []StoredClaim{other(c, "OTHERFREJ0000001", lifecycle.FileRejected, "1")}
		})},
		{"other claim void", rule, false, billed(func(c *Claim) []StoredClaim {
			return []StoredClaim{other(c, "OTHERVOID0000001", lifecycle.Void, "1")}
		})},
		{"other claim's family withdrawn by a void", rule, false, billed(func(c *Claim) []StoredClaim {
			o := other(c, "OTHERFAM00000001", lifecycle.Corrected, "1")
			v := other(c, Resubmission(o.Claim.ID, FrequencyVoid, 1), lifecycle.Accepted, "2")
			v.Claim.Frequency = FrequencyVoid
			return []StoredClaim{o, v}
		})},
		{"other claim replaced by one without the service", rule, false, billed(func(c *Claim) []StoredClaim {
			o := other(c, "OTHERREPL0000001", lifecycle.Corrected, "1")
			r := other(c, Resubmission(o.Claim.ID, FrequencyReplacement, 1), lifecycle.Submitted, "2")
			r.Claim.Frequency, r.Claim.Lines[0].Code = FrequencyReplacement, "90834"
			return []StoredClaim{r, o}
		})},
		{"a replacement of that claim's family", rule, false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			o := other(c, "ORIGINAL00000001", lifecycle.Paid, "1")
			c.ID, c.Frequency, c.PayerControlNumber = Resubmission(o.Claim.ID, FrequencyReplacement, 1), FrequencyReplacement, "PCN1"
			s.Billed = []StoredClaim{o}
			return c
		}},
		{"another modifier is another service", rule, false, billed(func(c *Claim) []StoredClaim {
			o := other(c, "OTHERMOD00000001", lifecycle.Paid, "1")
			o.Claim.Lines[0].Modifiers = []string{"59"}
			return []StoredClaim{o}
		})},
		{"another rendering provider", rule, false, billed(func(c *Claim) []StoredClaim {
			o := other(c, "OTHERPROV0000001", lifecycle.Paid, "1")
			o.Claim.RenderingNPI = lpcaNPI
			return []StoredClaim{o}
		})},
		{"another day", rule, false, billed(func(c *Claim) []StoredClaim {
			o := other(c, "OTHERDAY00000001", lifecycle.Paid, "1")
			o.Claim.Date, o.Claim.Lines[0].Date = "2026-03-03", "2026-03-03"
			return []StoredClaim{o}
		})},
		{"another procedure", rule, false, billed(func(c *Claim) []StoredClaim {
			o := other(c, "OTHERCODE0000001", lifecycle.Paid, "1")
			o.Claim.Lines[0].Code = "90834"
			return []StoredClaim{o}
		})},
		{"the primary's claim for a secondary claim", rule, false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Billed = []StoredClaim{other(c, "PRIMARY000000001", lifecycle.Paid, "1")}
			c.Coverage.Priority = "secondary"
			return c
		}},
	}
}

// TestBilledTwiceMessage: the finding names the other claim's CLM01 and its state, the
// date as a biller reads it, and holds the claim.
func TestBilledTwiceMessage(t *testing.T) {
	_, c, s := cleanCase(t)
	s.Billed = []StoredClaim{other(c, "ZZOTHERCLAIM0001", lifecycle.PartiallyPaid, "1")}
	res := s.Scrub([]*Claim{c})[0]
	if !res.Held {
		t.Fatalf("not held: %+v", res)
	}
	var msg string
	for _, f := range res.Findings {
		if f.Rule == "service.billed_twice" {
			msg = f.Message
			if f.Line != 1 || f.SessionID != c.Lines[0].SessionID {
				t.Errorf("finding line %d session %q", f.Line, f.SessionID)
			}
		}
	}
	for _, want := range []string{"ZZOTHERCLAIM0001", "partially paid", "Mar 2, 2026", "90837"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestDayKeys(t *testing.T) {
	cfg := testConfig(t)
	cfg.GroupSameDay = false
	a, b, d := session("s-1", "90837"), session("s-2", "90834"), session("s-3", "90837")
	d.Date = "2026-03-03"
	got := DayKeys((&Builder{Setup: cfg}).Claims([]Session{a, b, d}))
	want := []DayKey{{"demo-practice", "c1", "2026-03-02"}, {"demo-practice", "c1", "2026-03-03"}}
	if !slices.Equal(got, want) {
		t.Fatalf("DayKeys = %v, want %v", got, want)
	}
}

func TestLeftBehind(t *testing.T) {
	cfg := testConfig(t)
	b := &Builder{Setup: cfg}
	s1, s2 := session("s-1", "90837"), session("s-2", "90785")
	now := b.Claims([]Session{s1, s2})[0] // s-1 with its add-on, arrived in a later file
	before := b.Claims([]Session{s1})[0]  // s-1 alone, held earlier
	unrelated := b.Claims([]Session{session("s-9", "90837")})[0]
	secondary := cloneClaim(before)
	secondary.ID, secondary.PriorClaim = "SECONDARY0000001", before.ID
	replacement := cloneClaim(before)
	replacement.ID, replacement.Frequency = Resubmission(before.ID, FrequencyReplacement, 1), FrequencyReplacement
	tests := []struct {
		name string
		old  StoredClaim
		want bool
	}{
		{"held claim the session left", StoredClaim{Claim: before, State: lifecycle.Held}, true},
		{"built claim the session left", StoredClaim{Claim: before, State: lifecycle.Built}, true},
		{"filed claim is never voided here", StoredClaim{Claim: before, State: lifecycle.Filed}, false},
		{"the claim itself (rebuilt)", StoredClaim{Claim: now, State: lifecycle.Held}, false},
		{"a claim of other sessions", StoredClaim{Claim: unrelated, State: lifecycle.Held}, false},
		{"a next-payer claim of the sessions", StoredClaim{Claim: secondary, State: lifecycle.Held}, false},
		{"a replacement of the sessions", StoredClaim{Claim: replacement, State: lifecycle.Held}, false},
		{"already void", StoredClaim{Claim: before, State: lifecycle.Void}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LeftBehind(now, tt.old); got != tt.want {
				t.Fatalf("LeftBehind = %v, want %v", got, tt.want)
			}
		})
	}
}
