package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/mappingtest"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/scheduler"
	"github.com/edigate/edigate/scheduler/ledgertest"
)

// TestExchangeOptionsCarryEveryField: every field the exchange reads is filled from the
// clearinghouse's configuration.
func TestExchangeOptionsCarryEveryField(t *testing.T) {
	var ch config.Clearinghouse
	mappingtest.Fill(&ch)
	mappingtest.SameByName(t, "exchange", ExchangeOptions(&ch), ch, nil)
}

// TestExchangeStoreLedger runs the scheduler's ledger suite on both databases, then
// reopens the database: what the exchange recorded before a restart is what it finds after.
func TestExchangeStoreLedger(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ledgertest.Suite(t, ExchangeStore{DB: openDialect(t, dialect, nil)})
		})
	}
	t.Run("reopened", func(t *testing.T) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "edigate.db")
		db, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		u := scheduler.Upload{Clearinghouse: "ch", SHA256: "h", LocalName: "a.x12", RemoteName: "out/a", TempName: "out/.a",
			State: scheduler.UploadRenaming, CreatedAt: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
		if err := (ExchangeStore{DB: db}).PutUpload(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		db.Close()
		db, err = store.Open(ctx, path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		got, ok, err := ExchangeStore{DB: db}.UploadFor(ctx, "ch", "h")
		if err != nil || !ok || got.State != scheduler.UploadRenaming || got.TempName != "out/.a" || got.RemoteName != "out/a" {
			t.Fatalf("after reopening: %+v %v %v", got, ok, err)
		}
	})
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// openDialect opens an empty store of the dialect: SQLite in a temp dir, or a fresh
// schema on the machine's PostgreSQL (skipped locally when absent, required in CI).
func openDialect(t *testing.T, dialect string, now func() time.Time) *store.DB {
	t.Helper()
	target := dialectTarget(t, dialect)
	db, err := store.Open(context.Background(), target, store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestOverdueAlerts walks a controlled clock past both thresholds: an 837 and a 270 go
// out, nothing answers, alerts are raised once; a 999 for the 837's group (not the 270's,
// which shares the group number) clears one; a TA1 rejecting the 270's interchange clears
// the other; claims alert after five days and clear when their 277CA moves them.
func TestOverdueAlerts(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			clk := &clock{t: t0}
			testOverdue(t, openDialect(t, dialect, clk.Now), clk, t0)
		})
	}
}

func testOverdue(t *testing.T, db *store.DB, clk *clock, t0 time.Time) {
	ctx := context.Background()
	data := t.TempDir()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, db.Rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO claim_files (clearinghouse, name, usage, isa_control, gs_control, claims, total_cents, sha256, created_at)
		VALUES ('ch', '837P_ch_000000501.x12', 'T', 501, 501, 2, 0, 'sha837', 't')`)
	for _, id := range []string{"C1", "C2"} {
		exec(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency, responsibility,
			total_cents, state, data, created_at, updated_at) VALUES (?, ?, 'p', 'payer', 'ch', 'c', '2026-02-27', '1', 'P', 15000, 'filed', '{}', 't', 't')`, id, id)
		exec(`INSERT INTO claim_submissions (claim_id, file_id, isa_control, gs_control, st_control)
			SELECT ?, id, 501, 501, '0001' FROM claim_files WHERE sha256 = 'sha837'`, id)
	}
	ledger := ExchangeStore{DB: db}
	for _, u := range []scheduler.Upload{
		{Clearinghouse: "ch", SHA256: "sha837", LocalName: "837P_ch_000000501.x12", RemoteName: "in/837_000000501.x12", Set: "837",
			Control: "000000501", Groups: []string{"501"}, Transactions: []string{"0001"}, Claims: []string{"C1", "C2"}},
		{Clearinghouse: "ch", SHA256: "sha270", LocalName: "270_ch_000000502.x12", RemoteName: "in/270_000000502.x12", Set: "270",
			Control: "000000502", Groups: []string{"501"}, Transactions: []string{"0001"}},
		// Never finished uploading: nothing can be overdue for it.
		{Clearinghouse: "ch", SHA256: "shaintent", LocalName: "837P_ch_000000503.x12", RemoteName: "in/x.x12", Set: "837",
			Control: "000000503", Groups: []string{"503"}, State: scheduler.UploadIntent},
	} {
		if u.State == "" {
			u.State, u.UploadedAt = scheduler.UploadDone, t0
		}
		u.CreatedAt = t0
		if err := ledger.PutUpload(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	o := &scheduler.Overdue{Store: db, DataDir: data, AckAfter: 24 * time.Hour, ClaimAckAfter: 5 * 24 * time.Hour, Now: clk.Now, Log: zerolog.Nop()}
	check := func(at time.Duration, want scheduler.OverdueResult) {
		t.Helper()
		clk.Set(t0.Add(at))
		got, err := o.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("at +%v: %+v, want %+v", at, got, want)
		}
	}
	open := func() []string { t.Helper(); return openAlertNames(t, db) }
	response := func(name, kind, body string) {
		t.Helper()
		rel := filepath.Join("inbound", "ch", "2026-03-03", name)
		if err := os.MkdirAll(filepath.Join(data, filepath.Dir(rel)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, rel), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkInbound(ctx, store.InboundFile{SHA256: "resp-" + name, Path: rel, Clearinghouse: "ch", Kind: kind, State: store.InboundProcessed}); err != nil {
			t.Fatal(err)
		}
	}

	check(23*time.Hour, scheduler.OverdueResult{Waiting: 2})
	if got := open(); len(got) != 0 {
		t.Fatalf("alerts before the deadline: %v", got)
	}
	check(25*time.Hour, scheduler.OverdueResult{Waiting: 2, Raised: 2})
	check(26*time.Hour, scheduler.OverdueResult{Waiting: 2}) // raised once, not every run
	if got, want := open(), []string{"ack_overdue ch/270_ch_000000502.x12", "ack_overdue ch/837P_ch_000000501.x12"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("open alerts %v, want %v", got, want)
	}

	isa := "ISA*00*          *00*          *ZZ*SIMCH          *ZZ*EDIGATE        *260303*1200*^*00501*000000900*0*T*:~"
	response("ack.999", "999", isa+"GS*FA*SIMCH*EDIGATE*20260303*1200*900*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*501*005010X222A1~AK2*837*0001~IK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*900~IEA*1*000000900~")
	check(27*time.Hour, scheduler.OverdueResult{Acked: 1, Waiting: 1, Cleared: 1})
	if got, want := open(), []string{"ack_overdue ch/270_ch_000000502.x12"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after the 837's 999: %v, want %v (an HC 999 does not answer an HS group)", got, want)
	}
	exec(`UPDATE claims SET state = 'file_accepted' WHERE id IN ('C1', 'C2')`)

	response("env.ta1", "TA1", isa+"TA1*000000502*260303*1200*R*022~IEA*0*000000900~")
	check(28*time.Hour, scheduler.OverdueResult{Acked: 1, Cleared: 1})

	check(5*24*time.Hour+time.Hour, scheduler.OverdueResult{Raised: 2})
	check(5*24*time.Hour+2*time.Hour, scheduler.OverdueResult{})
	exec(`UPDATE claims SET state = 'accepted' WHERE id = 'C1'`)
	check(5*24*time.Hour+3*time.Hour, scheduler.OverdueResult{Cleared: 1})
	if got, want := open(), []string{"claim_ack_overdue C2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("open alerts %v, want %v", got, want)
	}
	all, _ := db.Alerts(ctx, false)
	if len(all) != 4 {
		t.Errorf("%d alerts in all, want 4 (2 per kind, each raised once)", len(all))
	}
	for _, a := range all {
		if a.Kind == store.AlertClaimAckOverdue && a.EntityID == "C2" && !strings.Contains(string(a.Detail), `"file":"837P_ch_000000501.x12"`) {
			t.Errorf("claim alert detail lacks the file: %s", a.Detail)
		}
	}
}

// TestOverdueAcksExpectedFor: a clearinghouse that answers 270s only with a 271 must not
// raise ack_overdue for them. With acks_expected_for left at its default a silent 270
// raises nothing while the 837 beside it does; listing 270 makes it alert; taking 270 off
// again clears the alert it raised.
func TestOverdueAcksExpectedFor(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	uploads := []scheduler.Upload{
		{Clearinghouse: "ch", SHA256: "sha837", LocalName: "837P_ch_000000601.x12", Set: "837", Control: "000000601", Groups: []string{"601"}},
		{Clearinghouse: "ch", SHA256: "sha270", LocalName: "270_ch_000000602.x12", Set: "270", Control: "000000602", Groups: []string{"602"}},
	}
	cases := []struct {
		name    string
		sets    []string
		want    scheduler.OverdueResult
		alerted []string
	}{
		{"270 acks off (default)", nil, scheduler.OverdueResult{Waiting: 1, Raised: 1},
			[]string{"ack_overdue ch/837P_ch_000000601.x12"}},
		{"270 acks on", []string{"837", "270"}, scheduler.OverdueResult{Waiting: 2, Raised: 2},
			[]string{"ack_overdue ch/270_ch_000000602.x12", "ack_overdue ch/837P_ch_000000601.x12"}},
		{"none", []string{"none"}, scheduler.OverdueResult{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			clk := &clock{t: t0}
			db := openDialect(t, "sqlite", clk.Now)
			ledger := ExchangeStore{DB: db}
			for _, u := range uploads {
				u.RemoteName, u.State, u.CreatedAt, u.UploadedAt = "in/"+u.LocalName, scheduler.UploadDone, t0, t0
				if err := ledger.PutUpload(ctx, u, ""); err != nil {
					t.Fatal(err)
				}
			}
			ch := config.Clearinghouse{ID: "ch", AcksExpectedFor: c.sets}
			o := &scheduler.Overdue{Store: db, DataDir: t.TempDir(), AckAfter: 24 * time.Hour, Now: clk.Now, Log: zerolog.Nop(),
				ExpectsAck: func(id, set string) bool { return id == ch.ID && ch.ExpectsAck(set) }}
			clk.Set(t0.Add(25 * time.Hour))
			got, err := o.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("check: %+v, want %+v", got, c.want)
			}
			if got := openAlertNames(t, db); !reflect.DeepEqual(got, c.alerted) {
				t.Errorf("open alerts %v, want %v", got, c.alerted)
			}
		})
	}

	t.Run("switched off clears the 270 alert", func(t *testing.T) {
		ctx := context.Background()
		clk := &clock{t: t0}
		db := openDialect(t, "sqlite", clk.Now)
		u := uploads[1]
		u.RemoteName, u.State, u.CreatedAt, u.UploadedAt = "in/"+u.LocalName, scheduler.UploadDone, t0, t0
		if err := (ExchangeStore{DB: db}).PutUpload(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		ch := config.Clearinghouse{ID: "ch", AcksExpectedFor: []string{"837", "270"}}
		o := &scheduler.Overdue{Store: db, DataDir: t.TempDir(), AckAfter: 24 * time.Hour, Now: clk.Now, Log: zerolog.Nop(),
			ExpectsAck: func(_, set string) bool { return ch.ExpectsAck(set) }}
		clk.Set(t0.Add(25 * time.Hour))
		if got, err := o.Check(ctx); err != nil || got.Raised != 1 {
			t.Fatalf("with 270 acks on: %+v, %v", got, err)
		}
		ch.AcksExpectedFor = nil
		clk.Set(t0.Add(26 * time.Hour))
		if got, err := o.Check(ctx); err != nil || got != (scheduler.OverdueResult{Cleared: 1}) {
			t.Fatalf("with 270 acks off again: %+v, %v", got, err)
		}
		if got := openAlertNames(t, db); len(got) != 0 {
			t.Errorf("still open: %v", got)
		}
	})
}

// openAlertNames lists the open alerts as "kind entity".
func openAlertNames(t *testing.T, db *store.DB) []string {
	t.Helper()
	as, err := db.Alerts(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range as {
		out = append(out, a.Kind+" "+a.EntityID)
	}
	return out
}

// crashingLedger fails the first PutUpload of one state, as a process killed at that
// point would.
type crashingLedger struct {
	scheduler.Ledger
	failOn scheduler.UploadState
}

func (c *crashingLedger) PutUpload(ctx context.Context, u scheduler.Upload, from scheduler.UploadState) error {
	if c.failOn != "" && u.State == c.failOn {
		c.failOn = ""
		return fmt.Errorf("simulated crash")
	}
	return c.Ledger.PutUpload(ctx, u, from)
}

// TestUploadCrashResumesFromDatabase: a crash right after the remote rename, then a
// restart (the database reopened): the upload resumes from the database ledger without
// a second remote file.
func TestUploadCrashResumesFromDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	mailbox := filepath.Join(dir, "mailbox")
	if err := os.MkdirAll(filepath.Join(mailbox, "outbound"), 0o700); err != nil {
		t.Fatal(err)
	}
	srv, err := sim.StartSFTPServer(sim.SFTPServerOptions{Addr: "127.0.0.1:0", Root: mailbox, KeyDir: filepath.Join(dir, "keys"),
		User: "edigate", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg := config.Default().Clearinghouses[0]
	cfg.SFTP = config.SFTP{Host: "127.0.0.1", Port: srv.Port(), User: "edigate", Password: "pw", HostKey: srv.KnownHostsLine(),
		Timeout: 5 * time.Second}
	data := filepath.Join(dir, "data")
	outbox := &scheduler.DirOutbox{Dir: filepath.Join(data, "outbound", "sim"),
		Record: func(context.Context, scheduler.OutboxFile, scheduler.Upload) error { return nil }}
	if err := os.MkdirAll(outbox.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	isa := "ISA*00*          *00*          *ZZ*EDIGATE        *ZZ*SIMCH          *240102*1200*^*00501*000000901*0*T*:~"
	body := isa + "GS*HC*EDIGATE*SIMCH*20240102*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~CLM*C9*100***11:B:1*Y*A*Y*Y~SE*3*0001~GE*1*1~IEA*1*000000901~"
	if err := os.WriteFile(filepath.Join(outbox.Dir, "a.x12"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	// The restart is an hour later, so a fresh remote name (it carries the time) would differ.
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	exchange := func(l scheduler.Ledger, at time.Time) *scheduler.Exchange {
		return &scheduler.Exchange{CH: ExchangeOptions(&cfg), DataDir: data, Ledger: l, Log: zerolog.Nop(), Now: func() time.Time { return at },
			Backoff: scheduler.Backoff{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond}}
	}
	dbPath := filepath.Join(data, "edigate.db")
	db, err := store.Open(ctx, dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exchange(&crashingLedger{Ledger: ExchangeStore{DB: db}, failOn: scheduler.UploadDone}, t0).Upload(ctx, outbox); err == nil {
		t.Fatal("want the simulated crash")
	}
	db.Close()

	db, err = store.Open(ctx, dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ups, err := exchange(ExchangeStore{DB: db}, t0.Add(time.Hour)).Upload(ctx, outbox)
	if err != nil {
		t.Fatal(err)
	}
	remote, _ := os.ReadDir(filepath.Join(mailbox, "outbound"))
	if len(remote) != 1 || len(ups) != 1 || "outbound/"+remote[0].Name() != ups[0].RemoteName || ups[0].State != scheduler.UploadDone {
		t.Fatalf("remote %v, uploads %+v", remote, ups)
	}
}
