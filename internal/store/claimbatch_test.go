package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
)

// TestPutClaimsAndFileBatch stores claims the batched way (PutClaims) over every case a
// claims run meets at once: new claims, a held claim rebuilt clean, a claim already filed
// (left alone), the same claim twice in one call; then files them set-based
// (RecordClaimFile), where a claim rebuilt since the file was written loses its lease and
// nothing is recorded; the last file is recorded with its claims as written (billing
// reads them instead of the stored links), the others without. On SQLite and on
// PostgreSQL.
func TestPutClaimsAndFileBatch(t *testing.T) {
	onBothDialects(t, testPutClaimsAndFileBatch)
}

func testPutClaimsAndFileBatch(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ss, cs := fiveClientClaims(t, db)
	if len(cs) != 5 {
		t.Fatalf("%d claims, want 5", len(cs))
	}
	for _, c := range cs {
		c.Clearinghouse = "sim"
	}
	held := func(c *claims.Claim) claims.Result {
		return claims.Result{ClaimID: c.ID, Held: true, Findings: []claims.Finding{
			{Rule: "npi.luhn", Severity: claims.SeverityError, Message: "m", Reference: "r", ClaimID: c.ID}}}
	}
	putAll := func(list []*claims.Claim, rs []claims.Result) []lifecycle.State {
		t.Helper()
		var st []lifecycle.State
		if err := db.Batch(ctx, nil, func(b *store.Batch) error {
			var err error
			st, err = b.PutClaims(list, rs)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return st
	}
	var written []*claims.Claim // ClaimFile.Written of the next file
	file := func(name string, isa int64, revs map[string]int64, list ...*claims.Claim) error {
		var ids []string
		for _, c := range list {
			ids = append(ids, c.ID)
		}
		res := &claims.FileResult{Clearinghouse: "sim", ISAControl: isa, GSControl: isa, Usage: "T", Claims: len(ids),
			Sets: []claims.SetInfo{{Control: "0001", ClaimIDs: ids}}}
		return db.Batch(ctx, nil, func(b *store.Batch) error {
			_, err := b.RecordClaimFile(&store.ClaimFile{Name: name, SHA256: "x", Revisions: revs, Written: written}, res)
			return err
		})
	}
	// c0 held, c1 built and filed beforehand.
	if st := putAll(cs[:2], []claims.Result{held(cs[0]), {ClaimID: cs[1].ID}}); st[0] != lifecycle.Held || st[1] != lifecycle.Built {
		t.Fatalf("first put: %v", st)
	}
	if err := file("837P_a.x12", 1, nil, cs[1]); err != nil {
		t.Fatal(err)
	}
	// One call: c0 rebuilt clean, c1 filed (left alone), c2..c4 new, c2 twice.
	list := []*claims.Claim{cs[4], cs[0], cs[1], cs[2], cs[3], cs[2]}
	rs := make([]claims.Result, len(list))
	for i, c := range list {
		rs[i] = claims.Result{ClaimID: c.ID}
	}
	rs[4] = held(cs[3])
	st := putAll(list, rs)
	want := []lifecycle.State{lifecycle.Built, lifecycle.Built, lifecycle.Filed, lifecycle.Built, lifecycle.Held, lifecycle.Built}
	if fmt.Sprint(st) != fmt.Sprint(want) {
		t.Fatalf("states %v, want %v", st, want)
	}
	for i, c := range cs {
		rec, err := db.Claim(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantState, findings := lifecycle.Built, 0
		switch i {
		case 1:
			wantState = lifecycle.Filed
		case 3:
			wantState, findings = lifecycle.Held, 1
		}
		if rec.State != wantState || len(rec.Findings) != findings || len(rec.Claim.Lines) != 1 {
			t.Errorf("claim %d: state %s, %d findings, %d lines; want %s, %d, 1", i, rec.State, len(rec.Findings), len(rec.Claim.Lines), wantState, findings)
		}
		if ids, err := db.ClaimsForSession(ctx, ss[i].ID); err != nil || len(ids) != 1 || ids[0] != c.ID {
			t.Errorf("claims of session %d: %v %v", i, ids, err)
		}
	}
	ev, _ := db.Events(ctx, "claim", cs[0].ID)
	if len(ev) != 2 || ev[0].Kind != "held" || ev[1].Kind != "built" {
		t.Errorf("events of the rebuilt claim: %+v", ev)
	}
	// A file written at c0's revision before it was rebuilt once more loses c0: nothing of
	// the file is recorded, c2 stays built.
	// (c2, stored twice in one call, was rebuilt by its second copy: revision 1.)
	rec0, _ := db.Claim(ctx, cs[0].ID)
	rec2, _ := db.Claim(ctx, cs[2].ID)
	if rec2.Revision != 1 {
		t.Errorf("claim stored twice in one call: revision %d, want 1", rec2.Revision)
	}
	putAll([]*claims.Claim{cs[0]}, []claims.Result{{ClaimID: cs[0].ID}})
	err := file("837P_b.x12", 2, map[string]int64{cs[0].ID: rec0.Revision, cs[2].ID: rec2.Revision}, cs[0], cs[2])
	var lost *store.LostWorkError
	if !errors.As(err, &lost) || len(lost.IDs) != 1 || lost.IDs[0] != cs[0].ID {
		t.Fatalf("filing at a stale revision: %v", err)
	}
	if rec, _ := db.Claim(ctx, cs[2].ID); rec.State != lifecycle.Built {
		t.Errorf("claim of a lost file: %s, want built", rec.State)
	}
	// Filed at the current revisions: every claim filed, every session billed on its claim.
	rec0, _ = db.Claim(ctx, cs[0].ID)
	rec4, _ := db.Claim(ctx, cs[4].ID)
	written = []*claims.Claim{cs[0], cs[2], cs[4]}
	if err := file("837P_c.x12", 3, map[string]int64{cs[0].ID: rec0.Revision, cs[2].ID: rec2.Revision, cs[4].ID: rec4.Revision},
		cs[0], cs[2], cs[4]); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 2, 4} {
		s, err := db.Session(ctx, ss[i].ID)
		if err != nil || s.State != store.StateBilled || s.ClaimRef != cs[i].ID {
			t.Errorf("session %d: %s on %q (%v), want billed on %s", i, s.State, s.ClaimRef, err, cs[i].ID)
		}
	}
	if s, _ := db.Session(ctx, ss[3].ID); s.State != store.StateReady {
		t.Errorf("session of the held claim: %s, want ready", s.State)
	}
	if ev, _ := db.Events(ctx, "session", ss[2].ID); len(ev) == 0 || ev[len(ev)-1].Kind != lifecycle.SessionBilled {
		t.Errorf("session events: %+v", ev)
	}
	// first_filed is the day of a claim's first file also for a submission recorded by any
	// other statement (the trigger of 0720, per statement on PostgreSQL since 0750); a claim
	// with a day keeps it.
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, db.Rebind(q), args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO claim_files (clearinghouse, name, usage, isa_control, gs_control, claims, total_cents, sha256, created_at)
		VALUES ('sim', 'late.x12', 'T', 90, 90, 1, 0, 'x', '2026-12-02T10:00:00Z')`)
	exec(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency, responsibility,
		total_cents, state, data, created_at, updated_at) VALUES ('BARE1', 'BARE1', 'p', 'demo-commercial', 'sim', 'c', '2026-11-01', '1', 'P', 100, 'filed', '{}', 't', 't')`)
	exec(`INSERT INTO claim_submissions (claim_id, file_id, isa_control, gs_control, st_control)
		SELECT 'BARE1', id, isa_control, gs_control, '0001' FROM claim_files WHERE name = 'late.x12'
		UNION ALL SELECT ?, id, isa_control, gs_control, '0001' FROM claim_files WHERE name = 'late.x12'`, cs[2].ID)
	for id, want := range map[string]string{"BARE1": "2026-12-02", cs[2].ID: filedDay(t, db, cs[4].ID)} {
		if got := filedDay(t, db, id); got != want {
			t.Errorf("first_filed of %s: %q, want %q", id, got, want)
		}
	}
}

func filedDay(t *testing.T, db *store.DB, id string) string {
	t.Helper()
	var day string
	if err := db.SQL().QueryRowContext(context.Background(), db.Rebind(`SELECT first_filed FROM claims WHERE id = ?`), id).Scan(&day); err != nil {
		t.Fatal(err)
	}
	return day
}

// TestFileNewClaims records a file whose clean new claims are stored straight as filed
// (ClaimFile.New) beside a claim stored built before and leased: each new claim is filed
// with its lines, links, findings and a built then a filed event, its session billed on
// it. A new claim another writer stored first, or whose session another writer billed
// first, is lost work: nothing of the file is recorded. On SQLite and on PostgreSQL.
func TestFileNewClaims(t *testing.T) {
	onBothDialects(t, testFileNewClaims)
}

func testFileNewClaims(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ss, cs := fiveClientClaims(t, db)
	for _, c := range cs {
		c.Clearinghouse = "sim"
	}
	clean := func(c *claims.Claim) claims.Result { return claims.Result{ClaimID: c.ID} }
	putBuilt := func(c *claims.Claim) {
		t.Helper()
		if err := db.Batch(ctx, nil, func(b *store.Batch) error {
			_, err := b.PutClaims([]*claims.Claim{c}, []claims.Result{clean(c)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	files := func() int { return len(claimFiles(t, db)) }
	file := func(name string, isa int64, old []*claims.Claim, fresh []*claims.Claim, rs []claims.Result) error {
		var ids []string
		for _, c := range append(slices.Clone(old), fresh...) {
			ids = append(ids, c.ID)
		}
		res := &claims.FileResult{Clearinghouse: "sim", ISAControl: isa, GSControl: isa, Usage: "T", Claims: len(ids),
			Sets: []claims.SetInfo{{Control: "0001", ClaimIDs: ids}}}
		return db.Batch(ctx, nil, func(b *store.Batch) error {
			_, err := b.RecordClaimFile(&store.ClaimFile{Name: name, SHA256: "x", Written: old, New: fresh, NewResults: rs}, res)
			return err
		})
	}
	// c0 stored built before; c1 and c2 new, c2 with a warning.
	putBuilt(cs[0])
	warn := claims.Result{ClaimID: cs[2].ID, Findings: []claims.Finding{{Rule: "eligibility.unanswered",
		Severity: claims.SeverityWarning, Message: "m", ClaimID: cs[2].ID, SessionID: ss[2].ID}}}
	if err := file("837P_a.x12", 1, cs[:1], cs[1:3], []claims.Result{clean(cs[1]), warn}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		rec, err := db.Claim(ctx, cs[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		findings := 0
		if i == 2 {
			findings = 1
		}
		if rec.State != lifecycle.Filed || len(rec.Findings) != findings || len(rec.Submissions) != 1 || len(rec.Claim.Lines) != 1 {
			t.Errorf("claim %d: %s, %d findings, %d submissions, %d lines; want filed, %d, 1, 1", i, rec.State,
				len(rec.Findings), len(rec.Submissions), len(rec.Claim.Lines), findings)
		}
		if filedDay(t, db, cs[i].ID) == "" {
			t.Errorf("claim %d: no first_filed", i)
		}
		if ids, err := db.ClaimsForSession(ctx, ss[i].ID); err != nil || len(ids) != 1 || ids[0] != cs[i].ID {
			t.Errorf("claims of session %d: %v %v", i, ids, err)
		}
		if s, _ := db.Session(ctx, ss[i].ID); s.State != store.StateBilled || s.ClaimRef != cs[i].ID {
			t.Errorf("session %d: %s on %q, want billed on %s", i, s.State, s.ClaimRef, cs[i].ID)
		}
	}
	if got := eventKinds(t, db, cs[1].ID); got != "built filed" {
		t.Errorf("history of a claim filed as it was stored: %s, want built filed", got)
	}
	// c3: another writer stored it first (built): lost, nothing recorded, it stays built.
	putBuilt(cs[3])
	err := file("837P_b.x12", 2, nil, cs[3:4], []claims.Result{clean(cs[3])})
	var lost *store.LostWorkError
	if !errors.As(err, &lost) || fmt.Sprint(lost.IDs) != fmt.Sprint([]string{cs[3].ID}) {
		t.Fatalf("filing a claim stored meanwhile: %v", err)
	}
	if rec, _ := db.Claim(ctx, cs[3].ID); rec.State != lifecycle.Built || files() != 1 {
		t.Errorf("after a lost file: claim %s, %d files; want built, 1", rec.State, files())
	}
	// c4: another writer billed its session on a claim of its own first: lost, c4 not stored.
	other := *cs[4]
	other.ID = "OTHER4"
	if err := file("837P_c.x12", 3, nil, []*claims.Claim{&other}, []claims.Result{clean(&other)}); err != nil {
		t.Fatal(err)
	}
	err = file("837P_d.x12", 4, nil, cs[4:5], []claims.Result{clean(cs[4])})
	if !errors.As(err, &lost) || fmt.Sprint(lost.IDs) != fmt.Sprint([]string{cs[4].ID}) {
		t.Fatalf("filing a claim whose session was billed meanwhile: %v", err)
	}
	if _, err := db.Claim(ctx, cs[4].ID); err == nil || files() != 2 {
		t.Errorf("claim of a lost file stored (%v), %d files, want 2", err, files())
	}
	if s, _ := db.Session(ctx, ss[4].ID); s.State != store.StateBilled || s.ClaimRef != other.ID {
		t.Errorf("session 4: %s on %q, want billed on %s", s.State, s.ClaimRef, other.ID)
	}
}

func eventKinds(t *testing.T, db *store.DB, claimID string) string {
	t.Helper()
	ev, err := db.Events(context.Background(), "claim", claimID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range ev {
		kinds = append(kinds, string(e.Kind))
	}
	return strings.Join(kinds, " ")
}

func claimFiles(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT name FROM claim_files`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// onBothDialects runs fn on a fresh SQLite store and on a fresh PostgreSQL schema.
func onBothDialects(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, c := range []struct {
		name string
		open func(t *testing.T) *store.DB
	}{{"sqlite", openSQLite}, {"postgres", func(t *testing.T) *store.DB { return openPostgres(t)(t) }}} {
		t.Run(c.name, func(t *testing.T) { fn(t, c.open(t)) })
	}
}

// fiveClientClaims stores five ready sessions of five clients and returns them with the
// claims built from them (one each, not stored).
func fiveClientClaims(t *testing.T, db *store.DB) ([]claims.Session, []*claims.Claim) {
	t.Helper()
	var ss []claims.Session
	for i := 0; i < 5; i++ {
		s := claimSession(fmt.Sprintf("s-%d", i))
		s.Client.ID = fmt.Sprintf("c%d", i) // one claim each
		ss = append(ss, s)
	}
	if err := db.Batch(context.Background(), nil, func(b *store.Batch) error {
		for i := range ss {
			if _, err := b.PutSession(&ss[i], "in.json"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ss, (&claims.Builder{}).Claims(ss)
}
