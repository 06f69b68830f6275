package pipeline

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/intake"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// TestStepsSeekNotScan guards "cost follows the new work, not the history" (issue 15)
// without timing anything: on a store holding years of history (a practice run through
// the real steps and the simulator's answers, then copied back week by week with
// scripts/bench-history.sql, the benchmark's own generator), it records every statement
// intake, the scrub, eligibility, claims, the responses (999, 277CA, 835s, 271) and the
// alerts check issue for a few new sessions, and asks SQLite for each one's query plan.
// A full scan of a table holding
// more rows than a step's new work could explain fails, naming the statement; a scan of a
// partial index (which holds only live work: the unscrubbed, the held) is a seek.
// Statements are found by recording them at the driver, so a new query is checked the
// day it is written, with no list to keep.
func TestStepsSeekNotScan(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a store with history")
	}
	const (
		baseSessions = 300
		copies       = 30 // about 9,000 sessions, 90,000 events of history
		newSessions  = 20
		// A step on 20 new sessions may read a few hundred rows of a table; more means it
		// walks the history.
		scanLimit = 1000
	)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	rec := registerStatementRecorder()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Claims.WaitForEligibility = 0
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "edigate.db"), store.Options{Now: clock, SQLiteDriver: recorderDriver})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := &Pipeline{Cfg: cfg, DB: db, Log: zerolog.Nop(), Now: clock}
	in, err := intake.New(cfg, db, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	in.SetClock(clock)
	responder := &sim.Responder{Answerer: sim.Answerer{Rules: sim.DefaultRules(), ID: "SIMCH", Usage: "T",
		Controls: x12.NewMemorySequence(), Now: clock}, Guides: guides.Registry}

	// steps runs the daemon's steps on what is in the inbox, then applies the simulator's
	// answers to every file they wrote (999, 277CA, 835s, 271s), as responses would.
	steps := func(batch string, n, clients int, seed int64) {
		t.Helper()
		var buf bytes.Buffer
		if err := fixtures.WriteSessionsClients(&buf, n, clients, seed); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cfg.DataDir, "inbox", batch), buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		rec.step("intake")
		if _, err := in.RunOnce(ctx, true); err != nil {
			t.Fatal(err)
		}
		if _, err := p.ScrubNew(ctx); err != nil {
			t.Fatal(err)
		}
		rec.step("eligibility")
		if _, err := p.RequestEligibility(ctx); err != nil {
			t.Fatal(err)
		}
		rec.step("claims")
		if _, _, err := p.BuildAndStoreClaims(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := p.FileClaims(ctx); err != nil {
			t.Fatal(err)
		}
		rec.step("responses")
		inbound := filepath.Join(p.InboundDir(), "sim", now.Format("2006-01-02"))
		if err := os.MkdirAll(inbound, 0o700); err != nil {
			t.Fatal(err)
		}
		err := filepath.WalkDir(filepath.Join(cfg.DataDir, "outbound"), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".x12") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			answers, err := responder.Respond(ctx, data)
			if err != nil {
				return err
			}
			for _, a := range answers {
				if err := os.WriteFile(filepath.Join(inbound, filepath.Base(path)+"_"+a.Name), a.Data, 0o600); err != nil {
					return err
				}
			}
			return os.Remove(path) // answered: the next round answers only its own files
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, failed, err := p.ProcessResponses(ctx, p.ResponseHandlers()); err != nil || failed > 0 {
			t.Fatalf("responses: %d failed: %v", failed, err)
		}
		rec.step("alerts")
		rules, err := claims.NewAuthRules(cfg.ClaimsPayers())
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CheckAuthAlerts(ctx, rules); err != nil {
			t.Fatal(err)
		}
		rec.step("")
	}

	steps("history.ndjson", baseSessions, baseSessions/5, 1)
	if err := copyHistory(ctx, db.SQL(), copies); err != nil {
		t.Fatal(err)
	}
	var stored int
	if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions").Scan(&stored); err != nil || stored < baseSessions*copies/2 {
		t.Fatalf("history: %d sessions stored (%v)", stored, err)
	}

	rec.start()
	steps("new.ndjson", newSessions, newSessions/5, 2)
	seen := rec.stop()
	var billed int
	if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions WHERE id LIKE 'S-2-%' AND state = 'billed'").Scan(&billed); err != nil || billed == 0 {
		t.Fatalf("the new sessions were not billed (%d, %v): the steps did no work to check", billed, err)
	}
	if len(seen) < 20 {
		t.Fatalf("only %d statements recorded: is the recorder wired to the store?", len(seen))
	}
	for _, f := range historyScans(t, ctx, db.SQL(), seen, scanLimit) {
		t.Error(f)
	}
}

// copyHistory runs scripts/bench-history.sql (the benchmark's history generator) on db.
func copyHistory(ctx context.Context, db *sql.DB, copies int) error {
	b, err := os.ReadFile(filepath.Join("..", "..", "scripts", "bench-history.sql"))
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx) // its temp tables live on one connection
	if err != nil {
		return err
	}
	defer conn.Close()
	body := strings.ReplaceAll(string(b), "@copies", fmt.Sprint(copies))
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		tl := strings.TrimSpace(line)
		// The sqlite3 shell's pragmas trade safety for speed; here the store's own settings hold.
		if tl == "" || strings.HasPrefix(tl, "--") || strings.HasPrefix(strings.ToUpper(tl), "PRAGMA") {
			continue
		}
		cur.WriteString(line + "\n")
		if strings.HasSuffix(tl, ";") {
			if _, err := conn.ExecContext(ctx, cur.String()); err != nil {
				return fmt.Errorf("history: %w\n%s", err, cur.String())
			}
			cur.Reset()
		}
	}
	_, err = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

var (
	scanRe       = regexp.MustCompile(`^SCAN (\S+)(?: USING (?:COVERING )?INDEX (\S+))?`)
	valuesInsert = regexp.MustCompile(`(?is)^INSERT\s+INTO\s+\w+\s*\([^)]*\)\s*VALUES\b`)
	aliasRe      = regexp.MustCompile(`(?i)\b(?:FROM|JOIN|UPDATE|INTO)\s+([a-z_][a-z0-9_]*)(?:\s+(?:AS\s+)?([a-z_][a-z0-9_]*))?`)
)

// historyScans returns a line for each recorded statement whose plan scans a table of
// more than limit rows, other than through a partial index.
func historyScans(t *testing.T, ctx context.Context, db *sql.DB, seen []recorded, limit int) []string {
	t.Helper()
	rowsOf := map[string]int{}
	partial := map[string]bool{}
	rows, err := db.QueryContext(ctx, "SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE type IN ('table', 'index')")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var typ, name, def string
		if err := rows.Scan(&typ, &name, &def); err != nil {
			t.Fatal(err)
		}
		if typ == "table" {
			tables = append(tables, name)
		} else if strings.Contains(strings.ToUpper(def), " WHERE ") {
			partial[name] = true
		}
	}
	rows.Close()
	for _, name := range tables {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+name+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		rowsOf[name] = n
	}
	var out []string
	for _, s := range seen {
		verb := strings.ToUpper(strings.Fields(s.query)[0])
		switch verb {
		case "SELECT", "WITH", "UPDATE", "DELETE":
		case "INSERT":
			// An INSERT ... VALUES reads nothing itself. Its plan may still show a scan of a
			// child table (claim_submissions for a claim_files row): the foreign-key check
			// for a new parent row, which SQLite runs only while deferred violations are
			// outstanding, never here.
			if !valuesInsert.MatchString(s.query) {
				break
			}
			continue
		default:
			continue
		}
		alias := map[string]string{}
		for _, m := range aliasRe.FindAllStringSubmatch(s.query, -1) {
			alias[m[1]] = m[1]
			if m[2] != "" {
				alias[m[2]] = m[1]
			}
		}
		plan, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+s.query, s.args...)
		if err != nil {
			t.Fatalf("explain (%s step): %v\n%s", s.step, err, s.query)
		}
		for plan.Next() {
			var id, parent, unused int
			var detail string
			if err := plan.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			m := scanRe.FindStringSubmatch(detail)
			if m == nil || partial[m[2]] {
				continue
			}
			table := alias[m[1]]
			if table == "" {
				table = m[1]
			}
			if n, ok := rowsOf[table]; ok && n > limit {
				q := s.query
				if len(q) > 600 {
					q = q[:600] + "..."
				}
				out = append(out, fmt.Sprintf("%s step: %q reads all %d rows of %s:\n%s", s.step, detail, n, table, q))
			}
		}
		plan.Close()
	}
	return out
}

// recorderDriver is modernc's SQLite driver with every statement recorded while the
// recorder is on.
const recorderDriver = "sqlite-recorder"

type recorded struct {
	step, query string
	args        []any
}

type statementRecorder struct {
	mu     sync.Mutex
	on     bool
	cur    string
	seen   map[string]bool
	events []recorded
}

var (
	theRecorder  = &statementRecorder{}
	registerOnce sync.Once
)

func registerStatementRecorder() *statementRecorder {
	registerOnce.Do(func() {
		probe, err := sql.Open("sqlite", "")
		if err != nil {
			panic(err)
		}
		sql.Register(recorderDriver, recDriver{probe.Driver()})
		probe.Close()
	})
	return theRecorder
}

func (r *statementRecorder) start() {
	r.mu.Lock()
	r.on, r.seen, r.events = true, map[string]bool{}, nil
	r.mu.Unlock()
}

func (r *statementRecorder) step(name string) {
	r.mu.Lock()
	r.cur = name
	r.mu.Unlock()
}

func (r *statementRecorder) stop() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.events
}

func (r *statementRecorder) record(q string, args []driver.NamedValue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.on || r.seen[q] {
		return
	}
	r.seen[q] = true
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	r.events = append(r.events, recorded{step: r.cur, query: q, args: vals})
}

type recDriver struct{ driver.Driver }

func (d recDriver) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return &recConn{c}, nil
}

type recConn struct{ driver.Conn }

func (c *recConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

func (c *recConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	var s driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		s, err = p.PrepareContext(ctx, q)
	} else {
		s, err = c.Conn.Prepare(q)
	}
	if err != nil {
		return nil, err
	}
	return &recStmt{Stmt: s, query: q}, nil
}

func (c *recConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *recConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	theRecorder.record(q, args)
	return e.ExecContext(ctx, q, args)
}

func (c *recConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	e, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	theRecorder.record(q, args)
	return e.QueryContext(ctx, q, args)
}

func (c *recConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

type recStmt struct {
	driver.Stmt
	query string
}

func (s *recStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	theRecorder.record(s.query, args)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *recStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	theRecorder.record(s.query, args)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}
