// Command sigkill is the SIGKILL harness (scripts/sigkill.sh, `make sigkill`): it runs the
// real edigate binary through intake, eligibility, claims, upload, download and posting with
// the built-in clearinghouse simulator (`edigate demo --once`), kills it (SIGKILL) at a
// random moment of a chosen step (the steps in shuffled rounds, so kills spread evenly),
// restarts it, and when every kill is done lets the cycle finish and checks that nothing
// was lost, stalled or billed twice:
//
//   - sessions in (the generated inbox files plus the demo batch) vs sessions stored
//   - CLM01s in more than one 837P file, and services billed on two claim families
//   - authorization units used vs the units the sessions hold
//   - every CLP of every downloaded 835 posted exactly once
//   - claims stuck on the way (built, filed, submitted) and ready sessions on no claim
//   - PRAGMA integrity_check
//
// It exits 1 on any violation, 2 when the harness itself fails.
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // the store's SQLite driver, read-only here

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/internal/crashtest"
)

type options struct {
	kills    int
	sessions int
	files    int
	seed     uint64
	bin      string
	dir      string
	settle   int
	leaseTTL time.Duration
}

func main() {
	var o options
	flag.IntVar(&o.kills, "kills", 100, "SIGKILLs to deliver")
	flag.IntVar(&o.sessions, "sessions", 1200, "generated sessions, spread over -files inbox files")
	flag.IntVar(&o.files, "files", 20, "inbox files the sessions arrive in, one after another between kills")
	flag.Uint64Var(&o.seed, "seed", 0, "random seed (0: from the clock; printed to rerun)")
	flag.StringVar(&o.bin, "bin", "", "edigate binary (default: go build ./cmd/edigate into the work folder)")
	flag.StringVar(&o.dir, "dir", "", "work folder (default: a new temp folder, removed on success)")
	flag.IntVar(&o.settle, "settle", 40, "uninterrupted passes at most to let the cycle finish after the kills (more while a killed pass's leases may live)")
	flag.DurationVar(&o.leaseTTL, "lease-ttl", 5*time.Second, "schedules.lease_ttl of the runs")
	flag.Parse()
	if o.seed == 0 {
		o.seed = uint64(time.Now().UnixNano())
	}
	code, err := run(context.Background(), o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sigkill: %v\n", err)
		os.Exit(2)
	}
	os.Exit(code)
}

// steps are the daemon's steps in `--once` order; a kill lands in the step after the last
// one reported done.
var steps = []string{"intake", "eligibility", "claims", "upload", "download", "responses", "follow-up", "alerts", "housekeeping"}

// jobLog matches the scheduler's debug lines at a step's start and end.
var jobLog = regexp.MustCompile(`job (start|done|failed) job=([a-z-]+)`)

func run(ctx context.Context, o options) (int, error) {
	work := o.dir
	if work == "" {
		var err error
		if work, err = os.MkdirTemp("", "edigate-sigkill-"); err != nil {
			return 0, err
		}
	}
	data := filepath.Join(work, "data")
	bin := o.bin
	if bin == "" {
		bin = filepath.Join(work, "edigate")
		fmt.Printf("== building edigate into %s\n", bin)
		b := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/edigate")
		b.Stdout, b.Stderr = os.Stdout, os.Stderr
		if err := b.Run(); err != nil {
			return 0, fmt.Errorf("build: %w", err)
		}
	}
	// Debug logs name each step as it finishes, which places every kill.
	cfgPath := filepath.Join(work, "config.yml")
	// A killed pass's step leases (eligibility, claims, upload...) keep the steps from the
	// next passes until they expire: a short TTL lets the settle passes outlast them (with
	// the default minute, 40 passes did not) and has expiry taken over on every kill.
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf("log:\n  level: debug\nschedules:\n  lease_ttl: %s\n", o.leaseTTL)), 0o600); err != nil {
		return 0, err
	}
	parts, expected, err := inputs(o)
	if err != nil {
		return 0, err
	}
	demoIDs, err := demoSessionIDs(ctx, bin, cfgPath, filepath.Join(work, "demo-reference"))
	if err != nil {
		return 0, fmt.Errorf("demo reference run: %w", err)
	}
	for _, id := range demoIDs {
		expected[id] = true
	}
	fmt.Printf("== seed %d: %d sessions in %d inbox files (+%d demo-batch sessions), %d kills\n",
		o.seed, o.sessions, len(parts), len(demoIDs), o.kills)

	r := rand.New(rand.NewPCG(o.seed, 0x51_6b_11))
	// pass runs one `demo --once`. A kill plan names the step to kill in and a delay: the
	// process is killed that long after the step logs its start ("job start"), or, for
	// "start", that long after the process started (store open, migrations, simulator).
	// The step a kill landed in is read from the log (the last step started and not done),
	// not assumed from the plan. A step that ends before the delay is not killed: the pass
	// runs on (missed), and the step's duration seen is kept for the next delays.
	type plan struct {
		step  string
		delay time.Duration
	}
	took := map[string]time.Duration{} // the last run of each step seen
	pass := func(k *plan) (killed bool, landed string, err error) {
		cmd := exec.CommandContext(ctx, bin, "demo", "-once", "-data", data, "-config", cfgPath)
		pr, pw, err := os.Pipe()
		if err != nil {
			return false, "", err
		}
		cmd.Stdout, cmd.Stderr = pw, pw
		start := time.Now()
		if err := cmd.Start(); err != nil {
			pw.Close()
			pr.Close()
			return false, "", err
		}
		pw.Close()
		type jobLine struct {
			what, job string
			at        time.Time
		}
		lines := make(chan jobLine, 64)
		var out bytes.Buffer
		read := make(chan struct{})
		go func() {
			defer close(read)
			defer close(lines)
			sc := bufio.NewScanner(pr)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				line := sc.Text()
				out.WriteString(line + "\n")
				if m := jobLog.FindStringSubmatch(line); m != nil {
					lines <- jobLine{m[1], m[2], time.Now()}
				}
			}
		}()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var timer <-chan time.Time
		if k != nil && k.step == "start" {
			timer = time.After(k.delay)
		}
		current, started := "start", map[string]time.Time{}
		for lines != nil || done != nil {
			select {
			case l, ok := <-lines:
				if !ok {
					lines = nil
					continue
				}
				switch l.what {
				case "start":
					if len(started) == 0 {
						took["start"] = l.at.Sub(start)
					}
					current, started[l.job] = l.job, l.at
					if k != nil && k.step == l.job && timer == nil && !killed {
						timer = time.After(k.delay)
					}
				default: // done, failed
					current = "between " + l.job
					took[l.job] = l.at.Sub(started[l.job])
					if k != nil && k.step == l.job {
						timer = nil // the step ended first: missed
					}
				}
			case err = <-done:
				done = nil
			case <-timer:
				timer = nil
				// What the log said so far places the kill; lines still in the pipe were
				// written before it only if they are read now, so the placement is
				// decided after the process is gone.
				_ = cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			}
		}
		pr.Close()
		<-read
		if crashtest.Killed(err) {
			return true, current, nil
		}
		if err != nil && !isExit(err) {
			// A pass may fail a step (exit 1) after a kill left work to recover; only a
			// pass that cannot run is the harness's failure.
			return false, "", fmt.Errorf("edigate: %w\n%s", err, out.String())
		}
		return false, "", nil
	}

	// Kills are spread evenly over the steps that change data (a shuffled round of them,
	// again and again), each at a random moment within the time the step took the last
	// time it ran (a step's work shrinks as the inbox empties and grows with a new file).
	targets := []string{"start", "intake", "eligibility", "claims", "upload", "download", "responses"}
	planned, landed, missed := map[string]int{}, map[string]int{}, map[string]int{}
	var round []string
	kills, passes, next := 0, 0, 0
	for kills < o.kills {
		// A new inbox file every so many kills, so kills land in intake of fresh work too.
		if next < len(parts) && kills >= next*o.kills/len(parts) {
			if err := drop(filepath.Join(data, "inbox"), fmt.Sprintf("practice-%02d.ndjson", next+1), parts[next]); err != nil {
				return 0, err
			}
			next++
		}
		if len(round) == 0 {
			round = slices.Clone(targets)
			r.Shuffle(len(round), func(i, j int) { round[i], round[j] = round[j], round[i] })
		}
		step := round[0]
		span := max(took[step], time.Millisecond)
		k := &plan{step: step, delay: time.Duration(r.Int64N(int64(span)))}
		killed, at, err := pass(k)
		passes++
		if err != nil {
			return 0, err
		}
		if !killed {
			missed[step]++
			if missed[step] > 20*(planned[step]+1) {
				round = round[1:] // a step that never runs long enough to be hit
			}
			continue
		}
		round = round[1:]
		kills++
		planned[step]++
		landed[at]++
	}
	for ; next < len(parts); next++ {
		if err := drop(filepath.Join(data, "inbox"), fmt.Sprintf("practice-%02d.ndjson", next+1), parts[next]); err != nil {
			return 0, err
		}
	}
	fmt.Printf("== %d kills in %d passes\n   planned by step: %s\n   landed (from the log): %s\n   passes the planned step ended before its kill: %s\n",
		kills, passes, byStep(planned), byStep(landed), byStep(missed))

	// Let the cycle finish: passes without kills until nothing is on the way (the
	// simulator pays a few seconds after an upload).
	// Bounded by passes and by time: a lease of the last killed pass lives up to its TTL
	// whatever the passes take, so the settle lasts at least twice that.
	settled := false
	settleStart := time.Now()
	settlePasses := 0
	for ; !settled && (settlePasses < o.settle || time.Since(settleStart) < 2*o.leaseTTL); settlePasses++ {
		if _, _, err := pass(nil); err != nil {
			return 0, err
		}
		w, err := onTheWay(data)
		if err != nil {
			return 0, err
		}
		settled = w == 0
		if !settled {
			time.Sleep(time.Second)
		}
	}
	settleTook := time.Since(settleStart).Round(time.Second)
	fmt.Printf("== %d passes (%s) to let the cycle finish: settled %v\n", settlePasses, settleTook, settled)
	v, err := check(data, expected)
	if err != nil {
		return 0, err
	}
	if !settled {
		v = append(v, fmt.Sprintf("the cycle did not finish in %d passes (%s) after the kills", settlePasses, settleTook))
	}
	if len(v) > 0 {
		fmt.Printf("== FAIL (seed %d, data kept in %s):\n  %s\n", o.seed, data, strings.Join(v, "\n  "))
		return 1, nil
	}
	fmt.Printf("== OK: no violation (seed %d)\n", o.seed)
	if o.dir == "" {
		os.RemoveAll(work)
	}
	return 0, nil
}

func byStep(m map[string]int) string {
	var order []string
	for _, s := range append([]string{"start"}, steps...) {
		order = append(order, s, "between "+s)
	}
	var out []string
	for _, s := range order {
		if m[s] > 0 {
			out = append(out, fmt.Sprintf("%s %d", s, m[s]))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// inputs generates the sessions (with their authorizations) and splits them into files:
// the authorizations go first, so every file's sessions meet them.
func inputs(o options) ([][]byte, map[string]bool, error) {
	var gen bytes.Buffer
	if err := fixtures.WriteSessions(&gen, o.sessions, int64(o.seed%1_000_000)); err != nil {
		return nil, nil, err
	}
	var auths, sessions [][]byte
	ids := map[string]bool{}
	sc := bufio.NewScanner(&gen)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := slices.Clone(sc.Bytes())
		var rec struct{ Type, ID string }
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, nil, err
		}
		if rec.Type == "session" {
			sessions = append(sessions, line)
			ids[rec.ID] = true
		} else {
			auths = append(auths, line)
		}
	}
	files := max(1, o.files)
	parts := make([][]byte, files)
	for _, a := range auths {
		parts[0] = append(append(parts[0], a...), '\n')
	}
	for i, s := range sessions {
		k := i * files / len(sessions)
		parts[k] = append(append(parts[k], s...), '\n')
	}
	return parts, ids, nil
}

// drop puts a file into the inbox the documented way: written beside it, renamed in.
func drop(inbox, name string, b []byte) error {
	if err := os.MkdirAll(inbox, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(inbox, "."+name+".part")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(inbox, name))
}

// demoSessionIDs runs one uninterrupted pass on an empty folder and returns the ids of the
// demo batch's sessions it stored: the demo command copies that batch in on every pass.
func demoSessionIDs(ctx context.Context, bin, cfg, dir string) ([]string, error) {
	os.RemoveAll(dir)
	defer os.RemoveAll(dir)
	out, err := exec.CommandContext(ctx, bin, "demo", "-once", "-data", dir, "-config", cfg).CombinedOutput()
	if err != nil && !isExit(err) {
		return nil, fmt.Errorf("%w\n%s", err, out)
	}
	db, err := openDB(dir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return strings1(db, `SELECT id FROM sessions ORDER BY id`)
}

func isExit(err error) bool {
	_, ok := err.(*exec.ExitError)
	return ok
}

func openDB(data string) (*sql.DB, error) {
	return sql.Open("sqlite", "file:"+filepath.Join(data, "edigate.db")+"?mode=ro&_pragma=busy_timeout(5000)")
}

func strings1(db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func count(db *sql.DB, q string, args ...any) (int, error) {
	var n int
	err := db.QueryRow(q, args...).Scan(&n)
	return n, err
}

// onTheWay counts what is still moving: inbox files, and claims built but not filed,
// filed but not sent, or sent and not yet answered by an 835.
func onTheWay(data string) (int, error) {
	entries, _ := os.ReadDir(filepath.Join(data, "inbox"))
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	db, err := openDB(data)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	k, err := count(db, `SELECT COUNT(*) FROM claims WHERE state IN ('built', 'filed', 'submitted', 'file_accepted', 'accepted')`)
	if err != nil {
		return 0, err
	}
	// Ready sessions on no claim are on the way too: a killed process's eligibility or
	// claims lease keeps them waiting until it expires (schedules.lease_ttl), and the
	// next uninterrupted pass bills them.
	r, err := count(db, readyOnNoClaim)
	return n + k + r, err
}

// readyOnNoClaim counts ready sessions no live claim carries.
const readyOnNoClaim = `SELECT COUNT(*) FROM sessions s WHERE s.state = 'ready'
	AND NOT EXISTS (SELECT 1 FROM claim_sessions cs JOIN claims c ON c.id = cs.claim_id WHERE cs.session_id = s.id AND c.state <> 'void')`

// check reads the final store and files and returns every violation, printing the figures.
func check(data string, expected map[string]bool) ([]string, error) {
	db, err := openDB(data)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var v []string
	fail := func(format string, args ...any) { v = append(v, fmt.Sprintf(format, args...)) }

	// Sessions in vs stored.
	stored, err := strings1(db, `SELECT id FROM sessions`)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, id := range stored {
		have[id] = true
	}
	missing, extra := 0, 0
	for id := range expected {
		if !have[id] {
			missing++
		}
	}
	for id := range have {
		if !expected[id] {
			extra++
		}
	}
	fmt.Printf("sessions in %d, stored %d (missing %d, unexpected %d)\n", len(expected), len(stored), missing, extra)
	if missing > 0 || extra > 0 {
		fail("sessions: %d missing, %d unexpected", missing, extra)
	}
	stalled, err := count(db, readyOnNoClaim)
	if err != nil {
		return nil, err
	}
	multi, err := count(db, `SELECT COUNT(*) FROM (SELECT cs.session_id FROM claim_sessions cs JOIN claims c ON c.id = cs.claim_id
		WHERE c.state IN ('held', 'built') GROUP BY cs.session_id HAVING COUNT(*) > 1)`)
	if err != nil {
		return nil, err
	}
	fmt.Printf("ready sessions on no claim %d, sessions on more than one open claim %d\n", stalled, multi)
	if stalled > 0 || multi > 0 {
		fail("sessions: %d ready on no claim, %d on more than one held/built claim", stalled, multi)
	}

	// CLM01s across 837P files.
	files, clm := 0, map[string]map[string]bool{}
	err = filepath.WalkDir(filepath.Join(data, "outbound"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "837P_") || strings.HasSuffix(p, ".tmp") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for _, seg := range segments(b) {
			if len(seg) > 1 && seg[0] == "CLM" {
				if clm[seg[1]] == nil {
					clm[seg[1]] = map[string]bool{}
				}
				clm[seg[1]][d.Name()] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	dup := 0
	for _, fs := range clm {
		if len(fs) > 1 {
			dup++
		}
	}
	fmt.Printf("837P files %d, CLM01s %d, CLM01s in more than one file %d\n", files, len(clm), dup)
	if dup > 0 {
		fail("%d CLM01s in more than one 837P file", dup)
	}
	twice, err := count(db, `SELECT COUNT(*) FROM (SELECT c.practice, c.client_id, l.service_date, l.code, l.modifiers
		FROM claims c JOIN claim_lines l ON l.claim_id = c.id
		WHERE c.state NOT IN ('held', 'built', 'void', 'rejected', 'file_rejected') AND c.frequency = '1' AND c.responsibility = 'P'
		GROUP BY c.practice, c.client_id, l.service_date, l.code, l.modifiers HAVING COUNT(DISTINCT c.base_id) > 1)`)
	if err != nil {
		return nil, err
	}
	fmt.Printf("services billed on two claims %d\n", twice)
	if twice > 0 {
		fail("%d services (client, day, procedure, modifiers) billed on two claims", twice)
	}

	// Units used vs the units the sessions hold.
	rows, err := db.Query(`SELECT a.payer, a.number, a.used,
		COALESCE((SELECT SUM(s.auth_units) FROM sessions s WHERE s.auth_payer = a.payer AND s.auth_number = a.number), 0),
		COALESCE((SELECT SUM(s.auth_units) FROM sessions s WHERE s.auth_payer = a.payer AND s.auth_number = a.number AND s.state = 'billed'), 0)
		FROM authorizations a ORDER BY a.payer, a.number`)
	if err != nil {
		return nil, err
	}
	var used, held, billed, off int
	for rows.Next() {
		var payer, number string
		var u, h, b int
		if err := rows.Scan(&payer, &number, &u, &h, &b); err != nil {
			rows.Close()
			return nil, err
		}
		used, held, billed = used+u, held+h, billed+b
		if u != h {
			off++
		}
	}
	rows.Close()
	fmt.Printf("authorization units used %d, held by sessions %d (on billed sessions %d), authorizations off %d\n", used, held, billed, off)
	if off > 0 {
		fail("%d authorizations whose used units differ from their sessions'", off)
	}

	// Every CLP of every downloaded 835 posted once.
	clps := map[string]bool{}
	err = filepath.WalkDir(filepath.Join(data, "inbound"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.Contains(b, []byte("005010X221A1")) {
			return nil
		}
		var trn string
		for _, seg := range segments(b) {
			switch {
			case seg[0] == "TRN" && len(seg) > 2:
				trn = seg[2]
			case seg[0] == "CLP" && len(seg) > 2:
				clps[trn+"|"+seg[1]+"|"+seg[2]] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	posted, err := strings1(db, `SELECT check_no || '|' || claim_id || '|' || status FROM remit_claims`)
	if err != nil {
		return nil, err
	}
	seen, twicePosted, notIn := map[string]int{}, 0, 0
	for _, k := range posted {
		seen[k]++
		if seen[k] == 2 {
			twicePosted++
		}
		if !clps[k] {
			notIn++
		}
	}
	notPosted := 0
	for k := range clps {
		if seen[k] == 0 {
			notPosted++
		}
	}
	fmt.Printf("835 CLPs downloaded %d, posted %d (twice %d, never %d, not in any 835 %d)\n", len(clps), len(posted), twicePosted, notPosted, notIn)
	if twicePosted > 0 || notPosted > 0 || notIn > 0 {
		fail("835 posting: %d CLPs posted twice, %d never, %d not in any downloaded 835", twicePosted, notPosted, notIn)
	}
	states, err := stateCounts(db)
	if err != nil {
		return nil, err
	}
	fmt.Printf("claims by state: %s\n", states)

	var ic string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ic); err != nil {
		return nil, err
	}
	fmt.Printf("PRAGMA integrity_check: %s\n", ic)
	if ic != "ok" {
		fail("integrity_check: %s", ic)
	}
	return v, nil
}

func stateCounts(db *sql.DB) (string, error) {
	rows, err := db.Query(`SELECT state, COUNT(*) FROM claims GROUP BY state`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return "", err
		}
		out = append(out, fmt.Sprintf("%s %d", s, n))
	}
	sort.Strings(out)
	return strings.Join(out, ", "), rows.Err()
}

// segments splits an X12 interchange into elements by the separators its ISA declares.
func segments(b []byte) [][]string {
	if len(b) < 106 || !bytes.HasPrefix(b, []byte("ISA")) {
		return nil
	}
	elem, term := string(b[3]), b[105]
	var out [][]string
	for _, raw := range bytes.Split(b, []byte{term}) {
		s := strings.TrimSpace(string(raw))
		if s != "" {
			out = append(out, strings.Split(s, elem))
		}
	}
	return out
}
