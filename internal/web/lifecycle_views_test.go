package web

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/scheduler"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// lifecycleWorld drives claims through the real pipeline, the simulator's answers (999,
// 277CA, 835) and the biller's queue outcomes, into every lifecycle state.
type lifecycleWorld struct {
	t   *testing.T
	p   *pipeline.Pipeline
	sim *sim.Responder
}

func newLifecycleWorld(t *testing.T, f *fixture) *lifecycleWorld {
	cfg := config.Default()
	cfg.DataDir = f.dir
	cfg.Claims.WaitForEligibility = 0 // claims are built at once: these tests are about the views
	rules := sim.DefaultRules()
	for member, sc := range map[string]sim.Scenario{"W9C-REJ": sim.RejectA7, "W9C-COR": sim.RejectA7,
		"W9C-DEN": sim.DenyAuth, "W9C-APP": sim.DenyAuth, "W9C-CLO": sim.DenyAuth} {
		rules.Members[member] = []sim.Scenario{sc}
	}
	return &lifecycleWorld{t: t,
		p: &pipeline.Pipeline{Cfg: cfg, DB: f.db, Log: zerolog.Nop(), Now: func() time.Time { return today }},
		sim: &sim.Responder{Answerer: sim.Answerer{Rules: rules, ID: "SIMCH", Controls: x12.NewMemorySequence(),
			Now: func() time.Time { return today }}, Guides: guides.Registry}}
}

// sessions stores one session per client (an exempt evaluation, or a 90837 on a fresh
// authorization when units are to be watched).
func (w *lifecycleWorld) sessions(withAuth bool, clients ...string) {
	w.t.Helper()
	ar, err := claims.NewAuthRules(w.p.Cfg.ClaimsPayers())
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.p.DB.Batch(context.Background(), ar, func(b *store.Batch) error {
		for _, c := range clients {
			code := "90791"
			if withAuth {
				code = "90837"
				if _, err := b.PutAuthorization(&claims.Authorization{Type: "authorization", Number: "A-" + c, Payer: "demo-commercial",
					ClientID: c, MemberID: "W9" + c, Codes: []string{"90837"}, Units: 5, UnitKind: claims.UnitVisit,
					Start: "2026-10-01", End: "2027-03-31"}, "auths.json"); err != nil {
					return err
				}
			}
			if _, err := b.PutSession(testSession("S-"+c, c, "2026-11-10", code), "batch.json"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		w.t.Fatal(err)
	}
}

// file builds and files the ready sessions' claims into one 837P and returns it.
func (w *lifecycleWorld) file() (name string, data []byte) {
	w.t.Helper()
	ctx := context.Background()
	if _, _, err := w.p.BuildAndStoreClaims(ctx); err != nil {
		w.t.Fatal(err)
	}
	out, err := w.p.FileClaims(ctx)
	if err != nil || len(out) != 1 {
		w.t.Fatalf("filed %+v, %v", out, err)
	}
	data, err = os.ReadFile(out[0].File)
	if err != nil {
		w.t.Fatal(err)
	}
	return filepath.Base(out[0].File), data
}

// upload records the upload of an 837P as the exchange does.
func (w *lifecycleWorld) upload(name string, data []byte) {
	w.t.Helper()
	var ids []string
	for _, m := range regexp.MustCompile(`(?m)CLM\*([^*]+)\*`).FindAllSubmatch(data, -1) {
		ids = append(ids, string(m[1]))
	}
	isa := regexp.MustCompile(`ISA(?:\*[^*]*){12}\*([0-9]+)`).FindSubmatch(data)
	if err := w.p.RecordUpload(context.Background(), scheduler.OutboxFile{}, scheduler.Upload{Clearinghouse: "sim",
		LocalName: name, Control: string(isa[1]), Claims: ids}); err != nil {
		w.t.Fatal(err)
	}
}

// answer has the simulator answer an 837P and applies its answers up to a stage: "999",
// "277" (999 and 277CA) or "835" (everything, later 835s included).
func (w *lifecycleWorld) answer(data []byte, upTo string) {
	w.t.Helper()
	ctx := context.Background()
	res, err := w.sim.Respond(ctx, data)
	if err != nil {
		w.t.Fatal(err)
	}
	stage := map[string]int{".999": 0, ".277": 1, ".835": 2}
	for _, r := range res {
		if stage[filepath.Ext(r.Name)] > stage["."+upTo] {
			continue
		}
		if _, _, err := w.p.ApplyResponse(ctx, r.Name, r.Data); err != nil {
			w.t.Fatalf("%s: %v", r.Name, err)
		}
	}
}

// post applies an 835 built in code (a partial denial, a lone reversal: adjudications the
// simulator does not make on its own).
func (w *lifecycleWorld) post(check string, c remit.ClaimPayment) {
	w.t.Helper()
	ctx := context.Background()
	pay := remit.Payment{Payer: "DEMO", PayerID: "60054", Check: check, Date: "20261201", Total: c.Paid, Claims: []remit.ClaimPayment{c}}
	remit.NewClassifier(w.p.Cfg.RemitPayers()).Classify(&pay)
	pay.Balance()
	plan, err := remit.PlanResponse(ctx, w.p.DB, check+".835", &remit.Document{Remittance: &remit.Remittance{Payments: []remit.Payment{pay}}}, remit.Deadlines{})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.p.DB.ApplyResponse(ctx, store.ResponseFile{SHA256: check, Name: check + ".835"}, plan); err != nil {
		w.t.Fatal(err)
	}
}

// resolve resolves the open item of a kind on a session's claim as a biller does.
func (w *lifecycleWorld) resolve(claimID string, kind queue.Kind, outcome queue.Outcome) {
	w.t.Helper()
	items, err := w.p.DB.QueueItems(context.Background(), store.QueueFilter{Kind: kind, ClaimID: claimID, OpenOnly: true})
	if err != nil || len(items) == 0 {
		w.t.Fatalf("no open %s item on %s (%v)", kind, claimID, err)
	}
	if _, err := w.p.ResolveQueueItem(context.Background(), items[0].ID, outcome, "test"); err != nil {
		w.t.Fatal(err)
	}
}

func (w *lifecycleWorld) claimOf(session string) string {
	w.t.Helper()
	ids, err := w.p.DB.ClaimsForSession(context.Background(), session)
	if err != nil || len(ids) == 0 {
		w.t.Fatalf("session %s: no claim (%v)", session, err)
	}
	return ids[len(ids)-1]
}

// breakSetCount makes the 837P's SE01 wrong, so the simulator's validator rejects the set
// in its 999 (IK5*R) and answers nothing else.
func breakSetCount(data []byte) []byte {
	return regexp.MustCompile(`SE\*([0-9]+)\*`).ReplaceAllFunc(data, func(m []byte) []byte {
		n, _ := strconv.Atoi(string(m[3 : len(m)-1]))
		return []byte("SE*" + strconv.Itoa(n+1) + "*")
	})
}

// edigateCLI builds the edigate command once for this test.
func edigateCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "edigate")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/edigate")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func cliJSON(t *testing.T, bin, dir string, v any, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, append(args, "--data", dir, "--json")...)
	cmd.Env = append(os.Environ(), "APP_CONFIG=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("edigate %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("edigate %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestEveryStateReadsTheSame is the one-state promise: a claim in each lifecycle state,
// built from the simulator's real answers where it makes them, reads the same state in
// `claims show --json`, `sessions show --json`, `trace --json`, the web session page and
// the dashboard.
func TestEveryStateReadsTheSame(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the edigate command")
	}
	f := newFixture(t, nil)
	w := newLifecycleWorld(t, f)
	ctx := context.Background()
	want := map[string]lifecycle.State{} // session -> the state of its claim
	// claimFor names the claim of a session whose current claim is another one: a
	// corrected claim's session moved onto the corrected original built to replace it.
	claimFor := map[string]string{}

	// Filed: written into an 837P, never uploaded (the fixture's ready sessions go too).
	w.sessions(false, "C-FIL")
	w.file()
	want["S-C-FIL"] = lifecycle.Filed
	// Submitted: uploaded, no answer yet.
	w.sessions(false, "C-SUB")
	w.upload(w.file())
	want["S-C-SUB"] = lifecycle.Submitted
	// File accepted: the simulator's 999 only.
	w.sessions(false, "C-FAC")
	name, data := w.file()
	w.upload(name, data)
	w.answer(data, "999")
	want["S-C-FAC"] = lifecycle.FileAccepted
	// File rejected: the simulator's validator rejects a set whose SE01 is wrong.
	w.sessions(false, "C-FRJ")
	name, data = w.file()
	w.upload(name, data)
	w.answer(breakSetCount(data), "835")
	want["S-C-FRJ"] = lifecycle.FileRejected
	// Accepted: 999 and 277CA, no 835 yet.
	w.sessions(false, "C-ACC")
	name, data = w.file()
	w.upload(name, data)
	w.answer(data, "277")
	want["S-C-ACC"] = lifecycle.Accepted
	// Everything the simulator adjudicates, in one file.
	w.sessions(false, "C-REJ", "C-COR", "C-PAI", "C-PAR", "C-REV", "C-DEN", "C-APP", "C-CLO")
	w.sessions(true, "C-VOI")
	name, data = w.file()
	w.upload(name, data)
	w.answer(data, "835")
	want["S-C-REJ"], want["S-C-PAI"], want["S-C-DEN"] = lifecycle.Rejected, lifecycle.Paid, lifecycle.Denied
	// The biller's outcomes.
	claimFor["S-C-COR"] = w.claimOf("S-C-COR")
	// Sent again unchanged a rejection is refused: the biller corrects the member id.
	if _, err := (pipeline.Queues{Pipeline: w.p}).Correct(ctx, claimFor["S-C-COR"], "", claims.Correction{MemberID: "W9C-COR2"},
		queue.Action{Who: "test"}); err != nil {
		t.Fatal(err)
	}
	w.resolve(w.claimOf("S-C-APP"), queue.Denials, queue.AppealSent)
	w.resolve(w.claimOf("S-C-CLO"), queue.Denials, queue.WrittenOff)
	want["S-C-COR"], want["S-C-APP"], want["S-C-CLO"] = lifecycle.Corrected, lifecycle.Appealed, lifecycle.Closed
	// What the simulator does not send by itself: a lone reversal, a partial denial.
	w.post("REV1", remit.ClaimPayment{PatientControl: w.claimOf("S-C-REV"), Status: "22", Charge: -15000, Paid: -12000,
		Lines: []remit.LinePayment{{Code: "90791", Charge: -15000, Paid: -12000, Adjustments: []remit.Adjustment{{Group: "CO", Reason: "45", Amount: -3000}}}}})
	want["S-C-REV"] = lifecycle.Reversed
	w.post("PAR1", remit.ClaimPayment{PatientControl: w.claimOf("S-C-PAR"), Status: "1", Charge: 15000, Paid: 5000,
		Lines: []remit.LinePayment{{Code: "90791", Charge: 15000, Paid: 5000, Adjustments: []remit.Adjustment{{Group: "CO", Reason: "197", Amount: 10000}}}}})
	want["S-C-PAR"] = lifecycle.PartiallyPaid
	// Void: the practice voids the paid session; the void claim goes out, the simulator
	// accepts it and answers with a reversal, and the authorization gets its unit back.
	if a := authUsed(t, f.db, "A-C-VOI"); a != 1 {
		t.Fatalf("A-C-VOI used %d before the void", a)
	}
	voided := testSession("S-C-VOI", "C-VOI", "2026-11-10", "90837")
	voided.Status = claims.StatusVoid
	if err := f.db.Batch(ctx, nil, func(b *store.Batch) error { _, err := b.PutSession(voided, "batch2.json"); return err }); err != nil {
		t.Fatal(err)
	}
	name, data = w.file()
	w.upload(name, data)
	w.answer(data, "835")
	want["S-C-VOI"] = lifecycle.Void
	if a := authUsed(t, f.db, "A-C-VOI"); a != 0 {
		t.Errorf("A-C-VOI used %d after the void was accepted, want 0", a)
	}
	// Held by the scrubber (a rendering NPI that fails its check digit), and built.
	bad := testSession("S-C-HLD", "C-HLD", "2026-11-10", "90791")
	bad.RenderingProvider = "1245319590"
	if err := f.db.Batch(ctx, nil, func(b *store.Batch) error { _, err := b.PutSession(bad, "batch3.json"); return err }); err != nil {
		t.Fatal(err)
	}
	w.sessions(false, "C-BLT")
	if _, _, err := w.p.BuildAndStoreClaims(ctx); err != nil {
		t.Fatal(err)
	}
	want["S-C-HLD"], want["S-C-BLT"] = lifecycle.Held, lifecycle.Built

	seen := map[lifecycle.State]bool{}
	for _, st := range want {
		seen[st] = true
	}
	for _, st := range lifecycle.States() {
		if !seen[st] {
			t.Errorf("no claim in state %s", st)
		}
	}

	bin := edigateCLI(t)
	c := f.login(t, testUser, testPassword)
	for sid, st := range want {
		var sess struct {
			Claim      string          `json:"claim"`
			ClaimState lifecycle.State `json:"claim_state"`
		}
		cliJSON(t, bin, f.dir, &sess, "sessions", "show", sid)
		claimID := sess.Claim
		if id, ok := claimFor[sid]; ok {
			claimID = id
		}
		var shown, current struct {
			State lifecycle.State `json:"state"`
		}
		cliJSON(t, bin, f.dir, &shown, "claims", "show", claimID)
		cliJSON(t, bin, f.dir, &current, "claims", "show", sess.Claim)
		var tr store.Trace
		cliJSON(t, bin, f.dir, &tr, "trace", sid)
		var traced lifecycle.State
		for _, ct := range tr.Claims {
			if ct.ClaimID == claimID {
				traced = ct.State
			}
		}
		page := squash(f.page(t, c, "/sessions/"+sid))
		onPage := regexp.MustCompile(`<td><a href="/claims/` + regexp.QuoteMeta(claimID) + `">` + regexp.QuoteMeta(claimID) + `</a></td><td>[0-9]</td><td><span class="tag">([a-z_]+)</span>`).FindStringSubmatch(page)
		header := strings.Contains(page, "claim "+sess.Claim+` <span class="tag">`+string(current.State)+`</span>`)
		if rows := strings.Count(page, "<li> <time>"); rows != len(tr.Events) || len(tr.Events) == 0 {
			t.Errorf("%s: the web shows %d history entries, trace %d", sid, rows, len(tr.Events))
		}
		if sess.ClaimState != current.State || (sess.Claim == claimID && sess.ClaimState != st) || shown.State != st || traced != st || onPage == nil || onPage[1] != string(st) || !header {
			t.Errorf("%s (claim %s), want %s: sessions show %q, claims show %q, trace %q, web %v (header %v)",
				sid, claimID, st, sess.ClaimState, shown.State, traced, onPage, header)
		}
	}
	dash := squash(f.page(t, c, "/"))
	for st := range seen {
		if !strings.Contains(dash, "<tr><th>"+strings.ReplaceAll(string(st), "_", " ")+"</th>") {
			t.Errorf("dashboard lacks %s", st)
		}
	}
}

func authUsed(t *testing.T, db *store.DB, number string) int {
	t.Helper()
	as, err := db.Authorizations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Number == number {
			return a.Used
		}
	}
	t.Fatalf("no authorization %s", number)
	return 0
}
