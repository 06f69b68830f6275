package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

func newPipeline(t testing.TB) *Pipeline {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Claims.WaitForEligibility = 0 // these tests bill at once; TestClaimsWaitForEligibility waits
	db, err := store.Open(context.Background(), filepath.Join(cfg.DataDir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Pipeline{Cfg: cfg, DB: db, Log: zerolog.Nop(), Now: func() time.Time { return time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC) }}
}

func session(id, member, date, code string) *claims.Session {
	return &claims.Session{Type: "session", ID: id, Practice: "demo-practice", Status: claims.StatusCompleted,
		Client:   claims.Person{ID: "C-" + member, FirstName: "Pat", LastName: "Q", DOB: "1990-01-01", Gender: "F"},
		Coverage: claims.Coverage{Payer: "demo-commercial", MemberID: member, Relationship: "self", Priority: "primary"},
		Date:     date, Minutes: 55, Service: claims.Service{Code: code, Units: 1, PlaceOfService: "11"},
		Diagnoses: []string{"F41.1"}, RenderingProvider: "1245319599", Charge: x12.MustAmount("150")}
}

func put(t *testing.T, p *Pipeline, ss ...*claims.Session) {
	t.Helper()
	rules, err := claims.NewAuthRules(p.Cfg.ClaimsPayers())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.DB.Batch(context.Background(), rules, func(b *store.Batch) error {
		for _, s := range ss {
			if _, err := b.PutSession(s, "test.json"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestEligibilityRoundTrip: sessions -> 270 in the outbound folder -> the simulator's 271 ->
// inbound -> holds applied; a second run asks nothing new; the same 271 twice changes nothing.
func TestEligibilityRoundTrip(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	put(t, p, session("S1", "W1", "2026-11-18", "90791"), session("S2", "W1", "2026-11-18", "90791"),
		session("S3", "W2", "2026-11-18", "90791"), session("S4", "W3", "2026-11-19", "90791"))
	files, err := p.RequestEligibility(ctx)
	if err != nil || len(files) != 1 {
		t.Fatalf("request: %v %v", files, err)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
		t.Errorf("270 file mode %v, want 0600", fi.Mode().Perm())
	}
	res, err := x12.Validate(ctx, bytes.NewReader(data), x12.ParseOptions{Guides: guides.Registry})
	if err != nil || !res.Valid() {
		t.Fatalf("270 invalid: %v %+v", err, res)
	}
	if n := strings.Count(string(data), "TRN*1*"); n != 3 {
		t.Fatalf("want 3 inquiries (S1 and S2 share one), got %d", n)
	}
	again, err := p.RequestEligibility(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("pending inquiries must not be asked twice: %v %v", again, err)
	}

	answer := simAnswer271(ctx, t, p, data, map[string]sim.Scenario{"W2": sim.Inactive, "W3": sim.CarveOut})
	dir := filepath.Join(p.InboundDir(), "sim", "2026-11-20")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "ELIG_1.271"), answer, 0o600)
	os.WriteFile(filepath.Join(dir, "ELIG_1_copy.271"), answer, 0o600) // the same content re-delivered
	ok, failed, err := p.ProcessResponses(ctx, nil)
	if err != nil || ok != 1 || failed != 0 {
		t.Fatalf("process: %d ok %d failed %v", ok, failed, err)
	}
	want := map[string]string{"S1": store.StateReady, "S2": store.StateReady, "S3": store.StateHeld, "S4": store.StateHeld}
	for id, st := range want {
		s, err := p.DB.Session(ctx, id)
		if err != nil || s.State != st {
			t.Errorf("%s: state %s (%s), want %s", id, s.State, s.HoldReason, st)
		}
	}
	if s, _ := p.DB.Session(ctx, "S4"); s.HoldReason != "eligibility_carve_out" {
		t.Errorf("S4 hold reason %q", s.HoldReason)
	}
	if s, _ := p.DB.Session(ctx, "S3"); s.HoldReason != "eligibility_coverage_inactive" {
		t.Errorf("S3 hold reason %q", s.HoldReason)
	}
	ok, _, _ = p.ProcessResponses(ctx, nil)
	if ok != 0 {
		t.Fatalf("processed files again: %d", ok)
	}
	// Answered today for the day of service: nothing is due.
	if plan, _ := p.PlanEligibility(ctx); len(plan) != 0 {
		t.Fatalf("answered inquiries planned again: %+v", plan)
	}
}

func TestClassify(t *testing.T) {
	isa := "ISA*00*          *00*          *ZZ*A              *ZZ*B              *261120*1200*^*00501*000000001*0*T*:~"
	cases := map[string]string{
		isa + "GS*FA*A*B*20261120*1200*1*X*005010X231A1~":        Kind999,
		isa + "GS*HN*A*B*20261120*1200*1*X*005010X214~":          Kind277CA,
		isa + "GS*HN*A*B*20261120*1200*1*X*005010X212~":          Kind277,
		isa + "GS*HP*A*B*20261120*1200*1*X*005010X221A1~":        Kind835,
		isa + "GS*HB*A*B*20261120*1200*1*X*005010X279A1~":        Kind271,
		isa + "TA1*000000001*261120*1200*A*000~IEA*0*000000001~": KindTA1,
		"garbage": KindUnknown,
	}
	for in, want := range cases {
		if got := Classify([]byte(in)); got != want {
			t.Errorf("%q: %s want %s", in[len(in)-30:], got, want)
		}
	}
}

// TestClaimsWaitForEligibility: with claims.wait_for_eligibility set, a new session's claim
// waits while no 270 has gone out and while its 270 is unanswered, up to the wait; then it
// goes out with a warning. A 271 lets it go at once; with 0 it is billed at once.
func TestClaimsWaitForEligibility(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	p.Cfg.Claims.WaitForEligibility = 48 * time.Hour
	start := time.Now().UTC() // the store stamps sessions and requests with its own clock
	p.Now = func() time.Time { return start }
	put(t, p, session("S1", "W1", "2026-11-18", "90791"), session("S2", "W2", "2026-11-18", "90791"))
	b, err := p.BuildClaims(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Claims) != 0 || len(b.AwaitingEligibility) != 2 {
		t.Fatalf("no 270 yet: %d claims, awaiting %v", len(b.Claims), b.AwaitingEligibility)
	}
	if _, err := p.RequestEligibility(ctx); err != nil {
		t.Fatal(err)
	}
	// W2's 271 arrives: S2 is billed; S1's 270 is still out.
	c, err := p.DB.LatestEligibility(ctx, "demo-commercial", "W2", "2026-11-18")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DB.ApplyEligibility(ctx, c.Trace, "271.x12", store.EligibilityOutcome{}); err != nil {
		t.Fatal(err)
	}
	if b, _ = p.BuildClaims(ctx); len(b.Claims) != 1 || b.Claims[0].SessionIDs[0] != "S2" || len(b.AwaitingEligibility) != 1 {
		t.Fatalf("one answer: %d claims, awaiting %v", len(b.Claims), b.AwaitingEligibility)
	}
	if slices.ContainsFunc(b.Results[0].Findings, func(f claims.Finding) bool { return f.Rule == RuleEligibilityUnanswered }) {
		t.Errorf("answered session warned: %+v", b.Results[0].Findings)
	}
	later := start.Add(49 * time.Hour)
	p.Now = func() time.Time { return later }
	if b, _ = p.BuildClaims(ctx); len(b.Claims) != 2 {
		t.Fatalf("after the wait: %d claims", len(b.Claims))
	}
	for i, c := range b.Claims {
		warned := slices.ContainsFunc(b.Results[i].Findings, func(f claims.Finding) bool {
			return f.Rule == RuleEligibilityUnanswered && f.Severity == claims.SeverityWarning && f.SessionID == "S1"
		})
		if warned != (c.SessionIDs[0] == "S1") {
			t.Errorf("claim of %v: warned %v (%+v)", c.SessionIDs, warned, b.Results[i].Findings)
		}
	}
	p.Cfg.Claims.WaitForEligibility = 0
	p.Now = func() time.Time { return start }
	if b, _ = p.BuildClaims(ctx); len(b.Claims) != 2 {
		t.Fatalf("no wait configured: %d claims", len(b.Claims))
	}
}

// simAnswer271 is the simulator's 271 for the 270 in data, members answered by the given
// scenario and the rest by the default rules.
func simAnswer271(ctx context.Context, t *testing.T, p *Pipeline, data []byte, members map[string]sim.Scenario) []byte {
	t.Helper()
	rules := sim.DefaultRules()
	for m, sc := range members {
		rules.Members[m] = []sim.Scenario{sc}
	}
	a := &sim.Answerer{Rules: rules, ID: "SIMCH", Controls: x12.NewMemorySequence(), Now: p.Now}
	in, err := sim.ReadInbound(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	answer, err := a.Write271(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return answer
}
