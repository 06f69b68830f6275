package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/x12"
)

// rejectedWorld files a claim for client C-REJ, which the simulator rejects by 277CA (A7),
// and returns the world, the claim and its rejection item.
func rejectedWorld(t *testing.T, f *fixture) (*lifecycleWorld, string, queue.Item) {
	t.Helper()
	w := newLifecycleWorld(t, f)
	w.sessions(false, "C-REJ")
	name, data := w.file()
	w.upload(name, data)
	w.answer(data, "277")
	claim := w.claimOf("S-C-REJ")
	its, err := f.db.QueueItems(context.Background(), store.QueueFilter{Kind: queue.Rejections, ClaimID: claim, OpenOnly: true})
	if err != nil || len(its) != 1 {
		t.Fatalf("rejections of %s: %+v %v", claim, its, err)
	}
	return w, claim, its[0]
}

func correctionDeps(d *Deps) {
	allQueues(d)
	p := &pipeline.Pipeline{Cfg: d.Config, DB: d.Store.(*store.DB), Now: d.Now}
	d.Corrections = pipeline.Queues{Pipeline: p}
	d.Responses = p
}

// TestCorrectionForm: a 277CA-rejected claim is corrected through the form: resubmitting
// it unchanged (the form as it came, or the queue's "resubmitted") is refused with the
// rejection in words and what to fix; a bad NPI names the field; a real correction builds
// a corrected original carrying it, resolves the rejection and shows each change in the
// claim's history; no PHI reaches the log or a URL.
func TestCorrectionForm(t *testing.T) {
	f := newFixture(t, correctionDeps)
	f.h.d.Config.DataDir = f.dir
	_, claim, it := rejectedWorld(t, f)
	c := f.login(t, testUser, testPassword)
	item := strconv.FormatInt(it.ID, 10)

	if page := f.page(t, c, "/claims/"+claim); !strings.Contains(page, `href="/claims/`+claim+`/correct"`) {
		t.Errorf("claim page has no correction link")
	}
	if page := f.page(t, c, "/queues/rejections"); !strings.Contains(page, `href="/claims/`+claim+`/correct?item=`+item+`"`) {
		t.Errorf("rejections queue has no correction link")
	}
	form := f.page(t, c, "/claims/"+claim+"/correct?item="+item)
	for _, want := range []string{"Subscriber and subscriber id not found", "What to fix: Correct the member id", `name="member_id" value="W9C-REJ"`,
		`name="dx" value="F411"`, `name="pos" value="11"`, "a new original claim"} {
		if !strings.Contains(form, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	csrf := csrfOf(t, form)
	posted := func(v url.Values) url.Values {
		out := url.Values{"csrf": {csrf}, "item": {item}, "member_id": {"W9C-REJ"}, "subscriber_first": {"Jane"}, "subscriber_last": {"Doe-C-REJ"},
			"subscriber_dob": {"1990-04-02"}, "dx": {"F41.1"}, "pos": {"11"}, "rendering": {"1245319599"}, "supervising": {""}, "auth": {""},
			"modifiers_1": {""}}
		for k, vs := range v {
			out[k] = vs
		}
		return out
	}
	post := func(v url.Values) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/claims/"+claim+"/correct", strings.NewReader(posted(v).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp, b.String()
	}
	// Unchanged: refused, with the reason and the fix; the item stays open.
	resp, body := post(nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Nothing was corrected, so the payer would reject the claim again") ||
		!strings.Contains(body, "Correct the member id") {
		t.Fatalf("unchanged: %d\n%s", resp.StatusCode, body)
	}
	// The queue's own "resubmitted" is refused the same way, on the correction form.
	qp := f.page(t, c, "/queues/rejections")
	r := f.post(t, c, "/queues/rejections/"+item+"/resolve", url.Values{"csrf": {csrfOf(t, qp)}, "outcome": {"resubmitted"}})
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || loc != "/claims/"+claim+"/correct?item="+item+"&refused=1" {
		t.Fatalf("queue resubmitted unchanged: %d %s", r.StatusCode, loc)
	}
	if page := f.page(t, c, "/claims/"+claim+"/correct?item="+item+"&refused=1"); !strings.Contains(page, "Nothing was corrected") {
		t.Errorf("refused form lacks the refusal")
	}
	// A bad value names the field and keeps what was typed.
	resp, body = post(url.Values{"rendering": {"1245319590"}, "member_id": {"W9C-TYPED"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Rendering provider (NPI)") || !strings.Contains(body, `value="W9C-TYPED"`) {
		t.Fatalf("bad NPI: %d\n%s", resp.StatusCode, body)
	}
	if got, _ := f.db.QueueItem(t.Context(), it.ID); got.State != queue.Open {
		t.Fatalf("item after refusals: %+v", got)
	}

	// The correction.
	resp, _ = post(url.Values{"member_id": {"W9C-FIX"}, "dx": {"F41.1, F32.9"}, "modifiers_1": {"95"}, "note": {"card re-read"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/claims/") || loc == "/claims/"+claim {
		t.Fatalf("correct: %d %s", resp.StatusCode, loc)
	}
	newID := strings.TrimPrefix(loc, "/claims/")
	rec, err := f.db.Claim(t.Context(), newID)
	if err != nil || rec.Claim.Coverage.MemberID != "W9C-FIX" || strings.Join(rec.Claim.Diagnoses, ",") != "F411,F329" ||
		strings.Join(rec.Claim.Lines[0].Modifiers, ",") != "95" || rec.Frequency != claims.FrequencyOriginal {
		t.Fatalf("new claim %s: %+v %v", newID, rec.Claim, err)
	}
	if got, _ := f.db.QueueItem(t.Context(), it.ID); got.Outcome != queue.Resubmitted {
		t.Errorf("item: %+v", got)
	}
	page := f.page(t, c, "/claims/"+claim)
	for _, want := range []string{"Corrected by the biller: Member id: W9C-REJ -&gt; W9C-FIX (biller)", "Diagnoses: F411 -&gt; F411,F329",
		"Modifiers (line 1): (none) -&gt; 95"} {
		if !strings.Contains(page, want) {
			t.Errorf("claim history lacks %q", want)
		}
	}
	if strings.Contains(page, `href="/claims/`+claim+`/correct"`) {
		t.Errorf("a corrected claim still offers the form")
	}
	if strings.Contains(f.log.String(), "W9C-FIX") || strings.Contains(f.log.String(), "F32.9") {
		t.Errorf("PHI in the log:\n%s", f.log.String())
	}

	// The practice sends the session again with its own member id: the session page shows
	// the conflict; the biller keeps the correction.
	again := testSession("S-C-REJ", "C-REJ", "2026-11-10", "90791")
	again.Coverage.MemberID = "W9C-PRACTICE"
	if err := f.db.Batch(t.Context(), nil, func(b *store.Batch) error { _, err := b.PutSession(again, "batch9.json"); return err }); err != nil {
		t.Fatal(err)
	}
	sp := f.page(t, c, "/sessions/S-C-REJ")
	if !strings.Contains(sp, "Member id: practice sent W9C-PRACTICE, biller corrected to W9C-FIX") {
		t.Fatalf("session page lacks the conflict")
	}
	if qp := f.page(t, c, "/queues"); !strings.Contains(qp, `<a href="/sessions/S-C-REJ#conflicts">session S-C-REJ</a>: Member id: practice sent W9C-PRACTICE`) {
		t.Errorf("queues page lacks the conflict")
	}
	// An open item on the corrected claim (its session is S-C-REJ) shows the conflict on
	// its card, with the same two picks; the biller keeps the correction from there.
	if _, err := f.db.SQL().ExecContext(t.Context(), `INSERT INTO queue_items (kind, claim_id, payer, reason, category, message, due,
		amount_cents, state, created_at) VALUES ('rejections', ?, 'demo-commercial', 'A7:33', '', 'Subscriber not found', '', 15000, 'open', 't')`, newID); err != nil {
		t.Fatal(err)
	}
	qp = f.page(t, c, "/queues/rejections")
	card := qp[strings.Index(qp, "claim "+newID):]
	back := regexp.MustCompile(`name="back" value="(/queues/rejections#[^"]+)"`).FindStringSubmatch(card)
	if !strings.Contains(card, "Correction conflict.</b> Member id: practice sent W9C-PRACTICE, biller corrected to W9C-FIX") ||
		!strings.Contains(card, `action="/sessions/S-C-REJ/conflicts/member_id"`) || back == nil {
		t.Fatalf("queue card lacks the conflict:\n%s", card)
	}
	r = f.post(t, c, "/sessions/S-C-REJ/conflicts/member_id", url.Values{"csrf": {csrfOf(t, qp)}, "pick": {"keep"}, "back": {back[1]}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != back[1] {
		t.Fatalf("keep: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if qp := f.page(t, c, "/queues/rejections"); strings.Contains(qp, "Correction conflict.") {
		t.Errorf("queue card still shows a settled conflict")
	}
	if _, err := f.db.SQL().ExecContext(t.Context(), `DELETE FROM queue_items WHERE kind = 'rejections' AND claim_id = ?`, newID); err != nil {
		t.Fatal(err)
	}
	sp = f.page(t, c, "/sessions/S-C-REJ")
	if strings.Contains(sp, "practice sent W9C-PRACTICE") || !strings.Contains(sp, "Correction conflict settled by the biller") {
		t.Errorf("after keep: conflict still shown or not recorded")
	}
	if qp := f.page(t, c, "/queues"); strings.Contains(qp, `id="conflicts"`) {
		t.Errorf("queues page still lists a settled conflict")
	}
	if r := f.post(t, c, "/sessions/S-C-REJ/conflicts/member_id", url.Values{"csrf": {csrfOf(t, sp)}, "pick": {"keep"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("second pick: %d", r.StatusCode)
	}
	// A claim with nothing open has no form.
	if resp, _ := f.get(t, c, "/claims/"+newID+"/correct"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("form of a claim with nothing open: %d", resp.StatusCode)
	}
}

// TestFilesPage: the files page lists the 837P sent with its 999 and 277CA outcome and
// the response files received; a 277CA that could not be applied (no handler when it
// came) shows the reason and a retry button that applies it.
func TestFilesPage(t *testing.T) {
	f := newFixture(t, correctionDeps)
	f.h.d.Config.DataDir = f.dir
	w := newLifecycleWorld(t, f)
	w.sessions(false, "C-ACC")
	name, data := w.file()
	w.upload(name, data)
	failed277 := respondInto(t, w, data)
	c := f.login(t, testUser, testPassword)
	page := f.page(t, c, "/files/sim")
	row := func(page, id string) string {
		i := strings.Index(page, `id="`+id+`"`)
		if i < 0 {
			t.Fatalf("no row %s in page:\n%s", id, page)
		}
		return page[i : i+strings.Index(page[i:], "</tr>")]
	}
	sent := row(page, "sent-1")
	// The fixture's ready sessions went into the file too: 4 claims.
	if !strings.Contains(sent, name) || !strings.Contains(sent, "4 accepted") || !strings.Contains(sent, "waiting") || strings.Contains(sent, "not yet") {
		t.Errorf("sent row: %s", sent)
	}
	rec := row(page, "file-"+failed277)
	if !strings.Contains(rec, "not applied") || !strings.Contains(rec, "no handler for 277CA files") || !strings.Contains(rec, `class="retry"`) {
		t.Errorf("failed row: %s", rec)
	}
	r := f.post(t, c, "/files/sim/retry", url.Values{"csrf": {csrfOf(t, page)}, "file": {failed277}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/files/sim?retried=applied" {
		t.Fatalf("retry: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	page = f.page(t, c, "/files/sim?retried=applied")
	if !strings.Contains(page, "The file was applied.") || !strings.Contains(row(page, "file-"+failed277), `<span class="tag okt">applied`) {
		t.Errorf("after retry: %s", row(page, "file-"+failed277))
	}
	if st, _ := f.db.InboundFileState(t.Context(), failed277); st.State != store.InboundProcessed {
		t.Errorf("inbound state %+v", st)
	}
	if strings.Contains(row(page, "sent-1"), "waiting") {
		t.Errorf("277CA outcome not shown after the retry: %s", row(page, "sent-1"))
	}
	if r := f.post(t, c, "/files/sim/retry", url.Values{"csrf": {csrfOf(t, page)}, "file": {failed277}}); r.StatusCode != http.StatusConflict {
		t.Errorf("retry of an applied file: %d", r.StatusCode)
	}
	if resp, _ := f.get(t, c, "/files/nowhere"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown clearinghouse: %d", resp.StatusCode)
	}
}

// respondInto has the simulator answer an 837P into the inbound folder and runs the
// responses step without a 277CA handler: the 999 applies, the 277CA fails. It returns the
// failed file's content hash.
func respondInto(t *testing.T, w *lifecycleWorld, data []byte) string {
	t.Helper()
	ctx := context.Background()
	res, err := w.sim.Respond(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(w.p.InboundDir(), "sim", "2026-11-20")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if ext := filepath.Ext(r.Name); ext == ".999" || ext == ".277" {
			if err := os.WriteFile(filepath.Join(dir, r.Name), r.Data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	handlers := w.p.ResponseHandlers()
	delete(handlers, pipeline.Kind277CA)
	if ok, failed, err := w.p.ProcessResponses(ctx, handlers); err != nil || ok != 1 || failed != 1 {
		t.Fatalf("responses: %d processed %d failed %v", ok, failed, err)
	}
	list, err := w.p.DB.FailedInbound(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("failed: %+v %v", list, err)
	}
	return list[0].SHA256
}

// TestSessionEligibility: the session page says the latest 271 answer in words.
func TestSessionEligibility(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	s, err := f.db.Session(ctx, "S-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.RecordEligibilityRequests(ctx, []store.EligibilityCheck{{Trace: "T1", Payer: s.Payer, MemberID: s.Session.Coverage.MemberID,
		ClientID: s.ClientID, ServiceDate: s.Date, SessionIDs: []string{"S-1"}}}, "270-1.x12"); err != nil {
		t.Fatal(err)
	}
	c := f.login(t, testUser, testPassword)
	if page := f.page(t, c, "/sessions/S-1"); !strings.Contains(page, "asked, no answer yet") {
		t.Errorf("session page lacks the open inquiry")
	}
	yes := true
	copay, ded, left := x12.MustAmount("25"), x12.MustAmount("1500"), x12.MustAmount("1234.50")
	pct, visits := "20", 7
	res := eligibility.Result{Trace: "T1", Active: true, InNetwork: &yes, Copay: &copay, CoinsurancePercent: &pct, Deductible: &ded,
		DeductibleRemaining: &left, VisitsRemaining: &visits, AuthRequired: &yes, CarveOut: &eligibility.Entity{Name: "Magellan", ID: "01260"}}
	if _, err := f.db.ApplyEligibility(ctx, "T1", "271-1.x12", store.EligibilityOutcome{Result: res, Decision: eligibility.Decision{}}); err != nil {
		t.Fatal(err)
	}
	page := f.page(t, c, "/sessions/S-1")
	for _, want := range []string{"<dt>Coverage</dt><dd>active</dd>", "<dt>Copay</dt><dd>$25.00</dd>", "<dt>Coinsurance</dt><dd>20%</dd>",
		"<dt>Deductible</dt><dd>$1,234.50 left of $1,500.00</dd>", "<dt>Visits</dt><dd>7 left</dd>",
		`<dt>Prior authorization</dt><dd class="bad">required</dd>`, "bill Magellan (payer id 01260)", "from 271-1.x12"} {
		if !strings.Contains(page, want) {
			t.Errorf("session page lacks %q", want)
		}
	}
	if page := f.page(t, c, "/sessions/S-2"); strings.Contains(page, `id="eligibility"`) {
		t.Errorf("a session never checked shows an eligibility answer")
	}
}
