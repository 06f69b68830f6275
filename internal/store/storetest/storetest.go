// Package storetest is the conformance suite every store backend passes: SQLite files on
// disk and PostgreSQL. Run it with a function that opens a fresh, empty store per test.
package storetest

// This file is long on purpose: the conformance cases share one fixture set; the newer
// lifecycle cases live in lifecycle.go.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/x12"
)

// Today is the date the suite's fixtures are built around; open functions should give the
// store a clock on this day (Clock does).
var Today = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// Clock returns a store clock fixed at Today.
func Clock() func() time.Time { return func() time.Time { return Today } }

// Rules are the authorization rules of the built-in demo configuration.
func Rules(t testing.TB) *claims.AuthRules {
	t.Helper()
	r, err := claims.NewAuthRules(config.Default().ClaimsPayers())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Session returns a valid completed demo-commercial 90837 session of client C-77.
func Session(id, date string) *claims.Session {
	return &claims.Session{
		Type: "session", ID: id, Practice: "demo-practice", Status: claims.StatusCompleted,
		Client: claims.Person{ID: "C-77", FirstName: "Jane", LastName: "Doe", DOB: "1990-04-02", Gender: "F",
			Address: claims.Address{Line1: "12 Oak Ave", City: "Springfield", State: "IL", Zip: "62702"}},
		Coverage: claims.Coverage{Payer: "demo-commercial", MemberID: "W123456789", Relationship: "self", Priority: "primary"},
		Date:     date, Start: "14:00", End: "14:55",
		Service:           claims.Service{Code: "90837", Units: 1, PlaceOfService: "11"},
		Diagnoses:         []string{"F41.1"},
		RenderingProvider: "1245319599",
		Charge:            x12.MustAmount("150.00"),
	}
}

// Auth returns a visit authorization of client C-77 for 90832-90838.
func Auth(number string, units int, start, end string) *claims.Authorization {
	return &claims.Authorization{Type: "authorization", Number: number, Payer: "demo-commercial", ClientID: "C-77",
		MemberID: "W123456789", Codes: []string{"90832", "90834", "90837"}, Units: units, UnitKind: claims.UnitVisit,
		Start: start, End: end}
}

// Run runs the suite. open must return an empty store whose clock is Clock().
func Run(t *testing.T, open func(t *testing.T) *store.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *store.DB)
	}{
		{"Migrations", testMigrations},
		{"ControlNumbers", testControlNumbers},
		{"ConsumeAndHistory", testConsumeAndHistory},
		{"HoldReasons", testHoldReasons},
		{"ReleaseOldestFirst", testReleaseOldestFirst},
		{"AuthRunReadAhead", testAuthRunReadAhead},
		{"Idempotent", testIdempotent},
		{"VoidReturnsUnits", testVoidReturnsUnits},
		{"BilledChangeIsCandidate", testBilledChange},
		{"AlertsOncePerCrossing", testAlerts},
		{"ConcurrentLastUnit", testConcurrentLastUnit},
		{"ConcurrentRenewalReleasesOnce", testConcurrentRenewal},
		{"StaleReleaseChangesNothing", testStaleRelease},
		{"MismatchHoldsSpendNoUnit", testMismatchHolds},
		{"RenewalLeavesEligibilityHolds", testRenewalLeavesEligibilityHolds},
		{"RenewalBelowUsedRejected", testRenewalBelowUsed},
		{"InboxFiles", testInboxFiles},
		{"RollbackLeavesNothing", testRollback},
		{"EventOrderAcrossRuns", testEventOrder},
		{"ClaimStateMigration", testClaimStateMigration},
		{"MoveExpectsState", testMoveExpectsState},
		{"PostingPayerClaimNumber", testPostingPayerClaimNumber},
		{"VoidAcceptedReturnsUnits", testVoidAcceptedReturnsUnits},
		{"QueueThreadFollowsAppeal", testQueueThread},
		{"ResponseParts", testResponseParts},
		{"ResponsesCrossing", testResponsesCrossing},
		{"OutboxWithStateChange", testOutboxWithStateChange},
		{"OutboxConcurrentNumbers", testOutboxConcurrentNumbers},
		{"OutboxCursors", testOutboxCursors},
		{"SeekLookups", testSeekLookups},
		{"EligibilityAnswers", testEligibilityAnswers},
		{"WriteScrubbing", testWriteScrubbing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := open(t)
			tt.fn(t, db)
		})
	}
}

var ctx = context.Background()

func put(t *testing.T, db *store.DB, recs ...any) []store.Result {
	t.Helper()
	var out []store.Result
	err := db.Batch(ctx, Rules(t), func(b *store.Batch) error {
		for _, r := range recs {
			res, err := putRecord(b, r)
			if err != nil {
				return err
			}
			out = append(out, res)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// putAhead is put as intake does it: the authorization records are read ahead first
// (Batch.PrefetchAuthorizationRecords), then every record is put in order.
func putAhead(t *testing.T, db *store.DB, recs ...any) {
	t.Helper()
	err := db.Batch(ctx, Rules(t), func(b *store.Batch) error {
		var as []*claims.Authorization
		for _, r := range recs {
			if a, ok := r.(*claims.Authorization); ok {
				as = append(as, a)
			}
		}
		if err := b.PrefetchAuthorizationRecords(as); err != nil {
			return err
		}
		for _, r := range recs {
			if _, err := putRecord(b, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// putRecord puts one inbox record (a session or an authorization) in the batch.
func putRecord(b *store.Batch, r any) (store.Result, error) {
	switch v := r.(type) {
	case *claims.Session:
		return b.PutSession(v, "test.json")
	case *claims.Authorization:
		return b.PutAuthorization(v, "test.json")
	}
	return store.Result{}, fmt.Errorf("unknown record %T", r)
}

func session(t *testing.T, db *store.DB, id string) store.SessionRecord {
	t.Helper()
	s, err := db.Session(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func auth(t *testing.T, db *store.DB, number string) store.AuthRecord {
	t.Helper()
	as, err := db.Authorizations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Number == number {
			return a
		}
	}
	t.Fatalf("authorization %s not stored", number)
	return store.AuthRecord{}
}

func eventKinds(t *testing.T, db *store.DB, kind, id string) []string {
	t.Helper()
	evs, err := db.Events(ctx, kind, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Kind))
	}
	return out
}

func testMigrations(t *testing.T, db *store.DB) {
	vs, err := db.Migrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 || vs[0] != 1 {
		t.Fatalf("migrations = %v, want 0001 first", vs)
	}
	if !sort.IntsAreSorted(vs) {
		t.Fatalf("migrations not in order: %v", vs)
	}
}

func testControlNumbers(t *testing.T, db *store.DB) {
	key := x12.SequenceKey{Sender: "EDIGATE", Receiver: "SIMCH", Kind: x12.SeqInterchange}
	other := x12.SequenceKey{Sender: "EDIGATE", Receiver: "SIMCH", Kind: x12.SeqGroup}
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				n, err := db.Next(ctx, key)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if seen[n] {
					errs <- fmt.Errorf("control number %d handed out twice", n)
				}
				seen[n] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := int64(1); i <= 40; i++ {
		if !seen[i] {
			t.Fatalf("numbers are not 1..40 without gaps: missing %d", i)
		}
	}
	if n, err := db.Next(ctx, other); err != nil || n != 1 {
		t.Fatalf("other kind starts at %d (%v), want 1", n, err)
	}
}

func testConsumeAndHistory(t *testing.T, db *store.DB) {
	res := put(t, db, Auth("AUTH1", 5, "2026-10-01", "2027-03-31"), Session("S-1", "2026-11-02"))
	if res[1].State != store.StateReady || res[1].AuthNumber != "AUTH1" || res[1].Units != 1 {
		t.Fatalf("session result = %+v, want ready on AUTH1 with 1 unit", res[1])
	}
	// 90791 needs no authorization at demo-commercial.
	eval := Session("S-2", "2026-11-03")
	eval.Service.Code = "90791"
	if r := put(t, db, eval)[0]; r.State != store.StateReady || r.AuthNumber != "" {
		t.Fatalf("90791 = %+v, want ready without authorization", r)
	}
	if a := auth(t, db, "AUTH1"); a.Used != 1 || a.Remaining != 4 {
		t.Fatalf("AUTH1 used %d remaining %d, want 1 and 4", a.Used, a.Remaining)
	}
	if got := eventKinds(t, db, "session", "S-1"); fmt.Sprint(got) != "[received units_consumed]" {
		t.Fatalf("S-1 history = %v", got)
	}
	s := session(t, db, "S-1")
	if s.Session.Client.LastName != "Doe" || s.Session.Charge != x12.MustAmount("150") {
		t.Fatalf("stored session lost data: %+v", s.Session)
	}
	list, err := db.Sessions(ctx, store.SessionFilter{State: store.StateReady})
	if err != nil || len(list) != 2 {
		t.Fatalf("ready sessions = %d (%v), want 2", len(list), err)
	}
	if _, err := db.Session(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing session error = %v", err)
	}
}

func testHoldReasons(t *testing.T, db *store.DB) {
	other := Auth("OTHER", 5, "2026-10-01", "2027-03-31")
	other.Codes = []string{"90846"}
	put(t, db,
		Auth("OLD", 5, "2026-01-01", "2026-06-30"),
		Auth("FUT", 5, "2027-01-01", "2027-06-30"),
		Auth("DONE", 1, "2026-10-01", "2027-03-31"),
		other,
	)
	put(t, db, Session("S-USE", "2026-11-01")) // takes DONE's only unit (the only valid one)
	byNumber := func(id, date, number string) *claims.Session {
		s := Session(id, date)
		s.Authorization = number
		return s
	}
	group := Session("S-GROUP", "2026-11-02")
	group.Service.Code = "90853"
	otherPayer := Session("S-MEDICAID", "2026-11-02")
	otherPayer.Coverage.Payer = "demo-medicaid"
	cases := []struct {
		s    *claims.Session
		want string
	}{
		{byNumber("S-EXP", "2026-11-02", "OLD"), claims.HoldAuthExpired},
		{byNumber("S-NS", "2026-11-02", "FUT"), claims.HoldAuthNotStarted},
		{byNumber("S-EXH", "2026-11-02", "DONE"), claims.HoldAuthExhausted},
		{byNumber("S-UNKNOWN", "2026-11-02", "NOPE"), claims.HoldAuthMissing},
		{byNumber("S-CODE", "2026-11-02", "OTHER"), claims.HoldAuthCodeNotCovered},
		{group, claims.HoldAuthCodeNotCovered},
		{otherPayer, claims.HoldAuthMissing},
		{Session("S-AUTO", "2026-11-03"), claims.HoldAuthExhausted}, // DONE is used up; OLD and FUT miss the date
	}
	for _, c := range cases {
		r := put(t, db, c.s)[0]
		if r.State != store.StateHeld || r.HoldReason != c.want {
			t.Errorf("%s: %+v, want held %s", c.s.ID, r, c.want)
		}
		if s := session(t, db, c.s.ID); s.HoldReason != c.want {
			t.Errorf("%s stored hold %q, want %q", c.s.ID, s.HoldReason, c.want)
		}
	}
	put(t, db, Auth("TWO-A", 5, "2026-10-01", "2027-03-31"), Auth("TWO-B", 5, "2026-11-01", "2027-03-31"))
	if r := put(t, db, Session("S-AMB", "2026-11-05"))[0]; r.HoldReason != claims.HoldAuthAmbiguous {
		t.Errorf("two valid authorizations: %+v, want %s", r, claims.HoldAuthAmbiguous)
	}
}

func testReleaseOldestFirst(t *testing.T, db *store.DB) {
	// Received late-date first: "oldest" is by date of service, not arrival.
	put(t, db, Session("S-LATE", "2026-11-05"), Session("S-EARLY", "2026-11-02"))
	for _, id := range []string{"S-LATE", "S-EARLY"} {
		if s := session(t, db, id); s.HoldReason != claims.HoldAuthMissing {
			t.Fatalf("%s hold = %q, want auth_missing", id, s.HoldReason)
		}
	}
	put(t, db, Auth("A", 1, "2026-10-01", "2027-03-31"))
	if s := session(t, db, "S-EARLY"); s.State != store.StateReady || s.AuthNumber != "A" {
		t.Fatalf("S-EARLY = %s/%s, want released onto A", s.State, s.HoldReason)
	}
	if s := session(t, db, "S-LATE"); s.State != store.StateHeld || s.HoldReason != claims.HoldAuthExhausted {
		t.Fatalf("S-LATE = %s/%s, want held auth_exhausted", s.State, s.HoldReason)
	}
	put(t, db, Auth("A", 2, "2026-10-01", "2027-03-31")) // renewal
	if s := session(t, db, "S-LATE"); s.State != store.StateReady {
		t.Fatalf("renewal did not release S-LATE: %s/%s", s.State, s.HoldReason)
	}
	if got := eventKinds(t, db, "session", "S-LATE"); fmt.Sprint(got) != "[received held held released]" {
		t.Fatalf("S-LATE history = %v", got)
	}
	if a := auth(t, db, "A"); a.Used != 2 {
		t.Fatalf("used %d, want 2", a.Used)
	}
}

func testIdempotent(t *testing.T, db *store.DB) {
	put(t, db, Auth("A", 10, "2026-10-01", "2027-03-31"))
	s := Session("S-1", "2026-11-02")
	if r := put(t, db, s)[0]; r.Change != store.ChangeCreated {
		t.Fatalf("first put = %+v", r)
	}
	if r := put(t, db, Session("S-1", "2026-11-02"))[0]; r.Change != store.ChangeUnchanged {
		t.Fatalf("identical put = %+v, want unchanged", r)
	}
	if a := auth(t, db, "A"); a.Used != 1 {
		t.Fatalf("identical put consumed again: used %d", a.Used)
	}
	changed := Session("S-1", "2026-11-02")
	changed.Charge = x12.MustAmount("175.00")
	if r := put(t, db, changed)[0]; r.Change != store.ChangeUpdated || r.State != store.StateReady {
		t.Fatalf("changed put = %+v, want updated and ready", r)
	}
	if a := auth(t, db, "A"); a.Used != 1 {
		t.Fatalf("update must return then re-take its unit: used %d, want 1", a.Used)
	}
	if got := session(t, db, "S-1"); got.Session.Charge != x12.MustAmount("175") {
		t.Fatalf("update not stored: charge %s", got.Session.Charge)
	}
	if got := eventKinds(t, db, "session", "S-1"); fmt.Sprint(got) != "[received units_consumed units_returned updated units_consumed]" {
		t.Fatalf("history = %v", got)
	}
}

func testVoidReturnsUnits(t *testing.T, db *store.DB) {
	put(t, db, Auth("A", 2, "2026-10-01", "2027-03-31"), Session("S-1", "2026-11-02"), Session("S-2", "2026-11-03"))
	held := put(t, db, Session("S-3", "2026-11-04"))[0]
	if held.HoldReason != claims.HoldAuthExhausted {
		t.Fatalf("third session = %+v, want exhausted", held)
	}
	v := Session("S-1", "2026-11-02")
	v.Status = claims.StatusVoid
	if r := put(t, db, v)[0]; r.State != store.StateVoid {
		t.Fatalf("void = %+v", r)
	}
	if a := auth(t, db, "A"); a.Used != 1 {
		t.Fatalf("void did not return its unit: used %d", a.Used)
	}
	// The returned unit is not handed to held sessions silently: only an authorization
	// change releases holds; the held session stays visible to the biller.
	if s := session(t, db, "S-3"); s.State != store.StateHeld {
		t.Fatalf("S-3 state %s", s.State)
	}
	rep := Session("S-2", "2026-11-03")
	rep.Status = claims.StatusReplaced
	put(t, db, rep)
	if a := auth(t, db, "A"); a.Used != 0 {
		t.Fatalf("replaced did not return its unit: used %d", a.Used)
	}
}

func testBilledChange(t *testing.T, db *store.DB) {
	put(t, db, Auth("A", 5, "2026-10-01", "2027-03-31"), Session("S-1", "2026-11-02"), Session("S-2", "2026-11-03"))
	if err := db.Batch(ctx, Rules(t), func(b *store.Batch) error { return b.MarkBilled("CLM1", "S-1", "S-2") }); err != nil {
		t.Fatal(err)
	}
	changed := Session("S-1", "2026-11-02")
	changed.Service.Modifiers = []string{"95"}
	if r := put(t, db, changed)[0]; r.Change != store.ChangeReplacementCandidate || r.State != store.StateBilled {
		t.Fatalf("billed change = %+v, want replacement candidate", r)
	}
	s := session(t, db, "S-1")
	if len(s.Session.Service.Modifiers) != 0 || s.PendingKind != store.ChangeReplacementCandidate {
		t.Fatalf("billed session changed silently or candidate not kept: %+v", s)
	}
	v := Session("S-2", "2026-11-03")
	v.Status = claims.StatusVoid
	if r := put(t, db, v)[0]; r.Change != store.ChangeVoidCandidate {
		t.Fatalf("billed void = %+v", r)
	}
	if a := auth(t, db, "A"); a.Used != 2 {
		t.Fatalf("units of billed sessions returned before the void claim: used %d", a.Used)
	}
}

func testAlerts(t *testing.T, db *store.DB) {
	// demo-commercial: low_units 3, days_before_end 14. Today is 2026-11-20.
	put(t, db, Auth("A", 5, "2026-10-01", "2027-03-31"))
	for i := 1; i <= 4; i++ {
		put(t, db, Session(fmt.Sprintf("S-%d", i), fmt.Sprintf("2026-11-0%d", i)))
	}
	alerts, err := db.Alerts(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].Kind != claims.AlertAuthLowUnits || alerts[0].Number != "A" {
		t.Fatalf("alerts after 4 of 5 used = %+v, want one low_units (raised once at 3 remaining)", alerts)
	}
	// Renewal to 20 units lifts remaining above the threshold: the alert clears, and the
	// next crossing raises a new one.
	put(t, db, Auth("A", 20, "2026-10-01", "2027-03-31"))
	if open, _ := db.Alerts(ctx, true); len(open) != 0 {
		t.Fatalf("open alerts after renewal = %+v", open)
	}
	if a := auth(t, db, "A"); len(a.Alerts) != 0 || a.Used != 4 {
		t.Fatalf("renewed auth = %+v", a)
	}
	put(t, db, Auth("B", 10, "2026-10-01", "2026-12-01"))
	open, _ := db.Alerts(ctx, true)
	if len(open) != 1 || open[0].Number != "B" || open[0].Kind != claims.AlertAuthEndNear {
		t.Fatalf("end-near alert = %+v", open)
	}
	if err := db.CheckAuthAlerts(ctx, Rules(t)); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.Alerts(ctx, false); len(again) != 2 {
		t.Fatalf("daily check raised again: %+v", again)
	}
}

func testConcurrentLastUnit(t *testing.T, db *store.DB) {
	put(t, db, Auth("A", 5, "2026-10-01", "2027-03-31"))
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := db.Batch(ctx, Rules(t), func(b *store.Batch) error {
				_, err := b.PutSession(Session(fmt.Sprintf("S-%02d", i), "2026-11-02"), "race")
				return err
			})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	counts, err := db.CountSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.StateReady] != 5 || counts[store.StateHeld] != n-5 {
		t.Fatalf("states = %v, want 5 ready and %d held", counts, n-5)
	}
	if a := auth(t, db, "A"); a.Used != 5 {
		t.Fatalf("used %d, want 5", a.Used)
	}
}

// testConcurrentRenewal: two instances receive the same renewal at once; the held
// sessions it covers are released once and their units taken once.
func testConcurrentRenewal(t *testing.T, db *store.DB) {
	put(t, db, Auth("A", 1, "2026-10-01", "2027-03-31"), Session("S-0", "2026-11-01"),
		Session("S-1", "2026-11-02"), Session("S-2", "2026-11-03"), Session("S-3", "2026-11-04"))
	for round, units := range []int{2, 3, 4} {
		start := make(chan struct{})
		errs := make(chan error, 2)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs <- db.Batch(ctx, Rules(t), func(b *store.Batch) error {
					_, err := b.PutAuthorization(Auth("A", units, "2026-10-01", "2027-03-31"), "renewal.json")
					return err
				})
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if a := auth(t, db, "A"); a.Used != units {
			t.Fatalf("round %d: used %d, want %d", round, a.Used, units)
		}
	}
	for _, id := range []string{"S-1", "S-2", "S-3"} {
		if s := session(t, db, id); s.State != store.StateReady || s.AuthUnits != 1 {
			t.Errorf("%s = %s with %d units, want ready with 1", id, s.State, s.AuthUnits)
		}
		n := 0
		for _, k := range eventKinds(t, db, "session", id) {
			if k == "released" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s released %d times, want once", id, n)
		}
	}
}

// testStaleRelease: a release plan made before another writer applied the same renewal
// (or took the units) changes nothing when applied after it.
func testStaleRelease(t *testing.T, db *store.DB) {
	put(t, db, Auth("A", 1, "2026-10-01", "2027-03-31"), Session("S-0", "2026-11-01"),
		Session("S-1", "2026-11-02"), Session("S-2", "2026-11-03"))
	// What a second instance saw before the first one applied the renewal.
	renewed := claims.AuthUse{Authorization: *Auth("A", 3, "2026-10-01", "2027-03-31"), Used: 1}
	held := []claims.HeldSession{{Session: Session("S-1", "2026-11-02"), Reason: claims.HoldAuthExhausted, Received: "t"},
		{Session: Session("S-2", "2026-11-03"), Reason: claims.HoldAuthExhausted, Received: "t"}}
	stale := claims.PlanRelease(held, []claims.AuthUse{renewed})
	if len(stale) != 2 || !stale[0].Released || !stale[1].Released {
		t.Fatalf("plan = %+v, want both released", stale)
	}
	put(t, db, Auth("A", 3, "2026-10-01", "2027-03-31"))
	apply := func(plan []claims.HeldOutcome) error {
		return db.Batch(ctx, Rules(t), func(b *store.Batch) error { return b.ApplyRelease(plan, "late.json") })
	}
	if err := apply(stale); err != nil {
		t.Fatal(err)
	}
	if a := auth(t, db, "A"); a.Used != 3 {
		t.Fatalf("stale plan applied: used %d, want 3", a.Used)
	}
	for _, id := range []string{"S-1", "S-2"} {
		if got := eventKinds(t, db, "session", id); fmt.Sprint(got) != "[received held released]" {
			t.Errorf("%s history = %v, want one release", id, got)
		}
	}
	// A plan releasing a held session onto units another writer took fails whole.
	put(t, db, Session("S-3", "2026-11-04"))
	over := claims.PlanRelease([]claims.HeldSession{{Session: Session("S-3", "2026-11-04"), Reason: claims.HoldAuthExhausted}},
		[]claims.AuthUse{renewed})
	if err := apply(over); err == nil {
		t.Fatal("a plan taking units no longer there was applied")
	}
	if s := session(t, db, "S-3"); s.State != store.StateHeld || s.HoldReason != claims.HoldAuthExhausted {
		t.Fatalf("S-3 = %s/%s after a failed plan, want held auth_exhausted", s.State, s.HoldReason)
	}
	if a := auth(t, db, "A"); a.Used != 3 {
		t.Fatalf("used %d after a failed plan, want 3", a.Used)
	}
}

// testMismatchHolds: an authorization for another place of service or rendering provider
// holds the session with a reason naming which, spends no unit, and its correction
// releases the session.
func testMismatchHolds(t *testing.T, db *store.DB) {
	office := Auth("POS", 5, "2026-10-01", "2027-03-31")
	office.PlaceOfService = "12" // home; the session is at the office (11)
	put(t, db, office)
	if r := put(t, db, Session("S-1", "2026-11-02"))[0]; r.State != store.StateHeld || r.HoldReason != claims.HoldAuthPOSNotCovered {
		t.Fatalf("place of service mismatch = %+v, want held %s", r, claims.HoldAuthPOSNotCovered)
	}
	other := Session("S-2", "2026-11-03")
	other.Client.ID, other.Coverage.MemberID = "C-88", "W888"
	prov := Auth("PROV", 5, "2026-10-01", "2027-03-31")
	prov.ClientID, prov.MemberID, prov.Provider = "C-88", "W888", "1003000126"
	put(t, db, prov)
	if r := put(t, db, other)[0]; r.State != store.StateHeld || r.HoldReason != claims.HoldAuthProviderNotCovered {
		t.Fatalf("rendering provider mismatch = %+v, want held %s", r, claims.HoldAuthProviderNotCovered)
	}
	for _, n := range []string{"POS", "PROV"} {
		if a := auth(t, db, n); a.Used != 0 {
			t.Errorf("%s used %d by a mismatched session, want 0", n, a.Used)
		}
	}
	office.PlaceOfService = "11"
	put(t, db, office)
	if s := session(t, db, "S-1"); s.State != store.StateReady || s.AuthNumber != "POS" {
		t.Fatalf("corrected place of service did not release S-1: %s/%s", s.State, s.HoldReason)
	}
}

// testRenewalLeavesEligibilityHolds: a session on an eligibility hold already holds its
// units; a renewal neither releases it nor charges it again.
func testRenewalLeavesEligibilityHolds(t *testing.T, db *store.DB) {
	put(t, db, Auth("A", 2, "2026-10-01", "2027-03-31"), Session("S-1", "2026-11-02"))
	// What an inactive-coverage 271 does (store.ApplyEligibility), without the 270 ledger.
	if _, err := db.SQL().ExecContext(ctx, db.Rebind(`UPDATE sessions SET state = 'held', hold_reason = 'eligibility_inactive' WHERE id = ?`),
		"S-1"); err != nil {
		t.Fatal(err)
	}
	put(t, db, Auth("A", 5, "2026-10-01", "2027-03-31"))
	if s := session(t, db, "S-1"); s.State != store.StateHeld || s.HoldReason != "eligibility_inactive" || s.AuthUnits != 1 {
		t.Fatalf("S-1 = %s/%s with %d units, want still on its eligibility hold with 1", s.State, s.HoldReason, s.AuthUnits)
	}
	if a := auth(t, db, "A"); a.Used != 1 {
		t.Fatalf("used %d, want 1: the renewal charged an eligibility-held session again", a.Used)
	}
}

func testRenewalBelowUsed(t *testing.T, db *store.DB) {
	put(t, db, Auth("A", 3, "2026-10-01", "2027-03-31"), Session("S-1", "2026-11-02"), Session("S-2", "2026-11-03"))
	err := db.Batch(ctx, Rules(t), func(b *store.Batch) error {
		_, err := b.PutAuthorization(Auth("A", 1, "2026-10-01", "2027-03-31"), "x")
		return err
	})
	if !errors.Is(err, store.ErrUnitsBelowUsed) {
		t.Fatalf("err = %v, want ErrUnitsBelowUsed", err)
	}
}

func testInboxFiles(t *testing.T, db *store.DB) {
	if _, err := db.InboxFile(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown file: %v", err)
	}
	err := db.Batch(ctx, Rules(t), func(b *store.Batch) error {
		if err := b.BeginFile("h1", "a.json", 10); err != nil {
			return err
		}
		return b.BeginFile("h1", "a-again.json", 10)
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := db.InboxFile(ctx, "h1")
	if err != nil || f.State != store.FileProcessing || f.Name != "a.json" {
		t.Fatalf("file = %+v (%v)", f, err)
	}
	if err := db.Batch(ctx, Rules(t), func(b *store.Batch) error { return b.FinishFile("h1", "a.json", store.FileDone, 3, 2, 1) }); err != nil {
		t.Fatal(err)
	}
	if f, _ := db.InboxFile(ctx, "h1"); f.State != store.FileDone || f.Accepted != 2 || f.Rejected != 1 {
		t.Fatalf("finished file = %+v", f)
	}
}

func testRollback(t *testing.T, db *store.DB) {
	put(t, db, Auth("A", 5, "2026-10-01", "2027-03-31"))
	boom := errors.New("boom")
	err := db.Batch(ctx, Rules(t), func(b *store.Batch) error {
		if _, err := b.PutSession(Session("S-1", "2026-11-02"), "x"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, err := db.Session(ctx, "S-1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rolled-back session exists: %v", err)
	}
	if a := auth(t, db, "A"); a.Used != 0 {
		t.Fatalf("rolled-back consumption kept: used %d", a.Used)
	}
	if evs := eventKinds(t, db, "session", "S-1"); len(evs) != 0 {
		t.Fatalf("rolled-back events kept: %v", evs)
	}
}

// testEventOrder: events are written in runs that share entity kind and source file (one
// statement binds those once); runs that alternate, more events than one statement holds,
// and empty sources must still come back in order, each with its own fields.
func testEventOrder(t *testing.T, db *store.DB) {
	ctx := context.Background()
	type ev struct{ kind, id, what, source string }
	var want []ev
	for i := 0; i < 250; i++ {
		want = append(want, ev{"session", "S-1", fmt.Sprintf("e%03d", i), "a.ndjson"})
		if i%97 == 0 {
			want = append(want, ev{"authorization", "p/A1", fmt.Sprintf("a%03d", i), ""})
			want = append(want, ev{"session", "S-1", fmt.Sprintf("f%03d", i), "b.csv"})
		}
	}
	if err := db.Batch(ctx, nil, func(b *store.Batch) error {
		for _, e := range want {
			if err := b.Event(lifecycle.Entity(e.kind), e.id, lifecycle.EventKind(e.what), e.source, map[string]string{"n": e.what}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, key := range [][2]string{{"session", "S-1"}, {"authorization", "p/A1"}} {
		evs, err := db.Events(ctx, key[0], key[1])
		if err != nil {
			t.Fatal(err)
		}
		var exp []ev
		for _, e := range want {
			if e.kind == key[0] && e.id == key[1] {
				exp = append(exp, e)
			}
		}
		if len(evs) != len(exp) {
			t.Fatalf("%s %s: %d events, want %d", key[0], key[1], len(evs), len(exp))
		}
		for i, e := range evs {
			if string(e.Kind) != exp[i].what || e.SourceFile != exp[i].source || string(e.EntityKind) != key[0] || e.EntityID != key[1] ||
				string(e.Detail) != `{"n":"`+exp[i].what+`"}` || e.At == "" || (i > 0 && e.ID <= evs[i-1].ID) {
				t.Fatalf("%s %s event %d = %+v, want %+v", key[0], key[1], i, e, exp[i])
			}
		}
	}
}

// testAuthRunReadAhead: authorization records read ahead as a run decide as when each is
// read on its own: a record for a client with a held session releases it, a second record
// for the same number sees the units the first one's release took, and a session put after
// the read-ahead (held: nothing covers it yet) is released by a later record of the batch.
func testAuthRunReadAhead(t *testing.T, db *store.DB) {
	put(t, db, Session("S-1", "2026-11-02"))
	other := Auth("B", 3, "2026-10-01", "2027-03-31")
	other.ClientID, other.MemberID = "C-88", "W888"
	putAhead(t, db, other, Auth("A", 5, "2026-10-01", "2027-03-31"), Auth("A", 7, "2026-10-01", "2027-03-31"))
	if s := session(t, db, "S-1"); s.State != store.StateReady || s.AuthNumber != "A" {
		t.Fatalf("S-1 = %s/%s, want released onto A", s.State, s.HoldReason)
	}
	if a := auth(t, db, "A"); a.Used != 1 || a.Units != 7 {
		t.Fatalf("A = %d of %d used, want 1 of 7", a.Used, a.Units)
	}
	if a := auth(t, db, "B"); a.Used != 0 || a.Units != 3 {
		t.Fatalf("B = %d of %d used, want 0 of 3", a.Used, a.Units)
	}
	// C is read ahead while C-99 has no held session; S-2 is put (held) before C.
	c := Auth("C", 2, "2026-10-01", "2027-03-31")
	c.ClientID, c.MemberID = "C-99", "W999"
	s2 := Session("S-2", "2026-11-03")
	s2.Client.ID, s2.Coverage.MemberID = "C-99", "W999"
	putAhead(t, db, s2, c)
	if s := session(t, db, "S-2"); s.State != store.StateReady || s.AuthNumber != "C" {
		t.Fatalf("S-2 = %s/%s, want released onto C", s.State, s.HoldReason)
	}
	if a := auth(t, db, "C"); a.Used != 1 {
		t.Fatalf("C used %d, want 1", a.Used)
	}
}
