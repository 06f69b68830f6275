package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/testenv"
	"github.com/edigate/edigate/queue"
)

// One headless Chromium serves every browser test of the binary (starting it is most of
// the cost); each test gets its own browser context, so cookies never leak between tests.
var chromium struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	dir    string
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chromium.cancel != nil {
		chromium.cancel()
	}
	if chromium.dir != "" {
		os.RemoveAll(chromium.dir)
	}
	os.Exit(code)
}

// browserTab returns a fresh tab in a fresh browser context (an empty cookie jar).
func browserTab(t *testing.T) context.Context {
	t.Helper()
	bin := testenv.Chromium(t)
	chromium.once.Do(func() {
		chromium.dir, chromium.err = os.MkdirTemp("", "edigate-chromium-")
		if chromium.err != nil {
			return
		}
		actx, acancel := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.UserDataDir(chromium.dir), chromedp.WindowSize(1280, 1000))
		bctx, bcancel := chromedp.NewContext(actx)
		// The first Run starts the browser; its context must outlive every test.
		if _, chromium.err = chromedp.Run(bctx, chromedp.Evaluate[int]("1")); chromium.err != nil {
			bcancel()
			acancel()
			return
		}
		chromium.ctx, chromium.cancel = bctx, func() { bcancel(); acancel() }
	})
	if chromium.err != nil {
		t.Fatalf("start chromium: %v", chromium.err)
	}
	ctx, cancel := chromedp.NewContext(chromium.ctx, chromedp.WithNewBrowserContext())
	// A safety net for a hung browser, not an assertion: every wait below is on the DOM.
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancel() })
	return ctx
}

// do runs browser steps and fails the test on the first error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// submit clicks a button that posts a form and returns the status of the page the
// browser ends on (after the 303, the page redirected to).
func submit(t *testing.T, ctx context.Context, what, button string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return resp.Status
}

// waitText waits until the element matching css contains text.
func waitText(css, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.innerText.includes(%s) })()`,
		strconv.Quote(css), strconv.Quote(text)))
}

func bodyText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body.innerText"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signIn fills the real login form and clicks its button.
func signIn(t *testing.T, ctx context.Context, user, password string) int64 {
	t.Helper()
	do(t, ctx, "login form", chromedp.WaitVisible(chromedp.CSS(`input[name="user"]`)),
		chromedp.Clear(chromedp.CSS(`input[name="user"]`)), chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), user),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password))
	return submit(t, ctx, "sign in", `form button[type="submit"]`)
}

// step runs one step of a browser session and stops the session at the first failure:
// every later step starts from the page an earlier one left.
func step(t *testing.T, name string, fn func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, fn) {
		t.FailNow()
	}
}

// testClock is the handler's clock, moved by the expiry test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestBrowserWorkbench signs in through the login form in headless Chromium and works the
// queues by clicking the page's own buttons: a failed sign-in, assign, note, resolve with
// every outcome the denials and appeals queues take, the appeal letter, a forged POST from
// another origin and an expired login. Each step is checked on the page and in the store.
func TestBrowserWorkbench(t *testing.T) {
	ctx := browserTab(t)
	clock := &testClock{t: today}
	f := newFixture(t, func(d *Deps) {
		allQueues(d)
		d.Appeals = fakeLetters{}
		d.Now = clock.Now
		p := &pipeline.Pipeline{Cfg: d.Config, DB: d.Store.(*store.DB), Now: d.Now}
		d.Corrections, d.Responses = pipeline.Queues{Pipeline: p}, p
	})
	denials := queue.Denials.Outcomes()
	appeals := queue.Appeals.Outcomes()
	var rows []string
	for i := range denials {
		rows = append(rows, fmt.Sprintf(`(%d, 'denials', 'CLM-%d', 0, 'demo-commercial', 'CO-197', 'authorization', 'appeal', 'Precertification absent', '2027-01-%02d', 15000, 'open', 't')`, 10+i, 1+i, 10+i))
	}
	for i := range appeals {
		rows = append(rows, fmt.Sprintf(`(%d, 'appeals', 'CLM-A%d', 0, 'demo-commercial', 'CO-50', 'medical_necessity', 'appeal', 'Not medically necessary', '2027-02-%02d', 9000, 'open', 't')`, 20+i, i, 10+i))
	}
	openItems(t, f.db, rows...)
	// A real denied claim, filed and answered through the pipeline and the simulator, for
	// the outcome that rebuilds the claim (resubmitted needs the claim and its sessions).
	w := newLifecycleWorld(t, f)
	// C-REJ's claim the payer rejects (277CA A7): the biller corrects and resubmits it.
	w.sessions(true, "C-DEN", "C-REJ")
	name, data := w.file()
	w.upload(name, data)
	w.answer(data, "835")
	denied, rejected := w.claimOf("S-C-DEN"), w.claimOf("S-C-REJ")
	// One more file whose 277CA could not be applied when it came (no handler): the files
	// page's retry button applies it.
	w.sessions(false, "C-ACC")
	name2, data2 := w.file()
	w.upload(name2, data2)
	failed277 := respondInto(t, w, data2)
	its, err := f.db.QueueItems(t.Context(), store.QueueFilter{Kind: queue.Denials, ClaimID: denied, OpenOnly: true})
	if err != nil || len(its) != 1 {
		t.Fatalf("denials of %s: %+v, %v", denied, its, err)
	}
	realItem := int(its[0].ID)
	f.h.d.Config.DataDir = f.dir // where the pipeline wrote the 837P

	step(t, "failed sign-in", func(t *testing.T) {
		do(t, ctx, "open", chromedp.Navigate(f.srv.URL+"/queues/denials"))
		if st := signIn(t, ctx, testUser, "wrong password!"); st != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", st)
		}
		do(t, ctx, "error shown", waitText("main", "Wrong user name or password."))
	})
	step(t, "sign-in", func(t *testing.T) {
		if st := signIn(t, ctx, testUser, testPassword); st != http.StatusOK {
			t.Fatalf("status %d, want 200", st)
		}
		// The login keeps where the biller was going.
		do(t, ctx, "denials page", waitText("h1", "Denials"), waitText("header.top", testUser))
	})
	step(t, "assign", func(t *testing.T) {
		do(t, ctx, "type assignee", chromedp.Clear(chromedp.CSS(`#\31 0 input[name="assignee"]`)),
			chromedp.SendKeys(chromedp.CSS(`#\31 0 input[name="assignee"]`), "kim"))
		if st := submit(t, ctx, "assign", `form[action="/queues/denials/10/assign"] button`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		do(t, ctx, "assignee shown", waitText("#\\31 0", "Assigned to: kim"))
		if it, err := f.db.QueueItem(t.Context(), 10); err != nil || it.Assignee != "kim" {
			t.Fatalf("store item = %+v, %v", it, err)
		}
	})
	step(t, "note", func(t *testing.T) {
		do(t, ctx, "type note", chromedp.SendKeys(chromedp.CSS(`form[action="/queues/denials/10/note"] input[name="text"]`), "called payer, ref 8812"))
		if st := submit(t, ctx, "note", `form[action="/queues/denials/10/note"] button`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		do(t, ctx, "note shown", waitText("#\\31 0 .notes", "called payer, ref 8812"))
		it, err := f.db.QueueItem(t.Context(), 10)
		if n, _ := it.LatestNote(); err != nil || n.Text != "called payer, ref 8812" || n.Who != testUser {
			t.Fatalf("store note = %+v, %v", n, err)
		}
	})
	step(t, "assign to me", func(t *testing.T) {
		if st := submit(t, ctx, "assign to me", `#\31 3 button.me`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		do(t, ctx, "assignee shown", waitText("#\\31 3", "Assigned to: "+testUser))
		if it, err := f.db.QueueItem(t.Context(), 13); err != nil || it.Assignee != testUser {
			t.Fatalf("store item = %+v, %v", it, err)
		}
	})
	step(t, "bulk assign", func(t *testing.T) {
		do(t, ctx, "tick", chromedp.Click(chromedp.CSS(`input[form="bulk"][value="11"]`)), chromedp.Click(chromedp.CSS(`input[form="bulk"][value="12"]`)),
			chromedp.Clear(chromedp.CSS(`#bulk input[name="assignee"]`)), chromedp.SendKeys(chromedp.CSS(`#bulk input[name="assignee"]`), "lee"))
		if st := submit(t, ctx, "bulk", `#bulk button`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		do(t, ctx, "assignees shown", waitText("#\\31 1", "Assigned to: lee"), waitText("#\\31 2", "Assigned to: lee"))
		for _, id := range []int64{11, 12} {
			if it, err := f.db.QueueItem(t.Context(), id); err != nil || it.Assignee != "lee" {
				t.Fatalf("store item %d = %+v, %v", id, it, err)
			}
		}
		if it, _ := f.db.QueueItem(t.Context(), 10); it.Assignee != "kim" {
			t.Fatalf("an unticked item was reassigned: %+v", it)
		}
	})
	step(t, "export CSV", func(t *testing.T) {
		// A download leaves no page to wait on; the browser fetches the page's own link
		// with its login instead, and the test reads what it got.
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
			const r = await fetch(document.querySelector('a[href$="format=csv"]').href);
			return r.status + " " + r.headers.get("content-type") + "\n" + await r.text();
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"200 text/csv; charset=utf-8\nitem,claim,session,patient,payer,", "\n11,CLM-2,,,Demo Commercial Health,", ",lee,"} {
			if !strings.Contains(got, want) {
				t.Errorf("CSV lacks %q:\n%s", want, got)
			}
		}
	})
	step(t, "appeal letter", func(t *testing.T) {
		do(t, ctx, "denials", chromedp.Navigate(f.srv.URL+"/queues/denials"))
		if st := submit(t, ctx, "letter", `a[href="/appeals/CLM-1/letter"]`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		do(t, ctx, "letter", waitText("body", "Re: claim CLM-1, denial CO-197"))
	})
	step(t, "claims list and claim page", func(t *testing.T) {
		do(t, ctx, "claims", chromedp.Navigate(f.srv.URL+"/claims"), waitText("h1", "Claims"),
			chromedp.SetValue(chromedp.CSS(`select[name="state"]`), "denied"))
		if st := submit(t, ctx, "filter", `form.filters button`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		do(t, ctx, "filtered", waitText("nav.pager", "Rows 1–1 of 1"), waitText("#claim-"+denied, "Denied"))
		if st := submit(t, ctx, "open claim", "#claim-"+denied+" a"); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		do(t, ctx, "claim page", waitText("h1", "Claim "+denied), waitText("#line-1", "CO-197"),
			waitText("#line-1", "Precertification/authorization/notification/pre-treatment absent"))
		checkScreenshot(t, ctx, "claim")
		if st := submit(t, ctx, "raw 837P", `a[href="/claims/`+denied+`/files/1"]`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		do(t, ctx, "segments", waitText("pre.segments", "CLM*"+denied+"*"))
	})
	resolve := func(t *testing.T, kind queue.Kind, id int, outcome queue.Outcome) {
		t.Helper()
		do(t, ctx, "queue", chromedp.Navigate(f.srv.URL+"/queues/"+string(kind)))
		form := fmt.Sprintf(`form[action="/queues/%s/%d/resolve"]`, kind, id)
		do(t, ctx, "choose outcome", chromedp.SetValue(chromedp.CSS(form+` select`), string(outcome)),
			chromedp.SendKeys(chromedp.CSS(form+` input[name="text"]`), "done by browser"))
		if st := submit(t, ctx, "resolve", form+` button`); st != http.StatusOK {
			t.Fatalf("status %d\n%s", st, bodyText(t, ctx))
		}
		do(t, ctx, "item gone", chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector('h1') && !document.querySelector(%s)`,
			strconv.Quote(form))))
		it, err := f.db.QueueItem(t.Context(), int64(id))
		if err != nil || it.Outcome != outcome {
			t.Fatalf("store item %d outcome = %q, %v", id, it.Outcome, err)
		}
	}
	for i, o := range denials {
		id := 10 + i
		if o == queue.Resubmitted {
			id = realItem
		}
		step(t, "resolve denial "+string(o), func(t *testing.T) { resolve(t, queue.Denials, id, o) })
	}
	for i, o := range appeals {
		step(t, "resolve appeal "+string(o), func(t *testing.T) { resolve(t, queue.Appeals, 20+i, o) })
	}
	step(t, "correct and resubmit a rejected claim", func(t *testing.T) {
		do(t, ctx, "rejections", chromedp.Navigate(f.srv.URL+"/queues/rejections"), waitText("h1", "Rejections"))
		if st := submit(t, ctx, "open the form", `a.correct[href^="/claims/`+rejected+`/correct"]`); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		do(t, ctx, "form", waitText("h1", "Correct claim "+rejected), waitText("#reason", "Subscriber and subscriber id not found"))
		checkScreenshot(t, ctx, "correct")
		// Sent as it is, the payer would reject it again: refused, saying what to fix.
		if st := submit(t, ctx, "resubmit unchanged", "#resubmit"); st != http.StatusConflict {
			t.Fatalf("unchanged: status %d, want 409", st)
		}
		do(t, ctx, "refusal", waitText("#refused", "Nothing was corrected"), waitText("#refused", "Correct the member id"))
		do(t, ctx, "type the correction", chromedp.Clear(chromedp.CSS(`input[name="member_id"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="member_id"]`), "W9C-FIX"),
			chromedp.Clear(chromedp.CSS(`input[name="modifiers_1"]`)), chromedp.SendKeys(chromedp.CSS(`input[name="modifiers_1"]`), "95"),
			chromedp.SendKeys(chromedp.CSS(`input[name="note"]`), "member id from the card"))
		if st := submit(t, ctx, "resubmit", "#resubmit"); st != http.StatusOK {
			t.Fatalf("status %d\n%s", st, bodyText(t, ctx))
		}
		corrected := w.claimOf("S-C-REJ")
		if corrected == rejected {
			t.Fatal("no corrected claim stored")
		}
		rec, err := f.db.Claim(t.Context(), corrected)
		if err != nil || rec.Claim.Coverage.MemberID != "W9C-FIX" || !strings.Contains(strings.Join(rec.Claim.Lines[0].Modifiers, ","), "95") {
			t.Fatalf("corrected claim %s: %+v %v", corrected, rec.Claim, err)
		}
		do(t, ctx, "new claim page", waitText("h1", "Claim "+corrected), waitText("main", "replaces claim"))
		do(t, ctx, "old claim history", chromedp.Navigate(f.srv.URL+"/claims/"+rejected),
			waitText("ol.trace", "Corrected by the biller: Member id: W9C-REJ -> W9C-FIX ("+testUser+")"))
	})
	step(t, "retry a response file that failed", func(t *testing.T) {
		do(t, ctx, "files", chromedp.Navigate(f.srv.URL+"/files"), waitText("h1", "Files"))
		do(t, ctx, "failed file",
			waitText("#file-"+failed277, "no handler for 277CA files"))
		if st := submit(t, ctx, "retry", "#file-"+failed277+" button.retry"); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		do(t, ctx, "applied", waitText("#flash", "The file was applied."), waitText("#file-"+failed277, "applied"))
		if st, err := f.db.InboundFileState(t.Context(), failed277); err != nil || st.State != store.InboundProcessed {
			t.Fatalf("inbound file: %+v %v", st, err)
		}
	})
	step(t, "screenshots", func(t *testing.T) {
		for _, path := range []string{"/", "/sessions", "/sessions/S-1", "/claims", "/queues/holds", "/queues/denials", "/authorizations", "/files/sim"} {
			do(t, ctx, path, chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("footer")))
			checkScreenshot(t, ctx, path)
		}
	})
	step(t, "forged POST from another origin", func(t *testing.T) {
		// Another site on the same host, other port: same-site, so the SameSite=Strict
		// cookie goes along, and it even knows a valid token: only the origin check
		// stands between it and the queue.
		valid, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name="csrf"]').value`))
		if err != nil {
			t.Fatal(err)
		}
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<!doctype html><form method="post" action="%s/queues/holds/session-S-4/note">
<input type="hidden" name="csrf" value="%s"><input type="hidden" name="text" value="forged"><button id="go">win a prize</button></form>`,
				html.EscapeString(f.srv.URL), html.EscapeString(valid))
		}))
		defer evil.Close()
		before := len(f.eventKinds(t, "session", "S-4"))
		do(t, ctx, "evil page", chromedp.Navigate(evil.URL))
		if st := submit(t, ctx, "forged post", "#go"); st != http.StatusForbidden {
			t.Fatalf("status %d, want 403", st)
		}
		do(t, ctx, "refusal", waitText("body", "cross-origin request refused"))
		if after := len(f.eventKinds(t, "session", "S-4")); after != before {
			t.Fatalf("forged POST appended %d event(s)", after-before)
		}
	})
	step(t, "expired session", func(t *testing.T) {
		do(t, ctx, "holds", chromedp.Navigate(f.srv.URL+"/queues/holds"), waitText("h1", "Holds"))
		clock.Add(13 * time.Hour)
		do(t, ctx, "type note", chromedp.SendKeys(chromedp.CSS(`form[action="/queues/holds/session-S-4/note"] input[name="text"]`), "too late"))
		if st := submit(t, ctx, "stale note", `form[action="/queues/holds/session-S-4/note"] button`); st != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", st)
		}
		do(t, ctx, "holds again", chromedp.Navigate(f.srv.URL+"/queues/holds"), chromedp.WaitVisible(chromedp.CSS(`input[name="password"]`)))
		if st := signIn(t, ctx, testUser, testPassword); st != http.StatusOK {
			t.Fatalf("sign in again: status %d", st)
		}
		do(t, ctx, "back on holds", waitText("h1", "Holds"))
	})
}

// checkScreenshot takes a screenshot of the current page and checks it is the styled
// page: the header bar is the stylesheet's dark blue (an unstyled page, CSS blocked by the
// CSP or not served, is white there) and the content below is not blank.
// EDIGATE_WEB_SCREENSHOT=DIR keeps copies to look at.
func checkScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	r, g, b, _ := img.At(10, 10).RGBA()
	if r>>8 > 0x40 || g>>8 > 0x60 || b>>8 < 0x40 {
		t.Errorf("%s: pixel (10,10) = %02x%02x%02x, want the dark blue header", name, r>>8, g>>8, b>>8)
	}
	colours := map[uint32]bool{}
	bd := img.Bounds()
	for y := bd.Min.Y + 60; y < bd.Max.Y && len(colours) < 3; y += 7 {
		for x := bd.Min.X; x < bd.Max.X; x += 5 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|b>>8] = true
		}
	}
	if len(colours) < 3 {
		t.Errorf("%s: the page below the header is blank", name)
	}
	if d := os.Getenv("EDIGATE_WEB_SCREENSHOT"); d != "" {
		os.WriteFile(filepath.Join(d, "edigate"+filepath.Clean("/"+name)+".png"), shot, 0o600)
	}
}
